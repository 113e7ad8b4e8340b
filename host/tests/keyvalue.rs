//! Durable component state: wasi:keyvalue served from the host's SQLite store, each component
//! in its own namespace, only when its policy grants it, and nothing acknowledged lost to a
//! kill -9.

use crate::common::Fixture;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt as _;

const KV_WASM: &str = env!("SWITCHBOARD_GUEST_KV");

/// The probe fixture plus the kv guest under three names: two granted state, one not.
fn fixture() -> Fixture {
    let fx = Fixture::new();
    for (name, policy) in [("kv_a", "keyvalue = true\n"), ("kv_b", "keyvalue = true\n"), ("kv_none", "")] {
        std::fs::copy(KV_WASM, fx.components_dir().join(format!("{name}.wasm"))).unwrap();
        std::fs::write(fx.components_dir().join(format!("{name}.toml")), policy).unwrap();
    }
    fx
}

#[tokio::test]
async fn state_persists_is_namespaced_and_needs_a_grant() {
    let fx = fixture();
    let session = fx.serve().await;
    session.ok("kv_a_put", json!({ "bucket": "calls", "key": "+15551234567", "value": "consented" })).await;
    let mine = session.ok("kv_a_get", json!({ "bucket": "calls", "key": "+15551234567" })).await;
    assert_eq!(mine["value"], "consented");
    let theirs = session.ok("kv_b_get", json!({ "bucket": "calls", "key": "+15551234567" })).await;
    assert_eq!(theirs["value"], Value::Null, "another component's namespace is not visible");
    let denied = session.fails("kv_none_put", json!({ "bucket": "calls", "key": "k", "value": "v" })).await;
    assert!(denied.contains("access denied"), "{denied}");

    assert_eq!(session.ok("kv_a_incr", json!({ "bucket": "n", "key": "attempts", "delta": 2 })).await["value"], 2);
    assert_eq!(session.ok("kv_a_incr", json!({ "bucket": "n", "key": "attempts", "delta": 3 })).await["value"], 5);
    let not_a_number =
        session.fails("kv_a_incr", json!({ "bucket": "calls", "key": "+15551234567", "delta": 1 })).await;
    assert!(not_a_number.contains("not a number"), "{not_a_number}");

    let pairs: Vec<Value> = (0..2100).map(|i| json!([format!("k{i:04}"), "v"])).collect();
    assert_eq!(session.ok("kv_b_put_many", json!({ "bucket": "many", "pairs": pairs })).await["value"], 2100);
    let keys = session.ok("kv_b_keys", json!({ "bucket": "many" })).await;
    assert_eq!(keys["value"].as_array().unwrap().len(), 2100, "every page of keys");
    session.close().await;

    let session = fx.serve().await;
    let again = session.ok("kv_a_get", json!({ "bucket": "calls", "key": "+15551234567" })).await;
    assert_eq!(again["value"], "consented", "state survives a restart");
    assert_eq!(session.ok("kv_a_incr", json!({ "bucket": "n", "key": "attempts", "delta": 0 })).await["value"], 5);
    session.close().await;
}

#[tokio::test]
async fn a_kill_9_during_a_burst_loses_nothing_that_was_acknowledged() {
    let fx = fixture();
    let (mut child, mut stdin, mut stdout) = fx.serve_raw().await;

    // A burst of increments, pipelined; each reply acknowledges one committed decision.
    let mut burst = String::new();
    for id in 1..=2000 {
        let call = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "kv_a_incr", "arguments": {"bucket": "audit", "key": "decisions", "delta": 1}}});
        burst.push_str(&format!("{call}\n"));
    }
    let writer = tokio::spawn(async move {
        let _ = stdin.write_all(burst.as_bytes()).await;
        stdin
    });
    let mut acknowledged = 0u64;
    while let Ok(Some(line)) = stdout.next_line().await {
        let reply: Value = serde_json::from_str(&line).unwrap();
        if let Some(n) = reply["result"]["structuredContent"]["value"].as_u64() {
            acknowledged = acknowledged.max(n);
        }
        if acknowledged >= 300 {
            break;
        }
    }
    child.start_kill().unwrap(); // SIGKILL: no shutdown path runs.
    child.wait().await.unwrap();
    drop(writer.await);
    assert!(acknowledged >= 300);

    let session = fx.serve().await;
    let stored = session.ok("kv_a_incr", json!({ "bucket": "audit", "key": "decisions", "delta": 0 })).await;
    let stored = stored["value"].as_u64().unwrap();
    assert!(stored >= acknowledged, "{acknowledged} increments were acknowledged but only {stored} survived");
    assert!(stored <= 2000);
    session.close().await;
}
