//! Malformed messages on both transports: each gets the JSON-RPC error the spec names, and
//! the server goes on serving. (`protocol::` has the single malformed lines.)

use crate::common::Fixture;
use crate::http::{TOKEN, start};
use crate::protocol::exchange;
use serde_json::{Value, json};
use std::time::Duration;

/// A `tools/call` echoing a text of `len` bytes.
fn call_of_length(id: u64, len: usize) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": "probe_echo", "arguments": {"text": "a".repeat(len)}}})
    .to_string()
}

fn sleep_call(id: &str, ms: u64) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": "probe_sleep", "arguments": {"ms": ms}}})
    .to_string()
}

#[tokio::test]
async fn stdio_refuses_batches_huge_lines_and_reused_ids_and_keeps_serving() {
    let fx = Fixture::new();
    let huge = call_of_length(7, 10 << 20);
    let fits = call_of_length(8, 3 << 20);
    let slow = sleep_call("dup", 200);
    let lines = [
        r#"[{"jsonrpc":"2.0","id":5,"method":"ping"}]"#,
        huge.as_str(),
        fits.as_str(),
        slow.as_str(),
        // The same id while the first is running.
        r#"{"jsonrpc":"2.0","id":"dup","method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":9,"method":"ping"}"#,
    ];
    let r = exchange(&fx, &lines, 6).await;
    let no_id: Vec<&Value> = r.values().filter(|v| v["id"].is_null()).collect();
    assert_eq!(no_id.len(), 2, "{no_id:?}");
    assert!(no_id.iter().all(|v| v["error"]["code"] == -32600), "{no_id:?}");
    let messages: Vec<&str> = no_id.iter().map(|v| v["error"]["message"].as_str().unwrap()).collect();
    assert!(messages.iter().any(|m| m.contains("batches are not supported")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("KiB is over the limit of 4096 KiB")), "{messages:?}");
    // A line under the limit is read whole.
    assert_eq!(r["8"]["result"]["structuredContent"]["value"].as_str().map(str::len), Some(3 << 20));
    let dup: Vec<&Value> = r.values().filter(|v| v["id"] == "dup").collect();
    assert_eq!(dup.len(), 2, "{dup:?}");
    assert!(
        dup.iter().any(|v| v["error"]["code"] == -32600
            && v["error"]["message"].as_str().unwrap().contains("in use by a request still in flight")),
        "{dup:?}"
    );
    assert!(dup.iter().any(|v| v["result"]["isError"] == false), "the first request is answered: {dup:?}");
    assert_eq!(r["9"]["result"], json!({}));
}

struct Raw {
    http: reqwest::Client,
    url: String,
    session: Option<String>,
}

impl Raw {
    async fn post(&self, body: impl Into<reqwest::Body>) -> (u16, String) {
        self.post_with(body, &[]).await
    }

    async fn post_with(&self, body: impl Into<reqwest::Body>, headers: &[(&str, &str)]) -> (u16, String) {
        let mut request = self
            .http
            .post(&self.url)
            .bearer_auth(TOKEN)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream");
        request = match &self.session {
            Some(session) => request.header("mcp-session-id", session),
            None => request.header("mcp-protocol-version", "2026-07-28"),
        };
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.body(body).send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }
}

/// The JSON-RPC message in a response body, plain JSON or the last SSE `data:` line.
fn message(body: &str) -> Value {
    let data = body.lines().filter_map(|l| l.strip_prefix("data:")).map(str::trim).rfind(|d| !d.is_empty());
    serde_json::from_str(data.unwrap_or(body)).unwrap_or_else(|e| panic!("{body:?}: {e}"))
}

fn error_of(body: &str) -> (i64, Value, String) {
    let m = message(body);
    (
        m["error"]["code"].as_i64().unwrap_or_else(|| panic!("not an error: {m}")),
        m["id"].clone(),
        m["error"]["message"].to_string(),
    )
}

#[tokio::test]
async fn http_answers_malformed_bodies_with_json_rpc_errors() {
    let fx = Fixture::new();
    let (_server, base) = start(&fx).await;
    let mut raw = Raw { http: switchboard_fakes::client(), url: format!("{base}/mcp"), session: None };
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}});
    let response = raw
        .http
        .post(&raw.url)
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(init.to_string())
        .send()
        .await
        .unwrap();
    raw.session = Some(response.headers()["mcp-session-id"].to_str().unwrap().to_owned());
    assert_eq!(raw.post(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).await.0, 202);

    let (status, body) = raw.post("{not json").await;
    assert_eq!((status, error_of(&body).0), (400, -32700), "{body}");
    let (status, body) = raw.post(r#"[{"jsonrpc":"2.0","id":5,"method":"ping"}]"#).await;
    assert_eq!((status, error_of(&body).0), (400, -32600), "{body}");
    let (status, body) = raw.post(r#"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"nam":"x"}}"#).await;
    let (code, id, why) = error_of(&body);
    assert_eq!((status, code, id), (200, -32602, json!(6)), "{body}");
    assert!(why.contains("missing field `name`"), "{why}");
    let (status, body) = raw.post(call_of_length(7, 10 << 20)).await;
    let (code, _, why) = error_of(&body);
    assert_eq!((status, code), (413, -32600), "{body}");
    assert!(why.contains("over the limit of 4096 KiB"), "{why}");

    // An id reused while its request is in flight, then once it is answered.
    let first = tokio::spawn({
        let raw = Raw { http: raw.http.clone(), url: raw.url.clone(), session: raw.session.clone() };
        async move { raw.post(sleep_call("dup", 300)).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, body) = raw.post(r#"{"jsonrpc":"2.0","id":"dup","method":"ping"}"#).await;
    let (code, id, why) = error_of(&body);
    assert_eq!((status, code, id), (200, -32600, json!("dup")), "{body}");
    assert!(why.contains("in use by a request still in flight"), "{why}");
    let (status, body) = first.await.unwrap();
    assert_eq!((status, message(&body)["result"]["isError"].clone()), (200, json!(false)), "{body}");
    let (status, body) = raw.post(r#"{"jsonrpc":"2.0","id":"dup","method":"ping"}"#).await;
    assert_eq!((status, message(&body)["result"].clone()), (200, json!({})), "{body}");

    // The stateless revision gets the same answers, and the server still serves.
    raw.session = None;
    let (status, body) = raw.post("{not json").await;
    assert_eq!((status, error_of(&body).0), (400, -32700), "{body}");
    let mut call: Value = serde_json::from_str(&call_of_length(8, 1000)).unwrap();
    call["params"]["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "1"},
    });
    let headers = [("mcp-method", "tools/call"), ("mcp-name", "probe_echo")];
    let (status, body) = raw.post_with(call.to_string(), &headers).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(message(&body)["result"]["structuredContent"]["value"].as_str().map(str::len), Some(1000));
}
