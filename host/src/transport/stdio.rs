//! MCP over stdio: newline-delimited JSON-RPC on stdin and stdout. Nothing else may write to
//! stdout; logs go to stderr and guest output is captured.
//!
//! Lines pass through [`framing::check`] on their way in, so malformed JSON-RPC is answered
//! with a JSON-RPC error; one writer task owns stdout and interleaves rmcp's frames with
//! those errors a whole line at a time.

use super::McpService;
use super::framing::{self, Verdict};
use anyhow::{Context as _, Result};
use rmcp::ServiceExt as _;
use tokio::io::{AsyncBufReadExt as _, AsyncRead, AsyncWrite, AsyncWriteExt as _, BufReader};
use tokio::sync::mpsc;

/// Bytes buffered between the framing tasks and rmcp.
const PIPE: usize = 1 << 20;

/// Serves one agent on stdin/stdout until it disconnects or the process is told to stop.
pub async fn serve(service: McpService) -> Result<()> {
    serve_on(service, tokio::io::stdin(), tokio::io::stdout()).await
}

/// Serves one agent on any byte streams (stdio in production, pipes in tests).
pub async fn serve_on(
    service: McpService,
    input: impl AsyncRead + Unpin + Send + 'static,
    output: impl AsyncWrite + Unpin + Send + 'static,
) -> Result<()> {
    let (to_service, service_in) = tokio::io::duplex(PIPE);
    let (service_out, from_service) = tokio::io::duplex(PIPE);
    let (errors_tx, errors_rx) = mpsc::unbounded_channel();
    tokio::spawn(read_frames(input, to_service, errors_tx));
    let writer = tokio::spawn(write_frames(from_service, errors_rx, output));

    let running = service.serve((service_in, service_out)).await.context("MCP handshake on stdio")?;
    tokio::select! {
        quit = running.waiting() => {
            let reason = quit.context("MCP session on stdio")?;
            tracing::info!(?reason, "stdio session ended");
        }
        _ = shutdown_signal() => tracing::info!("shutdown signal received"),
    }
    // Let the last frames reach the client.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), writer).await;
    Ok(())
}

/// stdin -> checks -> rmcp; malformed lines are answered through `errors`.
async fn read_frames(
    input: impl AsyncRead + Unpin,
    mut to_service: impl AsyncWrite + Unpin,
    errors: mpsc::UnboundedSender<String>,
) {
    let mut lines = BufReader::new(input).lines();
    loop {
        let line = match lines.next_line().await {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(e) => {
                // Not UTF-8, for instance: the line is lost but the session goes on.
                let reply = framing::error_response(serde_json::Value::Null, framing::PARSE_ERROR, e.to_string());
                let _ = errors.send(reply.to_string());
                continue;
            }
        };
        match framing::check(&line) {
            Verdict::Forward => {
                let framed = [line.as_bytes(), b"\n"].concat();
                if to_service.write_all(&framed).await.is_err() {
                    break;
                }
            }
            Verdict::Reply(reply) => {
                tracing::info!(error = %reply["error"]["message"], "malformed JSON-RPC message");
                let _ = errors.send(reply.to_string());
            }
            Verdict::Ignore => {}
        }
    }
    // EOF on stdin ends the session.
    let _ = to_service.shutdown().await;
}

/// The one writer of stdout: whole lines from rmcp or from the checks, flushed promptly.
async fn write_frames(
    from_service: impl AsyncRead + Unpin,
    mut errors: mpsc::UnboundedReceiver<String>,
    mut output: impl AsyncWrite + Unpin,
) {
    let mut frames = BufReader::new(from_service).lines();
    let mut errors_open = true;
    loop {
        let line = tokio::select! {
            frame = frames.next_line() => match frame {
                Ok(Some(line)) => line,
                _ => break,
            },
            error = errors.recv(), if errors_open => match error {
                Some(line) => line,
                None => { errors_open = false; continue; }
            },
        };
        let framed = [line.as_bytes(), b"\n"].concat();
        if output.write_all(&framed).await.is_err() || output.flush().await.is_err() {
            break;
        }
    }
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
