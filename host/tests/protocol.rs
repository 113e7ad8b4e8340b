//! The wire itself: raw JSON-RPC lines on the binary's stdin, and the command line.

use crate::common::Fixture;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

/// Sends `lines` to `switchboard serve` and returns the responses by id (`null` for those
/// without one), plus everything printed on stdout, which must all be JSON-RPC.
pub async fn exchange(fx: &Fixture, lines: &[&str], expected: usize) -> HashMap<String, Value> {
    let mut child =
        fx.command(&["serve"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}});
    stdin.write_all(format!("{init}\n").as_bytes()).await.unwrap();
    stdin.write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n").await.unwrap();
    for line in lines {
        stdin.write_all(format!("{line}\n").as_bytes()).await.unwrap();
    }
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut responses = HashMap::new();
    while responses.len() < expected + 1 {
        let line = tokio::time::timeout(std::time::Duration::from_secs(20), out.next_line())
            .await
            .expect("a response in time")
            .unwrap()
            .expect("stdout open");
        let v: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("stdout carried a non-JSON line {line:?}: {e}"));
        assert_eq!(v["jsonrpc"], "2.0", "{line}");
        let key = match &v["id"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        // Several id-less errors are possible; keep them apart.
        let key = if responses.contains_key(&key) { format!("{key}#{}", responses.len()) } else { key };
        responses.insert(key, v);
    }
    drop(stdin);
    let _ = child.wait().await;
    responses
}

#[tokio::test]
async fn malformed_json_rpc_gets_json_rpc_errors_and_the_session_goes_on() {
    let fx = Fixture::new();
    let lines = [
        "{not json",
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"nam":"x"}}"#,
        r#"{"jsonrpc":"1.0","id":2,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":3,"method":"no/such/method"}"#,
        r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"probe_echo","arguments":{"text":"still here"}}}"#,
    ];
    let r = exchange(&fx, &lines, 5).await;
    assert_eq!(r["null"]["error"]["code"], -32700, "{r:?}");
    assert_eq!(r["1"]["error"]["code"], -32602);
    assert!(r["1"]["error"]["message"].as_str().unwrap().contains("missing field `name`"), "{:?}", r["1"]);
    assert_eq!(r["2"]["error"]["code"], -32600);
    assert_eq!(r["3"]["error"]["code"], -32601);
    assert_eq!(r["4"]["result"]["structuredContent"], json!({"value": "still here"}));
}

#[tokio::test]
async fn replies_to_concurrent_calls_carry_their_own_ids() {
    let fx = Fixture::new();
    // A slow call first, then a fast one: the fast reply overtakes, matched by id.
    let lines = [
        r#"{"jsonrpc":"2.0","id":"slow","method":"tools/call","params":{"name":"probe_sleep","arguments":{"ms":200}}}"#,
        r#"{"jsonrpc":"2.0","id":"fast","method":"tools/call","params":{"name":"probe_echo","arguments":{"text":"quick"}}}"#,
    ];
    let r = exchange(&fx, &lines, 2).await;
    assert_eq!(r["fast"]["result"]["structuredContent"], json!({"value": "quick"}));
    assert_eq!(r["slow"]["result"]["isError"], false);
}

#[tokio::test]
async fn cli_lists_components_and_calls_a_tool() {
    let fx = Fixture::new();
    let (code, stdout, stderr) = fx.run(&["components", "list", "--json"]).await;
    assert_eq!(code, 0, "{stderr}");
    let list: Value = serde_json::from_str(&stdout).unwrap();
    let names: Vec<&str> = list["components"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, crate::common::LOADED);
    let probe = &list["components"][6];
    assert_eq!(probe["policy"]["allowed_hosts"], json!(["127.0.0.1:9"]));
    assert_eq!(probe["policy"]["memory_mb"], 32);
    assert!(probe["tools"].as_array().unwrap().iter().any(|t| t["name"] == "probe_echo"));

    let (code, stdout, _) = fx.run(&["call", "hello_tool_turn", r#"{"facing":"east","quarter_turns":2}"#]).await;
    assert_eq!(code, 0);
    assert_eq!(serde_json::from_str::<Value>(&stdout).unwrap(), json!({"value": "west"}));

    let (code, _, stderr) = fx.run(&["call", "hello_tool_divide", r#"{"dividend":1,"divisor":0}"#]).await;
    assert_eq!(code, 1);
    assert!(stderr.contains("by-zero"), "{stderr}");

    let (code, _, stderr) = fx.run(&["call", "hello_tool_nope", "{}"]).await;
    assert_eq!(code, 1);
    assert!(stderr.contains("no tool named `hello_tool_nope`"), "{stderr}");

    let (code, _, stderr) = fx.run(&["call", "hello_tool_greet", "{oops"]).await;
    assert_eq!(code, 1);
    assert!(stderr.contains("not valid JSON"), "{stderr}");
}

/// Sends one request and reads up to its response; the `notifications/message` seen on the
/// way, and the response.
async fn request_collecting_logs(
    stdin: &mut tokio::process::ChildStdin,
    lines: &mut crate::common::RawLines,
    request: Value,
) -> (Vec<Value>, Value) {
    stdin.write_all(format!("{request}\n").as_bytes()).await.unwrap();
    let mut logs = Vec::new();
    loop {
        let line = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
            .await
            .expect("a response in time")
            .unwrap()
            .expect("stdout open");
        let v: Value = serde_json::from_str(&line).unwrap();
        if v["method"] == "notifications/message" {
            logs.push(v["params"].clone());
        } else if v["id"] == request["id"] {
            return (logs, v);
        }
    }
}

#[tokio::test]
async fn a_component_s_wasi_logging_records_reach_a_client_at_its_level() {
    let fx = Fixture::new();
    let (_child, mut stdin, mut lines) = fx.serve_raw().await;
    let call = |id: u32, count: u32| {
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": "probe_log_lines", "arguments": {"count": count}}})
    };
    let set_level = |id: u32, level: &str| json!({"jsonrpc": "2.0", "id": id, "method": "logging/setLevel", "params": {"level": level}});

    let (logs, _) = request_collecting_logs(&mut stdin, &mut lines, call(1, 4)).await;
    assert!(logs.is_empty(), "nothing before the client asks: {logs:?}");
    request_collecting_logs(&mut stdin, &mut lines, set_level(2, "warning")).await;
    let (logs, reply) = request_collecting_logs(&mut stdin, &mut lines, call(3, 4)).await;
    assert_eq!(reply["result"]["isError"], false, "{reply}");
    // The two warn records, before the reply; the info ones (and the call's own info event) are below the level.
    assert_eq!(logs.len(), 2, "{logs:?}");
    assert!(
        logs.iter()
            .all(|l| l["level"] == "warning" && l["logger"] == "probe_log_lines" && l["data"]["context"] == "probe")
    );
    assert_eq!((&logs[0]["data"]["message"], &logs[1]["data"]["message"]), (&json!("record 1"), &json!("record 3")));
    request_collecting_logs(&mut stdin, &mut lines, set_level(4, "info")).await;
    let (logs, _) = request_collecting_logs(&mut stdin, &mut lines, call(5, 4)).await;
    assert_eq!(logs.len(), 5, "four records and the call's event: {logs:?}");
    assert_eq!(logs[4]["logger"], "switchboard");
}

#[tokio::test]
async fn logging_set_level_sends_call_events_at_that_level_and_above() {
    let fx = Fixture::new();
    let (mut child, mut stdin, mut lines) = fx.serve_raw().await;
    let call = |id: u32, name: &str, args: Value| json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": args}});
    let set_level = |id: u32, level: &str| json!({"jsonrpc": "2.0", "id": id, "method": "logging/setLevel", "params": {"level": level}});
    let echo = json!({"text": "words the user asked to speak"});

    // Before the client asks, nothing.
    let (logs, _) = request_collecting_logs(&mut stdin, &mut lines, call(1, "probe_echo", echo.clone())).await;
    assert!(logs.is_empty(), "{logs:?}");

    // At `notice`: a call that went well is below it; a trap is above it.
    let (_, reply) = request_collecting_logs(&mut stdin, &mut lines, set_level(2, "notice")).await;
    assert_eq!(reply["result"], json!({}), "{reply}");
    let (logs, _) = request_collecting_logs(&mut stdin, &mut lines, call(3, "probe_echo", echo.clone())).await;
    assert!(logs.is_empty(), "{logs:?}");
    let (logs, reply) = request_collecting_logs(&mut stdin, &mut lines, call(4, "probe_trap", json!({}))).await;
    assert_eq!(reply["result"]["isError"], true);
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(logs[0]["level"], "error");
    assert_eq!(logs[0]["logger"], "switchboard");
    assert_eq!(logs[0]["data"]["tool"], "probe_trap");
    assert_eq!(logs[0]["data"]["outcome"], "trap");

    // At `debug`, every call; never its arguments or result.
    request_collecting_logs(&mut stdin, &mut lines, set_level(5, "debug")).await;
    let (logs, _) = request_collecting_logs(&mut stdin, &mut lines, call(6, "probe_echo", echo)).await;
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(logs[0]["level"], "info");
    assert_eq!(logs[0]["data"]["outcome"], "ok");
    assert!(logs[0]["data"]["correlation_id"].is_string());
    assert!(!logs[0].to_string().contains("words the user"), "the arguments reached the log: {}", logs[0]);

    // A level that is not one is invalid params, as the spec names it, and the session goes on.
    let (_, reply) = request_collecting_logs(&mut stdin, &mut lines, set_level(7, "loud")).await;
    assert_eq!(reply["error"]["code"], -32602, "{reply}");
    assert!(reply["error"]["message"].as_str().unwrap().contains("loud"), "{reply}");
    let (_, pong) =
        request_collecting_logs(&mut stdin, &mut lines, json!({"jsonrpc": "2.0", "id": 8, "method": "ping"})).await;
    assert_eq!(pong["result"], json!({}), "{pong}");
    drop(stdin);
    let _ = child.wait().await;
}
