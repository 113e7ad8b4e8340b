//! MCP over stdio: newline-delimited JSON-RPC on stdin and stdout. Nothing else may write to
//! stdout; logs go to stderr and guest output is captured.

use super::McpService;
use anyhow::{Context as _, Result};
use rmcp::ServiceExt as _;

/// Serves one agent on stdin/stdout until it disconnects or the process is told to stop.
pub async fn serve(service: McpService) -> Result<()> {
    let running = service.serve(rmcp::transport::stdio()).await.context("MCP handshake on stdio")?;
    tokio::select! {
        quit = running.waiting() => {
            let reason = quit.context("MCP session on stdio")?;
            tracing::info!(?reason, "stdio session ended");
        }
        _ = shutdown_signal() => tracing::info!("shutdown signal received"),
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
