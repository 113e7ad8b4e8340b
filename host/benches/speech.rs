//! `speak` end to end: the release `switchboard serve` binary with its built-in offline voice,
//! driven over stdio with hand-written JSON-RPC lines, one call after the other.
//!
//! * a 20-word sentence synthesised every time (cache off): round trip, time to the first
//!   audio chunk inside the host (classification included), and the synthesis itself;
//! * the same sentence from the cache: round trip, and the host's own time in `speak`.
//!
//! Run with `cargo bench --bench speech`. Prints medians and p99.

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _};

/// Twenty words, the length of a typical line of an outbound call.
const SENTENCE: &str = "Hello Maria, this is Switchboard calling to confirm your dental appointment tomorrow at \
nine thirty in the morning, see you.";
const WARMUP: usize = 20;
const MISSES: usize = 300;
const HITS: usize = 3_000;

fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    (at(0.5), at(0.99))
}

fn report(what: &str, unit: &str, samples: Vec<f64>) {
    let n = samples.len();
    let (p50, p99) = percentiles(samples);
    println!("{what:<52} p50 {p50:>9.3} {unit}   p99 {p99:>9.3} {unit}   (n={n})");
}

struct Host {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    stdout: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
    next_id: u64,
}

impl Host {
    async fn start(dir: &std::path::Path, cache_mb: u64) -> anyhow::Result<Self> {
        let config = dir.join(format!("cache-{cache_mb}.toml"));
        std::fs::write(&config, format!("[speech]\ncache_mb = {cache_mb}\n"))?;
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .arg("--config")
            .arg(&config)
            .arg("serve")
            .env("RUST_LOG", "warn")
            .env("SWITCHBOARD_PREFERENCES", dir.join("preferences.json"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = tokio::io::BufReader::new(child.stdout.take().expect("piped")).lines();
        let mut host = Self { child, stdin, stdout, next_id: 1 };
        let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}});
        host.stdin.write_all(format!("{init}\n").as_bytes()).await?;
        host.stdout.next_line().await?;
        host.stdin.write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n").await?;
        Ok(host)
    }

    /// One `speak` call: the round trip, and the metadata the host returned.
    async fn speak(&mut self) -> anyhow::Result<(Duration, Value)> {
        let request = json!({"jsonrpc": "2.0", "id": self.next_id, "method": "tools/call",
            "params": {"name": "speak", "arguments": {"text": SENTENCE}}});
        self.next_id += 1;
        let line = format!("{request}\n");
        let t = Instant::now();
        self.stdin.write_all(line.as_bytes()).await?;
        let reply = self.stdout.next_line().await?.expect("a reply");
        let elapsed = t.elapsed();
        let reply: Value = serde_json::from_str(&reply)?;
        let result = &reply["result"];
        anyhow::ensure!(result["isError"] == false, "speak failed: {reply}");
        Ok((elapsed, result["structuredContent"].clone()))
    }

    async fn stop(mut self) -> anyhow::Result<()> {
        drop(self.stdin);
        self.child.wait().await?;
        Ok(())
    }
}

fn ms(v: &Value) -> f64 {
    v.as_f64().expect("a timing in ms")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    println!("speak, 20 words ({} characters), built-in voice, wav_22050, over stdio", SENTENCE.len());

    let mut host = Host::start(dir.path(), 0).await?;
    for _ in 0..WARMUP {
        host.speak().await?;
    }
    let (mut round, mut first, mut synth) = (Vec::new(), Vec::new(), Vec::new());
    let mut audio_ms = 0;
    for _ in 0..MISSES {
        let (elapsed, meta) = host.speak().await?;
        assert_eq!(meta["cached"], false);
        round.push(elapsed.as_secs_f64() * 1e3);
        first.push(ms(&meta["timing"]["first_chunk_ms"]));
        synth.push(ms(&meta["timing"]["synthesis_ms"]));
        audio_ms = meta["duration_ms"].as_u64().unwrap_or(0);
    }
    host.stop().await?;
    println!("  ({:.1} s of audio a call)", audio_ms as f64 / 1000.0);
    report("synthesised: round trip", "ms", round);
    report("synthesised: first audio chunk (host, from request)", "ms", first);
    report("synthesised: synthesis in the component", "ms", synth);

    let mut host = Host::start(dir.path(), 64).await?;
    host.speak().await?;
    let (mut round, mut inside) = (Vec::new(), Vec::new());
    for _ in 0..HITS {
        let (elapsed, meta) = host.speak().await?;
        assert_eq!(meta["cached"], true);
        round.push(elapsed.as_secs_f64() * 1e3);
        inside.push(ms(&meta["timing"]["total_ms"]) * 1e3);
    }
    host.stop().await?;
    report("cache hit: round trip (incl. ~350 KB base64 reply)", "ms", round);
    report("cache hit: host time in speak", "us", inside);
    Ok(())
}
