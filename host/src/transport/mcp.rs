//! The MCP server: `initialize` (or `server/discover`), `ping`, `tools/list`, `tools/call`,
//! `logging/setLevel`, `notifications/cancelled`, `notifications/progress` and the tasks
//! extension's `tasks/get`, `tasks/cancel`, `tasks/update` over rmcp, with the tool list built
//! at runtime from the catalog (no `#[tool]` macros).

use super::client_log::ClientLog;
use super::progress::Forwarder;
use super::scopes::Granted;
use super::sessions::{InSession, Sessions};
use super::tasks::{StatusMessages, Subject, Tasks};
use crate::catalog::{Catalog, Dispatched};
use crate::host::Host;
use crate::runtime::progress;
use crate::{catalog, operator};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CancelTaskParams, ContentBlock, CreateTaskResult,
    GetTaskParams, GetTaskResult, Implementation, JsonObject, ListToolsResult, PaginatedRequestParams,
    ServerCapabilities, ServerConfig, Task, UpdateTaskParams,
};
use rmcp::service::{NotificationContext, RequestContext};
use rmcp::task_manager::{TaskContext, TaskExit};
use rmcp::transport::common::http_header::HEADER_SESSION_ID;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::Instrument as _;

/// Serves one MCP connection (or HTTP session) from a shared [`Host`].
#[derive(Clone)]
pub struct McpService {
    host: Arc<Host>,
    /// The level this client asked for with `logging/setLevel`.
    log: Arc<ClientLog>,
    /// Over HTTP: the sessions whose calls stop when their client deletes them.
    sessions: Option<Arc<Sessions>>,
    /// The host's tasks, shared by every connection and session.
    tasks: Arc<Tasks>,
}

impl McpService {
    pub fn new(host: Arc<Host>, tasks: Arc<Tasks>) -> Self {
        Self { host, log: Arc::default(), sessions: None, tasks }
    }

    /// A service for Streamable HTTP, where a deleted session stops its calls.
    pub(super) fn over_http(host: Arc<Host>, tasks: Arc<Tasks>, sessions: Arc<Sessions>) -> Self {
        Self { sessions: Some(sessions), ..Self::new(host, tasks) }
    }

    /// Whose tasks a request may see: its access token's subject.
    fn subject(context: &RequestContext<RoleServer>) -> Subject {
        Self::granted(context).and_then(|g| g.subject.clone())
    }

    /// Starts `request` as a task, inside the current span (its correlation id); `None` when
    /// the host runs as many tasks as it may.
    fn start_task(
        &self,
        request: &CallToolRequestParams,
        context: &RequestContext<RoleServer>,
        catalog: Arc<Catalog>,
    ) -> Option<Task> {
        let (host, name, args) = (self.host.clone(), request.name.to_string(), request.arguments.clone());
        let until = self.tasks.settle_by();
        let span = tracing::Span::current();
        self.tasks.spawn(Self::subject(context), move |task| {
            Box::pin(run_task(host, catalog, name, args, until, task).instrument(span))
        })
    }

    /// The scopes of the request's OAuth access token, if it came with one.
    fn granted(context: &RequestContext<RoleServer>) -> Option<&Granted> {
        context.extensions.get::<axum::http::request::Parts>()?.extensions.get::<Granted>()
    }

    /// The HTTP session this request came in, if any.
    fn session_of(&self, context: &RequestContext<RoleServer>) -> Option<InSession> {
        let parts = context.extensions.get::<axum::http::request::Parts>()?;
        let id = parts.headers.get(HEADER_SESSION_ID)?.to_str().ok()?;
        Some(self.sessions.as_ref()?.enter(id))
    }
}

/// A short correlation id per request, carried by every log line of that request.
fn correlation_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("c{:x}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

impl ServerHandler for McpService {
    #[allow(deprecated)] // `enable_logging`: see transport/client_log.rs
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder().enable_tools().enable_tool_list_changed().enable_logging();
        let capabilities = if self.tasks.enabled() { capabilities.enable_tasks() } else { capabilities }.build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new("switchboard", env!("CARGO_PKG_VERSION")).with_title("Switchboard"))
            .with_instructions(
                "Every tool runs in a sandboxed WebAssembly component. Tool errors say what to change; \
                 arguments follow each tool's input schema exactly.",
            )
    }

    /// From now on, tell this client whenever the tool list changes (hot-loading).
    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        let mut changes = self.host.subscribe();
        changes.borrow_and_update();
        let peer = context.peer;
        tokio::spawn(async move {
            while changes.changed().await.is_ok() {
                if peer.notify_tool_list_changed().await.is_err() {
                    break; // the client is gone
                }
            }
        });
    }

    #[allow(deprecated)] // MCP logging: see transport/client_log.rs
    async fn set_level(
        &self,
        request: rmcp::model::SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.log.set(request.level);
        Ok(())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        let catalog = self.host.catalog();
        let granted = Self::granted(&context);
        // A tool outside an access token's scopes is not shown to it.
        let visible = catalog.all_tools().filter(|t| granted.is_none_or(|g| g.missing(&t.name).is_none()));
        Ok(ListToolsResult::with_all_items(visible.cloned().collect()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let correlation = correlation_id();
        let span = tracing::info_span!("call", id = %correlation, rpc = %context.id, tool = %request.name);
        async {
            let catalog = self.host.catalog();
            if let Some(scope) = Self::granted(&context).and_then(|g| g.missing(&request.name)) {
                // The HTTP layer answers this with a 403 challenge first; this holds whatever the path.
                tracing::info!(scope, "tools/call outside the access token's scopes");
                let text = format!("`{}` needs the OAuth scope `{scope}`, which this access token lacks", request.name);
                return Ok(CallToolResult::error(vec![ContentBlock::text(text)]).into());
            }
            // A long call from a client that takes tasks is answered with one at once.
            let takes_tasks = context.client_capabilities().is_some_and(|c| c.supports_tasks());
            if takes_tasks
                && catalog.route(&request.name).is_some()
                && self.tasks.wanted(&request.name, catalog.runs_long(&request.name))
                && let Some(task) = self.start_task(&request, &context, catalog.clone())
            {
                tracing::info!(task = %task.task_id, "tools/call runs as a task");
                return Ok(CallToolResponse::Task(CreateTaskResult::new(task)));
            }
            let _in_flight = self.host.begin_call();
            let metrics = &self.host.metrics;
            let started = std::time::Instant::now();
            // A request with a progressToken gets its components' progress reports.
            let progress = context.meta.get_progress_token().map(|token| Forwarder::new(context.peer.clone(), token));
            // Boxed (by `catalog::call`), and so is each wrapper that applies (progress, log
            // records): what awaits the call then holds a pointer, not the call's state, which
            // every layer would otherwise hold again (10,000 calls in flight took 3.5 GiB so).
            let mut call = catalog::call(
                &catalog,
                &self.host.roles,
                &self.host.runtime,
                &request.name,
                request.arguments.as_ref(),
            );
            if let Some(forwarder) = progress {
                call = Box::pin(forwarder.run(call));
            }
            // A client that asked for log messages gets the components' records too.
            let records = self.log.forward_records(&context.peer, &request.name);
            if let Some(forwarder) = &records {
                call = Box::pin(crate::runtime::logging::scope(forwarder.records(), call));
            }
            let called = if catalog.abandonable(&request.name) {
                // `notifications/cancelled`, the client gone or its session deleted: dropping
                // the call drops its instance, at once if it waits and within one epoch tick
                // if it computes.
                let session = self.session_of(&context);
                let session_ended = async {
                    match &session {
                        Some(session) => session.ended.cancelled().await,
                        None => std::future::pending().await,
                    }
                };
                let stopped = |why: &'static str| {
                    let elapsed = started.elapsed();
                    metrics.call_finished(&request.name, "cancelled", elapsed, None);
                    tracing::info!(elapsed_us = elapsed.as_micros() as u64, why, "tools/call stopped");
                    // rmcp drops the reply of a cancelled request; this is for the record.
                    Err(McpError::internal_error(why, None))
                };
                tokio::select! {
                    biased;
                    _ = context.ct.cancelled() => return stopped("the client cancelled this call"),
                    _ = session_ended => return stopped("the session of this call was deleted"),
                    called = call => called,
                }
            } else {
                call.await
            };
            if let Some(forwarder) = records {
                forwarder.finish().await;
            }
            let called = match called {
                Dispatched::Done(called) => Some(*called),
                Dispatched::Operator(tool) => {
                    let called = Box::pin(operator::call(&self.host, tool, request.arguments.as_ref())).await;
                    return Ok(called.into());
                }
                Dispatched::Unknown => None,
            };
            let elapsed = started.elapsed();
            let Some(called) = called else {
                // Label values never come from the client: every unknown name counts as one.
                metrics.call_finished(crate::metrics::UNKNOWN_TOOL, "unknown_tool", elapsed, None);
                tracing::info!("unknown tool");
                self.log.call_finished(&context.peer, &request.name, "unknown_tool", elapsed, &correlation).await;
                return Err(McpError::invalid_params(
                    format!("unknown tool `{}`; tools/list gives the available tools", request.name),
                    None,
                ));
            };
            finished(&self.host, &request.name, &called, elapsed, "tools/call");
            self.log.call_finished(&context.peer, &request.name, called.outcome, elapsed, &correlation).await;
            Ok(called.result.into())
        }
        .instrument(span)
        .await
    }

    async fn get_task(
        &self,
        request: GetTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, McpError> {
        self.tasks.get(&Self::subject(&context), &request.task_id).map(GetTaskResult::new)
    }

    async fn cancel_task(
        &self,
        request: CancelTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        tracing::info!(task = %request.task_id, "tasks/cancel");
        self.tasks.cancel(&Self::subject(&context), &request.task_id)
    }

    async fn update_task(
        &self,
        request: UpdateTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.tasks.update(&Self::subject(&context), &request.task_id)
    }
}

/// One `tools/call` run as a task. `tasks/cancel` stops a call that may be abandoned at once
/// (the task is `cancelled`); one that changes records over several steps (placing a call)
/// runs to the end of them first. What the call leads to (a placed call, until it ends) is
/// waited for until `until` or a `tasks/cancel`; the call itself goes on then.
async fn run_task(
    host: Arc<Host>,
    catalog: Arc<Catalog>,
    name: String,
    args: Option<JsonObject>,
    until: tokio::time::Instant,
    task: TaskContext,
) -> Result<CallToolResult, TaskExit> {
    let started = std::time::Instant::now();
    let status = StatusMessages::start(task.clone());
    let call = progress::scope(status.reports(), async {
        let _in_flight = host.begin_call();
        catalog::call(&catalog, &host.roles, &host.runtime, &name, args.as_ref()).await
    });
    let dispatched = if catalog.abandonable(&name) {
        tokio::select! {
            biased;
            _ = task.cancelled() => {
                host.metrics.call_finished(&name, "cancelled", started.elapsed(), None);
                tracing::info!(elapsed_us = started.elapsed().as_micros() as u64, "tasks/cancel stopped the call");
                return Err(TaskExit::Cancelled);
            }
            dispatched = call => dispatched,
        }
    } else {
        call.await
    };
    let mut called = match dispatched {
        Dispatched::Done(called) => *called,
        Dispatched::Operator(tool) => return Ok(operator::call(&host, tool, args.as_ref()).await),
        Dispatched::Unknown => {
            let text = format!("unknown tool `{name}`; tools/list gives the available tools");
            return Err(TaskExit::Error(McpError::invalid_params(text, None)));
        }
    };
    finished(&host, &name, &called, started.elapsed(), "tools/call (task)");
    let follow =
        progress::scope(status.reports(), catalog::follow(&catalog, &host.roles, &name, &mut called.result, until));
    let stopped = tokio::select! {
        biased;
        _ = task.cancelled() => true,
        () = follow => false,
    };
    if stopped {
        tracing::info!("tasks/cancel: the task stops waiting; the call goes on");
        catalog::calling::add_warning(
            &mut called.result,
            "tasks/cancel stopped this task from waiting for the call to end; the call goes on (end_call ends it)",
        );
    }
    status.finish().await;
    if called.result.is_error == Some(true) {
        task.set_status_message("the tool answered with an error (see the result)");
    }
    Ok(called.result)
}

/// A call's metrics and log line, inline or in a task alike.
fn finished(host: &Host, name: &str, called: &catalog::Called, elapsed: std::time::Duration, what: &'static str) {
    host.metrics.call_finished(name, called.outcome, elapsed, called.instantiate);
    if let Some(bytes) = called.memory_peak {
        host.metrics.instance_memory(&called.component, bytes);
    }
    tracing::info!(elapsed_us = elapsed.as_micros() as u64, outcome = called.outcome, "{what}");
}
