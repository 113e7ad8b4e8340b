//! Several hosts, one PostgreSQL: three `switchboard serve` processes share their state in a
//! real PostgreSQL server (started here), and agents hammer all three at once. The caps hold
//! across hosts, a revocation on one host stops calls on the others, a carrier's callback
//! for a call placed by one host updates the record on another, a host killed with SIGKILL
//! mid-burst loses no acknowledged decision, and a database restarted under load fails calls
//! with a store error while it is down and serves them again, with no host restarted.
//!
//! Skipped with a message when PostgreSQL's server binaries are missing, unless
//! `SWITCHBOARD_REQUIRE_POSTGRES=1` (as `.ci/run` sets).

use crate::common::calling::{
    CALLEE, NOON_IN_NEW_YORK, audit_of, clear_to_call, fixture, free_port, placed_and_refused, queued_carrier, serve,
};
use crate::common::{Fixture, Session};
use futures::future::join_all;
use serde_json::{Value, json};
use std::time::Duration;
use switchboard_fakes::postgres::TempPostgres;
use switchboard_fakes::twilio::{Endpoint, FakeTwilio};

/// A Miami number: Florida's 3 calls in 24 hours on one subject apply.
const FLORIDA: &str = "+13055550142";
const HOSTS: usize = 3;
const PER_HOST: usize = 10;

/// A host's fixture whose state store is the database at `url`.
fn host(twilio: &FakeTwilio, url: &str, rules: &str) -> Fixture {
    let fx = fixture(twilio, NOON_IN_NEW_YORK, None, rules);
    let config = std::fs::read_to_string(fx.config()).unwrap();
    let shared = config.replace("[store]\npath = \"state.sqlite3\"\n", &format!("[store]\nurl = \"{url}\"\n"));
    assert_ne!(config, shared, "the fixture's [store] table moved");
    std::fs::write(fx.config(), shared).unwrap();
    fx
}

fn initiate(number: &str, lead: usize) -> Value {
    json!({ "phone_number": number, "lead_id": format!("lead-{lead}"), "subject": "solar" })
}

/// Sends `PER_HOST` initiates for `number` to every host at once; the calls placed, and the
/// codes of the refusals.
async fn burst(hosts: &[Session], number: &str) -> (usize, Vec<Vec<String>>) {
    let calls = hosts.iter().enumerate().flat_map(|(h, session)| {
        (0..PER_HOST).map(move |i| session.call("initiate_call_with_compliance", initiate(number, h * PER_HOST + i)))
    });
    let (placed, refused) = placed_and_refused(join_all(calls).await);
    (placed.len(), refused)
}

#[tokio::test]
async fn three_hosts_on_one_database_keep_the_caps_and_honour_a_revocation_made_on_another() {
    let Some(pg) = TempPostgres::for_test() else { return };
    pg.create_database("cluster").unwrap();
    let twilio = queued_carrier().await;
    let rules = "min_interval_minutes = \"0\"\nmax_attempts_per_24h = \"100\"\n";
    let fixtures: Vec<Fixture> = (0..HOSTS).map(|_| host(&twilio, &pg.url("cluster"), rules)).collect();
    let hosts: Vec<Session> = join_all(fixtures.iter().map(|fx| serve(fx, free_port()))).await;

    // Consent recorded on one host is seen by all.
    clear_to_call(&hosts[0], FLORIDA).await;
    let (placed, refused) = burst(&hosts, FLORIDA).await;
    assert_eq!(placed, 3, "calls placed across {HOSTS} hosts for Florida's cap of 3");
    assert_eq!(refused.len(), HOSTS * PER_HOST - 3);
    assert!(refused.iter().all(|codes| codes.iter().any(|c| c == "state-call-limit")), "{refused:?}");
    assert_eq!(twilio.requests_to(Endpoint::CreateCall).len(), 3, "calls that reached the carrier");

    // Every host reads the same trail, in one order.
    let trails: Vec<Vec<Value>> = join_all(hosts.iter().map(|h| audit_of(h, FLORIDA))).await;
    assert!(trails.windows(2).all(|w| w[0] == w[1]), "the hosts read different audit trails");
    let decisions = trails[0].iter().filter(|e| e["kind"] == "decision").count();
    assert_eq!(decisions, HOSTS * PER_HOST, "one decision per request");

    // A revocation committed on host 2 is in force on hosts 0 and 1 at once.
    clear_to_call(&hosts[0], CALLEE).await;
    hosts[2].ok("revoke_consent", json!({ "phone_number": CALLEE, "means": "said-stop-on-call" })).await;
    for session in &hosts[..2] {
        let r = session.call("initiate_call_with_compliance", initiate(CALLEE, 99)).await;
        assert_eq!(r.is_error, Some(true), "a call after the revocation: {}", crate::common::text(&r));
    }
    for h in hosts {
        h.close().await;
    }
}

#[tokio::test]
async fn a_host_killed_mid_burst_loses_no_acknowledged_decision() {
    let Some(pg) = TempPostgres::for_test() else { return };
    pg.create_database("kill").unwrap();
    let twilio = queued_carrier().await;
    let rules = "min_interval_minutes = \"0\"\nmax_attempts_per_24h = \"100\"\n";
    let fixtures: Vec<Fixture> = (0..2).map(|_| host(&twilio, &pg.url("kill"), rules)).collect();
    let survivor = serve(&fixtures[0], free_port()).await;
    clear_to_call(&survivor, CALLEE).await;
    let (mut victim, mut stdin, mut lines) = fixtures[1].serve_raw().await;

    // The victim gets a stream of checks (one number each) over raw stdio; every decision it
    // answers is acknowledged.
    use tokio::io::AsyncWriteExt as _;
    for id in 1..=200 {
        let number = format!("+1303555{:04}", 1000 + id);
        let check = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
            "name": "check_tcpa_compliance", "arguments": { "request": {
                "phone_number": number, "artificial_voice": true, "purpose": "telemarketing" } }}});
        stdin.write_all(format!("{check}\n").as_bytes()).await.unwrap();
    }
    let mut acknowledged = Vec::new();
    while acknowledged.len() < 40 {
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await.unwrap().unwrap().unwrap();
        let reply: Value = serde_json::from_str(&line).unwrap();
        if let Some(id) = reply["result"]["structuredContent"]["audit_id"].as_str() {
            acknowledged.push(id.to_owned());
        }
    }
    victim.start_kill().unwrap();
    victim.wait().await.unwrap();

    // The survivor keeps serving, and the whole trail, read from it, holds every decision the
    // victim acknowledged.
    let mut stored = std::collections::HashSet::new();
    let mut cursor = Value::Null;
    loop {
        let page = survivor.ok("get_compliance_audit", json!({ "cursor": cursor, "limit": 500 })).await;
        for e in page["entries"].as_array().unwrap() {
            stored.insert(e["id"].as_str().unwrap().to_owned());
        }
        cursor = page["next_cursor"].clone();
        if cursor.is_null() {
            break;
        }
    }
    for id in &acknowledged {
        assert!(stored.contains(id), "acknowledged decision {id} is missing from the trail");
    }
    let request =
        json!({ "request": { "phone_number": CALLEE, "artificial_voice": true, "purpose": "telemarketing" } });
    let r = survivor.call("check_tcpa_compliance", request).await;
    assert_ne!(r.is_error, Some(true), "the survivor stopped serving: {}", crate::common::text(&r));
    survivor.close().await;
}

/// A check of a number of its own (so that checks never wait on one another's ledger).
fn check(number: u32) -> Value {
    json!({ "request": { "phone_number": format!("+1312555{:04}", number % 10_000), "artificial_voice": true,
        "purpose": "telemarketing" } })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restarted_under_load_fails_calls_with_a_store_error_then_serves_them_again() {
    let Some(mut pg) = TempPostgres::for_test() else { return };
    pg.create_database("restart").unwrap();
    let twilio = queued_carrier().await;
    let fixtures: Vec<Fixture> = (0..2).map(|_| host(&twilio, &pg.url("restart"), "")).collect();
    let hosts: Vec<Session> = join_all(fixtures.iter().map(|fx| serve(fx, free_port()))).await;
    clear_to_call(&hosts[0], CALLEE).await;

    // Both hosts take a steady stream of checks while the database stops and starts again.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let load = |h: usize| {
        let (session, stop) = (&hosts[h], &stop);
        async move {
            let mut outcomes = Vec::new();
            let mut i = h as u32 * 5000;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                i += 1;
                let r = session.call("check_tcpa_compliance", check(i)).await;
                let content = r.structured_content.clone().unwrap_or(Value::Null);
                outcomes.push(match r.is_error {
                    Some(true) => Err(crate::common::text(&r)),
                    _ => Ok(content["audit_id"].as_str().expect("a decision has an audit id").to_owned()),
                });
            }
            outcomes
        }
    };
    let restart = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        tokio::task::block_in_place(|| pg.pause());

        // While it is down, a call fails with an error that names the store; a call that needs
        // the database is not placed.
        for session in &hosts {
            let message = session.fails("check_tcpa_compliance", check(9999)).await;
            assert!(message.contains("PostgreSQL state store"), "the error does not name the store: {message}");
        }
        let r = hosts[1].call("initiate_call_with_compliance", initiate(CALLEE, 1)).await;
        assert_eq!(r.is_error, Some(true), "a call placed with the database down: {}", crate::common::text(&r));
        assert!(twilio.requests_to(Endpoint::CreateCall).is_empty(), "a call reached the carrier");

        tokio::time::sleep(Duration::from_millis(500)).await;
        tokio::task::block_in_place(|| pg.resume()).unwrap();

        // Back without restarting the hosts: each answers again within seconds.
        for session in &hosts {
            let deadline = std::time::Instant::now() + Duration::from_secs(15);
            loop {
                let r = session.call("check_tcpa_compliance", check(9998)).await;
                if r.is_error != Some(true) {
                    break;
                }
                assert!(std::time::Instant::now() < deadline, "no recovery: {}", crate::common::text(&r));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    };
    let (outcomes, ()) = tokio::join!(join_all((0..2).map(load)), restart);

    // Every failure under load was a store error, not a crash or a wrong decision; the load
    // was served before, during (refused) and after the restart; every acknowledged decision
    // is in the trail.
    for (h, outcomes) in outcomes.iter().enumerate() {
        assert!(outcomes.last().is_some_and(Result::is_ok), "host {h} did not serve again under load");
    }
    let outcomes: Vec<_> = outcomes.into_iter().flatten().collect();
    let failures: Vec<&String> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert!(!failures.is_empty(), "no call failed while the database was down");
    for message in &failures {
        assert!(message.contains("state store"), "a failure that is not a store error: {message}");
    }
    let acknowledged: Vec<&String> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    let mut stored = std::collections::HashSet::new();
    let mut cursor = Value::Null;
    loop {
        let page = hosts[0].ok("get_compliance_audit", json!({ "cursor": cursor, "limit": 500 })).await;
        stored.extend(page["entries"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()));
        cursor = page["next_cursor"].clone();
        if cursor.is_null() {
            break;
        }
    }
    for id in acknowledged {
        assert!(stored.contains(id), "acknowledged decision {id} is missing from the trail");
    }

    // The carrier path works again too.
    let r = hosts[1].call("initiate_call_with_compliance", initiate(CALLEE, 2)).await;
    assert_ne!(r.is_error, Some(true), "a call after the restart: {}", crate::common::text(&r));
    for h in hosts {
        h.close().await;
    }
}
