//! What a component may not do: each attempt ends in a clear tool error, the host keeps
//! serving, and the next call works.

use crate::common::{Fixture, SECRET};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn hostile_calls_fail_cleanly_and_the_host_keeps_serving() {
    let fx = Fixture::new();
    let s = fx.serve().await;
    let still_serving =
        || async { assert_eq!(s.ok("probe_echo", json!({"text": "ok"})).await, json!({"value": "ok"})) };

    // A panic is a trap; the guest's own message reaches the agent.
    let m = s.fails("probe_trap", json!({})).await;
    assert!(m.contains("crashed") && m.contains("probe asked to trap"), "{m}");
    still_serving().await;

    // An infinite loop is stopped at its deadline (400 ms in the probe's policy).
    let started = Instant::now();
    let m = s.fails("probe_spin", json!({})).await;
    let took = started.elapsed();
    assert!(m.contains("deadline") && m.contains("400 ms"), "{m}");
    assert!(took >= Duration::from_millis(400), "stopped early: {took:?}");
    // The epoch ticks every 5 ms; the rest is the round trip (generous for a loaded CI machine).
    assert!(took < Duration::from_millis(650), "stopped late: {took:?}");
    still_serving().await;

    // Waiting (not computing) past the deadline is stopped too.
    let m = s.fails("probe_sleep", json!({"ms": 5000})).await;
    assert!(m.contains("deadline"), "{m}");

    // Memory past the 32 MiB cap traps with a message that names the cap.
    let m = s.fails("probe_allocate", json!({"megabytes": 256})).await;
    assert!(m.contains("out of memory") && m.contains("32 MiB"), "{m}");
    // Below the cap it works.
    s.ok("probe_allocate", json!({"megabytes": 8})).await;

    // Unbounded recursion exhausts the stack, not the host.
    let m = s.fails("probe_recurse", json!({"depth": 100_000_000u64})).await;
    assert!(m.contains("call stack"), "{m}");
    still_serving().await;

    // Outbound HTTP to a host the policy does not list is refused by the host.
    let m = s.fails("probe_fetch", json!({"url": "http://example.com/"})).await;
    assert!(m.contains("refused outbound requests to example.com:80"), "{m}");

    // A giant result is refused with the cap named; a modest one passes.
    let m = s.fails("probe_big", json!({"bytes": 5_000_000})).await;
    assert!(m.contains("returned 5000000 bytes") && m.contains("max_result_kib"), "{m}");
    let v = s.ok("probe_big", json!({"bytes": 100_000})).await;
    assert_eq!(v["value"].as_str().unwrap().len(), 100_000);

    // No raw sockets, no files, no environment.
    let m = s.fails("probe_tcp_connect", json!({"address": "127.0.0.1:22"})).await;
    assert!(m.contains("returned an error"), "{m}");
    let m = s.fails("probe_read_file", json!({"path": "/etc/passwd"})).await;
    assert!(m.contains("returned an error"), "{m}");
    for name in ["HOME", "PATH", "SWITCHBOARD_TEST_SECRET"] {
        assert_eq!(s.ok("probe_read_env", json!({"name": name})).await, json!({"value": null}), "{name}");
    }
    still_serving().await;
    s.close().await;
}

#[tokio::test]
async fn config_and_secrets_reach_the_component_but_never_the_logs() {
    let fx = Fixture::new();
    let s = fx.serve().await;
    let v = s.ok("probe_config_get", json!({"key": "greeting"})).await;
    assert_eq!(v, json!({"value": "hello from config"}));
    let v = s.ok("probe_config_get", json!({"key": "api_key"})).await;
    assert_eq!(v, json!({"value": SECRET}));
    assert_eq!(s.ok("probe_config_get", json!({"key": "absent"})).await, json!({"value": null}));
    let logs = s.close().await;
    assert!(logs.contains("tools/call"), "debug logs were captured: {logs}");
    assert!(!logs.contains(SECRET), "the secret leaked into the logs");
}

#[tokio::test]
async fn calls_run_concurrently_and_each_gets_a_fresh_instance() {
    let fx = Fixture::new();
    let s = fx.serve().await;
    // 20 calls that each wait 100 ms finish together, not one after the other.
    let started = Instant::now();
    let calls = (0..20).map(|_| s.ok("probe_sleep", json!({"ms": 100})));
    futures::future::join_all(calls).await;
    assert!(started.elapsed() < Duration::from_millis(1500), "{:?}", started.elapsed());
    s.close().await;
}

#[tokio::test]
async fn no_call_sees_the_memory_of_a_call_before_it() {
    // The pool resets a finished call's memory in place and reuses its slot for the next
    // call of the same component: the data segment must be back to the image, the heap empty.
    let fx = Fixture::new();
    let s = fx.serve().await;
    for i in 0..50 {
        let v = s.ok("probe_remember", json!({ "note": format!("call {i}") })).await;
        assert_eq!(v["value"], "orig|", "call {i} saw an earlier call's memory: {v}");
    }
    let calls = (0..20).map(|i| s.ok("probe_remember", json!({ "note": format!("concurrent {i}") })));
    for v in futures::future::join_all(calls).await {
        assert_eq!(v["value"], "orig|", "{v}");
    }
    s.close().await;
}

#[tokio::test]
async fn a_component_that_imports_http_without_allowed_hosts_is_rejected_at_load() {
    let fx = Fixture::with_policy("timeout_ms = 400\n");
    let (code, stdout, _) = fx.run(&["components", "list"]).await;
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("probe.wasm") && stdout.contains("allowed_hosts"), "{stdout}");
    // The other components still load.
    assert!(stdout.contains("tool hello_tool_greet"), "{stdout}");
}

#[tokio::test]
async fn an_invalid_policy_names_the_file_and_the_problem() {
    let fx = Fixture::with_policy("timeout_ms = \"soon\"\n");
    let (code, stdout, _) = fx.run(&["components", "list"]).await;
    assert_eq!(code, 1);
    assert!(stdout.contains("probe.toml") && stdout.contains("timeout_ms"), "{stdout}");
}

#[tokio::test]
async fn a_second_component_with_a_taken_name_is_rejected_not_merged() {
    let fx = Fixture::new();
    // The same probe under another file name, claiming the name `probe` in its policy.
    std::fs::copy(crate::common::PROBE_WASM, fx.components_dir().join("zz_copy.wasm")).unwrap();
    let policy = format!("name = \"probe\"\n{}", crate::common::PROBE_POLICY);
    std::fs::write(fx.components_dir().join("zz_copy.toml"), policy).unwrap();
    let (code, stdout, _) = fx.run(&["components", "list"]).await;
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("zz_copy.wasm: the component name `probe` is taken by"), "{stdout}");
    // The first `probe` still serves all its tools.
    assert!(stdout.contains("tool probe_echo"), "{stdout}");
}

#[tokio::test]
async fn past_its_concurrency_a_component_queues_then_answers_busy() {
    let one_at_a_time = |queue: u32| {
        crate::common::PROBE_POLICY.replace("max_concurrent = 64", &format!("max_concurrent = 1\nmax_queued = {queue}"))
    };
    // No queue: the second call is told at once.
    let fx = Fixture::with_policy(&one_at_a_time(0));
    let s = fx.serve().await;
    let (a, b) = tokio::join!(s.call("probe_sleep", json!({"ms": 200})), async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        (s.call("probe_sleep", json!({"ms": 10})).await, started.elapsed())
    });
    assert_ne!(a.is_error, Some(true));
    let (b, waited) = b;
    assert!(crate::common::text(&b).contains("busy"), "{}", crate::common::text(&b));
    assert!(waited < Duration::from_millis(100), "{waited:?}");
    s.close().await;

    // A queue of one: the second call waits for the slot and succeeds.
    let fx = Fixture::with_policy(&one_at_a_time(1));
    let s = fx.serve().await;
    let (a, b) = tokio::join!(s.call("probe_sleep", json!({"ms": 150})), async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        s.call("probe_sleep", json!({"ms": 10})).await
    });
    assert_ne!(a.is_error, Some(true));
    assert_ne!(b.is_error, Some(true), "{}", crate::common::text(&b));
    s.close().await;
}
