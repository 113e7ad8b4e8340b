//! MCP over Streamable HTTP: the real binary on a loopback port and the rmcp HTTP client.

use crate::common::{BIN, Fixture, obj};
use rmcp::ServiceExt as _;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::json;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

pub const TOKEN: &str = "test-token-1f6e0b";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `switchboard serve --http` on a free loopback port, once `/health` answers.
pub async fn start(fx: &Fixture) -> (Child, String) {
    start_with_token(fx, Some(TOKEN)).await
}

/// [`start`] with another bearer token, or none (a loopback listener may run without one).
pub async fn start_with_token(fx: &Fixture, token: Option<&str>) -> (Child, String) {
    let port = free_port();
    let mut command = Command::new(BIN);
    command.arg("--config").arg(fx.config()).args(["serve", "--http", &format!("127.0.0.1:{port}")]);
    match token {
        Some(token) => command.env("SWITCHBOARD_HTTP_TOKEN", token),
        None => command.env_remove("SWITCHBOARD_HTTP_TOKEN"),
    };
    let child = command.stdin(Stdio::null()).stderr(Stdio::null()).kill_on_drop(true).spawn().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while switchboard_fakes::get(format!("{base}/health")).await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "the HTTP server did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (child, base)
}

pub fn client_transport(base: &str, token: Option<&str>) -> StreamableHttpClientTransport<reqwest::Client> {
    let mut config = StreamableHttpClientTransportConfig::with_uri(format!("{base}/mcp"));
    if let Some(token) = token {
        config = config.auth_header(token);
    }
    StreamableHttpClientTransport::with_client(switchboard_fakes::client(), config)
}

#[tokio::test]
async fn an_agent_with_the_token_lists_and_calls_tools() {
    let fx = Fixture::new();
    let (_server, base) = start(&fx).await;
    let client = ().serve(client_transport(&base, Some(TOKEN))).await.expect("MCP over HTTP");
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "hello_tool_greet"));
    let r = client
        .call_tool(CallToolRequestParams::new("probe_echo").with_arguments(obj(json!({"text": "over http"}))))
        .await
        .unwrap();
    assert_eq!(r.structured_content, Some(json!({"value": "over http"})));
    let r = client.call_tool(CallToolRequestParams::new("probe_trap").with_arguments(obj(json!({})))).await.unwrap();
    assert_eq!(r.is_error, Some(true));

    // Both calls show in the metrics, which need the token too.
    let metrics = switchboard_fakes::client().get(format!("{base}/metrics"));
    assert_eq!(metrics.try_clone().unwrap().send().await.unwrap().status(), 401);
    let text = metrics.bearer_auth(TOKEN).send().await.unwrap().text().await.unwrap();
    assert!(text.contains(r#"switchboard_tool_calls_total{tool="probe_echo",outcome="ok"} 1"#), "{text}");
    assert!(text.contains(r#"switchboard_tool_calls_total{tool="probe_trap",outcome="trap"} 1"#), "{text}");
    assert!(text.contains(r#"switchboard_component_loaded{component="probe""#), "{text}");
    assert!(text.contains(r#"switchboard_instance_memory_bytes_count{component="probe"} 1"#), "{text}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn requests_without_the_token_or_from_a_foreign_host_are_refused() {
    let fx = Fixture::new();
    let (_server, base) = start(&fx).await;
    assert!(().serve(client_transport(&base, None)).await.is_err(), "no token must not connect");
    assert!(().serve(client_transport(&base, Some("wrong"))).await.is_err(), "a wrong token must not connect");

    let http = switchboard_fakes::client();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}});
    let post = |host: Option<&str>, origin: Option<&str>| {
        let mut req = http
            .post(format!("{base}/mcp"))
            .bearer_auth(TOKEN)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(init.to_string());
        if let Some(h) = host {
            req = req.header("host", h);
        }
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    assert_eq!(post(None, None).await.unwrap().status(), 200);
    // DNS rebinding: a page on another site that resolves to 127.0.0.1.
    assert_eq!(post(Some("evil.example"), None).await.unwrap().status(), 403);
    assert_eq!(post(None, Some("https://evil.example")).await.unwrap().status(), 403);
    assert_eq!(post(None, Some("http://127.0.0.1.evil.example")).await.unwrap().status(), 403);
    assert_eq!(post(None, Some("http://localhost.evil.example:8080")).await.unwrap().status(), 403);
    // A browser-based client on this machine may connect to a loopback listener: its own
    // origin, or a page on another local port.
    let own = base.trim_end_matches('/').to_owned();
    for origin in [own.as_str(), "http://localhost:5173", "http://127.0.0.1:6274", "http://[::1]:8080"] {
        assert_eq!(post(None, Some(origin)).await.unwrap().status(), 200, "Origin: {origin}");
    }
    // Health and readiness need no token.
    assert_eq!(switchboard_fakes::get(format!("{base}/ready")).await.unwrap().status(), 200);
}

#[tokio::test]
async fn sigterm_lets_calls_in_flight_finish() {
    let fx = Fixture::new();
    let (mut server, base) = start(&fx).await;
    let client = ().serve(client_transport(&base, Some(TOKEN))).await.unwrap();
    let peer = client.peer().clone();
    let call = tokio::spawn(async move {
        let args = obj(json!({"ms": 300}));
        peer.call_tool_once(CallToolRequestParams::new("probe_sleep").with_arguments(args)).await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let pid = server.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let result = tokio::time::timeout(Duration::from_secs(10), call).await.expect("no hang").unwrap();
    let result = result.expect("the call in flight completes");
    let rmcp::model::CallToolResponse::Complete(result) = result else { panic!("incomplete") };
    assert_ne!(result.is_error, Some(true));
    let status = tokio::time::timeout(Duration::from_secs(15), server.wait()).await.unwrap().unwrap();
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn listening_beyond_loopback_without_a_token_is_refused() {
    let fx = Fixture::new();
    let out = Command::new(BIN)
        .arg("--config")
        .arg(fx.config())
        .args(["serve", "--http", &format!("0.0.0.0:{}", free_port())])
        .env_remove("SWITCHBOARD_HTTP_TOKEN")
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("without a bearer token"), "{stderr}");
}

#[tokio::test]
async fn webhooks_reach_a_component_that_takes_them_and_no_other() {
    let fx = Fixture::new();
    let dir = fx.components_dir();
    let hook = env!("SWITCHBOARD_GUEST_HOOK");
    std::fs::copy(hook, dir.join("hook.wasm")).unwrap();
    std::fs::write(dir.join("hook.toml"), "webhooks = true\ntimeout_ms = 2000\n").unwrap();
    std::fs::copy(hook, dir.join("closed.wasm")).unwrap();
    let (_server, base) = start(&fx).await;
    let http = switchboard_fakes::client();

    // No bearer token: the caller (Twilio, say) signs its requests and the component checks.
    let r = http.post(format!("{base}/webhooks/hook/twilio/status?CallSid=CA1")).body("CallStatus=completed").send();
    let r = r.await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "POST /webhooks/hook/twilio/status?CallSid=CA1 CallStatus=completed");
    // The component's own status comes through.
    assert_eq!(http.get(format!("{base}/webhooks/hook/fail")).send().await.unwrap().status(), 500);
    // Not without `webhooks = true` in its policy, and not for a component that is not there.
    let r = http.get(format!("{base}/webhooks/closed/x")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("does not take webhooks"));
    assert_eq!(http.get(format!("{base}/webhooks/nobody/x")).send().await.unwrap().status(), 404);
    // A component without an incoming handler says so.
    std::fs::write(dir.join("probe.toml"), format!("webhooks = true\n{}", crate::common::PROBE_POLICY)).unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let r = http.get(format!("{base}/webhooks/probe/x")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("incoming-handler"));
}

/// Series in a metrics scrape: its sample lines.
fn series(metrics: &str) -> usize {
    metrics.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).count()
}

#[tokio::test]
async fn unknown_tool_names_cannot_grow_the_metrics() {
    let fx = Fixture::new();
    let (_server, base) = start(&fx).await;
    let client = ().serve(client_transport(&base, Some(TOKEN))).await.expect("MCP over HTTP");
    let scrape = || async {
        let request = switchboard_fakes::client().get(format!("{base}/metrics")).bearer_auth(TOKEN);
        request.send().await.unwrap().text().await.unwrap()
    };
    // One unknown name first, so that the fixed `unknown` series exists before counting.
    assert!(client.call_tool(CallToolRequestParams::new("garbage-name-0")).await.is_err());
    let before = scrape().await;
    for n in 1..=10_000 {
        let err = client.call_tool(CallToolRequestParams::new(format!("garbage-name-{n}"))).await.unwrap_err();
        assert!(err.to_string().contains("unknown tool"), "{err}");
    }
    let after = scrape().await;
    assert_eq!(series(&after), series(&before), "the number of series grew:\n{after}");
    assert!(!after.contains("garbage-name"), "a client's name became a label value");
    assert!(after.contains(r#"switchboard_tool_calls_total{tool="unknown",outcome="unknown_tool"} 10001"#), "{after}");
    client.cancel().await.unwrap();
}
