//! Hostile calls repeated 10,000 times each must not grow the host's memory: every trap,
//! memory bomb, stack overflow and refused request releases what its instance held.

use crate::common::Fixture;
use futures::StreamExt as _;
use serde_json::{Value, json};

const REPETITIONS: usize = 10_000;
const IN_FLIGHT: usize = 16;

/// Resident set size of a process, from /proc, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test]
async fn ten_thousand_hostile_calls_each_leave_memory_flat() {
    let fx = Fixture::new();
    let s = fx.serve().await;
    let pid = server_pid(&fx);
    let cases: [(&str, Value); 4] = [
        ("probe_trap", json!({})),
        ("probe_allocate", json!({"megabytes": 64})),
        ("probe_recurse", json!({"depth": 0})),
        ("probe_fetch", json!({"url": "http://example.com/"})),
    ];
    // Warm up: pools, caches and allocator arenas reach their working size.
    for (tool, args) in &cases {
        run(&s, tool, args, 1_000).await;
    }
    let before = rss_kib(pid);
    for (tool, args) in &cases {
        // Meanwhile, well-behaved calls keep succeeding.
        let s = &s;
        let good = futures::stream::iter(0..REPETITIONS / 10)
            .then(|i| async move { (i, s.call("probe_echo", json!({"text": i.to_string()})).await) })
            .for_each(|(i, r)| async move { assert_eq!(r.structured_content, Some(json!({"value": i.to_string()}))) });
        tokio::join!(run(s, tool, args, REPETITIONS), good);
    }
    let after = rss_kib(pid);
    let growth = after.saturating_sub(before);
    println!("RSS before {before} KiB, after {after} KiB, growth {growth} KiB over {} calls", 4 * REPETITIONS);
    assert!(growth < 32 * 1024, "RSS grew by {growth} KiB ({before} -> {after})");
    assert_eq!(s.ok("probe_echo", json!({"text": "fine"})).await, json!({"value": "fine"}));
    s.close().await;
}

async fn run(s: &crate::common::Session, tool: &str, args: &Value, n: usize) {
    futures::stream::iter(0..n)
        .map(|_| s.call(tool, args.clone()))
        .buffer_unordered(IN_FLIGHT)
        .for_each(|r| async move { assert_eq!(r.is_error, Some(true), "{tool} should fail") })
        .await;
}

/// The pid of the `switchboard serve` this fixture started (the only one using its config).
fn server_pid(fx: &Fixture) -> u32 {
    let config = fx.config().display().to_string();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else { continue };
        let cmdline = String::from_utf8_lossy(&cmdline);
        if cmdline.contains(&config) && cmdline.contains("serve") {
            return pid;
        }
    }
    panic!("no switchboard serve process for {config}");
}
