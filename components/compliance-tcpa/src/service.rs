//! The checker's operations over a store (`Kv`) at a given time: reads what a rule needs in
//! as few round trips as it can, decides, writes the change and its audit entry together.

use crate::audit::{self, NewEntry};
use crate::config::Settings;
use crate::consent::{Consents, Event, Given};
use crate::decide::{self, Facts, Outcome, Target};
use crate::dnc::{self, RegistryMeta};
use crate::frequency::{Attempt, DAY};
use crate::lists::internal_entry;
use crate::model::{CallRequest, ConsentInput, ConsentKind, ConsentRecord, ConsentStatus, Decision, Error, Revocation};
use crate::number::{self, Dialed, Nanp};
use crate::store::{Kv, counter, decode, encode, keys};
use serde_json::json;

/// Latest time accepted: the end of year 9999.
const MAX_TIME: i64 = 253_402_300_799;
/// How far in the future a consent or a scrub may be dated (clock skew).
const SKEW: i64 = 300;
/// Attempts read per round trip, newest first.
const ATTEMPT_BATCH: u64 = 32;

fn time(name: &str, t: i64) -> Result<i64, Error> {
    if (0..=MAX_TIME).contains(&t) {
        Ok(t)
    } else {
        Err(Error::InvalidInput(format!("{name} is {t}: give seconds since the Unix epoch, from 0 to {MAX_TIME}")))
    }
}

/// A text argument, trimmed: required ones may not be empty, none may exceed `max` bytes.
fn text(name: &str, value: &str, max: usize) -> Result<String, Error> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::InvalidInput(format!("{name} is empty: say it in a word or two")));
    }
    if v.len() > max {
        return Err(Error::InvalidInput(format!("{name} is {} bytes long: keep it under {max}", v.len())));
    }
    Ok(v.to_owned())
}

fn optional_text(name: &str, value: Option<&str>, max: usize) -> Result<Option<String>, Error> {
    value.filter(|v| !v.trim().is_empty()).map(|v| text(name, v, max)).transpose()
}

/// Decides whether a call may be placed, and appends the decision to the audit trail.
pub fn check(kv: &dyn Kv, now: i64, settings: &Settings, req: &CallRequest) -> Result<Decision, Error> {
    let t = time("at", req.at.unwrap_or(now))?;
    optional_text("subject", req.subject.as_deref(), 200)?;
    optional_text("consent-scope", req.consent_scope.as_deref(), 200)?;
    optional_text("lead-id", req.lead_id.as_deref(), 200)?;
    let dialed = number::parse(&req.phone_number)?;
    let outcome = match decide::classify(req, &dialed, settings, t) {
        Target::Refused(outcome) => outcome,
        Target::Us { number, place } => {
            let facts = load_facts(kv, &number, t)?;
            decide::decide(req, &number, &place, &facts, settings, t)
        }
    };
    // Every decision on a +1 number is indexed under it, refused ones (a toll-free or Canadian
    // number) included.
    let (indexed, shown) = match &dialed {
        Dialed::Nanp(n) => (Some(*n), n.e164()),
        Dialed::Short(code) => (None, code.to_string()),
        Dialed::Foreign(s) => (None, s.clone()),
    };
    let Outcome { allowed, reasons, next_allowed_at, state, local_times, detail } = outcome;
    let entry = NewEntry {
        kind: "decision",
        number: indexed.as_ref(),
        shown_number: Some(shown),
        allowed: Some(allowed),
        reasons: reasons.clone(),
        detail,
    };
    let audit_id = audit::append(kv, now, entry, Vec::new())?;
    Ok(Decision { audit_id, allowed, reasons, next_allowed_at, checked_at: t, state, local_times })
}

/// Reads what the rules need for a number: one `get-many` for the registry, the lists and the
/// counters, one for the consent log and the recent attempts (more only when a number has had
/// many attempts in the last day).
fn load_facts(kv: &dyn Kv, n: &Nanp, t: i64) -> Result<Facts, Error> {
    let d = n.digits();
    let first = [
        keys::REGISTRY.to_owned(),
        keys::internal(&d),
        keys::national(&d),
        keys::consent_count(&d),
        keys::attempt_count(&d),
    ];
    let mut v = kv.get_many(&first)?.into_iter();
    let mut next = || v.next().flatten();
    let (registry, internal, national, consents, attempts) = (next(), next(), next(), next(), next());
    let registry: Option<RegistryMeta> = decode(keys::REGISTRY, registry.as_deref())?;
    let internal = internal_entry(&keys::internal(&d), internal.as_deref())?;
    let national = dnc::listed(national.as_deref(), registry.as_ref());
    let consent_count = counter(consents.as_deref());
    let attempt_count = counter(attempts.as_deref());

    let mut second: Vec<String> = (1..=consent_count).map(|i| keys::consent(&d, i)).collect();
    let mut from = attempt_count.saturating_sub(ATTEMPT_BATCH) + 1;
    second.extend((from..=attempt_count).map(|i| keys::attempt(&d, i)));
    let values = kv.get_many(&second)?;
    let (consent_values, attempt_values) = values.split_at(consent_count as usize);
    let events = second
        .iter()
        .zip(consent_values)
        .map(|(k, v)| decode::<Event>(k, v.as_deref()))
        .filter_map(Result::transpose)
        .collect::<Result<Vec<_>, _>>()?;
    let mut attempts = decode_attempts(&second[consent_count as usize..], attempt_values)?;

    // Attempts are recorded in about time order: read further back while the oldest read may
    // still be within a day (and some slack) of the checked time.
    let mut rounds = 0;
    while from > 1 && rounds < 8 && attempts.iter().map(|a| a.at).min().is_some_and(|oldest| oldest > t - DAY - 3600) {
        let to = from - 1;
        from = to.saturating_sub(ATTEMPT_BATCH) + 1;
        let more: Vec<String> = (from..=to).map(|i| keys::attempt(&d, i)).collect();
        let values = kv.get_many(&more)?;
        attempts.extend(decode_attempts(&more, &values)?);
        rounds += 1;
    }
    Ok(Facts { registry, internal, national, consents: Consents::fold(events), attempts })
}

fn decode_attempts(keys: &[String], values: &[Option<Vec<u8>>]) -> Result<Vec<Attempt>, Error> {
    keys.iter().zip(values).map(|(k, v)| decode::<Attempt>(k, v.as_deref())).filter_map(Result::transpose).collect()
}

/// The consent log of a number.
fn load_consents(kv: &dyn Kv, d: &str) -> Result<Consents, Error> {
    let count = counter(kv.get(&keys::consent_count(d))?.as_deref());
    Ok(Consents::fold(log_until(kv, d, count + 1)?))
}

/// Records a call placed to a number.
pub fn record_attempt(
    kv: &dyn Kv,
    now: i64,
    phone: &str,
    subject: Option<&str>,
    at: Option<i64>,
    call_id: Option<&str>,
) -> Result<(), Error> {
    let n = number::parse_nanp(phone)?;
    let at = time("at", at.unwrap_or(now))?;
    let attempt = Attempt {
        at,
        subject: optional_text("subject", subject, 200)?,
        call_id: optional_text("call-id", call_id, 200)?,
    };
    let d = n.digits();
    let slot = kv.increment(&keys::attempt_count(&d), 1)?;
    let detail = json!({ "at": at, "subject": attempt.subject, "call_id": attempt.call_id, "slot": slot });
    let entry =
        NewEntry { kind: "attempt", number: Some(&n), shown_number: None, allowed: None, reasons: vec![], detail };
    audit::append(kv, now, entry, vec![(keys::attempt(&d, slot), encode(&attempt))])?;
    Ok(())
}

/// What consent is on record for a number.
pub fn verify_consent(kv: &dyn Kv, phone: &str, scope: Option<&str>) -> Result<ConsentStatus, Error> {
    let n = number::parse_nanp(phone)?;
    let scope = optional_text("scope", scope, 200)?;
    let consents = load_consents(kv, &n.digits())?;
    let best = consents.best(scope.as_deref(), i64::MAX);
    let valid = best.is_some();
    let written = best.is_some_and(|r| r.kind == ConsentKind::PriorExpressWritten);
    let of = scope.as_deref().map_or(String::new(), |s| format!(" of scope `{s}`"));
    let message = match (valid, written, consents.last_revocation()) {
        (true, true, _) => format!(
            "prior express written consent{of} is on record: artificial-voice, AI-voice and telemarketing calls are \
             allowed as far as consent goes"
        ),
        (true, false, _) => format!(
            "only prior express consent{of} is on record: enough for informational calls with a live agent, not for \
             artificial- or AI-voice calls or telemarketing, which need prior express written consent"
        ),
        (false, _, Some(r)) => format!(
            "the callee revoked consent at {} ({}): no consent{of} counts until new consent is obtained; only \
             informational calls with a live agent are allowed",
            crate::zones::iso_utc(r.at),
            r.means
        ),
        (false, _, None) => format!(
            "no consent{of} is on record: only informational calls with a live agent are allowed; record prior \
             express written consent before any artificial-voice or telemarketing call"
        ),
    };
    Ok(ConsentStatus { phone_number: n.e164(), valid, written, records: consents.newest_first(), message })
}

/// Records consent a callee gave.
pub fn record_consent(kv: &dyn Kv, now: i64, input: &ConsentInput) -> Result<ConsentRecord, Error> {
    let n = number::parse_nanp(&input.phone_number)?;
    let obtained_at = time("obtained-at", input.obtained_at.unwrap_or(now))?;
    if obtained_at > now + SKEW {
        return Err(Error::InvalidInput(format!(
            "obtained-at {obtained_at} is in the future: give the time the consent was given, or leave it out for now"
        )));
    }
    let given = Given {
        phone_number: n.e164(),
        kind: input.kind,
        channel: text("channel", &input.channel, 200)?,
        scope: text("scope", &input.scope, 200)?,
        obtained_at,
        evidence: optional_text("evidence", input.evidence.as_deref(), 2000)?,
        recorded_at: now,
    };
    let d = n.digits();
    let slot = kv.increment(&keys::consent_count(&d), 1)?;
    let event = Event::Given(given.clone());
    // The new record folded last: it may already be revoked (obtained before a revocation on
    // record).
    let mut log = log_until(kv, &d, slot)?;
    log.push(event.clone());
    let record = Consents::fold(log)
        .records
        .pop()
        .ok_or_else(|| Error::Storage("the consent just recorded was not found; try again".into()))?;
    let detail = json!({
        "kind": given.kind.as_str(),
        "channel": given.channel,
        "scope": given.scope,
        "obtained_at": given.obtained_at,
        "evidence": given.evidence,
        "slot": slot,
        "revoked_on_record": record.revoked.is_some(),
    });
    let entry = NewEntry {
        kind: "consent-recorded",
        number: Some(&n),
        shown_number: None,
        allowed: None,
        reasons: vec![],
        detail,
    };
    audit::append(kv, now, entry, vec![(keys::consent(&d, slot), encode(&event))])?;
    Ok(record)
}

/// The consent log of a number before `slot` (the slot this call took): events other calls
/// took later slots for are not included.
fn log_until(kv: &dyn Kv, d: &str, slot: u64) -> Result<Vec<Event>, Error> {
    let slots: Vec<String> = (1..slot).map(|i| keys::consent(d, i)).collect();
    let values = kv.get_many(&slots)?;
    slots.iter().zip(&values).map(|(k, v)| decode::<Event>(k, v.as_deref())).filter_map(Result::transpose).collect()
}

/// Revokes every consent of a number; returns the records it revoked.
pub fn revoke_consent(
    kv: &dyn Kv,
    now: i64,
    phone: &str,
    means: &str,
    note: Option<&str>,
) -> Result<Vec<ConsentRecord>, Error> {
    let n = number::parse_nanp(phone)?;
    let revocation =
        Revocation { at: now, means: text("means", means, 200)?, note: optional_text("note", note, 2000)? };
    let d = n.digits();
    let slot = kv.increment(&keys::consent_count(&d), 1)?;
    let event = Event::Revoked(revocation.clone());
    let mut log = log_until(kv, &d, slot)?;
    let before = Consents::fold(log.clone());
    log.push(event.clone());
    let after = Consents::fold(log);
    let revoked: Vec<ConsentRecord> = after
        .records
        .into_iter()
        .zip(before.records)
        .filter(|(a, b)| b.revoked.is_none() && a.revoked.as_ref() == Some(&revocation))
        .map(|(a, _)| a)
        .collect();
    let detail =
        json!({ "means": revocation.means, "note": revocation.note, "revoked_records": revoked.len(), "slot": slot });
    let entry = NewEntry {
        kind: "consent-revoked",
        number: Some(&n),
        shown_number: None,
        allowed: None,
        reasons: vec![],
        detail,
    };
    audit::append(kv, now, entry, vec![(keys::consent(&d, slot), encode(&event))])?;
    Ok(revoked)
}
