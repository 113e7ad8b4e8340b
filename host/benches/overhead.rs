//! Host overhead of a trivial tool call.
//!
//! * over stdio: the release `switchboard serve` binary driven by the rmcp client on one
//!   connection, calls one after the other (client -> host -> fresh instance -> back);
//! * cold start: from spawning `switchboard serve` to its answer to the first `tools/list`,
//!   with the precompiled cache warm and with it empty;
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

    /// For samples that are each a whole run: milliseconds, no rate.
    fn print_once(&mut self, what: &str) {
        self.samples.sort();
        println!(
            "{what:<56} p50 {:>7.1} ms   max {:>7.1} ms   (n={})",
            self.pct(0.50).as_secs_f64() * 1e3,
            self.pct(1.0).as_secs_f64() * 1e3,
            self.samples.len()
        );
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

/// Set in the environment of this bench's own binary run as the floor server.
const FLOOR_ENV: &str = "SWITCHBOARD_BENCH_FLOOR_SERVER";

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; nothing to parse.
    if std::env::var_os(FLOOR_ENV).is_some() {
        return floor_server();
    }
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(bench())
}

/// The pipe floor: reads JSON-RPC lines and answers each request with a canned tool result
/// carrying its id, with no other work, so that the difference between the host's round
/// trip and this one is the host's cost.
fn floor_server() -> anyhow::Result<()> {
    use std::io::{BufRead as _, Write as _};
    let (stdin, stdout) = (std::io::stdin().lock(), std::io::stdout());
    let mut out = stdout.lock();
    for line in stdin.lines() {
        let message: Value = serde_json::from_str(&line?)?;
        if message.get("id").is_none() {
            continue;
        }
        let reply = if message["method"] == "initialize" {
            json!({"jsonrpc": "2.0", "id": message["id"], "result": {"protocolVersion": "2025-06-18",
                "capabilities": {"tools": {}}, "serverInfo": {"name": "floor", "version": "1"}}})
        } else {
            json!({"jsonrpc": "2.0", "id": message["id"],
                "result": {"content": [{"type": "text", "text": "0"}], "isError": false}})
        };
        writeln!(out, "{reply}")?;
        out.flush()?;
    }
    Ok(())
}

async fn bench() -> anyhow::Result<()> {
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

    // Over stdio with a minimal client (a line out, a line in), so the figure is the host's,
    // beside the floor: the same client against a server that does no work.
    let mut floor = tokio::process::Command::new(std::env::current_exe()?);
    floor.env(FLOOR_ENV, "1");
    let floor = raw_client(floor, "stdio raw client, floor server (no work)").await?;
    for (workers, label) in
        [("1", "stdio raw client, probe_noop (1 worker)"), ("2", "stdio raw client, probe_noop (2 workers)")]
    {
        let mut host = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard"));
        host.args(["serve", "--workers", workers, "--components-dir"]).arg(&components).env("RUST_LOG", "warn");
        let stats = raw_client(host, label).await?;
        let over = |p: f64| (stats.pct(p).as_secs_f64() - floor.pct(p).as_secs_f64()) * 1e6;
        println!(
            "  above the floor: p50 {:+.1} us (target <= +20 us), p99 {:+.1} us (target <= +40 us)",
            over(0.5),
            over(0.99)
        );
    }

    cold_start(dir.path(), &components).await?;

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

/// Drives a stdio server (the host, or the floor) with hand-written JSON-RPC lines and times
/// each round trip; prints the figures and returns them sorted.
async fn raw_client(mut command: tokio::process::Command, label: &str) -> anyhow::Result<Stats> {
    let mut child = command.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn()?;
    let mut stdin = child.stdin.take().expect("piped");
    let mut stdout = tokio::io::BufReader::new(child.stdout.take().expect("piped")).lines();
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}});
    stdin.write_all(format!("{init}\n").as_bytes()).await?;
    stdout.next_line().await?;
    stdin.write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n").await?;
    round_trips(&mut stdin, &mut stdout, WARMUP).await?;
    let mut stats = round_trips(&mut stdin, &mut stdout, CALLS).await?;
    stats.print(label);
    drop(stdin);
    child.wait().await?;
    Ok(stats)
}

/// `n` calls of `probe_noop`, one after the other.
async fn round_trips(
    stdin: &mut tokio::process::ChildStdin,
    stdout: &mut tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
    n: usize,
) -> anyhow::Result<Stats> {
    let request =
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"probe_noop\",\"arguments\":{}}}\n";
    let mut samples = Vec::with_capacity(n);
    let start = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        stdin.write_all(request).await?;
        let line = stdout.next_line().await?.expect("a reply");
        assert!(line.contains("\"isError\":false"), "{line}");
        samples.push(t.elapsed());
    }
    Ok(Stats { samples, wall: start.elapsed() })
}

/// From spawning `switchboard serve` (the probe alone, no built-in tools) to the answer to
/// its first `tools/list`, sent right behind `initialize`; with an empty precompiled cache
/// (the component is compiled) and with a warm one (it is mapped from the cache).
async fn cold_start(dir: &Path, components: &Path) -> anyhow::Result<()> {
    const RUNS: usize = 20;
    let cache = dir.join("cold-start-cache");
    let config = dir.join("cold-start.toml");
    std::fs::write(&config, format!("components_dir = {:?}\nbuiltins = false\ncache_dir = {:?}\n", components, cache))?;
    let start_once = || async {
        let started = Instant::now();
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .arg("--config")
            .arg(&config)
            .arg("serve")
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let mut stdin = child.stdin.take().expect("piped");
        let mut stdout = tokio::io::BufReader::new(child.stdout.take().expect("piped")).lines();
        stdin
            .write_all(
                concat!(
                    r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}"#,
                    "\n",
                    r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
                    "\n",
                    r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
                    "\n"
                )
                .as_bytes(),
            )
            .await?;
        loop {
            let line = stdout.next_line().await?.ok_or_else(|| anyhow::anyhow!("the host exited"))?;
            if line.contains(r#""id":1"#) {
                anyhow::ensure!(line.contains("probe_noop"), "tools/list without the probe: {line}");
                break;
            }
        }
        let elapsed = started.elapsed();
        drop(stdin);
        child.wait().await?;
        anyhow::Ok(elapsed)
    };
    let (mut cached, mut uncached) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let _ = std::fs::remove_dir_all(&cache);
        uncached.push(start_once().await?);
        cached.push(start_once().await?);
    }
    Stats { samples: cached, wall: Duration::ZERO }.print_once("cold start to tools/list, cache warm (target < 15 ms)");
    Stats { samples: uncached, wall: Duration::ZERO }
        .print_once("cold start to tools/list, cache empty (target < 150 ms)");
    Ok(())
}
