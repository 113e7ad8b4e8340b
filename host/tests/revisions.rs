//! Every protocol revision the host speaks, against the same server: the 2026-07-28
//! stateless revision (no `initialize`; `server/discover` and per-request `_meta`) and the
//! older revisions with their handshake, over stdio and Streamable HTTP; and stateless HTTP
//! behind a round-robin balancer with no sticky sessions.

use crate::common::{Fixture, obj};
use crate::http::{TOKEN, client_transport, start};
use axum::http::header;
use rmcp::RoleClient;
use rmcp::model::{CallToolRequestParams, ClientConfig, ProtocolVersion};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt as _, RunningService};
use rmcp::transport::TokioChildProcess;
use serde_json::json;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const LEGACY: [ProtocolVersion; 4] = [
    ProtocolVersion::V_2025_11_25,
    ProtocolVersion::V_2025_06_18,
    ProtocolVersion::V_2025_03_26,
    ProtocolVersion::V_2024_11_05,
];

fn stateless() -> ClientLifecycleMode {
    ClientLifecycleMode::Discover { preferred_versions: vec![ProtocolVersion::V_2026_07_28] }
}

fn legacy_client(version: &ProtocolVersion) -> ClientConfig {
    ClientConfig::default().with_protocol_version(version.clone())
}

/// What every client must be able to do, whatever its revision.
async fn lists_and_calls(client: &RunningService<RoleClient, ClientConfig>, expected: &ProtocolVersion) {
    let info = client.peer_info().expect("the server described itself");
    assert_eq!(&info.protocol_version, expected);
    assert!(info.capabilities.tools.is_some(), "{info:?}");
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "probe_echo"), "{tools:?}");
    let echo = CallToolRequestParams::new("probe_echo").with_arguments(obj(json!({"text": expected.as_str()})));
    let r = client.call_tool(echo).await.unwrap();
    assert_eq!(r.structured_content, Some(json!({"value": expected.as_str()})));
    // A tool error is still a result, in every revision.
    let trap = client.call_tool(CallToolRequestParams::new("probe_trap")).await.unwrap();
    assert_eq!(trap.is_error, Some(true));
}

async fn over_stdio(
    fx: &Fixture,
    info: ClientConfig,
    mode: ClientLifecycleMode,
) -> RunningService<RoleClient, ClientConfig> {
    let (transport, _) =
        TokioChildProcess::builder(fx.command(&["serve"])).stderr(Stdio::null()).spawn().expect("spawning the host");
    info.serve_with_lifecycle(transport, mode).await.expect("MCP over stdio")
}

#[tokio::test]
async fn a_stateless_client_and_legacy_clients_over_stdio() {
    let fx = Fixture::new();
    let client = over_stdio(&fx, ClientConfig::default(), stateless()).await;
    lists_and_calls(&client, &ProtocolVersion::V_2026_07_28).await;
    client.cancel().await.unwrap();
    for version in &LEGACY {
        let client = over_stdio(&fx, legacy_client(version), ClientLifecycleMode::Initialize).await;
        lists_and_calls(&client, version).await;
        client.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn a_stateless_client_and_legacy_clients_over_http_on_one_server() {
    let fx = Fixture::new();
    let (_server, base) = start(&fx).await;
    let transport = client_transport(&base, Some(TOKEN));
    let client =
        ClientConfig::default().serve_with_lifecycle(transport, stateless()).await.expect("stateless over HTTP");
    lists_and_calls(&client, &ProtocolVersion::V_2026_07_28).await;
    for version in &LEGACY {
        let transport = client_transport(&base, Some(TOKEN));
        let legacy = legacy_client(version).serve_with_lifecycle(transport, ClientLifecycleMode::Initialize).await;
        let legacy = legacy.unwrap_or_else(|e| panic!("{version} over HTTP: {e}"));
        lists_and_calls(&legacy, version).await;
        legacy.cancel().await.unwrap();
    }
    // The stateless client was not disturbed by the sessions beside it.
    lists_and_calls(&client, &ProtocolVersion::V_2026_07_28).await;
    client.cancel().await.unwrap();
}

/// A plain round-robin balancer: each request goes to the next server, with no affinity.
async fn round_robin(backends: Vec<String>) -> (String, Arc<Vec<AtomicUsize>>) {
    let served = Arc::new(backends.iter().map(|_| AtomicUsize::new(0)).collect::<Vec<_>>());
    let next = Arc::new(AtomicUsize::new(0));
    let client = switchboard_fakes::client();
    let counts = served.clone();
    let proxy = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let (backends, served, next, client) = (backends.clone(), counts.clone(), next.clone(), client.clone());
        async move {
            let i = next.fetch_add(1, Ordering::Relaxed) % backends.len();
            served[i].fetch_add(1, Ordering::Relaxed);
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
            let mut forward = client.request(parts.method, format!("{}{}", backends[i], parts.uri));
            for (name, value) in &parts.headers {
                if ![header::HOST, header::CONTENT_LENGTH].contains(name) {
                    forward = forward.header(name, value);
                }
            }
            let response = forward.body(body).send().await.unwrap();
            let mut reply = axum::http::Response::builder().status(response.status());
            // The body is forwarded whole; its framing headers are the proxy's own.
            let framing = [header::CONTENT_LENGTH, header::TRANSFER_ENCODING, header::CONNECTION];
            for (name, value) in response.headers().iter().filter(|(name, _)| !framing.contains(name)) {
                reply = reply.header(name, value);
            }
            reply.body(axum::body::Body::from(response.bytes().await.unwrap())).unwrap()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, proxy).await.unwrap() });
    (address, served)
}

#[tokio::test]
async fn stateless_http_works_behind_a_round_robin_balancer() {
    let (a, b) = (Fixture::new(), Fixture::new());
    let ((_server_a, base_a), (_server_b, base_b)) = (start(&a).await, start(&b).await);
    let (balancer, served) = round_robin(vec![base_a, base_b]).await;
    let transport = client_transport(&balancer, Some(TOKEN));
    let client =
        ClientConfig::default().serve_with_lifecycle(transport, stateless()).await.expect("through the balancer");
    for _ in 0..3 {
        lists_and_calls(&client, &ProtocolVersion::V_2026_07_28).await;
    }
    client.cancel().await.unwrap();
    let served: Vec<usize> = served.iter().map(|n| n.load(Ordering::Relaxed)).collect();
    assert!(served.iter().all(|&n| n >= 4), "both servers must have answered: {served:?}");
}

/// A stateless `tools/call` whose tool sends nothing before its answer gets that answer as a
/// JSON body; one whose tool reports progress first gets an event stream, so that no report
/// is lost.
#[tokio::test]
async fn a_stateless_answer_is_a_json_body_unless_progress_comes_first() {
    let fx = Fixture::new();
    let (_server, base) = start(&fx).await;
    let post = |id: u32, tool: &str, arguments: serde_json::Value, progress: bool| {
        let mut meta = json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
            "io.modelcontextprotocol/clientCapabilities": {}});
        if progress {
            meta["progressToken"] = json!("p1");
        }
        let body = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments, "_meta": meta}});
        switchboard_fakes::client()
            .post(format!("{base}/mcp"))
            .bearer_auth(TOKEN)
            .header("Accept", "application/json, text/event-stream")
            .header("MCP-Protocol-Version", "2026-07-28")
            .header("Mcp-Method", "tools/call")
            .header("Mcp-Name", tool)
            .json(&body)
            .send()
    };
    let content_type = |r: &reqwest::Response| r.headers()[header::CONTENT_TYPE].to_str().unwrap().to_owned();

    let echo = post(1, "probe_echo", json!({"text": "plain"}), false).await.unwrap();
    assert_eq!(echo.status(), 200);
    assert!(content_type(&echo).starts_with("application/json"), "{}", content_type(&echo));
    let reply: serde_json::Value = echo.json().await.unwrap();
    assert_eq!(reply["id"], 1);
    assert_eq!(reply["result"]["structuredContent"], json!({"value": "plain"}), "{reply}");

    let count = post(2, "probe_count", json!({"steps": 3, "ms": 20}), true).await.unwrap();
    assert_eq!(count.status(), 200);
    assert!(content_type(&count).starts_with("text/event-stream"), "{}", content_type(&count));
    let stream = count.text().await.unwrap();
    assert!(stream.contains("notifications/progress"), "{stream}");
    assert!(stream.contains(r#""id":2"#) && stream.contains(r#""result""#), "{stream}");
}
