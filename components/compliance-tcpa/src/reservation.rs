//! The life of a reserved attempt after its decision: `claim` just before the carrier request
//! goes out (the last point at which a revocation or a do-not-call entry stops the call), then
//! `confirm` with the carrier's call id, or `release` when the call was not placed. Each step
//! is one change through the number's ledger, so it is ordered against every decision,
//! revocation and listing of the number, and each is in the audit trail.

use crate::audit::{self, NewEntry};
use crate::dnc;
use crate::ledger::{self, Held, Stage};
use crate::model::{Claim, Error, Purpose, Reason};
use crate::number::Nanp;
use crate::service::load_consents;
use crate::store::Kv;
use serde_json::json;

/// The reservation a decision made: the number and the decision's audit id.
pub fn token(number: &Nanp, audit_id: &str) -> String {
    format!("{}:{audit_id}", number.digits())
}

/// The number and decision of a reservation token.
fn parse(token: &str) -> Result<(Nanp, String), Error> {
    let bad = || {
        Error::InvalidInput(format!(
            "reservation `{token}` is not one this checker gave: pass the `reservation` of an allowed decision of \
             `reserve`, unchanged"
        ))
    };
    let (digits, id) = token.trim().split_once(':').ok_or_else(bad)?;
    if id.len() != 20 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let number = Nanp::from_digits(digits).map_err(|_| bad())?;
    Ok((number, id.to_owned()))
}

/// A reservation as the ledger holds it, or why it cannot move to the next stage.
fn held(ledger: &ledger::Ledger, token: &str, id: &str) -> Result<Held, Error> {
    ledger.held(id).cloned().ok_or_else(|| {
        Error::InvalidInput(format!(
            "no attempt is held under reservation `{token}`: it was released (or withdrawn), or it is more than nine \
             days old; make a new decision with `reserve`"
        ))
    })
}

/// Claims a reservation just before its carrier request is sent. Granted unless the callee
/// revoked consent the call needs, or the number was put on the internal do-not-call list,
/// since the decision: then the reservation is withdrawn (released) and the reasons say why.
pub fn claim(kv: &dyn Kv, now: i64, token: &str) -> Result<Claim, Error> {
    let (n, id) = parse(token)?;
    let d = n.digits();
    let ((reasons, held), turn) = ledger::commit(kv, &d, now, |ledger, _| {
        let held = held(ledger, token, &id)?;
        match held.stage {
            Stage::Reserved => {}
            Stage::Claimed => {
                return Err(Error::InvalidInput(format!(
                    "reservation `{token}` is already claimed: its carrier request may have gone out; confirm it with \
                     the call id, or release it"
                )));
            }
            Stage::Placed => {
                return Err(Error::InvalidInput(format!(
                    "reservation `{token}` is already placed as call {}",
                    held.call_id.as_deref().unwrap_or("(no id)")
                )));
            }
        }
        let mut reasons: Vec<Reason> = ledger.dnc.iter().map(dnc::internal_reason).collect();
        if let Some(terms) = &held.terms {
            let consents = load_consents(kv, &d, ledger)?;
            let telemarketing = terms.purpose == Purpose::Telemarketing;
            let (reason, _) = crate::consent::evaluate(
                &consents,
                terms.consent_scope.as_deref(),
                terms.artificial_voice,
                telemarketing,
                &n.e164(),
                now,
            );
            reasons.extend(reason);
        }
        if reasons.is_empty() {
            if let Some(h) = ledger.held_mut(&id) {
                h.stage = Stage::Claimed;
            }
        } else {
            ledger.attempts.retain(|h| h.id != id);
        }
        Ok((reasons, held))
    })?;
    let granted = reasons.is_empty();
    let detail = json!({ "reservation": token, "decided_at": held.at, "subject": held.subject });
    let entry = NewEntry {
        kind: if granted { "reservation-claimed" } else { "reservation-withdrawn" },
        number: Some(&n),
        shown_number: None,
        allowed: Some(granted),
        reasons: reasons.clone(),
        detail,
    };
    let audit_id = audit::write(kv, now, &turn, entry, Vec::new())?;
    Ok(Claim { audit_id, granted, reasons })
}

/// Confirms that the carrier placed the claimed call: the attempt stays counted, with its id.
pub fn confirm(kv: &dyn Kv, now: i64, token: &str, call_id: &str) -> Result<(), Error> {
    let (n, id) = parse(token)?;
    let call_id = crate::service::text("call-id", call_id, 200)?;
    // Confirmed already (a retry of this call): nothing to change or audit again.
    let placed = ledger::read(kv, &n.digits())?;
    if placed.held(&id).is_some_and(|h| h.stage == Stage::Placed && h.call_id.as_deref() == Some(call_id.as_str())) {
        return Ok(());
    }
    let (held, turn) = ledger::commit(kv, &n.digits(), now, |ledger, _| {
        let held = held(ledger, token, &id)?;
        match held.stage {
            Stage::Claimed => {}
            Stage::Reserved => {
                return Err(Error::InvalidInput(format!(
                    "reservation `{token}` was never claimed: claim it before its carrier request goes out"
                )));
            }
            Stage::Placed if held.call_id.as_deref() == Some(call_id.as_str()) => {}
            Stage::Placed => {
                return Err(Error::InvalidInput(format!(
                    "reservation `{token}` is already placed as call {}, not {call_id}",
                    held.call_id.as_deref().unwrap_or("(no id)")
                )));
            }
        }
        if let Some(h) = ledger.held_mut(&id) {
            h.stage = Stage::Placed;
            h.call_id = Some(call_id.clone());
        }
        Ok(held)
    })?;
    let detail = json!({ "at": held.at, "subject": held.subject, "call_id": call_id, "reservation": token });
    let entry =
        NewEntry { kind: "attempt", number: Some(&n), shown_number: None, allowed: None, reasons: vec![], detail };
    audit::write(kv, now, &turn, entry, Vec::new())?;
    Ok(())
}

/// Releases a reservation whose call was not placed (the carrier refused it or failed, the
/// host gave up): the slot is free again for the next decision.
pub fn release(kv: &dyn Kv, now: i64, token: &str, why: &str) -> Result<(), Error> {
    let (n, id) = parse(token)?;
    let why = crate::service::text("why", why, 2000)?;
    let (held, turn) = ledger::commit(kv, &n.digits(), now, |ledger, _| {
        let held = held(ledger, token, &id)?;
        if held.stage == Stage::Placed {
            return Err(Error::InvalidInput(format!(
                "reservation `{token}` was placed as call {}: a placed call's attempt stays counted",
                held.call_id.as_deref().unwrap_or("(no id)")
            )));
        }
        ledger.attempts.retain(|h| h.id != id);
        Ok(held)
    })?;
    let stage = match held.stage {
        Stage::Reserved => "reserved",
        Stage::Claimed => "claimed",
        Stage::Placed => "placed",
    };
    let detail = json!({ "reservation": token, "decided_at": held.at, "stage": stage, "why": why });
    let entry = NewEntry {
        kind: "reservation-released",
        number: Some(&n),
        shown_number: None,
        allowed: None,
        reasons: vec![],
        detail,
    };
    audit::write(kv, now, &turn, entry, Vec::new())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_foreign_ones_are_refused() {
        let n = Nanp::from_digits("3035550123").unwrap();
        let t = token(&n, "00000000000000000042");
        assert_eq!(t, "3035550123:00000000000000000042");
        assert_eq!(parse(&t).unwrap(), (n, "00000000000000000042".to_owned()));
        for bad in ["", "3035550123", "3035550123:42", "x:00000000000000000042", "3035550123:0000000000000000004a"] {
            assert!(matches!(parse(bad), Err(Error::InvalidInput(_))), "{bad}");
        }
    }
}
