//! The operator's `[tools]` curation: hidden tools are neither listed nor callable, renames,
//! prefixes and overrides show on the wire, and a change in the config file reaches a
//! connected client with `notifications/tools/list_changed`.

use crate::common::{BIN, Fixture, obj};
use rmcp::model::{CallToolRequestParams, Tool};
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt as _};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::sync::watch;

#[derive(Clone)]
struct Counting(watch::Sender<u32>);

impl ClientHandler for Counting {
    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.0.send_modify(|n| *n += 1);
    }
}

const CURATION: &str = r#"
[tools]
exclude = ["probe_trap", "switchboard_*"]
rename = { probe_echo = "echo" }

[tools.override.probe_echo]
description = "Says back what it is given."
title = "Echo"
read_only = true

[tools.components.probe]
prefix = "p"
"#;

async fn tools(client: &RunningService<RoleClient, Counting>) -> Vec<Tool> {
    client.list_all_tools().await.unwrap()
}

fn names(tools: &[Tool]) -> Vec<&str> {
    tools.iter().map(|t| t.name.as_ref()).collect()
}

#[tokio::test]
async fn curated_tools_are_renamed_described_and_hidden_and_a_config_change_is_announced() {
    let fx = Fixture::new();
    let base = std::fs::read_to_string(fx.config()).unwrap();
    fx.append_config(CURATION);
    let mut cmd = tokio::process::Command::new(BIN);
    cmd.arg("--config").arg(fx.config()).args(["serve", "--operator-tools"]).env("RUST_LOG", "info");
    let (tx, mut changes) = watch::channel(0u32);
    let (transport, _) = TokioChildProcess::builder(cmd).stderr(std::process::Stdio::null()).spawn().unwrap();
    let client = Counting(tx).serve(transport).await.unwrap();

    let listed = tools(&client).await;
    let listed_names = names(&listed);
    assert!(listed_names.contains(&"echo") && listed_names.contains(&"p_sleep"), "{listed_names:?}");
    assert!(listed_names.contains(&"speak"), "host tools stay: {listed_names:?}");
    for gone in ["probe_trap", "p_trap", "probe_echo", "probe_sleep", "switchboard_reload_components"] {
        assert!(!listed_names.contains(&gone), "{gone} is listed: {listed_names:?}");
    }
    let echo = listed.iter().find(|t| t.name == "echo").unwrap();
    assert_eq!(echo.description.as_deref(), Some("Says back what it is given."));
    assert_eq!(echo.title.as_deref(), Some("Echo"));
    assert_eq!(echo.annotations.as_ref().and_then(|a| a.read_only_hint), Some(true));

    // Renamed and prefixed tools answer to their new names; hidden ones to none.
    let call = |name: &str, args| CallToolRequestParams::new(name.to_owned()).with_arguments(obj(args));
    let r = client.call_tool(call("echo", json!({"text": "curated"}))).await.unwrap();
    assert_eq!(r.structured_content, Some(json!({"value": "curated"})));
    assert_eq!(client.call_tool(call("p_sleep", json!({"ms": 1}))).await.unwrap().is_error, Some(false));
    for hidden in ["probe_trap", "probe_echo", "switchboard_reload_components"] {
        let e = client.call_tool(call(hidden, json!({}))).await.expect_err("a hidden tool is not callable");
        assert!(e.to_string().contains("unknown tool"), "{hidden}: {e}");
    }

    // The operator edits the curation: the client is told, and the list follows.
    std::fs::write(fx.config(), format!("{base}\n[tools]\nexclude = [\"probe_*\"]\n")).unwrap();
    tokio::time::timeout(Duration::from_secs(10), changes.wait_for(|n| *n >= 1)).await.expect("list_changed").unwrap();
    let started = Instant::now();
    loop {
        let listed = tools(&client).await;
        let now = names(&listed);
        if !now.iter().any(|n| n.starts_with("probe_") || *n == "echo" || n.starts_with("p_"))
            && now.contains(&"switchboard_reload_components")
        {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the new curation did not apply: {now:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_curation_that_cannot_apply_is_reported_and_a_bad_table_refused() {
    let fx = Fixture::new();
    fx.append_config("\n[tools]\nrename = { probe_echo = \"probe_noop\" }\n");
    let (code, stdout, stderr) = fx.run(&["components", "list"]).await;
    // Reported like a component that did not load, and the exit status says so.
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("probe_echo") && stdout.contains("probe_noop"), "both keep their names: {stdout}");
    assert!(
        stdout.contains("rejected: tools: `probe_echo` would be named `probe_noop`, which another tool takes"),
        "{stdout}"
    );

    let fx = Fixture::new();
    fx.append_config("\n[tools]\nrename = { probe_echo = \"no spaces\" }\n");
    let (code, _, stderr) = fx.run(&["components", "list"]).await;
    assert_ne!(code, 0);
    assert!(stderr.contains("a tool name is 1 to 64 of"), "{stderr}");
}
