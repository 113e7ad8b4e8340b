//! Test harness: the real `switchboard` binary, driven by the rmcp client over stdio, with
//! test guests that `build.rs` compiled from `tests/guests`.

#![allow(dead_code)]

pub mod calling;
pub mod registry;

use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt as _};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tempfile::TempDir;
use tokio::io::AsyncReadExt as _;
use tokio::process::Command;

pub const BIN: &str = env!("CARGO_BIN_EXE_switchboard");
/// What `components list` shows for the probe fixture: the built-ins in build order (offline
/// voice, classifier, ElevenLabs, Twilio, TCPA, the example), then the probe.
pub const LOADED: [&str; 7] =
    ["tts_formant", "classifier_text", "tts_elevenlabs", "telephony_twilio", "compliance_tcpa", "hello_tool", "probe"];
pub const PROBE_WASM: &str = env!("SWITCHBOARD_GUEST_PROBE");
/// A secret the probe's policy takes from the environment; it must never show in logs.
pub const SECRET: &str = "sk-test-7f3a9c1e-do-not-log";

/// The probe's policy: short deadline, small memory, one allowed host.
pub const PROBE_POLICY: &str = r#"
timeout_ms = 400
memory_mb = 32
max_concurrent = 64
allowed_hosts = ["127.0.0.1:9"]

[config]
greeting = "hello from config"

[secrets]
api_key = { env = "SWITCHBOARD_TEST_SECRET" }
"#;

/// A components directory with the probe in it, and a config pointing at it.
pub struct Fixture {
    pub dir: TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        Self::with_policy(PROBE_POLICY)
    }

    pub fn with_policy(policy: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let components = dir.path().join("components");
        std::fs::create_dir(&components).unwrap();
        std::fs::copy(PROBE_WASM, components.join("probe.wasm")).unwrap();
        std::fs::write(components.join("probe.toml"), policy).unwrap();
        let config = format!(
            "components_dir = \"components\"\ncache_dir = {:?}\n\n[store]\npath = \"state.sqlite3\"\n",
            cache_dir().display().to_string()
        );
        std::fs::write(dir.path().join("switchboard.toml"), config).unwrap();
        Self { dir }
    }

    pub fn components_dir(&self) -> PathBuf {
        self.dir.path().join("components")
    }

    /// The speech preferences file the host uses in this fixture.
    pub fn preferences(&self) -> PathBuf {
        self.dir.path().join("preferences.json")
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("switchboard.toml")
    }

    /// `switchboard <args>` with this fixture's config.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.arg("--config").arg(self.config()).args(args);
        cmd.env("SWITCHBOARD_TEST_SECRET", SECRET).env("RUST_LOG", "debug").env_remove("SWITCHBOARD_CONFIG");
        // No real provider key reaches a test unless the test sets one.
        cmd.env_remove("ELEVENLABS_API_KEY");
        // Each fixture keeps its own preferences, never the user's.
        cmd.env("SWITCHBOARD_PREFERENCES", self.preferences());
        cmd
    }

    /// Adds TOML to this fixture's config file.
    pub fn append_config(&self, toml: &str) {
        let mut text = std::fs::read_to_string(self.config()).unwrap();
        text.push_str(toml);
        std::fs::write(self.config(), text).unwrap();
    }

    /// Starts `switchboard serve` and connects the rmcp client to it.
    pub async fn serve(&self) -> Session {
        self.serve_with(&[], &[]).await
    }

    /// `serve` with more arguments and environment variables.
    pub async fn serve_with(&self, args: &[&str], env: &[(&str, &str)]) -> Session {
        self.serve_as(args, env, ()).await
    }

    /// [`Self::serve_with`] with a client of its own (one that declares capabilities, or
    /// collects notifications).
    pub async fn serve_as<H: ClientHandler>(&self, args: &[&str], env: &[(&str, &str)], handler: H) -> Session<H> {
        let mut all = vec!["serve"];
        all.extend_from_slice(args);
        let mut cmd = self.command(&all);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let (transport, stderr) =
            TokioChildProcess::builder(cmd).stderr(Stdio::piped()).spawn().expect("spawning switchboard serve");
        let mut stderr = stderr.expect("piped stderr");
        let logs = tokio::spawn(async move {
            let mut buf = Vec::new();
            let _ = stderr.read_to_end(&mut buf).await;
            String::from_utf8_lossy(&buf).into_owned()
        });
        let client = handler.serve(transport).await.expect("MCP handshake");
        Session { client, logs }
    }

    /// Starts `switchboard serve` with raw stdio (no client library), initialized: for tests that
    /// pipeline JSON-RPC lines themselves and kill the process mid-stream.
    pub async fn serve_raw(&self) -> (tokio::process::Child, tokio::process::ChildStdin, RawLines) {
        use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _};
        let mut child = self
            .command(&["serve"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let init = serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
        stdin.write_all(format!("{init}\n").as_bytes()).await.unwrap();
        stdout.next_line().await.unwrap();
        stdin.write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n").await.unwrap();
        (child, stdin, stdout)
    }

    /// Runs a one-shot CLI command; returns (exit code, stdout, stderr).
    pub async fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.command(args).output().await.unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// Precompiled artifacts shared by every test, so each spawn does not recompile.
pub fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("switchboard-cache")
}

/// The reply lines of a raw stdio session.
pub type RawLines = tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>;

pub struct Session<H: ClientHandler = ()> {
    pub client: RunningService<RoleClient, H>,
    logs: tokio::task::JoinHandle<String>,
}

impl<H: ClientHandler> Session<H> {
    pub async fn call(&self, tool: &str, args: Value) -> CallToolResult {
        let Value::Object(args) = args else { panic!("arguments must be an object") };
        self.client
            .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(args))
            .await
            .unwrap_or_else(|e| panic!("tools/call {tool} failed at the protocol level: {e}"))
    }

    /// Calls a tool that must succeed; returns its structured content.
    pub async fn ok(&self, tool: &str, args: Value) -> Value {
        let r = self.call(tool, args.clone()).await;
        assert_ne!(r.is_error, Some(true), "{tool}({args}) failed: {}", text(&r));
        r.structured_content.unwrap_or(Value::Null)
    }

    /// Calls a tool that must fail with a tool error; returns its message.
    pub async fn fails(&self, tool: &str, args: Value) -> String {
        let r = self.call(tool, args.clone()).await;
        assert_eq!(r.is_error, Some(true), "{tool}({args}) should fail, got {}", text(&r));
        text(&r)
    }

    /// Ends the session and returns everything the host logged.
    pub async fn close(self) -> String {
        let _ = self.client.cancel().await;
        tokio::time::timeout(std::time::Duration::from_secs(10), self.logs).await.unwrap().unwrap()
    }
}

pub fn text(r: &CallToolResult) -> String {
    r.content.iter().filter_map(|c| c.as_text().map(|t| t.text.clone())).collect::<Vec<_>>().join("\n")
}

pub fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}
