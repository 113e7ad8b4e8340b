//! Operating figures, against the release `switchboard` binary:
//!
//! * 10,000 calls in flight at once, each waiting 1 s on the WASI clock: failures, wall time
//!   and the server's peak RSS, for the smallest guest (what the host costs a call) and for
//!   the probe (a guest with a function table ten times as large);
//! * a hot swap while a client calls in a loop: failed calls, and the time from the file
//!   write to the new version answering;
//! * Streamable HTTP throughput of a trivial tool over 64 keep-alive connections, driven by
//!   the lean load generator in `support::http_load` in the same run.
//!
//! Run with `cargo bench --bench operate` (or `just bench`).

mod support;

use futures::StreamExt as _;
use rmcp::ServiceExt as _;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use serde_json::{Map, Value, json};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::http_load;

const PROBE: &str = env!("SWITCHBOARD_GUEST_PROBE");
const IDLE: &str = env!("SWITCHBOARD_GUEST_IDLE");
const BIN: &str = env!("CARGO_BIN_EXE_switchboard");

fn args(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3
}

/// Peak and current RSS of a process, in MiB.
fn rss_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status.lines().find(|l| l.starts_with(name)).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
    };
    (field("VmHWM:").unwrap_or(0.0) / 1024.0, field("VmRSS:").unwrap_or(0.0) / 1024.0)
}

fn setup(dir: &Path, policy: &str, config: &str) -> anyhow::Result<()> {
    setup_guest(dir, ("probe", PROBE), policy, config)
}

/// A host configuration in `dir` serving one guest, `(name, path of its .wasm)`.
fn setup_guest(dir: &Path, (name, wasm): (&str, &str), policy: &str, config: &str) -> anyhow::Result<()> {
    let components = dir.join("components");
    std::fs::create_dir_all(&components)?;
    std::fs::copy(wasm, components.join(format!("{name}.wasm")))?;
    std::fs::write(components.join(format!("{name}.toml")), policy)?;
    std::fs::write(
        dir.join("switchboard.toml"),
        format!("components_dir = \"components\"\nbuiltins = false\n{config}"),
    )?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // `cargo bench --bench operate -- http` runs only the sections whose name contains `http`.
    let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| name.contains(o.as_str()));
    if wanted("in_flight") {
        in_flight(("idle", IDLE)).await?;
        in_flight(("probe", PROBE)).await?;
    }
    if wanted("hot_swap") {
        hot_swap().await?;
    }
    if wanted("http") {
        http_throughput(http_load::Revision::Session).await?;
        http_throughput(http_load::Revision::Stateless).await?;
    }
    Ok(())
}

async fn in_flight(guest: (&str, &str)) -> anyhow::Result<()> {
    const N: usize = 10_000;
    let dir = tempfile::tempdir()?;
    let policy = "allowed_hosts = [\"127.0.0.1:9\"]\ntimeout_ms = 60000\nmax_concurrent = 10000\n";
    setup_guest(dir.path(), guest, policy, "[limits]\nmax_instances = 10240\n")?;
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.arg("--config").arg(dir.path().join("switchboard.toml")).arg("serve").env("RUST_LOG", "warn");
    let transport = TokioChildProcess::new(cmd)?;
    let pid = transport.id().expect("running");
    let client = ().serve(transport).await?;
    let params = CallToolRequestParams::new(format!("{}_sleep", guest.0)).with_arguments(args(json!({"ms": 1000})));
    // One call first, so the baseline holds what every call shares (the compiled component).
    let warm = CallToolRequestParams::new(format!("{}_sleep", guest.0)).with_arguments(args(json!({"ms": 0})));
    client.call_tool(warm).await?;
    let (_, baseline) = rss_mib(pid);
    let started = Instant::now();
    let results = futures::future::join_all((0..N).map(|_| client.call_tool(params.clone()))).await;
    let wall = started.elapsed();
    let failed = results.iter().filter(|r| !matches!(r, Ok(r) if r.is_error != Some(true))).count();
    let (peak, _) = rss_mib(pid);
    let size = std::fs::metadata(guest.1)?.len() as f64 / 1024.0;
    println!(
        "{N} calls in flight, each sleeping 1 s, {} ({size:.0} KiB): {} ok, {failed} failed, all done in {:.2} s, \
         server peak RSS {peak:.0} MiB (target < 512), {:.1} KiB a call above the {baseline:.0} MiB before",
        guest.0,
        N - failed,
        wall.as_secs_f64(),
        (peak - baseline) * 1024.0 / N as f64,
    );
    client.cancel().await?;
    Ok(())
}

/// Appends a custom section: the same program, new bytes, so a new version to compile.
fn new_version(bytes: &[u8], tag: &str) -> Vec<u8> {
    let name = b"bench-version";
    let mut payload = vec![name.len() as u8];
    payload.extend_from_slice(name);
    payload.extend_from_slice(tag.as_bytes());
    let mut out = bytes.to_vec();
    out.push(0);
    out.push(payload.len() as u8); // < 128: one LEB128 byte
    out.extend(payload);
    out
}

async fn hot_swap() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let policy = |v: u32| format!("allowed_hosts = [\"127.0.0.1:9\"]\n[config]\nversion = \"{v}\"\n");
    // A fresh cache directory: the new version really is compiled.
    setup(dir.path(), &policy(1), "cache_dir = \"cache\"\n")?;
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.arg("--config").arg(dir.path().join("switchboard.toml")).arg("serve").env("RUST_LOG", "warn");
    let client = ().serve(TokioChildProcess::new(cmd)?).await?;
    let params = CallToolRequestParams::new("probe_config_get").with_arguments(args(json!({"key": "version"})));
    let components = dir.path().join("components");
    let original = std::fs::read(PROBE)?;
    let mut swaps = Vec::new();
    let mut failed = 0;
    let mut calls = 0;
    for round in 2..=6u32 {
        // The operator's copy: written aside, then renamed into place.
        let write = |name: &str, bytes: &[u8]| -> std::io::Result<()> {
            let tmp = components.join(format!(".{name}.tmp"));
            std::fs::write(&tmp, bytes)?;
            std::fs::rename(tmp, components.join(name))
        };
        let written = Instant::now();
        write("probe.toml", policy(round).as_bytes())?;
        write("probe.wasm", &new_version(&original, &round.to_string()))?;
        loop {
            let r = client.call_tool(params.clone()).await;
            calls += 1;
            match r {
                Ok(r) if r.is_error != Some(true) => {
                    if r.structured_content == Some(json!({"value": round.to_string()})) {
                        swaps.push(written.elapsed());
                        break;
                    }
                }
                _ => failed += 1,
            }
            anyhow::ensure!(written.elapsed() < Duration::from_secs(20), "version {round} never served");
        }
    }
    swaps.sort();
    println!(
        "hot swap under load: {} swaps, {calls} calls, {failed} failed; write to new version serving: median {:.0} ms, max {:.0} ms",
        swaps.len(),
        pct(&swaps, 0.5),
        pct(&swaps, 1.0)
    );
    client.cancel().await?;
    Ok(())
}

async fn http_throughput(revision: http_load::Revision) -> anyhow::Result<()> {
    const CLIENTS: usize = 64;
    const CALLS_EACH: usize = 1_000;
    let dir = tempfile::tempdir()?;
    setup(dir.path(), "allowed_hosts = [\"127.0.0.1:9\"]\nmax_concurrent = 256\n", "")?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut server = tokio::process::Command::new(BIN)
        .arg("--config")
        .arg(dir.path().join("switchboard.toml"))
        .args(["serve", "--http", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .env("SWITCHBOARD_HTTP_TOKEN", "bench")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse()?;
    while switchboard_fakes::get(format!("http://{addr}/health")).await.is_err() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        clients.push(http_load::Client::connect(addr, "bench", revision).await?);
    }
    // Warm up: every connection once, so the pool and the caches are as they are in service.
    for client in &mut clients {
        let request = client.call(1, "probe_noop");
        client.timed(&request).await?;
    }
    let started = Instant::now();
    let per_client = futures::stream::iter(clients)
        .map(|mut client| async move {
            let request = client.call(1, "probe_noop");
            let mut samples = Vec::with_capacity(CALLS_EACH);
            for _ in 0..CALLS_EACH {
                samples.push(client.timed(&request).await?);
            }
            anyhow::Ok(samples)
        })
        .buffer_unordered(CLIENTS)
        .collect::<Vec<_>>()
        .await;
    let wall = started.elapsed();
    let mut all = Vec::new();
    for samples in per_client {
        all.extend(samples?);
    }
    all.sort();
    let rate = all.len() as f64 / wall.as_secs_f64();
    let (p50, p99) = (pct(&all, 0.5), pct(&all, 0.99));
    println!(
        "HTTP ({revision:?}), {CLIENTS} connections, probe_noop: {rate:.0} calls/s (target >= 20,000), p50 {p50:.2} ms, \
         p99 {p99:.2} ms (target < 10 ms) ({} calls)",
        all.len()
    );
    server.kill().await?;
    Ok(())
}
