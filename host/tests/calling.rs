//! Calling, composed: `initiate_call_with_compliance` checks the compliance component, places
//! the call through the Twilio component against the fake Twilio on 127.0.0.1, and follows the
//! fake's signed status callbacks to `completed`; a refusal places nothing; forged, tampered
//! and out-of-order webhooks change nothing; a kill -9 during a burst of decisions loses none
//! that were acknowledged.

use crate::common::calling::{
    ACCOUNT, CALLEE, FROM, NIGHT_IN_NEW_YORK, NOON_IN_NEW_YORK, TOKEN, clear_to_call, fixture, free_port, serve,
    wait_for_status,
};
use crate::common::{Fixture, text};
use serde_json::{Value, json};
use std::time::Duration;
use switchboard_fakes::twilio::{FakeTwilio, Outcome, sign};
use tokio::io::AsyncWriteExt as _;

#[tokio::test]
async fn a_call_goes_from_compliance_to_completed_through_signed_callbacks() {
    let twilio = FakeTwilio::start(ACCOUNT, TOKEN).await.unwrap();
    twilio.set_outcome(CALLEE, Outcome::Completed { talk: Duration::from_millis(300) });
    let fx = fixture(&twilio, NOON_IN_NEW_YORK, None, "");
    let session = serve(&fx, free_port()).await;

    let tools = session.client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for tool in [
        "initiate_call_with_compliance",
        "get_call",
        "list_calls",
        "end_call",
        "record_call",
        "check_tcpa_compliance",
        "verify_consent",
        "record_consent",
        "revoke_consent",
        "check_dnc_status",
        "add_to_dnc",
        "remove_from_dnc",
        "import_dnc_registry",
        "get_compliance_audit",
    ] {
        assert!(names.contains(&tool), "{tool} is not listed: {names:?}");
    }

    clear_to_call(&session, CALLEE).await;
    let placed = session
        .ok(
            "initiate_call_with_compliance",
            json!({ "phone_number": CALLEE, "lead_id": "lead-42", "subject": "solar" }),
        )
        .await;
    let sid = placed["call_sid"].as_str().unwrap().to_owned();
    assert_eq!(placed["compliance"]["allowed"], true, "{placed}");
    assert_eq!(placed["lead_id"], "lead-42");
    assert_eq!(placed["from"], FROM);

    let done = wait_for_status(&session, &sid, "completed").await;
    let steps: Vec<&str> = done["history"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(steps.first(), Some(&"initiated"), "{done}");
    assert!(steps.ends_with(&["ringing", "in-progress", "completed"]), "{steps:?}");
    assert!(done["duration_seconds"].as_u64().is_some(), "{done}");
    assert_eq!(done["refused_updates"], 0);

    // Every callback the fake sent was signed, and the host accepted it.
    let callbacks = twilio.callbacks();
    assert!(callbacks.len() >= 4, "{callbacks:?}");
    for delivery in &callbacks {
        assert!(delivery.succeeded(), "the host refused a genuine callback: {delivery:?}");
    }
    let twiml = twilio.twiml_fetched(&sid).expect("the fake fetched the call's instructions");
    assert!(twiml.contains("<Connect><Stream url=\"wss://agent.example.com/stream\""), "{twiml}");

    // The attempt is on record with the checker: calling again at once is too soon.
    let again =
        session.call("initiate_call_with_compliance", json!({ "phone_number": CALLEE, "lead_id": "lead-42" })).await;
    assert_eq!(again.is_error, Some(true), "{}", text(&again));
    let refusal = again.structured_content.clone().unwrap();
    assert_eq!(refusal["reasons"][0]["code"], "too-soon", "{refusal}");
    assert!(refusal["next_allowed_at"].as_i64().unwrap() > NOON_IN_NEW_YORK, "{refusal}");

    let listed = session.ok("list_calls", json!({ "lead_id": "lead-42" })).await;
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["calls"][0]["call_sid"], sid.as_str());
    let active = session.ok("list_calls", json!({ "active_only": true })).await;
    assert_eq!(active["count"], 0);

    let audit = session.ok("get_compliance_audit", json!({ "phone_number": CALLEE })).await;
    let kinds: Vec<&str> = audit["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"decision") && kinds.contains(&"attempt"), "{audit}");
    session.close().await;
}

#[tokio::test]
async fn a_blocked_call_is_refused_with_every_reason_and_places_nothing() {
    let twilio = FakeTwilio::start(ACCOUNT, TOKEN).await.unwrap();
    let fx = fixture(&twilio, NIGHT_IN_NEW_YORK, None, "");
    let session = serve(&fx, free_port()).await;
    clear_to_call(&session, CALLEE).await;

    let result =
        session.call("initiate_call_with_compliance", json!({ "phone_number": CALLEE, "lead_id": "lead-7" })).await;
    assert_eq!(result.is_error, Some(true), "{}", text(&result));
    let refusal = result.structured_content.clone().unwrap();
    assert_eq!(refusal["code"], "COMPLIANCE_BLOCKED");
    let codes: Vec<&str> = refusal["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"outside-calling-hours"), "{refusal}");
    // 8 a.m. in New York that morning (EST, UTC-5).
    assert_eq!(refusal["next_allowed_at"], NIGHT_IN_NEW_YORK + 6 * 3600, "{refusal}");
    assert!(text(&result).contains("COMPLIANCE_BLOCKED"));

    // Revoked consent and the internal list add their reasons; waiting no longer helps.
    session.ok("revoke_consent", json!({ "phone_number": CALLEE, "means": "said-stop-on-call" })).await;
    session.ok("add_to_dnc", json!({ "phone_number": CALLEE, "reason": "asked not to be called" })).await;
    let result =
        session.call("initiate_call_with_compliance", json!({ "phone_number": CALLEE, "lead_id": "lead-7" })).await;
    let refusal = result.structured_content.unwrap();
    let codes: Vec<&str> = refusal["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    for code in ["outside-calling-hours", "consent-revoked", "internal-dnc"] {
        assert!(codes.contains(&code), "{code} missing: {refusal}");
    }
    assert_eq!(refusal["next_allowed_at"], Value::Null);

    assert!(twilio.calls().is_empty(), "a blocked call reached Twilio");
    let audit = session.ok("get_compliance_audit", json!({ "phone_number": CALLEE })).await;
    let refused = audit["entries"].as_array().unwrap().iter().filter(|e| e["allowed"] == false).count();
    assert_eq!(refused, 2, "both refusals are audited: {audit}");
    session.close().await;
}

/// Posts a status callback as Twilio would, signed over `signed_url` with `token` (or unsigned).
async fn post_callback(port: u16, params: &[(&str, &str)], signature: Option<String>) -> u16 {
    let url = format!("http://127.0.0.1:{port}/webhooks/telephony_twilio/status");
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    let mut request =
        switchboard_fakes::client().post(url).header("content-type", "application/x-www-form-urlencoded").body(body);
    if let Some(signature) = signature {
        request = request.header("X-Twilio-Signature", signature);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn forged_tampered_and_out_of_order_webhooks_change_nothing() {
    let twilio = FakeTwilio::start(ACCOUNT, TOKEN).await.unwrap();
    // The fake's own callbacks would go to the public URL; keep the call queued instead.
    twilio.set_step_delay(Duration::from_secs(3600));
    let public = "https://calls.example.com";
    let fx = fixture(&twilio, NOON_IN_NEW_YORK, Some(public), "");
    let port = free_port();
    let session = serve(&fx, port).await;
    clear_to_call(&session, CALLEE).await;
    let placed =
        session.ok("initiate_call_with_compliance", json!({ "phone_number": CALLEE, "lead_id": "lead-9" })).await;
    let sid = placed["call_sid"].as_str().unwrap().to_owned();
    let status = |s: &'static str| vec![("AccountSid", ACCOUNT), ("CallSid", sid.as_str()), ("CallStatus", s)];
    let signed = format!("{public}/webhooks/telephony_twilio/status");
    let with_port = format!("{public}:443/webhooks/telephony_twilio/status");
    let current = || async { session.ok("get_call", json!({ "call_sid": sid })).await };

    assert_eq!(post_callback(port, &status("completed"), None).await, 403, "missing signature");
    let wrong_token = sign("not-the-token", &signed, &status("completed"));
    assert_eq!(post_callback(port, &status("completed"), Some(wrong_token)).await, 403, "wrong token");
    let for_ringing = sign(TOKEN, &signed, &status("ringing"));
    assert_eq!(post_callback(port, &status("completed"), Some(for_ringing)).await, 403, "tampered parameter");
    assert_eq!(current().await["status"], "initiated", "a refused webhook changes nothing");

    let ok = post_callback(port, &status("ringing"), Some(sign(TOKEN, &signed, &status("ringing")))).await;
    assert!((200..300).contains(&ok), "a genuine callback is accepted: {ok}");
    assert_eq!(current().await["status"], "ringing");
    // Signed with the default port written out, received without it: still genuine.
    let answered = sign(TOKEN, &with_port, &status("in-progress"));
    assert!((200..300).contains(&post_callback(port, &status("in-progress"), Some(answered)).await));
    assert_eq!(current().await["status"], "in-progress");

    // A late `ringing` is genuine but impossible now: acknowledged, refused by the state machine.
    let late = sign(TOKEN, &signed, &status("ringing"));
    assert!((200..300).contains(&post_callback(port, &status("ringing"), Some(late)).await));
    let call = current().await;
    assert_eq!(call["status"], "in-progress");
    assert_eq!(call["refused_updates"], 1);

    let done = sign(TOKEN, &signed, &status("completed"));
    assert!((200..300).contains(&post_callback(port, &status("completed"), Some(done)).await));
    assert_eq!(current().await["status"], "completed");
    let logs = session.close().await;
    assert!(logs.contains("refused an impossible status change"), "the refusal is logged");
    assert!(!logs.contains(TOKEN), "the auth token never reaches the logs");
}

#[tokio::test]
async fn a_kill_9_during_a_burst_of_decisions_loses_none_that_were_acknowledged() {
    let fx = Fixture::new();
    let (mut child, mut stdin, mut stdout) = fx.serve_raw().await;

    let mut burst = String::new();
    for id in 1..=1000 {
        let number = format!("+1303555{:04}", id % 10_000);
        let call = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
            "name": "check_tcpa_compliance",
            "arguments": { "request": { "phone_number": number, "artificial_voice": true, "purpose": "telemarketing" } }}});
        burst.push_str(&format!("{call}\n"));
    }
    let writer = tokio::spawn(async move {
        let _ = stdin.write_all(burst.as_bytes()).await;
        stdin
    });
    let mut acknowledged = Vec::new();
    // A deadline per answer: a host that answers fewer than 150 fails the test, not hangs it.
    let wait = std::time::Duration::from_secs(30);
    while let Ok(Some(line)) = tokio::time::timeout(wait, stdout.next_line())
        .await
        .expect("the host stopped answering before 150 decisions were acknowledged")
    {
        let reply: Value = serde_json::from_str(&line).unwrap();
        let audit_id = &reply["result"]["structuredContent"]["audit_id"];
        if reply["result"]["isError"] == true {
            // The burst outruns the checker's queue: such a call is refused, not decided.
            let said = reply["result"]["content"][0]["text"].as_str().unwrap_or_default();
            assert!(said.contains("busy"), "{reply}");
            continue;
        }
        assert!(audit_id.is_string(), "a decision without an audit entry: {reply}");
        acknowledged.push(audit_id.as_str().unwrap().to_owned());
        if acknowledged.len() >= 150 {
            break;
        }
    }
    child.start_kill().unwrap(); // SIGKILL: no shutdown path runs.
    child.wait().await.unwrap();
    drop(writer.await);

    let session = fx.serve().await;
    let mut stored = std::collections::HashSet::new();
    let mut cursor = Value::Null;
    loop {
        let page = session.ok("get_compliance_audit", json!({ "cursor": cursor, "limit": 500 })).await;
        for entry in page["entries"].as_array().unwrap() {
            assert_eq!(entry["kind"], "decision");
            stored.insert(entry["id"].as_str().unwrap().to_owned());
        }
        cursor = page["next_cursor"].clone();
        if cursor.is_null() {
            break;
        }
    }
    let lost: Vec<&String> = acknowledged.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(lost.is_empty(), "{} acknowledged decisions were lost: {lost:?}", lost.len());
    session.close().await;
}
