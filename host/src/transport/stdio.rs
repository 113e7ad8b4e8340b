//! MCP over stdio: newline-delimited JSON-RPC on stdin and stdout. Nothing else may write to
//! stdout; logs go to stderr and guest output is captured.
//!
//! [`LineTransport`] is rmcp's transport here: each incoming line passes
//! [`framing::check`], so malformed JSON-RPC is answered with a JSON-RPC error rather than
//! dropped, and every frame (rmcp's and those errors) is written whole under one lock. A line
//! over [`framing::MAX_MESSAGE_BYTES`] is answered and skipped without being kept, and a
//! request reusing the id of one in flight is refused (see [`super::in_flight`]).

use super::McpService;
use super::framing::{self, MAX_MESSAGE_BYTES, Verdict};
use super::in_flight::InFlight;
use anyhow::{Context as _, Result};
use futures::future::BoxFuture;
use rmcp::RoleServer;
use rmcp::model::{ClientNotification, JsonRpcMessage, RequestId};
use rmcp::service::{RxJsonRpcMessage, ServiceExt as _, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde_json::Value;
use std::io;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt as _, AsyncRead, AsyncWrite, AsyncWriteExt as _, BufReader};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// Serves one agent on stdin/stdout until it disconnects or `shutdown` is cancelled.
/// Boxed, so that its state machine is compiled once, here, and not again in each binary
/// that awaits it (the command line, the tests).
pub fn serve(service: McpService, shutdown: CancellationToken) -> BoxFuture<'static, Result<()>> {
    Box::pin(async move {
        // Pipes (how MCP clients start servers) are driven by the IO reactor rather than
        // tokio's blocking stdin/stdout threads: one cross-thread hand-off less per message.
        let (input, output) = rmcp::transport::stdio_pipes();
        serve_on(service, input, output, shutdown).await
    })
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
    input: BufReader<R>,
    line: Partial,
    out: Arc<Mutex<W>>,
    in_flight: Arc<InFlight>,
}

impl<R: AsyncRead + Unpin, W: AsyncWrite + Unpin> LineTransport<R, W> {
    pub fn new(input: R, output: W) -> Self {
        Self {
            input: BufReader::new(input),
            line: Partial::default(),
            out: Arc::new(Mutex::new(output)),
            in_flight: Arc::default(),
        }
    }
}

enum Line {
    /// The line is in the buffer, without its line ending.
    Read,
    /// A line of this many bytes, over the limit: skipped, not kept.
    TooLong(usize),
    End,
}

/// The line being read. It lives in the transport, not in the future that reads it: rmcp's
/// loop selects over `receive`, and drops it whenever another branch is ready first, so a line
/// that spans two reads would otherwise lose its first part, and the next message with it.
#[derive(Default)]
struct Partial {
    /// The line so far, without its line ending.
    bytes: Vec<u8>,
    /// Set when the line is over the limit: its length so far (its bytes are not kept).
    over: Option<usize>,
    /// The line was handed out: the next read starts a new one.
    done: bool,
}

/// Reads one line into `line`, keeping at most `max` bytes of it. Cancel-safe: dropped at its
/// one await, it has consumed from `input` only what `line` holds.
async fn read_line<R: AsyncRead + Unpin>(input: &mut BufReader<R>, line: &mut Partial, max: usize) -> io::Result<Line> {
    if std::mem::take(&mut line.done) {
        line.bytes.clear();
        line.over = None;
    }
    loop {
        let available = input.fill_buf().await?;
        if available.is_empty() {
            line.done = true;
            return Ok(match line.over {
                Some(len) => Line::TooLong(len),
                None if line.bytes.is_empty() => Line::End,
                None => Line::Read,
            });
        }
        let newline = available.iter().position(|&b| b == b'\n');
        let data = &available[..newline.unwrap_or(available.len())];
        match &mut line.over {
            None if line.bytes.len() + data.len() <= max => line.bytes.extend_from_slice(data),
            None => {
                line.over = Some(line.bytes.len() + data.len());
                line.bytes = Vec::new();
            }
            Some(len) => *len += data.len(),
        }
        let used = newline.map_or(available.len(), |i| i + 1);
        input.consume(used);
        if newline.is_some() {
            if line.bytes.last() == Some(&b'\r') {
                line.bytes.pop();
            }
            line.done = true;
            return Ok(line.over.map_or(Line::Read, Line::TooLong));
        }
    }
}

fn in_flight_key(id: &RequestId) -> String {
    InFlight::key("", &serde_json::to_value(id).unwrap_or_default())
}

async fn write_line<W: AsyncWrite + Unpin>(out: &Mutex<W>, mut line: Vec<u8>) -> io::Result<()> {
    line.push(b'\n');
    let mut out = out.lock().await;
    out.write_all(&line).await?;
    out.flush().await
}

impl<R, W> LineTransport<R, W> {
    /// The message in the line just read, or the reply it gets instead (`None`: no reply).
    fn parse(&self) -> Result<RxJsonRpcMessage<RoleServer>, Option<Value>> {
        // Not UTF-8, for instance: that line is lost, the session goes on.
        let line = std::str::from_utf8(&self.line.bytes).map_err(|e| {
            Some(framing::error_response(Value::Null, framing::PARSE_ERROR, format!("parse error: {e}")))
        })?;
        let request = match framing::check(line) {
            Verdict::Forward { request } => request,
            Verdict::Reply(reply) => return Err(Some(reply)),
            Verdict::Ignore(why) => {
                if !line.trim().is_empty() {
                    tracing::warn!(%why, "dropping a message");
                }
                return Err(None);
            }
        };
        let message: RxJsonRpcMessage<RoleServer> = serde_json::from_str(line).map_err(|e| {
            let id = request.clone().unwrap_or(Value::Null);
            Some(framing::error_response(id, framing::INVALID_REQUEST, e.to_string()))
        })?;
        match &message {
            JsonRpcMessage::Request(r) if !self.in_flight.start(in_flight_key(&r.id)) => {
                return Err(Some(framing::id_in_use(request.unwrap_or_default())));
            }
            JsonRpcMessage::Notification(n) => {
                // A cancelled request is never answered: its id is free again.
                if let ClientNotification::CancelledNotification(c) = &n.notification
                    && let Some(id) = &c.params.request_id
                {
                    self.in_flight.finish(&in_flight_key(id));
                }
            }
            _ => {}
        }
        Ok(message)
    }
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
        let answered = match &item {
            JsonRpcMessage::Response(response) => Some(&response.id),
            JsonRpcMessage::Error(error) => error.id.as_ref(),
            _ => None,
        };
        if let Some(id) = answered {
            self.in_flight.finish(&in_flight_key(id));
        }
        async move { write_line(&out, line.map_err(io::Error::other)?).await }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            let reply = match read_line(&mut self.input, &mut self.line, MAX_MESSAGE_BYTES).await {
                Ok(Line::End) => return None,
                Ok(Line::TooLong(len)) => framing::too_large(Some(len), MAX_MESSAGE_BYTES),
                Err(e) => {
                    tracing::info!(error = %e, "stdin failed");
                    return None;
                }
                Ok(Line::Read) => match self.parse() {
                    Ok(message) => return Some(message),
                    Err(None) => continue,
                    Err(Some(reply)) => reply,
                },
            };
            if self.line.bytes.capacity() > 1 << 20 {
                self.line.bytes = Vec::new();
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_read_dropped_mid_line_keeps_what_it_had_read() {
        let (mut agent, host) = tokio::io::duplex(64);
        let (mut input, mut line) = (BufReader::new(host), Partial::default());
        agent.write_all(br#"{"jsonrpc":"2.0","#).await.unwrap();
        // The read takes the first part, waits for the rest, and is dropped, as rmcp's select
        // drops it when a reply is ready to go out first.
        let read = read_line(&mut input, &mut line, 1024);
        assert!(tokio::time::timeout(Duration::from_millis(20), read).await.is_err());
        agent.write_all(b"\"method\":\"ping\",\"id\":1}\n{}\n").await.unwrap();
        assert!(matches!(read_line(&mut input, &mut line, 1024).await.unwrap(), Line::Read));
        assert_eq!(line.bytes, br#"{"jsonrpc":"2.0","method":"ping","id":1}"#);
        // The next line starts afresh.
        assert!(matches!(read_line(&mut input, &mut line, 1024).await.unwrap(), Line::Read));
        assert_eq!(line.bytes, b"{}");
    }

    #[tokio::test]
    async fn a_line_over_the_limit_is_measured_across_dropped_reads() {
        let (mut agent, host) = tokio::io::duplex(64);
        let (mut input, mut line) = (BufReader::new(host), Partial::default());
        agent.write_all(&[b'x'; 30]).await.unwrap();
        let read = read_line(&mut input, &mut line, 16);
        assert!(tokio::time::timeout(Duration::from_millis(20), read).await.is_err());
        agent.write_all(&[b'y'; 10]).await.unwrap();
        agent.write_all(b"\n").await.unwrap();
        assert!(matches!(read_line(&mut input, &mut line, 16).await.unwrap(), Line::TooLong(40)));
    }
}
