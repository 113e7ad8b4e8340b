//! Compliance decisions through MCP (release binary, stdio, JSON-RPC by hand): each
//! `check_tcpa_compliance` reads the number's consent, do-not-call and attempt records and
//! appends the decision to the durable audit trail (SQLite, synchronous commits) before it
//! answers.
//!
//! * one agent, one call at a time: latency p50 / p99, and decisions per second;
//! * a pipelined burst (every call in flight at once): decisions per second;
//! * 1, 8 and 64 concurrent callers, on 200 numbers and all on one number: decisions per
//!   second and latency. Every decision is one atomic step through the number's ledger (a
//!   compare-and-swap, retried when another decision on the number landed first), so the
//!   one-number rows show what that costs under contention.
//!
//! Run with `cargo bench --bench calling`.

mod support;

use serde_json::Value;
use std::time::{Duration, Instant};
use support::decisions::{check, prepare};
use support::{Host, report};

const SEQUENTIAL: u32 = 2000;
const BURST: u32 = 2000;
const CONCURRENT: u32 = 2000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let config = format!(
        "[store]\npath = {:?}\n\n[components.compliance_tcpa]\nkeyvalue = true\nmax_concurrent = 64\nmax_queued = 4096\n",
        dir.path().join("state.sqlite3").display().to_string()
    );
    let mut host = Host::start(dir.path(), "calling", &config, &[]).await?;

    prepare(&mut host).await?;
    let mut samples = Vec::new();
    let started = Instant::now();
    for i in 0..SEQUENTIAL {
        let (elapsed, decision) = host.call("check_tcpa_compliance", check(i)).await?;
        anyhow::ensure!(decision["audit_id"].is_string(), "no audit entry: {decision}");
        samples.push(elapsed.as_secs_f64() * 1000.0);
    }
    let total = started.elapsed();
    report("check_tcpa_compliance round trip, one at a time", "ms", samples);
    println!("{:<58} {:>9.0} decisions/s", "one at a time", f64::from(SEQUENTIAL) / total.as_secs_f64());

    let calls: Vec<Value> = (0..BURST).map(check).collect();
    let elapsed: Duration = host.burst("check_tcpa_compliance", &calls).await?;
    println!(
        "{:<58} {:>9.0} decisions/s   ({BURST} in {:.2} s)",
        "pipelined burst, all in flight",
        f64::from(BURST) / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );

    for width in [1, 8, 64] {
        for (label, spread) in [("200 numbers", true), ("one number", false)] {
            let calls: Vec<Value> = (0..CONCURRENT).map(|i| check(if spread { i } else { 0 })).collect();
            let (elapsed, latencies) = host.concurrent("check_tcpa_compliance", &calls, width).await?;
            let rate = f64::from(CONCURRENT) / elapsed.as_secs_f64();
            let (p50, p99) = support::percentiles(latencies);
            println!(
                "{:<58} {rate:>9.0} decisions/s   p50 {p50:>7.2} ms   p99 {p99:>7.2} ms",
                format!("{width:>2} concurrent callers, {label}")
            );
        }
    }
    host.stop().await
}
