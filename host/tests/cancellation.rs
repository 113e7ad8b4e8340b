//! `notifications/cancelled` stops the guest: its instance is dropped, its slot is free for
//! the next call at once, and the cancelled request never gets an answer.

use crate::common::{Fixture, PROBE_POLICY};
use crate::http::{TOKEN, client_transport, start};
use rmcp::ServiceExt as _;
use rmcp::model::{CallToolRequestParams, ClientRequest, Request};
use rmcp::service::PeerRequestOptions;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt as _;

/// The probe with one slot, a queue of one and a long deadline: a call that still ran after
/// its cancellation would hold the slot for ten seconds.
fn one_slot() -> Fixture {
    let policy = PROBE_POLICY
        .replace("timeout_ms = 400", "timeout_ms = 10000")
        .replace("max_concurrent = 64", "max_concurrent = 1\nmax_queued = 1");
    Fixture::with_policy(&policy)
}

async fn send(stdin: &mut tokio::process::ChildStdin, message: Value) {
    stdin.write_all(format!("{message}\n").as_bytes()).await.unwrap();
}

/// Cancels a running call of `tool` on raw stdio and returns how long the next call on the
/// same slot took to answer after the cancellation was sent.
async fn cancel_on_stdio(tool: &str, arguments: Value) -> Duration {
    let fx = one_slot();
    let (mut child, mut stdin, mut lines) = fx.serve_raw().await;
    let call = |id: &str, name: &str, arguments: Value| json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": arguments}});
    send(&mut stdin, call("slow", tool, arguments)).await;
    tokio::time::sleep(Duration::from_millis(150)).await; // it is running now
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": "slow", "reason": "the agent moved on"}});
    let cancelled_at = Instant::now();
    send(&mut stdin, cancel).await;
    send(&mut stdin, call("next", "probe_echo", json!({"text": "the slot is free"}))).await;
    let mut answered = None;
    // Past the echo, a ping: when its answer is in, the cancelled call has had time to answer.
    while let Ok(Some(line)) = tokio::time::timeout(Duration::from_secs(15), lines.next_line()).await.unwrap() {
        let reply: Value = serde_json::from_str(&line).unwrap();
        assert_ne!(reply["id"], "slow", "a cancelled call must never answer: {line}");
        if reply["id"] == "next" {
            assert_eq!(reply["result"]["structuredContent"]["value"], "the slot is free", "{line}");
            answered = Some(cancelled_at.elapsed());
            tokio::time::sleep(Duration::from_millis(100)).await;
            send(&mut stdin, json!({"jsonrpc": "2.0", "id": "last", "method": "ping"})).await;
        }
        if reply["id"] == "last" {
            break;
        }
    }
    drop(stdin);
    let _ = child.wait().await;
    answered.expect("the call after the cancelled one was answered")
}

#[tokio::test]
async fn a_cancelled_computing_guest_stops_and_frees_its_slot() {
    // `probe_spin` never calls the host: only the epoch tick (5 ms) gets it off the CPU.
    let after = cancel_on_stdio("probe_spin", json!({})).await;
    eprintln!("spin cancelled; the next call answered {after:?} after the cancellation");
    assert!(after < Duration::from_secs(2), "the spinning guest kept its slot for {after:?}");
}

#[tokio::test]
async fn a_cancelled_waiting_guest_stops_and_frees_its_slot() {
    let after = cancel_on_stdio("probe_sleep", json!({"ms": 9000})).await;
    eprintln!("sleep cancelled; the next call answered {after:?} after the cancellation");
    assert!(after < Duration::from_secs(2), "the sleeping guest kept its slot for {after:?}");
}

/// Over HTTP, with the rmcp client's own cancellation; the metrics count it.
#[tokio::test]
async fn a_call_cancelled_over_http_is_counted_as_cancelled() {
    let fx = one_slot();
    let (_server, base) = start(&fx).await;
    let client = ().serve(client_transport(&base, Some(TOKEN))).await.expect("MCP over HTTP");
    let spin = ClientRequest::CallToolRequest(Request::new(CallToolRequestParams::new("probe_spin")));
    let handle = client.send_cancellable_request(spin, PeerRequestOptions::no_options()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    let cancelled_at = Instant::now();
    handle.cancel(Some("no longer needed".into())).await.unwrap();
    let echo = CallToolRequestParams::new("probe_echo")
        .with_arguments(crate::common::obj(json!({"text": "after the cancel"})));
    let r = client.call_tool(echo).await.unwrap();
    assert_eq!(r.structured_content, Some(json!({"value": "after the cancel"})));
    let after = cancelled_at.elapsed();
    assert!(after < Duration::from_secs(2), "the cancelled guest kept its slot for {after:?}");

    let metrics = switchboard_fakes::client().get(format!("{base}/metrics")).bearer_auth(TOKEN);
    let text = metrics.send().await.unwrap().text().await.unwrap();
    assert!(text.contains(r#"switchboard_tool_calls_total{tool="probe_spin",outcome="cancelled"} 1"#), "{text}");
    assert!(text.contains("switchboard_tool_calls_in_flight 0"), "{text}");
    client.cancel().await.unwrap();
}

/// The metrics' count of `probe_spin` calls that ended `cancelled`, and the calls in flight.
async fn spins_cancelled(base: &str) -> (String, String) {
    let metrics = switchboard_fakes::client().get(format!("{base}/metrics")).bearer_auth(TOKEN);
    let text = metrics.send().await.unwrap().text().await.unwrap();
    let sample = |prefix: &str| {
        text.lines().find_map(|l| l.strip_prefix(prefix)).map(|v| v.trim().to_owned()).unwrap_or_else(|| "0".into())
    };
    (
        sample(r#"switchboard_tool_calls_total{tool="probe_spin",outcome="cancelled"}"#),
        sample("switchboard_tool_calls_in_flight"),
    )
}

/// Waits until the metrics show `cancelled` spins and nothing in flight; returns how long.
async fn until_cancelled(base: &str, cancelled: &str) -> Duration {
    let since = Instant::now();
    while spins_cancelled(base).await != (cancelled.to_owned(), "0".to_owned()) {
        assert!(since.elapsed() < Duration::from_secs(3), "still running: {:?}", spins_cancelled(base).await);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    since.elapsed()
}

fn mcp_post(base: &str) -> reqwest::RequestBuilder {
    switchboard_fakes::client()
        .post(format!("{base}/mcp"))
        .bearer_auth(TOKEN)
        .header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
}

/// A stateless (2026-07-28) request is its own HTTP exchange: a client that hangs up has
/// given up on it.
#[tokio::test]
async fn a_stateless_client_that_hangs_up_stops_its_call() {
    let fx = one_slot();
    let (_server, base) = start(&fx).await;
    let meta = json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {}});
    let spin = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "probe_spin", "_meta": meta}});
    let request = mcp_post(&base)
        .header("MCP-Protocol-Version", "2026-07-28")
        .header("Mcp-Method", "tools/call")
        .header("Mcp-Name", "probe_spin")
        .json(&spin)
        .send();
    // The client gives up after 150 ms and closes its connection.
    assert!(tokio::time::timeout(Duration::from_millis(150), request).await.is_err(), "the spin answered");
    let took = until_cancelled(&base, "1").await;
    eprintln!("stateless call stopped {took:?} after its client hung up");
}

/// A stateful session's stream may drop and be resumed, so only `DELETE` ends its calls.
#[tokio::test]
async fn deleting_a_session_stops_its_calls() {
    let fx = one_slot();
    let (_server, base) = start(&fx).await;
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let response = mcp_post(&base).json(&init).send().await.unwrap();
    let session = response.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    drop(response);
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    mcp_post(&base).header("Mcp-Session-Id", &session).json(&initialized).send().await.unwrap();
    let spin = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "probe_spin"}});
    let stream = mcp_post(&base).header("Mcp-Session-Id", &session).json(&spin).send().await.unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    drop(stream);
    // The stream is gone but the session is not: the call goes on, for a resumed stream.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(spins_cancelled(&base).await, ("0".to_owned(), "1".to_owned()));
    let delete = switchboard_fakes::client().delete(format!("{base}/mcp")).bearer_auth(TOKEN);
    let deleted = delete.header("Mcp-Session-Id", &session).send().await.unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    let took = until_cancelled(&base, "1").await;
    eprintln!("a deleted session's call stopped {took:?} after the DELETE");
    assert!(took < Duration::from_secs(2), "rmcp's drain is five seconds; ours should be at once: {took:?}");
}
