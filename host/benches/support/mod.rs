//! What the speech benchmarks share: the release binary driven over stdio with hand-written
//! JSON-RPC lines (no client library in the measurement), and percentile reporting.

#![allow(dead_code)]

pub mod decisions;
pub mod http_load;

use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _};

pub fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    (at(0.5), at(0.99))
}

pub fn report(what: &str, unit: &str, samples: Vec<f64>) {
    let n = samples.len();
    let (p50, p99) = percentiles(samples);
    println!("{what:<58} p50 {p50:>9.3} {unit}   p99 {p99:>9.3} {unit}   (n={n})");
}

/// A `switchboard serve` process and its stdio.
pub struct Host {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    stdout: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
    next_id: u64,
}

impl Host {
    /// Starts the host with `config` (TOML) written to a file in `dir`, and initializes.
    pub async fn start(dir: &Path, name: &str, config: &str, env: &[(&str, &str)]) -> anyhow::Result<Self> {
        Self::start_with(dir, name, config, env, &[]).await
    }

    /// [`Self::start`] with more arguments to `serve` (`--http 127.0.0.1:port`, say).
    pub async fn start_with(
        dir: &Path,
        name: &str,
        config: &str,
        env: &[(&str, &str)],
        serve_args: &[&str],
    ) -> anyhow::Result<Self> {
        let file = dir.join(format!("{name}.toml"));
        std::fs::write(&file, config)?;
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard"));
        cmd.arg("--config").arg(&file).args(["--no-watch", "serve"]).args(serve_args);
        cmd.env("RUST_LOG", "error").env("SWITCHBOARD_PREFERENCES", dir.join("preferences.json"));
        cmd.env_remove("ELEVENLABS_API_KEY");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn()?;
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

    /// One tool call that must succeed: the round trip and the structured result.
    pub async fn call(&mut self, tool: &str, args: Value) -> anyhow::Result<(Duration, Value)> {
        let request = json!({"jsonrpc": "2.0", "id": self.next_id, "method": "tools/call",
            "params": {"name": tool, "arguments": args}});
        self.next_id += 1;
        let line = format!("{request}\n");
        let t = Instant::now();
        self.stdin.write_all(line.as_bytes()).await?;
        let reply = self.stdout.next_line().await?.expect("a reply");
        let elapsed = t.elapsed();
        let reply: Value = serde_json::from_str(&reply)?;
        let result = &reply["result"];
        anyhow::ensure!(result["isError"] == false, "{tool} failed: {reply}");
        Ok((elapsed, result["structuredContent"].clone()))
    }

    /// Sends every call at once (pipelined: the host runs them concurrently) and waits for all
    /// the replies, which may come in any order; each must succeed. Returns the wall time.
    pub async fn burst(&mut self, tool: &str, args: &[Value]) -> anyhow::Result<Duration> {
        let first = self.next_id;
        let mut lines = String::new();
        for a in args {
            let request = json!({"jsonrpc": "2.0", "id": self.next_id, "method": "tools/call",
                "params": {"name": tool, "arguments": a}});
            self.next_id += 1;
            lines.push_str(&format!("{request}\n"));
        }
        let t = Instant::now();
        self.stdin.write_all(lines.as_bytes()).await?;
        let mut pending: std::collections::HashSet<u64> = (first..self.next_id).collect();
        while !pending.is_empty() {
            let reply: Value = serde_json::from_str(&self.stdout.next_line().await?.expect("a reply"))?;
            let id = reply["id"].as_u64().unwrap_or(u64::MAX);
            anyhow::ensure!(pending.remove(&id), "a reply to no pending call: {reply}");
            anyhow::ensure!(reply["result"]["isError"] == false, "{tool} failed: {reply}");
        }
        Ok(t.elapsed())
    }

    /// Runs the calls with `width` of them in flight at a time (a new one sent as each reply
    /// arrives), as `width` concurrent callers would; each must succeed. The wall time and
    /// each call's latency in ms.
    pub async fn concurrent(
        &mut self,
        tool: &str,
        args: &[Value],
        width: usize,
    ) -> anyhow::Result<(Duration, Vec<f64>)> {
        let mut sent: std::collections::HashMap<u64, Instant> = std::collections::HashMap::new();
        let mut latencies = Vec::with_capacity(args.len());
        let mut next = 0;
        let t = Instant::now();
        while next < args.len() || !sent.is_empty() {
            let mut lines = String::new();
            while next < args.len() && sent.len() < width {
                let request = json!({"jsonrpc": "2.0", "id": self.next_id, "method": "tools/call",
                    "params": {"name": tool, "arguments": args[next]}});
                sent.insert(self.next_id, Instant::now());
                self.next_id += 1;
                next += 1;
                lines.push_str(&format!("{request}\n"));
            }
            if !lines.is_empty() {
                self.stdin.write_all(lines.as_bytes()).await?;
            }
            let reply: Value = serde_json::from_str(&self.stdout.next_line().await?.expect("a reply"))?;
            let id = reply["id"].as_u64().unwrap_or(u64::MAX);
            let started = sent.remove(&id).ok_or_else(|| anyhow::anyhow!("a reply to no pending call: {reply}"))?;
            latencies.push(started.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(reply["result"]["isError"] == false, "{tool} failed: {reply}");
        }
        Ok((t.elapsed(), latencies))
    }

    pub async fn stop(mut self) -> anyhow::Result<()> {
        drop(self.stdin);
        self.child.wait().await?;
        Ok(())
    }
}

/// A timing from a `speak` result, in ms.
pub fn ms(meta: &Value, field: &str) -> f64 {
    meta["timing"][field].as_f64().unwrap_or_else(|| panic!("no timing.{field} in {meta}"))
}
