//! `notifications/progress`: a component reports through `switchboard:progress`, and a
//! client whose request carried a `progressToken` hears each report before the reply.

use crate::common::{Fixture, obj};
use rmcp::model::{
    CallToolRequestParams, NumberOrString, ProgressNotificationParam, ProgressToken, RequestParamsMeta as _,
};
use rmcp::service::NotificationContext;
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt as _};
use serde_json::json;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Collect(Arc<Mutex<Vec<ProgressNotificationParam>>>);

impl ClientHandler for Collect {
    async fn on_progress(&self, params: ProgressNotificationParam, _context: NotificationContext<RoleClient>) {
        self.0.lock().unwrap().push(params);
    }
}

#[tokio::test]
async fn a_call_with_a_progress_token_hears_its_component_s_reports_before_the_reply() {
    let fx = Fixture::new();
    let heard = Collect::default();
    let (transport, _) =
        TokioChildProcess::builder(fx.command(&["serve"])).stderr(std::process::Stdio::null()).spawn().unwrap();
    let client = heard.clone().serve(transport).await.unwrap();

    let mut request = CallToolRequestParams::new("probe_count").with_arguments(obj(json!({"steps": 4, "ms": 40})));
    request.set_progress_token(ProgressToken(NumberOrString::String("count-1".into())));
    let reply = client.call_tool(request).await.unwrap();
    assert_eq!(reply.structured_content, Some(json!({"value": 4})));
    let reports = heard.0.lock().unwrap().clone();
    // Reports 40 ms apart each reach the client, in order, all before the reply.
    let done: Vec<f64> = reports.iter().map(|p| p.progress).collect();
    assert_eq!(done, [1.0, 2.0, 3.0, 4.0], "{reports:?}");
    // (rmcp's client puts a token of its own on the request; the server echoes what it got.)
    let echoed = &reports[0].progress_token;
    assert!(reports.iter().all(|p| &p.progress_token == echoed && p.total == Some(4.0)), "{reports:?}");
    assert_eq!(reports[3].message.as_deref(), Some("step 4 of 4"));

    // Reports closer together than the client reads them are merged; the last one is sent.
    heard.0.lock().unwrap().clear();
    let mut fast = CallToolRequestParams::new("probe_count").with_arguments(obj(json!({"steps": 2000, "ms": 0})));
    fast.set_progress_token(ProgressToken(NumberOrString::Number(7)));
    client.call_tool(fast).await.unwrap();
    let reports = heard.0.lock().unwrap().clone();
    assert!(!reports.is_empty() && reports.len() <= 2000, "{}", reports.len());
    assert_eq!(reports.last().map(|p| p.progress), Some(2000.0), "the last report is always sent");
    assert!(reports.windows(2).all(|w| w[0].progress < w[1].progress), "progress only grows");

    // A report made just before the call returns (in the same poll of its task) still
    // comes before the reply.
    heard.0.lock().unwrap().clear();
    let mut once = CallToolRequestParams::new("probe_count").with_arguments(obj(json!({"steps": 1, "ms": 0})));
    once.set_progress_token(ProgressToken(NumberOrString::Number(8)));
    client.call_tool(once).await.unwrap();
    let done: Vec<f64> = heard.0.lock().unwrap().iter().map(|p| p.progress).collect();
    assert_eq!(done, [1.0]);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_call_without_a_progress_token_gets_only_its_reply() {
    // rmcp's client puts a token on every request, so this one speaks raw JSON-RPC.
    use tokio::io::AsyncWriteExt as _;
    let fx = Fixture::new();
    let (_child, mut stdin, mut lines) = fx.serve_raw().await;
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "probe_count", "arguments": {"steps": 3, "ms": 5}}});
    stdin.write_all(format!("{call}\n").as_bytes()).await.unwrap();
    let first = lines.next_line().await.unwrap().expect("a reply");
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["id"], 1, "the reply comes first and alone: {first}");
    assert_eq!(first["result"]["structuredContent"], json!({"value": 3}));
}

#[tokio::test]
async fn the_host_s_own_long_tools_report_progress_too() {
    let fx = Fixture::new();
    let heard = Collect::default();
    let session = fx.serve_as(&[], &[], heard.clone()).await;
    // Speech of a long text: the audio made so far, as the offline voice makes it. Reports
    // faster than the client reads are merged, so the text is long enough (2,880 characters)
    // that its synthesis spans many epoch yields even when other tests share the cores.
    let text = "The quick brown fox jumps over the lazy dog, and then it runs far away. ".repeat(40);
    let mut request =
        CallToolRequestParams::new("speak").with_arguments(obj(json!({ "text": text, "format": "wav_16000" })));
    request.set_progress_token(ProgressToken(NumberOrString::String("speak-1".into())));
    let reply = session.client.call_tool(request).await.unwrap();
    assert_ne!(reply.is_error, Some(true), "{reply:?}");
    let reports = heard.0.lock().unwrap().clone();
    assert!(reports.len() >= 2, "a long text is made in more than one piece: {reports:?}");
    assert!(reports.windows(2).all(|w| w[0].progress < w[1].progress), "progress only grows: {reports:?}");
    let last = reports.last().unwrap();
    assert!(last.message.as_deref().is_some_and(|m| m.contains("KiB of audio from")), "{last:?}");
    // Never the text it speaks.
    assert!(reports.iter().all(|p| !p.message.as_deref().unwrap_or("").contains("fox")), "{reports:?}");
    session.close().await;
}
