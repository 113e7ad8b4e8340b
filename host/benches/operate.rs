//! Operating figures, against the release `switchboard` binary:
//!
//! * 10,000 calls in flight at once, each waiting 1 s on the WASI clock: failures, wall time
//!   and the server's peak RSS;
//! * a hot swap while a client calls in a loop: failed calls, and the time from the file
//!   write to the new version answering;
//! * Streamable HTTP throughput of a trivial tool with 64 concurrent clients.
//!
//! Run with `cargo bench --bench operate` (or `just bench`).

use futures::StreamExt as _;
use rmcp::ServiceExt as _;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use serde_json::{Map, Value, json};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

const PROBE: &str = env!("SWITCHBOARD_GUEST_PROBE");
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
    let components = dir.join("components");
    std::fs::create_dir_all(&components)?;
    std::fs::copy(PROBE, components.join("probe.wasm"))?;
    std::fs::write(components.join("probe.toml"), policy)?;
    std::fs::write(
        dir.join("switchboard.toml"),
        format!("components_dir = \"components\"\nbuiltins = false\n{config}"),
    )?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    in_flight().await?;
    hot_swap().await?;
    http_throughput().await?;
    Ok(())
}

async fn in_flight() -> anyhow::Result<()> {
    const N: usize = 10_000;
    let dir = tempfile::tempdir()?;
    let policy = "allowed_hosts = [\"127.0.0.1:9\"]\ntimeout_ms = 60000\nmax_concurrent = 10000\n";
    setup(dir.path(), policy, "[limits]\nmax_instances = 10240\n")?;
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.arg("--config").arg(dir.path().join("switchboard.toml")).arg("serve").env("RUST_LOG", "warn");
    let transport = TokioChildProcess::new(cmd)?;
    let pid = transport.id().expect("running");
    let client = ().serve(transport).await?;
    let params = CallToolRequestParams::new("probe_sleep").with_arguments(args(json!({"ms": 1000})));
    let started = Instant::now();
    let results = futures::future::join_all((0..N).map(|_| client.call_tool(params.clone()))).await;
    let wall = started.elapsed();
    let failed = results.iter().filter(|r| !matches!(r, Ok(r) if r.is_error != Some(true))).count();
    let (peak, _) = rss_mib(pid);
    println!(
        "{N} calls in flight, each sleeping 1 s: {} ok, {failed} failed, all done in {:.2} s, server peak RSS {peak:.0} MiB",
        N - failed,
        wall.as_secs_f64()
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

async fn http_throughput() -> anyhow::Result<()> {
    const CLIENTS: usize = 64;
    const CALLS_EACH: usize = 300;
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
    let base = format!("http://127.0.0.1:{port}");
    while reqwest::get(format!("{base}/health")).await.is_err() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let config = StreamableHttpClientTransportConfig::with_uri(format!("{base}/mcp")).auth_header("bench");
        clients.push(().serve(StreamableHttpClientTransport::from_config(config)).await?);
    }
    let params = CallToolRequestParams::new("probe_noop").with_arguments(Map::new());
    let started = Instant::now();
    let per_client = futures::stream::iter(clients.iter())
        .map(|client| {
            let params = params.clone();
            async move {
                let mut samples = Vec::with_capacity(CALLS_EACH);
                for _ in 0..CALLS_EACH {
                    let t = Instant::now();
                    let r = client.call_tool(params.clone()).await;
                    assert!(matches!(r, Ok(ref r) if r.is_error != Some(true)), "{r:?}");
                    samples.push(t.elapsed());
                }
                samples
            }
        })
        .buffer_unordered(CLIENTS)
        .collect::<Vec<_>>()
        .await;
    let wall = started.elapsed();
    let mut all: Vec<Duration> = per_client.into_iter().flatten().collect();
    all.sort();
    println!(
        "HTTP, {CLIENTS} concurrent clients, probe_noop: {:.0} calls/s, p50 {:.2} ms, p99 {:.2} ms ({} calls)",
        all.len() as f64 / wall.as_secs_f64(),
        pct(&all, 0.5),
        pct(&all, 0.99),
        all.len()
    );
    for client in clients {
        client.cancel().await?;
    }
    server.kill().await?;
    Ok(())
}
