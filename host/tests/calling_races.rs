//! Compliance under concurrency on one host, with the embedded store: 30 parallel
//! `initiate_call_with_compliance` requests for one number, released together against a fake
//! Twilio that takes 50 ms to accept a call, place exactly as many calls as each rule allows
//! (the Florida cap of 3 a day on a subject, the operator's daily cap, the spacing rule); a
//! failed placement gives its slot back; a revocation acknowledged during a burst stops every
//! call not already on its way.

use crate::common::Session;
use crate::common::calling::{
    CALLEE, NOON_IN_NEW_YORK, audit_of, clear_to_call, fixture, free_port, placed_and_refused, queued_carrier, serve,
};
use futures::future::join_all;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use switchboard_fakes::twilio::{Endpoint, Failure, FakeTwilio};

/// A Miami number: Florida's 3 calls in 24 hours on one subject apply.
const FLORIDA: &str = "+13055550142";
const BURST: usize = 30;

fn initiate(number: &str, lead: usize) -> Value {
    json!({ "phone_number": number, "lead_id": format!("lead-{lead}"), "subject": "solar" })
}

/// Sends `BURST` initiates for `number` at once; the placed calls and the refusals' codes.
async fn burst(session: &Session, number: &str) -> (Vec<Value>, Vec<Vec<String>>) {
    let calls = (0..BURST).map(|i| session.call("initiate_call_with_compliance", initiate(number, i)));
    placed_and_refused(join_all(calls).await)
}

/// Sends `BURST` initiates for `number`, one every 10 ms, all in flight together.
async fn staggered(session: &Session, number: &str) -> (Vec<Value>, Vec<Vec<String>>) {
    let calls = (0..BURST).map(|i| async move {
        tokio::time::sleep(Duration::from_millis(10 * i as u64)).await;
        session.call("initiate_call_with_compliance", initiate(number, i)).await
    });
    placed_and_refused(join_all(calls).await)
}

/// The rule's cap holds: `cap` calls placed and reaching the carrier, every other request
/// refused naming `code`, and one decision per request in the audit trail, the allowed ones
/// first.
async fn assert_capped(session: &Session, twilio: &FakeTwilio, number: &str, cap: usize, code: &str) {
    let (placed, refused) = burst(session, number).await;
    assert_eq!(placed.len(), cap, "{} calls placed for a cap of {cap}", placed.len());
    assert_eq!(refused.len(), BURST - cap);
    for codes in &refused {
        assert!(codes.iter().any(|c| c == code), "a refusal that does not name {code}: {codes:?}");
    }
    assert_eq!(twilio.requests_to(Endpoint::CreateCall).len(), cap, "calls that reached the carrier");

    let decisions: Vec<Value> =
        audit_of(session, number).await.into_iter().filter(|e| e["kind"] == "decision").collect();
    assert_eq!(decisions.len(), BURST, "one decision per request");
    let allowed: Vec<bool> = decisions.iter().map(|e| e["allowed"] == true).collect();
    assert!(allowed[..cap].iter().all(|a| *a) && allowed[cap..].iter().all(|a| !a), "out of order: {allowed:?}");
    let ids: Vec<&str> = decisions.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
}

/// A host whose compliance checker runs under `rules`, a burst of calls to `number`, and
/// the check that exactly `cap` were placed and the rest refused for `reason`.
async fn burst_against(rules: &str, number: &str, cap: usize, reason: &str) {
    let twilio = queued_carrier().await;
    let fx = fixture(&twilio, NOON_IN_NEW_YORK, None, rules);
    let session = serve(&fx, free_port()).await;
    clear_to_call(&session, number).await;
    assert_capped(&session, &twilio, number, cap, reason).await;
    session.close().await;
}

#[tokio::test]
async fn a_burst_places_no_more_calls_than_the_florida_cap() {
    let rules = "min_interval_minutes = \"0\"\nmax_attempts_per_24h = \"100\"\n";
    burst_against(rules, FLORIDA, 3, "state-call-limit").await;
}

#[tokio::test]
async fn a_burst_places_no_more_calls_than_the_daily_cap() {
    let rules = "min_interval_minutes = \"0\"\nmax_attempts_per_24h = \"2\"\n";
    burst_against(rules, CALLEE, 2, "too-many-attempts").await;
}

#[tokio::test]
async fn a_burst_places_one_call_under_the_spacing_rule() {
    let rules = "min_interval_minutes = \"60\"\nmax_attempts_per_24h = \"100\"\n";
    burst_against(rules, CALLEE, 1, "too-soon").await;
}

#[tokio::test]
async fn a_failed_placement_gives_its_slot_back() {
    let twilio = queued_carrier().await;
    let fx = fixture(&twilio, NOON_IN_NEW_YORK, None, "min_interval_minutes = \"0\"\nmax_attempts_per_24h = \"1\"\n");
    let session = serve(&fx, free_port()).await;
    clear_to_call(&session, CALLEE).await;

    twilio.fail_next_on(Endpoint::CreateCall, 1, Failure::from_status(503));
    let failed = session.call("initiate_call_with_compliance", initiate(CALLEE, 1)).await;
    assert_eq!(failed.is_error, Some(true));
    assert_ne!(failed.structured_content.as_ref().map(|c| c["code"].clone()), Some(json!("COMPLIANCE_BLOCKED")));
    // The cap is one call a day, and none was placed: the next request gets the slot.
    let placed = session.ok("initiate_call_with_compliance", initiate(CALLEE, 2)).await;
    assert!(placed["call_sid"].is_string(), "{placed}");
    let refused = session.call("initiate_call_with_compliance", initiate(CALLEE, 3)).await;
    assert_eq!(refused.is_error, Some(true));

    let kinds: Vec<String> =
        audit_of(&session, CALLEE).await.iter().map(|e| e["kind"].as_str().unwrap().to_owned()).collect();
    let expected = [
        "consent-recorded",
        "decision",
        "reservation-claimed",
        "reservation-released",
        "decision",
        "reservation-claimed",
        "attempt",
        "decision",
    ];
    assert_eq!(kinds, expected);
    let released = audit_of(&session, CALLEE).await.into_iter().find(|e| e["kind"] == "reservation-released").unwrap();
    assert!(released["detail"].as_str().unwrap().contains("carrier"), "the release says why: {released}");
    session.close().await;
}

#[tokio::test]
async fn a_revocation_during_a_burst_stops_every_call_not_yet_claimed() {
    let twilio = queued_carrier().await;
    let fx = fixture(&twilio, NOON_IN_NEW_YORK, None, "min_interval_minutes = \"0\"\nmax_attempts_per_24h = \"100\"\n");
    let session = serve(&fx, free_port()).await;
    clear_to_call(&session, CALLEE).await;

    // A burst spread over 300 ms, and a revocation sent once the first call reached the carrier.
    let revoke = async {
        let deadline = Instant::now() + Duration::from_secs(20);
        while twilio.requests_to(Endpoint::CreateCall).is_empty() {
            assert!(Instant::now() < deadline, "no call reached the carrier");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        session.ok("revoke_consent", json!({ "phone_number": CALLEE, "means": "said-stop-on-call" })).await;
    };
    let ((placed, refused), ()) = tokio::join!(staggered(&session, CALLEE), revoke);
    assert!(!placed.is_empty(), "the revocation came before any call was placed");
    assert!(!refused.is_empty(), "the revocation came after the whole burst");

    // Read in order, the trail shows every claim before the revocation and every withdrawal
    // after it; each placed call was claimed, and no other call reached the carrier.
    let trail = audit_of(&session, CALLEE).await;
    let revoked = trail.iter().position(|e| e["kind"] == "consent-revoked").unwrap();
    let claims = trail.iter().enumerate().filter(|(_, e)| e["kind"] == "reservation-claimed").map(|(i, _)| i);
    let claims: Vec<usize> = claims.collect();
    assert!(claims.iter().all(|&i| i < revoked), "a claim after the revocation: {claims:?} vs {revoked}");
    for (i, e) in trail.iter().enumerate().filter(|(_, e)| e["kind"] == "reservation-withdrawn") {
        assert!(i > revoked, "a withdrawal before the revocation: {e}");
        assert!(e["reasons"][0]["code"] == "consent-revoked", "{e}");
    }
    assert_eq!(claims.len(), placed.len());
    assert_eq!(twilio.requests_to(Endpoint::CreateCall).len(), placed.len());
    for codes in &refused {
        assert!(codes.iter().any(|c| c == "consent-revoked"), "refused for another reason: {codes:?}");
    }
    // And everything asked after it is refused.
    let after = session.call("initiate_call_with_compliance", initiate(CALLEE, 99)).await;
    assert_eq!(after.structured_content.unwrap()["reasons"][0]["code"], "consent-revoked");
    session.close().await;
}
