//! Each JSON `POST /mcp` passes [`framing::check`] before rmcp parses it, as each stdio line
//! does, so a malformed message gets its JSON-RPC error (rmcp alone answers 415 with a line
//! of text, or -32601 for a `tools/call` whose params do not fit):
//!
//! * a body that is not JSON or not a JSON-RPC message (a batch, say): 400, with the error
//!   (no id) as the body, as Streamable HTTP asks;
//! * a body over `[http] max_body_kib`: 413, with the error;
//! * a request whose params do not fit its method: 200, the error response with its id;
//! * a request reusing the id of one still in flight in its session: 200, -32600 (see
//!   [`super::in_flight`]); the id is free again once the first one's response stream ends;
//! * a `tools/call` of a tool outside the request's OAuth scopes: 403 with the
//!   `insufficient_scope` challenge (see [`super::oauth`]).

use super::framing::{self, Verdict};
use super::in_flight::InFlight;
use super::oauth::ResourceServer;
use super::scopes::Granted;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt as _;
use rmcp::transport::common::http_header::HEADER_SESSION_ID;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct Input {
    pub max_body: usize,
    pub in_flight: Arc<InFlight>,
    /// For the `insufficient_scope` challenge of a tool outside an access token's scopes.
    pub oauth: Option<Arc<ResourceServer>>,
}

fn json_rpc(status: StatusCode, reply: Value) -> Response {
    tracing::info!(error = %reply["error"]["message"], "malformed JSON-RPC message");
    (status, [(header::CONTENT_TYPE, "application/json")], reply.to_string()).into_response()
}

fn is_json(request: &Request) -> bool {
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    content_type.is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("application/json"))
}

/// The body, or `None` once it passes `max` bytes.
async fn read_body(body: &mut Body, max: usize) -> Result<Option<Bytes>, axum::Error> {
    let mut buffer = BytesMut::new();
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            if buffer.len() + data.len() > max {
                return Ok(None);
            }
            buffer.extend_from_slice(&data);
        }
    }
    Ok(Some(buffer.freeze()))
}

/// Reads and drops the rest of a body too large to take, for a while, so that the client
/// (still sending) gets our 413 rather than a reset connection: nginx's lingering close.
async fn linger(mut body: Body) {
    const FOR: Duration = Duration::from_secs(2);
    const AT_MOST: usize = 64 << 20;
    let mut dropped = 0;
    let drain = async {
        while let Some(Ok(frame)) = body.frame().await {
            dropped += frame.data_ref().map_or(0, Bytes::len);
            if dropped > AT_MOST {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(FOR, drain).await;
}

/// The tool a `tools/call` names and the scope it needs, when the token lacks it.
fn tool_outside(granted: &Granted, text: &str) -> Option<(String, String)> {
    let message: Value = serde_json::from_str(text).ok()?;
    if message["method"] != "tools/call" {
        return None;
    }
    let tool = message["params"]["name"].as_str()?;
    Some((tool.to_owned(), granted.missing(tool)?.to_owned()))
}

pub async fn check_post(State(input): State<Input>, request: Request, next: Next) -> Response {
    // rmcp answers everything else: GET streams, DELETE, the wrong content type.
    if request.method() != Method::POST || !is_json(&request) {
        return next.run(request).await;
    }
    let (parts, mut body) = request.into_parts();
    let bytes = match read_body(&mut body, input.max_body).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            linger(body).await;
            return json_rpc(StatusCode::PAYLOAD_TOO_LARGE, framing::too_large(None, input.max_body));
        }
        Err(e) => return (StatusCode::BAD_REQUEST, format!("could not read the request body: {e}\n")).into_response(),
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        let reply = framing::error_response(Value::Null, framing::PARSE_ERROR, "parse error: the body is not UTF-8");
        return json_rpc(StatusCode::BAD_REQUEST, reply);
    };
    let claim = match framing::check(text) {
        Verdict::Reply(reply) if reply["id"].is_null() => return json_rpc(StatusCode::BAD_REQUEST, reply),
        Verdict::Reply(reply) => return json_rpc(StatusCode::OK, reply),
        Verdict::Ignore(why) => {
            let reply = framing::error_response(Value::Null, framing::INVALID_REQUEST, why);
            return json_rpc(StatusCode::BAD_REQUEST, reply);
        }
        Verdict::Forward { request: Some(id) } => {
            if let (Some(oauth), Some(granted)) = (&input.oauth, parts.extensions.get::<Granted>())
                && let Some((tool, scope)) = tool_outside(granted, text)
            {
                return oauth.insufficient_scope(&tool, &scope);
            }
            // Without a session (the stateless revision) each POST is a stream of its own.
            let session = parts.headers.get(HEADER_SESSION_ID).and_then(|v| v.to_str().ok());
            match session {
                Some(session) => match input.in_flight.claim(InFlight::key(session, &id)) {
                    Some(claim) => Some(claim),
                    None => return json_rpc(StatusCode::OK, framing::id_in_use(id)),
                },
                None => None,
            }
        }
        Verdict::Forward { request: None } => None,
    };
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    match claim {
        // The id stays in flight as long as its response stream lives.
        Some(claim) => response.map(|body| {
            Body::new(body.map_frame(move |frame| {
                let _held = &claim;
                frame
            }))
        }),
        None => response,
    }
}
