//! The decision, as a pure function of the request, the number and the records read for it:
//! every rule the call breaks, and when only time rules stand in the way, the earliest time
//! all of them pass.

use crate::config::Settings;
use crate::consent::{self, Consents};
use crate::data::Region;
use crate::dnc::{self, RegistryMeta};
use crate::frequency::{self, Attempt, DAY};
use crate::hours::{self, Block};
use crate::model::{CallRequest, DncEntry, LocalTime, Purpose, Reason};
use crate::number::{self, Dialed, Nanp};
use crate::states::{self, StateRules};
use crate::zones::{self, Place};
use chrono_tz::Tz;
use serde_json::json;

/// How far ahead `next-allowed-at` looks.
pub const HORIZON: i64 = 14 * DAY;

/// What a decision says, before it gets its audit id.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub allowed: bool,
    pub reasons: Vec<Reason>,
    pub next_allowed_at: Option<i64>,
    pub state: Option<String>,
    pub local_times: Vec<LocalTime>,
    /// The inputs used, for the audit trail.
    pub detail: serde_json::Value,
}

/// A number the rules can be applied to, or the outcome that refuses it outright.
pub enum Target {
    Us { number: Nanp, place: Place },
    Refused(Outcome),
}

fn local_times(zones: &[Tz], t: i64) -> Vec<LocalTime> {
    zones.iter().map(|&z| LocalTime { zone: z.name().to_owned(), time: zones::local_time_string(z, t) }).collect()
}

fn refused(req: &CallRequest, shown: &str, reason: Reason, place: Option<&Place>, t: i64) -> Outcome {
    let zones = place.map_or(&[][..], |p| &p.zones[..]);
    Outcome {
        allowed: false,
        reasons: vec![reason],
        next_allowed_at: None,
        state: None,
        local_times: local_times(zones, t),
        detail: json!({
            "phone_number": shown,
            "at": t,
            "purpose": req.purpose.as_str(),
            "artificial_voice": req.artificial_voice,
            "subject": req.subject,
            "consent_scope": req.consent_scope,
            "lead_id": req.lead_id,
            "zones": zones.iter().map(|z| z.name()).collect::<Vec<_>>(),
            "region": place.map(|p| p.code),
        }),
    }
}

/// Sorts out numbers no rule set here covers: service codes, special numbers, non-US numbers.
pub fn classify(req: &CallRequest, dialed: &Dialed, settings: &Settings, t: i64) -> Target {
    const US_ONLY: &str = "47 U.S.C. 227; 47 CFR 64.1200";
    match dialed {
        Dialed::Short(code) => {
            Target::Refused(refused(req, &code.to_string(), number::short_code_reason(*code), None, t))
        }
        Dialed::Foreign(s) => {
            let reason = Reason::new(
                "unsupported-region",
                US_ONLY,
                format!("{s} is not a North American (+1) number: these rules are for US numbers only"),
            );
            Target::Refused(refused(req, s, reason, None, t))
        }
        Dialed::Nanp(n) => {
            if let Some(reason) = number::special_reason(n) {
                return Target::Refused(refused(req, &n.e164(), reason, None, t));
            }
            let Some(place) = zones::place(n, settings.zone_match) else {
                let reason = Reason::new(
                    "unsupported-region",
                    US_ONLY,
                    format!(
                        "area code {} is not a geographic US area code (no state or time zone is known for it), so \
                         calling hours cannot be checked",
                        n.npa
                    ),
                );
                return Target::Refused(refused(req, &n.e164(), reason, None, t));
            };
            match place.region {
                Region::Us => Target::Us { number: *n, place },
                region => {
                    let country = if region == Region::Canada { "Canada" } else { "a Caribbean country" };
                    let reason = Reason::new(
                        "unsupported-region",
                        US_ONLY,
                        format!(
                            "{} is in {country} ({}): these rules are for US numbers; that country's telemarketing \
                             rules apply instead",
                            n.e164(),
                            place.code
                        ),
                    );
                    Target::Refused(refused(req, &n.e164(), reason, Some(&place), t))
                }
            }
        }
    }
}

/// The records of a number that the rules depend on.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub registry: Option<RegistryMeta>,
    pub internal: Option<DncEntry>,
    pub national: bool,
    pub consents: Consents,
    pub attempts: Vec<Attempt>,
}

/// Every time rule the call breaks at `t`: calendar rules and spacing and caps.
fn time_blocks(
    req: &CallRequest,
    place: &Place,
    state: Option<&StateRules>,
    subject: Option<&str>,
    facts: &Facts,
    settings: &Settings,
    t: i64,
) -> Vec<Block> {
    let mut blocks = hours::calendar_blocks(&place.zones, state, req.purpose, t);
    blocks.extend(frequency::frequency_blocks(&facts.attempts, subject, state, settings, t));
    blocks
}

/// The decision for a US number.
pub fn decide(req: &CallRequest, number: &Nanp, place: &Place, facts: &Facts, settings: &Settings, t: i64) -> Outcome {
    let phone = number.e164();
    let state = states::rules_for(place.code);
    let subject = frequency::normalize_subject(req.subject.as_deref());
    let telemarketing = req.purpose == Purpose::Telemarketing;
    let mut reasons = Vec::new();

    reasons.extend(dnc::registry_reason(facts.registry.as_ref(), t));
    if let Some(entry) = &facts.internal {
        reasons.push(dnc::internal_reason(entry));
    }
    if facts.national && telemarketing {
        reasons.push(dnc::national_reason(&phone));
    }
    let (consent_reason, consent_found) = consent::evaluate(
        &facts.consents,
        req.consent_scope.as_deref(),
        req.artificial_voice,
        telemarketing,
        &phone,
        t,
    );
    reasons.extend(consent_reason);
    let final_reasons = reasons.len();

    let blocks = time_blocks(req, place, state, subject.as_deref(), facts, settings, t);
    reasons.extend(blocks.iter().map(|b| b.reason.clone()));

    let allowed = reasons.is_empty();
    let next_allowed_at = if allowed || final_reasons > 0 {
        None
    } else {
        next_allowed(&blocks, t, facts.registry.as_ref(), |at| {
            time_blocks(req, place, state, subject.as_deref(), facts, settings, at)
        })
    };

    let counts = frequency::counts(&facts.attempts, subject.as_deref(), t);
    let registry = dnc::info(facts.registry.as_ref(), t);
    let detail = json!({
        "phone_number": phone,
        "at": t,
        "purpose": req.purpose.as_str(),
        "artificial_voice": req.artificial_voice,
        "subject": req.subject,
        "consent_scope": req.consent_scope,
        "lead_id": req.lead_id,
        "zones": place.zones.iter().map(|z| z.name()).collect::<Vec<_>>(),
        "zone_match": settings.zone_match.as_str(),
        "state": place.code,
        "registry": {
            "imported": registry.imported,
            "generation": facts.registry.as_ref().map(|m| m.generation),
            "scrubbed_at": registry.scrubbed_at,
            "age_days": registry.age_days,
        },
        "internal_dnc": facts.internal.is_some(),
        "national_dnc": facts.national,
        "consent_found": consent_found.map(|c| json!({
            "kind": c.kind.as_str(),
            "scope": c.scope,
            "channel": c.channel,
            "obtained_at": c.obtained_at,
            "evidence": c.evidence,
        })),
        "consent_revocations": facts.consents.revocations.len(),
        "attempts": counts,
        "settings": {
            "min_interval_minutes": settings.min_interval_secs / 60,
            "max_attempts_per_24h": settings.max_attempts_per_24h,
        },
        "next_allowed_at": next_allowed_at,
    });
    Outcome {
        allowed,
        reasons,
        next_allowed_at,
        state: Some(place.code.to_owned()),
        local_times: local_times(&place.zones, t),
        detail,
    }
}

/// The earliest instant at or after `t` when no time rule blocks, jumping each time to the
/// latest instant a blocking rule may stop blocking (every instant before it is blocked by
/// that rule); none past the horizon, or once the registry would be too old by then.
fn next_allowed(
    first: &[Block],
    t: i64,
    registry: Option<&RegistryMeta>,
    blocks_at: impl Fn(i64) -> Vec<Block>,
) -> Option<i64> {
    let mut at = t;
    let mut blocks = first.to_vec();
    for _ in 0..1000 {
        let Some(until) = blocks.iter().map(|b| b.until).max() else { return Some(at) };
        at = until.max(at + 1);
        if at > t + HORIZON || dnc::registry_reason(registry, at).is_some() {
            return None;
        }
        blocks = blocks_at(at);
    }
    None
}
