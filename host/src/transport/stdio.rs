//! MCP over stdio: newline-delimited JSON-RPC on stdin and stdout. Nothing else may write to
//! stdout; logs go to stderr and guest output is captured.
//!
//! [`LineTransport`] is rmcp's transport here: each incoming line passes
//! [`framing::check`], so malformed JSON-RPC is answered with a JSON-RPC error rather than
//! dropped, and every frame (rmcp's and those errors) is written whole under one lock.

use super::McpService;
use super::framing::{self, Verdict};
use anyhow::{Context as _, Result};
use rmcp::RoleServer;
use rmcp::service::{RxJsonRpcMessage, ServiceExt as _, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde_json::Value;
use std::io;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt as _, AsyncRead, AsyncWrite, AsyncWriteExt as _, BufReader, Lines};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// Serves one agent on stdin/stdout until it disconnects or `shutdown` is cancelled.
pub async fn serve(service: McpService, shutdown: CancellationToken) -> Result<()> {
    // Pipes (how MCP clients start servers) are driven by the IO reactor rather than
    // tokio's blocking stdin/stdout threads: one cross-thread hand-off less per message.
    let (input, output) = rmcp::transport::stdio_pipes();
    serve_on(service, input, output, shutdown).await
}

/// Serves one agent on any pair of byte streams.
pub async fn serve_on(
    service: McpService,
    input: impl AsyncRead + Unpin + Send + 'static,
    output: impl AsyncWrite + Unpin + Send + 'static,
    shutdown: CancellationToken,
) -> Result<()> {
    let transport = LineTransport::new(input, output);
    let running = service.serve(transport).await.context("MCP handshake on stdio")?;
    tokio::select! {
        quit = running.waiting() => {
            let reason = quit.context("MCP session on stdio")?;
            tracing::info!(?reason, "stdio session ended");
        }
        _ = shutdown.cancelled() => tracing::info!("stdio session stopped: the host is shutting down"),
    }
    Ok(())
}

/// Newline-delimited JSON-RPC over a byte stream pair.
pub struct LineTransport<R, W> {
    lines: Lines<BufReader<R>>,
    out: Arc<Mutex<W>>,
}

impl<R: AsyncRead + Unpin, W: AsyncWrite + Unpin> LineTransport<R, W> {
    pub fn new(input: R, output: W) -> Self {
        Self { lines: BufReader::new(input).lines(), out: Arc::new(Mutex::new(output)) }
    }
}

async fn write_line<W: AsyncWrite + Unpin>(out: &Mutex<W>, mut line: Vec<u8>) -> io::Result<()> {
    line.push(b'\n');
    let mut out = out.lock().await;
    out.write_all(&line).await?;
    out.flush().await
}

impl<R, W> Transport<RoleServer> for LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Error = io::Error;

    fn send(&mut self, item: TxJsonRpcMessage<RoleServer>) -> impl Future<Output = io::Result<()>> + Send + 'static {
        let out = self.out.clone();
        let line = serde_json::to_vec(&item);
        async move { write_line(&out, line.map_err(io::Error::other)?).await }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            let reply = match self.lines.next_line().await {
                Ok(None) => return None,
                // Not UTF-8, for instance: that line is lost, the session goes on.
                Err(e) => framing::error_response(Value::Null, framing::PARSE_ERROR, e.to_string()),
                Ok(Some(line)) => match framing::check(&line) {
                    Verdict::Ignore => continue,
                    Verdict::Reply(reply) => reply,
                    Verdict::Forward => match serde_json::from_str(&line) {
                        Ok(message) => return Some(message),
                        Err(e) => {
                            let id = serde_json::from_str::<Value>(&line).ok().and_then(|v| v.get("id").cloned());
                            framing::error_response(id.unwrap_or(Value::Null), framing::INVALID_REQUEST, e.to_string())
                        }
                    },
                },
            };
            tracing::info!(error = %reply["error"]["message"], "malformed JSON-RPC message");
            if let Err(e) = write_line(&self.out, reply.to_string().into_bytes()).await {
                tracing::warn!(error = %e, "could not answer a malformed message");
                return None;
            }
        }
    }

    async fn close(&mut self) -> io::Result<()> {
        self.out.lock().await.shutdown().await
    }
}
