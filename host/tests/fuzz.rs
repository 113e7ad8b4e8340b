//! A fuzz of the binary's front door: JSON-RPC lines on stdin, from garbage bytes to
//! well-formed `tools/call`s whose arguments are any JSON at all (numbers of every size and
//! form included), sent to the real `switchboard serve`.
//!
//! After every line the host must still answer a `ping`, and everything it prints must be a
//! JSON-RPC 2.0 message. First the corpus (`tests/fuzz/corpus.jsonl`: cases once found, each
//! with what its reply must be) is replayed; then generated lines run for
//! `SWITCHBOARD_FUZZ_SECONDS` (default 15) from `SWITCHBOARD_FUZZ_SEED` (default 0), so a run
//! is repeatable and CI's is bounded. A failure prints the line to add to the corpus.

use crate::common::Fixture;
use proptest::prelude::*;
use proptest::strategy::ValueTree as _;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt as _;

/// The tools the fuzz calls: quick ones, so a case never waits on a sleeping guest.
const TOOLS: [&str; 9] = [
    "hello_tool_greet",
    "hello_tool_area",
    "hello_tool_turn",
    "hello_tool_sum",
    "hello_tool_divide",
    "hello_tool_nearest",
    "hello_tool_clamp_byte",
    "probe_echo",
    "no_such_tool",
];

const METHODS: [&str; 8] =
    ["tools/call", "tools/list", "ping", "initialize", "resources/list", "prompts/list", "no/such", ""];

struct Host {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    stdout: crate::common::RawLines,
    pings: u64,
}

impl Host {
    /// Sends `line`, then a ping; every message printed until the ping is answered and, when
    /// `reply_to` is given, the reply with that id has come too (replies may come in any order).
    async fn send(&mut self, line: &str, reply_to: Option<&Value>) -> Vec<Value> {
        self.pings += 1;
        let ping = format!("fuzz-ping-{}", self.pings);
        let frame = format!("{line}\n{}\n", json!({"jsonrpc": "2.0", "id": ping, "method": "ping"}));
        match tokio::time::timeout(Duration::from_secs(20), self.stdin.write_all(frame.as_bytes())).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => panic!("the host hung up on {line:?}: {e}"),
            Err(_) => panic!("the host stopped reading its input after {line:?}: add it to the corpus"),
        }
        let mut seen = Vec::new();
        let mut pinged = false;
        loop {
            if pinged && reply_to.is_none_or(|id| seen.iter().any(|r: &Value| r["id"] == *id)) {
                return seen;
            }
            let next = tokio::time::timeout(Duration::from_secs(20), self.stdout.next_line()).await;
            let out = match next {
                Ok(Ok(Some(out))) => out,
                other => panic!("no answer to a ping after {line:?} ({other:?}): add it to the corpus"),
            };
            let v: Value = serde_json::from_str(&out)
                .unwrap_or_else(|e| panic!("after {line:?} stdout carried a non-JSON line {out:?}: {e}"));
            assert_eq!(v["jsonrpc"], "2.0", "after {line:?}: {out}");
            if v["id"] == ping {
                assert!(v.get("result").is_some(), "the ping after {line:?} failed: {out}");
                pinged = true;
            } else {
                seen.push(v);
            }
        }
    }
}

/// Whether `reply` says the request failed: a JSON-RPC error, or a tool error.
fn failed(reply: &Value) -> bool {
    reply.get("error").is_some() || reply["result"]["isError"] == true
}

#[tokio::test]
async fn the_front_door_survives_the_corpus_and_a_seeded_fuzz() {
    let fx = Fixture::new();
    let (child, stdin, stdout) = fx.serve_raw().await;
    let mut host = Host { child, stdin, stdout, pings: 0 };

    let corpus = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fuzz/corpus.jsonl")).unwrap();
    for case in corpus.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(case).unwrap();
        let frame = case["frame"].as_str().unwrap();
        let id = serde_json::from_str::<Value>(frame).ok().map(|f| f["id"].clone()).unwrap_or(Value::Null);
        let replies = host.send(frame, Some(&id)).await;
        let reply = replies.iter().find(|r| r["id"] == id);
        match case["expect"].as_str().unwrap() {
            "error" => assert!(reply.is_some_and(failed), "{}: {frame} answered {replies:?}", case["why"]),
            "result" => assert!(reply.is_some_and(|r| !failed(r)), "{}: {frame} answered {replies:?}", case["why"]),
            _ => {}
        }
    }

    let seconds = std::env::var("SWITCHBOARD_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(15);
    let seed: u64 = std::env::var("SWITCHBOARD_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let lines = line();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut sent = 0;
    while Instant::now() < deadline {
        let line = lines.new_tree(&mut runner).unwrap().current();
        host.send(&line, None).await;
        sent += 1;
    }
    eprintln!("fuzz: {sent} generated lines from seed {seed} in {seconds} s");
    assert!(sent > 100, "the fuzz ran only {sent} lines");
    // End of input ends the session: the host exits.
    drop(host.stdin);
    let exited = tokio::time::timeout(Duration::from_secs(10), host.child.wait()).await;
    assert!(exited.is_ok(), "the host did not exit within 10 s of its stdin closing");
}

/// One line for stdin: garbage, a JSON value, a request of any shape, or a tool call with
/// arguments that are any JSON.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => "[^\n]{0,64}",
        1 => prop::collection::vec(any::<u8>(), 0..64)
            .prop_map(|b| String::from_utf8_lossy(&b).replace('\n', " ")),
        2 => any_json().prop_map(|v| v.to_string()),
        3 => (prop::sample::select(METHODS.to_vec()), id(), any_json())
            .prop_map(|(m, id, p)| json!({"jsonrpc": "2.0", "id": id, "method": m, "params": p}).to_string()),
        6 => (prop::sample::select(TOOLS.to_vec()), id(), arguments())
            .prop_map(|(t, id, a)| {
                json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": t, "arguments": a}})
                    .to_string()
            }),
        2 => (prop::sample::select(TOOLS.to_vec()), number_text())
            .prop_map(|(t, n)| format!(
                r#"{{"jsonrpc":"2.0","id":"n","method":"tools/call","params":{{"name":"{t}","arguments":{{"value":{n},"values":[{n}],"dividend":{n},"divisor":{n},"quarter_turns":{n}}}}}}}"#
            )),
    ]
}

fn id() -> impl Strategy<Value = Value> {
    prop_oneof![any::<i64>().prop_map(Value::from), "[a-z0-9]{1,8}".prop_map(Value::from), Just(Value::Null)]
}

/// The arguments of a tool call: an object whose keys are those the tools take.
fn arguments() -> impl Strategy<Value = Value> {
    let key = prop::sample::select(vec![
        "name",
        "shout",
        "shape",
        "facing",
        "quarter_turns",
        "values",
        "dividend",
        "divisor",
        "points",
        "value",
        "text",
    ]);
    prop::collection::btree_map(key, any_json(), 0..4)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect()))
}

/// A number as JSON text, in every form and size: the edges of each integer width, one past
/// them, fractions, exponents, and more digits than any double holds.
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i128>().prop_map(|n| n.to_string()),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| format!("{f:e}")),
        prop::sample::select(vec![
            "-9223372036854775809",
            "-9223372036854775808.5",
            "9223372036854775808",
            "18446744073709551616",
            "-0",
            "-0.0",
            "1e400",
            "-1e400",
            "1E2",
            "0.1e1",
            "4294967296",
            "-2147483649",
            "255.0",
            "123456789012345678901234567890",
        ])
        .prop_map(str::to_string),
    ]
}

/// Any JSON value, small, with numbers of every kind.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        number_text().prop_filter_map("a JSON number", |t| serde_json::from_str(&t).ok()),
        "[a-zA-Z ]{0,8}".prop_map(Value::from),
        prop::sample::select(vec!["circle", "north", "NaN", "Infinity", "ok", "err", "\u{0}", "é"])
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
