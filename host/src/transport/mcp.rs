//! The MCP server: `initialize` (or `server/discover`), `ping`, `tools/list`, `tools/call`,
//! `logging/setLevel`, `notifications/cancelled` and `notifications/progress` over rmcp, with the tool list built at
//! runtime from the catalog (no `#[tool]` macros).

use super::client_log::ClientLog;
use super::progress::Forwarder;
use super::scopes::Granted;
use super::sessions::{InSession, Sessions};
use crate::catalog::Dispatched;
use crate::host::Host;
use crate::{catalog, operator};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::{NotificationContext, RequestContext};
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
}

impl McpService {
    pub fn new(host: Arc<Host>) -> Self {
        Self { host, log: Arc::default(), sessions: None }
    }

    /// A service for Streamable HTTP, where a deleted session stops its calls.
    pub(super) fn over_http(host: Arc<Host>, sessions: Arc<Sessions>) -> Self {
        Self { sessions: Some(sessions), ..Self::new(host) }
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
        let capabilities =
            ServerCapabilities::builder().enable_tools().enable_tool_list_changed().enable_logging().build();
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
            let _in_flight = self.host.begin_call();
            let metrics = &self.host.metrics;
            let started = std::time::Instant::now();
            let catalog = self.host.catalog();
            if let Some(scope) = Self::granted(&context).and_then(|g| g.missing(&request.name)) {
                // The HTTP layer answers this with a 403 challenge first; this holds whatever the path.
                tracing::info!(scope, "tools/call outside the access token's scopes");
                let text = format!("`{}` needs the OAuth scope `{scope}`, which this access token lacks", request.name);
                return Ok(CallToolResult::error(vec![ContentBlock::text(text)]).into());
            }
            // A request with a progressToken gets its components' progress reports.
            let progress = context.meta.get_progress_token().map(|token| Forwarder::start(context.peer.clone(), token));
            let call = catalog::call(
                &catalog,
                &self.host.roles,
                &self.host.runtime,
                &request.name,
                request.arguments.as_ref(),
            );
            let call = async {
                match &progress {
                    Some(forwarder) => crate::runtime::progress::scope(forwarder.reports(), call).await,
                    None => call.await,
                }
            };
            // A client that asked for log messages gets the components' records too.
            let records = self.log.forward_records(&context.peer, &request.name);
            let call = async {
                match &records {
                    Some(forwarder) => crate::runtime::logging::scope(forwarder.records(), call).await,
                    None => call.await,
                }
            };
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
            if let Some(forwarder) = progress {
                forwarder.finish().await;
            }
            if let Some(forwarder) = records {
                forwarder.finish().await;
            }
            let called = match called {
                Dispatched::Done(called) => Some(*called),
                Dispatched::Operator(tool) => {
                    return Ok(operator::call(&self.host, tool, request.arguments.as_ref()).await.into());
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
            metrics.call_finished(&request.name, called.outcome, elapsed, called.instantiate);
            if let Some(bytes) = called.memory_peak {
                metrics.instance_memory(&called.component, bytes);
            }
            tracing::info!(elapsed_us = elapsed.as_micros() as u64, outcome = called.outcome, "tools/call");
            self.log.call_finished(&context.peer, &request.name, called.outcome, elapsed, &correlation).await;
            Ok(called.result.into())
        }
        .instrument(span)
        .await
    }
}
