//! MCP tasks (the `io.modelcontextprotocol/tasks` extension): a client that declares it gets a
//! task handle for a long call, comes back with `tasks/get` for its state and its result, and
//! may `tasks/cancel` it. A placed call's task ends when the call does, with the call's record.

use crate::common::calling::{ACCOUNT, CALLEE, FROM, NOON_IN_NEW_YORK, TOKEN, clear_to_call, fixture, free_port};
use crate::common::{Fixture, PROBE_POLICY, obj};
use crate::http::{TOKEN as HTTP_TOKEN, client_transport, start};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CancelTaskParams, ClientCapabilities, ClientConfig, DetailedTask,
    GetTaskParams, ProtocolVersion, TaskPayload, TaskStatus,
};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt as _, RunningService};
use rmcp::{RoleClient, ServiceError, ServiceExt as _};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use switchboard_fakes::twilio::{FakeTwilio, Outcome};

type Client = RunningService<RoleClient, ClientConfig>;

/// A client that says it takes tasks.
fn takes_tasks() -> ClientConfig {
    let mut config = ClientConfig::default().with_protocol_version(ProtocolVersion::V_2025_11_25);
    config.capabilities = ClientCapabilities::builder().enable_tasks().build();
    config
}

/// Calls `tool`, which must come back as a task; returns its id.
async fn start_task(client: &Client, tool: &str, args: Value) -> String {
    let request = CallToolRequestParams::new(tool.to_owned()).with_arguments(obj(args));
    match client.call_tool_once(request).await.unwrap() {
        CallToolResponse::Task(created) => {
            assert_eq!(created.task.status, TaskStatus::Working);
            assert!(created.task.ttl_ms.is_some_and(|ttl| ttl >= 10_000), "{created:?}");
            created.task.task_id
        }
        other => panic!("{tool} was answered inline: {other:?}"),
    }
}

async fn get(client: &Client, id: &str) -> DetailedTask {
    client.get_task(GetTaskParams::new(id)).await.unwrap().task
}

/// Polls the task until it is over; returns it and every status message seen on the way.
async fn settle(client: &Client, id: &str, within: Duration) -> (DetailedTask, Vec<String>) {
    let deadline = Instant::now() + within;
    let mut messages: Vec<String> = Vec::new();
    loop {
        let task = get(client, id).await;
        if let Some(m) = &task.task.status_message
            && messages.last() != Some(m)
        {
            messages.push(m.clone());
        }
        if task.status().is_terminal() {
            return (task, messages);
        }
        assert!(Instant::now() < deadline, "task {id} still {:?} after {within:?}: {messages:?}", task.status());
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn result_of(task: &DetailedTask) -> Value {
    match &task.payload {
        TaskPayload::Completed { result } => Value::Object(result.clone()),
        other => panic!("the task did not complete: {other:?}"),
    }
}

#[tokio::test]
async fn a_placed_call_runs_as_a_task_that_ends_with_the_call() {
    let twilio = FakeTwilio::start(ACCOUNT, TOKEN).await.unwrap();
    twilio.set_outcome(CALLEE, Outcome::Completed { talk: Duration::from_millis(400) });
    let fx = fixture(&twilio, NOON_IN_NEW_YORK, None, "");
    let http = format!("127.0.0.1:{}", free_port());
    let env = [("TWILIO_ACCOUNT_SID", ACCOUNT), ("TWILIO_AUTH_TOKEN", TOKEN), ("TWILIO_FROM_NUMBER", FROM)];
    let session = fx.serve_as(&["--http", &http, "--stdio"], &env, takes_tasks()).await;
    let info = session.client.peer_info().unwrap();
    assert!(info.capabilities.supports_tasks(), "the server offers the extension: {info:?}");
    clear_to_call(&session, CALLEE).await;

    let id = start_task(
        &session.client,
        "initiate_call_with_compliance",
        json!({ "phone_number": CALLEE, "lead_id": "lead-t1" }),
    )
    .await;
    let (task, messages) = settle(&session.client, &id, Duration::from_secs(20)).await;
    let result = result_of(&task);
    assert_ne!(result["isError"], true, "{result}");
    let call = &result["structuredContent"];
    // The task's result is the call as it ended, with the decision that let it be placed.
    assert_eq!(call["status"], "completed", "{call}");
    assert!(call["duration_seconds"].as_u64().is_some(), "{call}");
    assert_eq!(call["compliance"]["allowed"], true, "{call}");
    assert_eq!(call["lead_id"], "lead-t1");
    let sid = call["call_sid"].as_str().unwrap();
    // Its status message followed the call; the last one is how it ended.
    assert_eq!(messages.last().map(String::as_str), Some(format!("call {sid}: completed").as_str()), "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("placed") || m.contains("ringing") || m.contains("in-progress")),
        "{messages:?}"
    );
    // The same record get_call gives.
    let record = session.ok("get_call", json!({ "call_sid": sid })).await;
    assert_eq!(record["status"], "completed");

    // A refusal is a completed task too: its result is the tool error an inline call gets.
    let id = start_task(
        &session.client,
        "initiate_call_with_compliance",
        json!({ "phone_number": CALLEE, "lead_id": "lead-t1" }),
    )
    .await;
    let (task, _) = settle(&session.client, &id, Duration::from_secs(10)).await;
    let refused = result_of(&task);
    assert_eq!(refused["isError"], true, "{refused}");
    assert_eq!(refused["structuredContent"]["code"], "COMPLIANCE_BLOCKED", "{refused}");

    // A short tool is answered inline, task-taking client or not.
    let listed = session.client.call_tool_once(CallToolRequestParams::new("list_calls")).await.unwrap();
    assert!(matches!(listed, CallToolResponse::Complete(_)), "{listed:?}");
    session.close().await;
}

#[tokio::test]
async fn tasks_cancel_stops_the_guest_and_the_task_says_cancelled() {
    // One slot and a long deadline: a guest that ran on after its cancellation would hold
    // the slot for ten seconds.
    let policy = PROBE_POLICY
        .replace("timeout_ms = 400", "timeout_ms = 10000")
        .replace("max_concurrent = 64", "max_concurrent = 1\nmax_queued = 1");
    let fx = Fixture::with_policy(&policy);
    fx.append_config("[tasks]\ntools = [\"probe_count\"]\n");
    let session = fx.serve_as(&[], &[], takes_tasks()).await;
    let client = &session.client;
    // 100 steps of 100 ms: ten seconds if nothing stops it.
    let id = start_task(client, "probe_count", json!({ "steps": 100, "ms": 100 })).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    // Its component's progress reports are the task's status message.
    loop {
        let task = get(client, &id).await;
        if task.task.status_message.as_deref().is_some_and(|m| m.starts_with("step ")) {
            break;
        }
        assert!(Instant::now() < deadline, "no progress in the status message: {task:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let asked = Instant::now();
    client.cancel_task(CancelTaskParams::new(&id)).await.unwrap();
    let (task, _) = settle(client, &id, Duration::from_secs(2)).await;
    assert_eq!(task.status(), TaskStatus::Cancelled, "{task:?}");
    // Its slot is free: the guest stopped.
    let echo = session.ok("probe_echo", json!({ "text": "the slot is free" })).await;
    assert_eq!(echo["value"], "the slot is free");
    assert!(asked.elapsed() < Duration::from_secs(1), "stopping took {:?}", asked.elapsed());

    // An id that is no task, and the methods the extension does not have.
    let unknown = client.get_task(GetTaskParams::new("no-such-task")).await.unwrap_err();
    assert!(matches!(&unknown, ServiceError::McpError(e) if e.code.0 == -32602), "{unknown:?}");
    let logs = session.close().await;
    assert!(logs.contains("tasks/cancel stopped the call"), "{logs}");
}

#[tokio::test]
async fn a_stateless_http_client_polls_its_task_in_requests_of_their_own() {
    let fx = Fixture::new();
    fx.append_config("[tasks]\ntools = [\"probe_count\"]\nttl_seconds = 60\n");
    let (_server, base) = start(&fx).await;
    let mut config = ClientConfig::default();
    config.capabilities = ClientCapabilities::builder().enable_tasks().build();
    let mode = ClientLifecycleMode::Discover { preferred_versions: vec![ProtocolVersion::V_2026_07_28] };
    let client = config.serve_with_lifecycle(client_transport(&base, Some(HTTP_TOKEN)), mode).await.unwrap();
    let id = start_task(&client, "probe_count", json!({ "steps": 5, "ms": 40 })).await;
    let (task, _) = settle(&client, &id, Duration::from_secs(10)).await;
    assert_eq!(result_of(&task)["structuredContent"], json!({ "value": 5 }));
    client.cancel().await.unwrap();

    // A client that does not declare the extension is answered inline, as before.
    let plain = ().serve(client_transport(&base, Some(HTTP_TOKEN))).await.unwrap();
    let request = CallToolRequestParams::new("probe_count").with_arguments(obj(json!({ "steps": 2, "ms": 1 })));
    assert_eq!(plain.call_tool(request).await.unwrap().structured_content, Some(json!({ "value": 2 })));
    // ... and tasks/get is refused to it: it did not say it takes tasks (-32021).
    let refused = plain.get_task(GetTaskParams::new(&id)).await.unwrap_err();
    assert!(matches!(&refused, ServiceError::McpError(e) if e.code.0 == -32021), "{refused:?}");
    plain.cancel().await.unwrap();
}
