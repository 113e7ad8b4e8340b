//! Host overhead of a trivial tool call.
//!
//! * over stdio: the release `switchboard serve` binary driven by the rmcp client on one
//!   connection, calls one after the other (client -> host -> fresh instance -> back);
//! * in process: `Runtime::call` alone, and the instantiation from the cached `InstancePre`
//!   inside it.
//!
//! Run with `cargo bench --bench overhead` (or `just bench`). Prints median, p99 and rate.

use rmcp::ServiceExt as _;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use serde_json::{Map, Value, json};
use std::path::Path;
use std::time::{Duration, Instant};
use switchboard::policy::{Limits, PolicySpec};
use switchboard::runtime::{EngineSettings, Runtime};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _};

const PROBE: &str = env!("SWITCHBOARD_GUEST_PROBE");
const WARMUP: usize = 1_000;
const CALLS: usize = 20_000;

struct Stats {
    samples: Vec<Duration>,
    wall: Duration,
}

impl Stats {
    fn pct(&self, p: f64) -> Duration {
        let i = ((self.samples.len() as f64 - 1.0) * p).round() as usize;
        self.samples[i]
    }

    fn print(&mut self, what: &str) {
        self.samples.sort();
        println!(
            "{what:<44} p50 {:>8.1} us   p99 {:>8.1} us   {:>9.0} calls/s   (n={})",
            self.pct(0.50).as_secs_f64() * 1e6,
            self.pct(0.99).as_secs_f64() * 1e6,
            self.samples.len() as f64 / self.wall.as_secs_f64(),
            self.samples.len()
        );
    }
}

async fn measure<F, Fut>(n: usize, mut f: F) -> Stats
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut samples = Vec::with_capacity(n);
    let start = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        f().await;
        samples.push(t.elapsed());
    }
    Stats { samples, wall: start.elapsed() }
}

fn args(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; nothing to parse.
    let dir = tempfile::tempdir()?;
    let components = dir.path().join("components");
    std::fs::create_dir(&components)?;
    std::fs::copy(PROBE, components.join("probe.wasm"))?;
    std::fs::write(components.join("probe.toml"), "allowed_hosts = [\"127.0.0.1:9\"]\n")?;

    println!("switchboard host overhead ({CALLS} sequential calls after {WARMUP} warm-up calls)");

    // Over stdio, through the real binary.
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard"));
    cmd.args(["serve", "--components-dir"]).arg(&components).env("RUST_LOG", "warn");
    let client = ().serve(TokioChildProcess::new(cmd)?).await?;
    for (tool, arguments) in [("probe_noop", json!({})), ("probe_echo", json!({"text": "hello"}))] {
        let params = CallToolRequestParams::new(tool).with_arguments(args(arguments));
        let call = || async {
            let r = client.call_tool(params.clone()).await.expect("tools/call");
            assert_ne!(r.is_error, Some(true));
        };
        measure(WARMUP, call).await;
        measure(CALLS, call).await.print(&format!("stdio tools/call {tool}"));
    }
    client.cancel().await?;

    // Over stdio with a minimal client (a line out, a line in), so the figure is the host's.
    raw_client(&components, &[], "stdio raw client, probe_noop (1 worker)").await?;
    raw_client(&components, &["--workers", "2"], "stdio raw client, probe_noop (2 workers)").await?;

    // In process: the runtime alone, and instantiation inside it.
    let settings = EngineSettings { max_instances: 1000, max_memory_bytes: 1 << 30, pooling: true };
    let runtime = Runtime::new(&settings, None).map_err(anyhow::Error::from)?;
    let spec = PolicySpec { allowed_hosts: vec!["127.0.0.1:9".into()], ..Default::default() };
    let policy = spec.resolve(Path::new("bench"), &Limits::default(), |_| None)?;
    let probe = runtime.load("probe", &std::fs::read(PROBE)?, policy, "bench")?;
    let noop = probe.surface.functions.iter().position(|f| f.name == "noop").expect("probe exports noop");
    for _ in 0..WARMUP {
        runtime.call(&probe, noop, None).await.expect("noop");
    }
    let (mut calls, mut instantiate) = (Vec::with_capacity(CALLS), Vec::with_capacity(CALLS));
    let start = Instant::now();
    for _ in 0..CALLS {
        let t = Instant::now();
        let out = runtime.call(&probe, noop, None).await.expect("noop");
        calls.push(t.elapsed());
        instantiate.push(out.instantiate_time);
    }
    let wall = start.elapsed();
    Stats { samples: calls, wall }.print("in-process Runtime::call probe_noop");
    Stats { samples: instantiate, wall }.print("  of which: instantiate from InstancePre");
    Ok(())
}

/// Drives `switchboard serve` with hand-written JSON-RPC lines and times each round trip.
async fn raw_client(components: &Path, extra: &[&str], label: &str) -> anyhow::Result<()> {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["serve", "--components-dir"])
        .arg(components)
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("piped");
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().expect("piped")).lines();
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}});
    stdin.write_all(format!("{init}\n").as_bytes()).await?;
    stdout.next_line().await?;
    stdin.write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n").await?;
    let request =
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"probe_noop\",\"arguments\":{}}}\n";
    for round in 0..2 {
        let n = if round == 0 { WARMUP } else { CALLS };
        let mut samples = Vec::with_capacity(n);
        let start = Instant::now();
        for _ in 0..n {
            let t = Instant::now();
            stdin.write_all(request).await?;
            let line = stdout.next_line().await?.expect("a reply");
            assert!(line.contains("\"isError\":false"), "{line}");
            samples.push(t.elapsed());
        }
        if round == 1 {
            Stats { samples, wall: start.elapsed() }.print(label);
        }
    }
    drop(stdin);
    child.wait().await?;
    Ok(())
}
