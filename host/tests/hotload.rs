//! Hot-loading: components dropped into, replaced in or removed from the components
//! directory of a running host, while a client stays connected.

use crate::common::{BIN, Fixture, PROBE_POLICY, PROBE_WASM};
use rmcp::model::CallToolRequestParams;
use rmcp::service::NotificationContext;
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt as _};
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// A client that counts `notifications/tools/list_changed`.
#[derive(Clone)]
struct Counting(watch::Sender<u32>);

impl ClientHandler for Counting {
    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.0.send_modify(|n| *n += 1);
    }
}

/// Builtin hello_tool's bytes: a second, different component to swap in.
fn hello_wasm() -> Vec<u8> {
    let dir = Path::new(PROBE_WASM).parent().unwrap();
    std::fs::read(dir.join("hello_tool.wasm")).expect("the guest build also made hello_tool.wasm")
}

/// Writes a file the way an operator's `cp` would not quite: all at once, then renamed, so
/// the watcher never sees half a file.
fn install(dir: &Path, name: &str, bytes: &[u8]) {
    let tmp = dir.join(format!(".{name}.part"));
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(tmp, dir.join(name)).unwrap();
}

async fn wait_for<F: Fn(&[String]) -> bool>(
    client: &rmcp::service::RunningService<RoleClient, Counting>,
    what: &str,
    ok: F,
) -> Duration {
    let started = Instant::now();
    loop {
        let names: Vec<String> = client.list_all_tools().await.unwrap().iter().map(|t| t.name.to_string()).collect();
        if ok(&names) {
            return started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(10), "timed out waiting for {what}: {names:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn components_come_and_go_while_the_client_stays_connected() {
    let fx = Fixture::new();
    let dir = fx.components_dir();
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.arg("--config").arg(fx.config()).arg("--no-builtins").arg("serve").env("RUST_LOG", "info");
    let (tx, mut changes) = watch::channel(0u32);
    let (transport, _) = TokioChildProcess::builder(cmd).stderr(std::process::Stdio::null()).spawn().unwrap();
    let client = Counting(tx).serve(transport).await.unwrap();
    wait_for(&client, "the probe", |n| n.iter().any(|t| t == "probe_echo")).await;

    // A new component appears, and the client is told.
    std::fs::write(dir.join("extra.toml"), "timeout_ms = 1000\n").unwrap();
    install(&dir, "extra.wasm", &hello_wasm());
    let took = wait_for(&client, "extra's tools", |n| n.iter().any(|t| t == "extra_greet")).await;
    assert!(took < Duration::from_secs(3), "{took:?}");
    tokio::time::timeout(Duration::from_secs(5), changes.wait_for(|n| *n >= 1)).await.unwrap().unwrap();
    let r = client
        .call_tool(CallToolRequestParams::new("extra_greet").with_arguments(crate::common::obj(json!({"name": "Eve"}))))
        .await
        .unwrap();
    assert_eq!(r.structured_content, Some(json!({"value": "Hello, Eve!"})));

    // A broken file is rejected and the old version of `extra` keeps serving.
    install(&dir, "extra.wasm", b"\0asm but not really a component");
    tokio::time::sleep(Duration::from_millis(800)).await;
    let names: Vec<String> = client.list_all_tools().await.unwrap().iter().map(|t| t.name.to_string()).collect();
    assert!(names.iter().any(|t| t == "extra_greet"), "rollback failed: {names:?}");

    // Replacing the probe with another component swaps its tools.
    install(&dir, "probe.wasm", &hello_wasm());
    std::fs::write(dir.join("probe.toml"), PROBE_POLICY.replace("allowed_hosts = [\"127.0.0.1:9\"]", "")).unwrap();
    wait_for(&client, "the swap", |n| n.iter().any(|t| t == "probe_greet") && !n.iter().any(|t| t == "probe_echo"))
        .await;

    // Deleting a component unloads it.
    std::fs::remove_file(dir.join("extra.wasm")).unwrap();
    wait_for(&client, "extra to go", |n| !n.iter().any(|t| t.starts_with("extra_"))).await;
    let notified = *changes.borrow();
    assert!(notified >= 3, "list_changed sent {notified} times");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn calls_in_flight_finish_on_the_version_they_started_with() {
    let fx = Fixture::new();
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.arg("--config").arg(fx.config()).arg("--no-builtins").arg("serve");
    let (transport, _) = TokioChildProcess::builder(cmd).stderr(std::process::Stdio::null()).spawn().unwrap();
    let client = ().serve(transport).await.unwrap();
    let slow = {
        let peer = client.peer().clone();
        tokio::spawn(async move {
            let args = crate::common::obj(json!({"ms": 300}));
            peer.call_tool_once(CallToolRequestParams::new("probe_sleep").with_arguments(args)).await
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    std::fs::remove_file(fx.components_dir().join("probe.wasm")).unwrap();
    let rmcp::model::CallToolResponse::Complete(result) = slow.await.unwrap().unwrap() else {
        panic!("expected a complete result")
    };
    assert_ne!(result.is_error, Some(true), "{result:?}");
    assert_eq!(result.structured_content, None::<Value>);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn operator_tools_are_off_by_default_and_unload_and_load_when_on() {
    let fx = Fixture::new();
    let off = fx.serve().await;
    let names: Vec<String> = off.client.list_all_tools().await.unwrap().iter().map(|t| t.name.to_string()).collect();
    assert!(!names.iter().any(|n| n.starts_with("switchboard_")), "{names:?}");
    assert!(off.client.call_tool(CallToolRequestParams::new("switchboard_reload_components")).await.is_err());
    off.close().await;

    let mut cmd = tokio::process::Command::new(BIN);
    cmd.arg("--config").arg(fx.config()).args(["--operator-tools", "serve"]);
    let (transport, _) = TokioChildProcess::builder(cmd).stderr(std::process::Stdio::null()).spawn().unwrap();
    let (tx, mut changes) = watch::channel(0u32);
    let client = Counting(tx).serve(transport).await.unwrap();
    let call = |name: &str, args: Value| {
        client.call_tool(CallToolRequestParams::new(name.to_owned()).with_arguments(crate::common::obj(args)))
    };
    let list = call("switchboard_list_components", json!({})).await.unwrap();
    let listed = list.structured_content.unwrap();
    // The built-ins (offline voice, classifier, ElevenLabs, Twilio, TCPA, example) and the probe.
    let names: Vec<&str> =
        listed["components"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, crate::common::LOADED, "{listed}");
    assert_eq!(listed["components"][0]["roles"][0]["role"], "tts");

    let r = call("switchboard_unload_component", json!({"name": "probe"})).await.unwrap();
    assert_eq!(r.structured_content.unwrap()["unloaded"], json!(["probe"]));
    tokio::time::timeout(Duration::from_secs(5), changes.wait_for(|n| *n >= 1)).await.unwrap().unwrap();
    wait_for(&client, "probe to go", |n| !n.iter().any(|t| t == "probe_echo")).await;
    let listed = call("switchboard_list_components", json!({})).await.unwrap().structured_content.unwrap();
    assert_eq!(listed["unloaded"], json!(["probe"]));

    let r = call("switchboard_unload_component", json!({"name": "nope"})).await.unwrap();
    assert_eq!(r.is_error, Some(true));
    let r = call("switchboard_load_component", json!({"name": "probe"})).await.unwrap();
    assert_eq!(r.structured_content.unwrap()["loaded"], json!(["probe"]));
    wait_for(&client, "probe to return", |n| n.iter().any(|t| t == "probe_echo")).await;
    client.cancel().await.unwrap();
}
