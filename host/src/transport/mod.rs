//! The transport layer: how agents reach the catalog, over stdio or Streamable HTTP.

mod audio;
mod client_log;
mod framing;
pub mod http;
mod http_input;
mod in_flight;
mod jwks;
mod mcp;
mod oauth;
mod progress;
mod scopes;
mod sessions;
pub mod stdio;
mod tasks;

/// Cancels `token` on SIGTERM or Ctrl-C.
pub async fn cancel_on_signal(token: tokio_util::sync::CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} },
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutdown signal received");
    token.cancel();
}

pub use mcp::McpService;
pub use tasks::Tasks;
