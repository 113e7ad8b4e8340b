//! Operator tools over MCP: list, reload, unload and load components. Off by default
//! (`--operator-tools` or `[operator] tools = true`), for a trusted operator's own agent.
//!
//! They only ever act on what the operator already placed: `load` takes a component name in
//! the components directory or the config, never a path, and policies come only from the
//! operator's files, so an agent cannot widen what a component may do.

use crate::catalog::operator::OperatorTool;
use crate::host::Host;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Map, Value, json};
use std::sync::Arc;

fn ok(value: Value) -> CallToolResult {
    let mut result = CallToolResult::success(vec![ContentBlock::text(value.to_string())]);
    result.structured_content = Some(value);
    result
}

fn error(message: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}

/// Runs an operator tool.
pub async fn call(host: &Arc<Host>, tool: OperatorTool, args: Option<&Map<String, Value>>) -> CallToolResult {
    let name = tool.name();
    let target = args.and_then(|a| a.get("name")).and_then(Value::as_str).map(str::to_owned);
    let result = match (tool, target) {
        (OperatorTool::ListComponents, _) => ok(describe(host, false)),
        (OperatorTool::SetTtsProviders, _) => set_tts(host, args).await,
        (OperatorTool::ReloadComponents, _) => reload(host).await,
        (_, None) => error(format!("`{name}` needs `name`, the component's name")),
        (OperatorTool::UnloadComponent, Some(target)) => {
            if host.components().iter().any(|c| c.name == target) {
                host.set_disabled(&target, true);
                reload(host).await
            } else {
                error(format!("no component named `{target}` is loaded"))
            }
        }
        (_, Some(target)) => {
            if host.set_disabled(&target, false) {
                reload(host).await
            } else {
                let reload = OperatorTool::ReloadComponents.name();
                error(format!("`{target}` was not unloaded; {reload} picks up new files"))
            }
        }
    };
    tracing::info!(tool = name, is_error = result.is_error.unwrap_or(false), "operator tool");
    result
}

async fn reload(host: &Arc<Host>) -> CallToolResult {
    let host = host.clone();
    match tokio::task::spawn_blocking(move || host.reload()).await {
        Ok(Ok(report)) => ok(json!({
            "loaded": report.loaded,
            "unloaded": report.unloaded,
            "rejected": report.rejected,
        })),
        Ok(Err(e)) => error(format!("reload failed: {e}")),
        Err(e) => error(format!("reload failed: {e}")),
    }
}

/// The loaded components as JSON: source, digest, policy and tools (with their schemas
/// when `schemas`), and the components rejected or unloaded. `components list --json` and
/// the `switchboard_list_components` tool both show this.
pub fn describe(host: &Host, schemas: bool) -> Value {
    let catalog = host.catalog();
    let components: Vec<Value> = host
        .components()
        .iter()
        .map(|c| {
            let tools: Vec<Value> =
                catalog.tools_of(c).map(|t| if schemas { json!(t) } else { json!(t.name) }).collect();
            let skipped: Vec<Value> =
                c.surface.skipped.iter().map(|s| json!({ "function": s.name, "reason": s.reason })).collect();
            let routes = catalog.routes();
            let mut roles = Vec::new();
            if c.is_tts_provider() {
                // Its place in the chain; whether it is available now, `get_server_status` says.
                let rank = routes.tts.iter().position(|t| Arc::ptr_eq(t, c));
                roles.push(json!({ "role": "tts", "rank": rank }));
            }
            if c.is_classifier() {
                let active = routes.classifier.as_ref().is_some_and(|k| Arc::ptr_eq(k, c));
                roles.push(json!({ "role": "classifier", "active": active }));
            }
            let telephony = &host.roles.telephony;
            if c.is_compliance_checker() {
                let active = telephony.checker(&routes.checkers).is_ok_and(|k| Arc::ptr_eq(k, c));
                roles.push(json!({ "role": "compliance", "active": active }));
            }
            if c.is_carrier() {
                let active = telephony.carrier(&routes.carriers).is_ok_and(|k| Arc::ptr_eq(k, c));
                roles.push(json!({ "role": "carrier", "active": active }));
            }
            json!({
                "name": c.name,
                "source": c.source,
                "digest": c.digest,
                "policy": {
                    "timeout_ms": c.policy.timeout.as_millis() as u64,
                    "memory_mb": c.policy.memory_bytes >> 20,
                    "max_concurrent": c.policy.max_concurrent,
                    "max_queued": c.policy.max_queued,
                    "webhooks": c.policy.webhooks,
                    "keyvalue": c.policy.keyvalue,
                    "clock_offset_seconds": c.policy.clock_offset,
                    "allowed_hosts": c.policy.allowed_hosts.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "config_keys": c.policy.config.keys().collect::<Vec<_>>(),
                },
                "imports": c.surface.imports,
                "roles": roles,
                "tools": tools,
                "skipped": skipped,
            })
        })
        .collect();
    json!({ "components": components, "rejected": host.rejected(), "unloaded": host.disabled() })
}

async fn set_tts(host: &Arc<Host>, args: Option<&Map<String, Value>>) -> CallToolResult {
    let Some(Value::Array(list)) = args.and_then(|a| a.get("providers")) else {
        let name = OperatorTool::SetTtsProviders.name();
        return error(format!("`{name}` needs `providers`, a list of component names"));
    };
    let mut providers = Vec::new();
    for item in list {
        let Some(name) = item.as_str() else { return error("`providers` must hold component names".into()) };
        if !host.components().iter().any(|c| c.name == name && c.is_tts_provider()) {
            let known: Vec<String> =
                host.components().iter().filter(|c| c.is_tts_provider()).map(|c| c.name.clone()).collect();
            return error(format!("no TTS component named `{name}` is loaded; the loaded ones: {}", known.join(", ")));
        }
        providers.push(name.to_owned());
    }
    let mut settings = (*host.speech()).clone();
    settings.providers = providers.clone();
    // It waits for a reload in progress, which may be compiling: not on an async worker.
    let host = host.clone();
    match tokio::task::spawn_blocking(move || host.set_speech(settings)).await {
        Ok(()) => ok(json!({ "providers": providers })),
        Err(e) => error(format!("setting the providers failed: {e}")),
    }
}
