//! A lean Streamable HTTP load generator: one keep-alive HTTP/1.1 connection per client,
//! each request written from bytes prepared once, each response read to its end (a JSON body
//! or a chunked event stream), so that the figure is the server's and not a client library's.

use anyhow::{Context as _, Result, bail, ensure};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// One MCP client over one connection: a session (2025-11-25), or stateless requests
/// (2026-07-28) that each carry their revision.
pub struct Client {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    addr: SocketAddr,
    token: String,
    revision: Revision,
    session: Option<String>,
}

/// The protocol revision a client speaks.
#[derive(Clone, Copy, Debug)]
pub enum Revision {
    /// `initialize`, then every request in the session it opened.
    Session,
    /// No handshake: each request names the revision in its headers and `_meta`.
    Stateless,
}

impl Revision {
    fn version(self) -> &'static str {
        match self {
            Revision::Session => "2025-11-25",
            Revision::Stateless => "2026-07-28",
        }
    }
}

/// A response: its status, its session id if it set one, and its body (event stream or JSON).
pub struct Reply {
    pub status: u16,
    pub session: Option<String>,
    pub body: Vec<u8>,
}

impl Client {
    /// Connects; a session client also initializes (`initialize`, then
    /// `notifications/initialized`).
    pub async fn connect(addr: SocketAddr, token: &str, revision: Revision) -> Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (read, writer) = stream.into_split();
        let mut client = Self {
            reader: BufReader::with_capacity(16 * 1024, read),
            writer,
            addr,
            token: token.to_owned(),
            revision,
            session: None,
        };
        if let Revision::Stateless = revision {
            return Ok(client);
        }
        let init = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"load","version":"1"}}}"#;
        let reply = client.post(&client.request(init)).await?;
        ensure!(reply.status == 200, "initialize: HTTP {}", reply.status);
        client.session = Some(reply.session.context("initialize set no mcp-session-id")?);
        let initialized = client.request(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
        let reply = client.post(&initialized).await?;
        ensure!(reply.status == 202, "notifications/initialized: HTTP {}", reply.status);
        Ok(client)
    }

    /// The bytes of a POST of `json` to `/mcp` in this session, to be sent any number of times.
    pub fn request(&self, json: &str) -> Vec<u8> {
        self.request_with(json, "")
    }

    /// The bytes of a `tools/call` of `tool` with no arguments: for a stateless client, with
    /// the revision's `_meta` and its `Mcp-Method` and `Mcp-Name` headers.
    pub fn call(&self, id: u64, tool: &str) -> Vec<u8> {
        if let Revision::Session = self.revision {
            let json = format!(
                r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"{tool}","arguments":{{}}}}}}"#
            );
            return self.request(&json);
        }
        let json = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"{tool}","arguments":{{}},"_meta":{{"io.modelcontextprotocol/protocolVersion":"{}","io.modelcontextprotocol/clientInfo":{{"name":"load","version":"1"}},"io.modelcontextprotocol/clientCapabilities":{{}}}}}}}}"#,
            self.revision.version()
        );
        self.request_with(&json, &format!("mcp-method: tools/call\r\nmcp-name: {tool}\r\n"))
    }

    fn request_with(&self, json: &str, headers: &str) -> Vec<u8> {
        let session = self.session.as_deref().map(|s| format!("mcp-session-id: {s}\r\n")).unwrap_or_default();
        format!(
            "POST /mcp HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {}\r\ncontent-type: application/json\r\n\
             accept: application/json, text/event-stream\r\nmcp-protocol-version: {}\r\n{session}{headers}\
             content-length: {}\r\n\r\n{json}",
            self.addr,
            self.token,
            self.revision.version(),
            json.len()
        )
        .into_bytes()
    }

    /// Sends one prepared request and reads its whole response.
    pub async fn post(&mut self, request: &[u8]) -> Result<Reply> {
        self.writer.write_all(request).await?;
        self.read_reply().await
    }

    /// Sends one prepared request and returns how long the whole response took, checking that
    /// it carries a result and no error.
    pub async fn timed(&mut self, request: &[u8]) -> Result<Duration> {
        let started = Instant::now();
        let reply = self.post(request).await?;
        let elapsed = started.elapsed();
        ensure!(reply.status == 200, "HTTP {}", reply.status);
        let body = String::from_utf8_lossy(&reply.body);
        ensure!(body.contains("\"result\"") && !body.contains("\"isError\":true"), "not a tool result: {body}");
        Ok(elapsed)
    }

    async fn read_reply(&mut self) -> Result<Reply> {
        let mut line = String::new();
        let mut status = 0;
        let mut session = None;
        let mut length = None;
        let mut chunked = false;
        loop {
            line.clear();
            if self.reader.read_line(&mut line).await? == 0 {
                bail!("the server closed the connection");
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if status == 0 {
                status = header.split(' ').nth(1).and_then(|s| s.parse().ok()).context("no status line")?;
                continue;
            }
            let Some((name, value)) = header.split_once(':') else { continue };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.parse::<usize>()?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            } else if name.eq_ignore_ascii_case("mcp-session-id") {
                session = Some(value.to_owned());
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line).await?;
                let size = usize::from_str_radix(line.trim_end().split(';').next().unwrap_or(""), 16)
                    .with_context(|| format!("bad chunk size {line:?}"))?;
                let start = body.len();
                body.resize(start + size + 2, 0);
                self.reader.read_exact(&mut body[start..]).await?;
                body.truncate(start + size);
                if size == 0 {
                    break;
                }
            }
        } else if let Some(length) = length {
            body.resize(length, 0);
            self.reader.read_exact(&mut body).await?;
        }
        Ok(Reply { status, session, body })
    }
}
