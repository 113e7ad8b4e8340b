//! The checker's operations over a store (`Kv`) at a given time: reads what a rule needs in
//! as few round trips as it can, decides, writes the change and its audit entry together.

use crate::audit::{self, NewEntry};
use crate::config::Settings;
use crate::consent::{Consents, Event, Given};
use crate::decide::{self, Facts, Outcome, Target};
use crate::dnc::{self, RegistryMeta};
use crate::ledger::{self, Held, Ledger, Stage, Stop, Terms};
use crate::model::{CallRequest, ConsentInput, ConsentKind, ConsentRecord, ConsentStatus, Decision, Error, Revocation};
use crate::number::{self, Dialed, Nanp};
use crate::reservation;
use crate::store::{Kv, counter, decode, encode, keys};
use serde_json::json;

/// Latest time accepted: the end of year 9999.
const MAX_TIME: i64 = 253_402_300_799;
/// How far in the future a consent or a scrub may be dated (clock skew).
pub(crate) const SKEW: i64 = 300;

pub(crate) fn time(name: &str, t: i64) -> Result<i64, Error> {
    if (0..=MAX_TIME).contains(&t) {
        Ok(t)
    } else {
        Err(Error::InvalidInput(format!("{name} is {t}: give seconds since the Unix epoch, from 0 to {MAX_TIME}")))
    }
}

/// A text argument, trimmed: required ones may not be empty, none may exceed `max` bytes.
pub(crate) fn text(name: &str, value: &str, max: usize) -> Result<String, Error> {
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

/// Decides whether a call may be placed, and appends the decision to the audit trail. Holds
/// nothing: a later decision may take the slot this one saw free (see [`reserve`]).
pub fn check(kv: &dyn Kv, now: i64, settings: &Settings, req: &CallRequest) -> Result<Decision, Error> {
    decide_and_audit(kv, now, settings, req, false)
}

/// Decides whether a call may be placed now and, when it may, reserves the attempt in the same
/// atomic step: every later decision on the number counts it, until it is released.
pub fn reserve(kv: &dyn Kv, now: i64, settings: &Settings, req: &CallRequest) -> Result<Decision, Error> {
    if let Some(at) = req.at.filter(|at| (at - now).abs() > SKEW) {
        return Err(Error::InvalidInput(format!(
            "at is {at}, but a reservation is for a call placed now: leave at out (use check to ask about another time)"
        )));
    }
    decide_and_audit(kv, now, settings, &CallRequest { at: None, ..req.clone() }, true)
}

fn decide_and_audit(
    kv: &dyn Kv,
    now: i64,
    settings: &Settings,
    req: &CallRequest,
    hold: bool,
) -> Result<Decision, Error> {
    let t = time("at", req.at.unwrap_or(now))?;
    let subject = optional_text("subject", req.subject.as_deref(), 200)?;
    optional_text("consent-scope", req.consent_scope.as_deref(), 200)?;
    optional_text("lead-id", req.lead_id.as_deref(), 200)?;
    let dialed = number::parse(&req.phone_number)?;
    let (outcome, audit_id, reservation) = match (decide::classify(req, &dialed, settings, t), &dialed) {
        // Service codes and non-+1 numbers have no records: nothing to order against.
        (Target::Refused(outcome), Dialed::Short(_) | Dialed::Foreign(_)) => {
            let shown = match &dialed {
                Dialed::Short(code) => code.to_string(),
                Dialed::Foreign(s) => s.clone(),
                Dialed::Nanp(n) => n.e164(),
            };
            let id = audit::append(kv, now, decision_entry(&outcome, None, Some(shown)), Vec::new())?;
            (outcome, id, None)
        }
        // A +1 number refused outright (toll-free, Canadian ...): indexed under it, in turn.
        (Target::Refused(outcome), Dialed::Nanp(n)) => {
            let ((), turn) = ledger::commit(kv, &n.digits(), now, |_, _| Ok(()))?;
            let id = audit::write(kv, now, &turn, decision_entry(&outcome, Some(n), None), Vec::new())?;
            (outcome, id, None)
        }
        (Target::Us { number, place }, _) => {
            let d = number.digits();
            let ((outcome, reservation), turn) = ledger::commit(kv, &d, now, |ledger, turn| {
                let facts = load_facts(kv, &number, ledger)?;
                let mut outcome = decide::decide(req, &number, &place, &facts, settings, t);
                let mut reservation = None;
                if hold && outcome.allowed {
                    let token = reservation::token(&number, &turn.id);
                    ledger.attempts.push(Held {
                        id: turn.id.clone(),
                        at: t,
                        subject: subject.clone(),
                        call_id: None,
                        stage: Stage::Reserved,
                        terms: Some(Terms {
                            purpose: req.purpose,
                            artificial_voice: req.artificial_voice,
                            consent_scope: req.consent_scope.clone(),
                        }),
                    });
                    outcome.detail["reservation"] = json!(token);
                    reservation = Some(token);
                }
                Ok((outcome, reservation))
            })?;
            let id = audit::write(kv, now, &turn, decision_entry(&outcome, Some(&number), None), Vec::new())?;
            (outcome, id, reservation)
        }
    };
    let Outcome { allowed, reasons, next_allowed_at, state, local_times, .. } = outcome;
    Ok(Decision { audit_id, allowed, reasons, next_allowed_at, checked_at: t, state, local_times, reservation })
}

/// The audit entry of a decision.
fn decision_entry<'a>(outcome: &Outcome, number: Option<&'a Nanp>, shown: Option<String>) -> NewEntry<'a> {
    NewEntry {
        kind: "decision",
        number,
        shown_number: shown,
        allowed: Some(outcome.allowed),
        reasons: outcome.reasons.clone(),
        detail: outcome.detail.clone(),
    }
}

/// Reads what the rules need for a number besides its ledger: one `get-many` for the registry
/// and the consent count, one for the consent log.
fn load_facts(kv: &dyn Kv, n: &Nanp, ledger: &Ledger) -> Result<Facts, Error> {
    let d = n.digits();
    let first = [keys::REGISTRY.to_owned(), keys::national(&d), keys::consent_count(&d)];
    let mut v = kv.get_many(&first)?.into_iter();
    let mut next = || v.next().flatten();
    let (registry, national, consents) = (next(), next(), next());
    let registry: Option<RegistryMeta> = decode(keys::REGISTRY, registry.as_deref())?;
    let national = dnc::listed(national.as_deref(), registry.as_ref());
    let events = consent_log(kv, &d, counter(consents.as_deref()) + 1, ledger)?;
    Ok(Facts {
        registry,
        internal: ledger.dnc.clone(),
        national,
        consents: Consents::fold(events),
        attempts: ledger.attempts(),
    })
}

/// The consent log of a number.
pub(crate) fn load_consents(kv: &dyn Kv, d: &str, ledger: &Ledger) -> Result<Consents, Error> {
    let count = counter(kv.get(&keys::consent_count(d))?.as_deref());
    Ok(Consents::fold(consent_log(kv, d, count + 1, ledger)?))
}

/// Records a call placed to a number outside a reservation (a call this checker did not
/// decide on, say), for spacing, caps and state limits.
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
    let subject = optional_text("subject", subject, 200)?;
    let call_id = optional_text("call-id", call_id, 200)?;
    let ((), turn) = ledger::commit(kv, &n.digits(), now, |ledger, turn| {
        ledger.attempts.push(Held {
            id: turn.id.clone(),
            at,
            subject: subject.clone(),
            call_id: call_id.clone(),
            stage: Stage::Placed,
            terms: None,
        });
        ledger.attempts.sort_by_key(|h| h.at);
        Ok(())
    })?;
    let detail = json!({ "at": at, "subject": subject, "call_id": call_id });
    let entry =
        NewEntry { kind: "attempt", number: Some(&n), shown_number: None, allowed: None, reasons: vec![], detail };
    audit::write(kv, now, &turn, entry, vec![])?;
    Ok(())
}

/// What consent is on record for a number.
pub fn verify_consent(kv: &dyn Kv, phone: &str, scope: Option<&str>) -> Result<ConsentStatus, Error> {
    let n = number::parse_nanp(phone)?;
    let scope = optional_text("scope", scope, 200)?;
    let d = n.digits();
    let consents = load_consents(kv, &d, &ledger::read(kv, &d)?)?;
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
    let (record, turn) = ledger::commit(kv, &d, now, |ledger, _| {
        let mut log = consent_log(kv, &d, slot, ledger)?;
        log.push(event.clone());
        Consents::fold(log)
            .records
            .pop()
            .ok_or_else(|| Error::Storage("the consent just recorded was not found; try again".into()))
    })?;
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
    audit::write(kv, now, &turn, entry, vec![(keys::consent(&d, slot), encode(&event))])?;
    Ok(record)
}

/// The consent log of a number before `slot` (the slot this call took): events other calls
/// took later slots for are not included. A revocation in force in the ledger whose log entry
/// is not written yet (it is written right after the ledger's swap) is read from the ledger.
fn consent_log(kv: &dyn Kv, d: &str, slot: u64, ledger: &Ledger) -> Result<Vec<Event>, Error> {
    let slots: Vec<String> = (1..slot).map(|i| keys::consent(d, i)).collect();
    let values = kv.get_many(&slots)?;
    let mut log = Vec::with_capacity(slots.len());
    for (i, (k, v)) in slots.iter().zip(&values).enumerate() {
        match (decode::<Event>(k, v.as_deref())?, &ledger.revoked) {
            (Some(event), _) => log.push(event),
            (None, Some(stop)) if stop.slot == i as u64 + 1 => log.push(Event::Revoked(stop.revocation.clone())),
            (None, _) => {}
        }
    }
    Ok(log)
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
    // In force from the ledger's swap: a decision or claim on the number that has not
    // committed by then starts over and sees it.
    let (revoked, turn) = ledger::commit(kv, &d, now, |ledger, _| {
        let mut log = consent_log(kv, &d, slot, ledger)?;
        let before = Consents::fold(log.clone());
        log.push(event.clone());
        let after = Consents::fold(log);
        ledger.revoked = Some(Stop { slot, revocation: revocation.clone() });
        Ok(after
            .records
            .into_iter()
            .zip(before.records)
            .filter(|(a, b)| b.revoked.is_none() && a.revoked.as_ref() == Some(&revocation))
            .map(|(a, _)| a)
            .collect::<Vec<ConsentRecord>>())
    })?;
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
    audit::write(kv, now, &turn, entry, vec![(keys::consent(&d, slot), encode(&event))])?;
    Ok(revoked)
}
