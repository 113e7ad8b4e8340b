//! Reservations: a decision that allows a call holds its attempt in the same atomic step, so
//! that decisions made at once (threads sharing one store, each operation atomic on its own,
//! as a host's store is) never allow more calls than a rule does; a failed placement releases
//! the slot; a revocation or do-not-call entry stops a reservation not yet claimed; and each
//! number's audit trail reads as the order its changes took effect in.

use compliance_tcpa::config::Settings;
use compliance_tcpa::lists;
use compliance_tcpa::model::{AuditEntry, CallRequest, ConsentInput, ConsentKind, Error, Purpose};
use compliance_tcpa::reservation;
use compliance_tcpa::service;
use compliance_tcpa::store::{Kv, SharedKv};
use std::sync::{Arc, Barrier};

/// Tuesday 2026-06-02 16:00 UTC: noon in Miami, 10:00 in Denver.
const T: i64 = 1_780_416_000;
const DAY: i64 = 86_400;
const FL: &str = "+13055550100";
const CO: &str = "+13035550100";

fn world(numbers: &[&str]) -> SharedKv {
    let kv = SharedKv::default();
    lists::import_dnc_registry(&kv, T, "3035550999\n", Some(T)).unwrap();
    for n in numbers {
        let input = ConsentInput {
            phone_number: (*n).into(),
            kind: ConsentKind::PriorExpressWritten,
            channel: "web-form".into(),
            scope: "acme".into(),
            obtained_at: Some(T - 30 * DAY),
            evidence: None,
        };
        service::record_consent(&kv, T - 30 * DAY, &input).unwrap();
    }
    kv
}

fn req(n: &str, subject: &str) -> CallRequest {
    CallRequest {
        phone_number: n.into(),
        at: None,
        artificial_voice: true,
        purpose: Purpose::Telemarketing,
        subject: Some(subject.into()),
        consent_scope: None,
        lead_id: Some("lead-1".into()),
    }
}

/// `n` threads reserve at once; the codes of the refusals, and how many were allowed.
fn burst(kv: &Arc<SharedKv>, settings: Settings, n: usize, number: &'static str) -> (usize, Vec<String>) {
    let start = Arc::new(Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|_| {
            let (kv, start) = (kv.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                service::reserve(&*kv, T, &settings, &req(number, "solar")).unwrap()
            })
        })
        .collect();
    let decisions: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let allowed = decisions.iter().filter(|d| d.allowed).count();
    assert!(decisions.iter().all(|d| d.allowed == d.reservation.is_some()));
    let mut codes: Vec<String> =
        decisions.iter().filter(|d| !d.allowed).flat_map(|d| d.reasons.iter().map(|r| r.code.clone())).collect();
    codes.sort();
    codes.dedup();
    (allowed, codes)
}

fn trail(kv: &dyn Kv, n: &str) -> Vec<AuditEntry> {
    lists::audit(kv, Some(n), None, None, Some(500)).unwrap().entries
}

#[test]
fn a_burst_never_allows_more_than_each_rule() {
    // Florida: 3 calls in 24 hours on one subject (spacing off, the daily cap out of the way).
    let kv = Arc::new(world(&[FL]));
    let fl = Settings { min_interval_secs: 0, max_attempts_per_24h: 100, ..Settings::default() };
    assert_eq!(burst(&kv, fl, 30, FL), (3, vec!["state-call-limit".to_owned()]));

    // The operator's daily cap, in Colorado (no state cap).
    let kv = Arc::new(world(&[CO]));
    let cap = Settings { min_interval_secs: 0, max_attempts_per_24h: 2, ..Settings::default() };
    assert_eq!(burst(&kv, cap, 30, CO), (2, vec!["too-many-attempts".to_owned()]));

    // Spacing: one call an hour.
    let kv = Arc::new(world(&[CO]));
    let spacing = Settings { min_interval_secs: 3600, max_attempts_per_24h: 100, ..Settings::default() };
    assert_eq!(burst(&kv, spacing, 30, CO), (1, vec!["too-soon".to_owned()]));

    // The trail: one decision per request, and read in order each refusal comes after the
    // allowed decisions it counted.
    let decisions: Vec<AuditEntry> = trail(&*kv, CO).into_iter().filter(|e| e.kind == "decision").collect();
    assert_eq!(decisions.len(), 30);
    assert_eq!(decisions[0].allowed, Some(true));
    assert!(decisions[1..].iter().all(|e| e.allowed == Some(false)));
    assert!(decisions.windows(2).all(|w| w[0].id < w[1].id));
}

#[test]
fn checks_count_held_reservations_and_a_release_frees_the_slot() {
    let kv = world(&[CO]);
    let settings = Settings { min_interval_secs: 0, max_attempts_per_24h: 1, ..Settings::default() };
    let first = service::reserve(&kv, T, &settings, &req(CO, "solar")).unwrap();
    let token = first.reservation.clone().unwrap();
    // A check made while the reservation is held does not promise its slot.
    let check = service::check(&kv, T, &settings, &req(CO, "solar")).unwrap();
    assert_eq!(check.reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["too-many-attempts"]);
    assert_eq!(check.reservation, None);

    // The carrier failed: the slot is free again.
    assert!(reservation::claim(&kv, T, &token).unwrap().granted);
    reservation::release(&kv, T, &token, "carrier: 503 service unavailable").unwrap();
    let second = service::reserve(&kv, T, &settings, &req(CO, "solar")).unwrap();
    assert!(second.allowed, "{:?}", second.reasons);

    // A placed call stays counted; it cannot be released.
    let token = second.reservation.unwrap();
    assert!(reservation::claim(&kv, T, &token).unwrap().granted);
    reservation::confirm(&kv, T, &token, "CA123").unwrap();
    reservation::confirm(&kv, T, &token, "CA123").unwrap(); // the same confirmation again is fine
    assert!(matches!(reservation::release(&kv, T, &token, "oops"), Err(Error::InvalidInput(_))));
    assert!(!service::reserve(&kv, T + 60, &settings, &req(CO, "solar")).unwrap().allowed);

    let kinds: Vec<String> = trail(&kv, CO).into_iter().map(|e| e.kind).skip(1).collect();
    assert_eq!(
        kinds,
        [
            "decision",
            "decision",
            "reservation-claimed",
            "reservation-released",
            "decision",
            "reservation-claimed",
            "attempt",
            "decision"
        ]
    );
}

#[test]
fn a_stop_after_the_decision_withdraws_an_unclaimed_reservation() {
    let kv = world(&[CO, FL]);
    let settings = Settings { min_interval_secs: 0, ..Settings::default() };
    let revoked = service::reserve(&kv, T, &settings, &req(CO, "solar")).unwrap().reservation.unwrap();
    let listed = service::reserve(&kv, T, &settings, &req(FL, "solar")).unwrap().reservation.unwrap();
    service::revoke_consent(&kv, T + 1, CO, "said-stop-on-call", Some("stop calling me")).unwrap();
    lists::add_to_dnc(&kv, T + 1, FL, Some("asked not to be called"), Some("opt-out-intent")).unwrap();

    let claim = reservation::claim(&kv, T + 2, &revoked).unwrap();
    assert!(!claim.granted);
    assert_eq!(claim.reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["consent-revoked"]);
    let claim = reservation::claim(&kv, T + 2, &listed).unwrap();
    assert_eq!(claim.reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["internal-dnc"]);
    // Withdrawn means released: it cannot be claimed or confirmed.
    assert!(matches!(reservation::claim(&kv, T + 3, &listed), Err(Error::InvalidInput(_))));
    assert!(matches!(reservation::confirm(&kv, T + 3, &listed, "CA1"), Err(Error::InvalidInput(_))));
}

#[test]
fn claiming_is_ordered_against_a_concurrent_revocation() {
    // Many reservations on one number, claimed by threads while another thread revokes
    // consent: every claim the trail shows after the revocation is refused.
    for round in 0..20 {
        let kv = Arc::new(world(&[CO]));
        let settings = Settings { min_interval_secs: 0, max_attempts_per_24h: 100, ..Settings::default() };
        let tokens: Vec<String> = (0..12)
            .map(|_| service::reserve(&*kv, T, &settings, &req(CO, "solar")).unwrap().reservation.unwrap())
            .collect();
        let start = Arc::new(Barrier::new(tokens.len() + 1));
        let mut threads: Vec<_> = tokens
            .into_iter()
            .map(|token| {
                let (kv, start) = (kv.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    reservation::claim(&*kv, T + 1, &token).unwrap();
                })
            })
            .collect();
        let (k, s) = (kv.clone(), start.clone());
        threads.push(std::thread::spawn(move || {
            s.wait();
            service::revoke_consent(&*k, T + 1, CO, "said-stop-on-call", None).unwrap();
        }));
        for t in threads {
            t.join().unwrap();
        }
        let entries = trail(&*kv, CO);
        let revoked_at = entries.iter().position(|e| e.kind == "consent-revoked").unwrap();
        for (i, e) in entries.iter().enumerate() {
            match e.kind.as_str() {
                "reservation-claimed" => assert!(i < revoked_at, "round {round}: a claim after the revocation"),
                "reservation-withdrawn" => assert!(i > revoked_at, "round {round}: withdrawn before the revocation"),
                _ => {}
            }
        }
        assert!(entries.windows(2).all(|w| w[0].id < w[1].id), "round {round}: the trail is out of order");
    }
}
