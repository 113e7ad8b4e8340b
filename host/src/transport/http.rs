//! MCP over Streamable HTTP (rmcp's server transport on axum) at `/mcp`, Prometheus metrics
//! at `/metrics`, and `/health` and `/ready` for load balancers.
//!
//! * `/audio/{id}` serves synthesized audio by capability URL (see [`super::audio`]).
//! * `/webhooks/{component}/{path...}` hands the request to a component whose policy says
//!   `webhooks = true` (no bearer token: callers such as Twilio sign their requests, and the
//!   component checks the signature). A telephone carrier's webhooks go to the calling role,
//!   which applies their news to its call records; any other component's go to its exported
//!   `wasi:http/incoming-handler`.
//! * `/mcp` and `/metrics` need the operator's bearer token when one is configured (compared in constant
//!   time, never logged), or with `[http.oauth]` an access token (see [`super::oauth`]); a
//!   listener outside loopback refuses to start with neither.
//! * `Host` is checked against an allowlist and `Origin` against another (DNS rebinding).
//! * Request bodies are capped; each JSON-RPC message is checked before rmcp parses it
//!   (see [`super::http_input`]).
//! * When `draining` is cancelled (SIGTERM, Ctrl-C), `/ready` turns 503 and no new
//!   connection is accepted; sessions end when `stop` is cancelled, which the caller does
//!   once calls in flight have finished or the grace period is over.

use super::McpService;
use super::http_input::{self, Input};
use super::oauth::{Denied, ResourceServer};
use super::sessions::Sessions;
pub use crate::config::HttpSettings;
use crate::host::Host;
use anyhow::{Context as _, Result, bail};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt as _;
use futures::future::BoxFuture;
use rmcp::transport::common::http_header::HEADER_SESSION_ID;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq as _;
use tokio_util::sync::CancellationToken;

/// The origins of pages served from this machine, on any port, which a loopback listener
/// accepts besides `[http] allowed_origins`.
const LOOPBACK_ORIGINS: &[&str] = &[
    "http://localhost:*",
    "https://localhost:*",
    "http://127.0.0.1:*",
    "https://127.0.0.1:*",
    "http://[::1]:*",
    "https://[::1]:*",
];

/// Only a digest of the static token is kept; requests are compared against it in constant
/// time. With `[http.oauth]`, an access token from the authorization server is accepted too.
#[derive(Clone)]
struct Auth {
    token_digest: Option<[u8; 32]>,
    oauth: Option<Arc<ResourceServer>>,
}

fn bearer(request: &Request) -> Option<&str> {
    let value = request.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).map(str::trim)
}

impl Auth {
    fn is_static_token(&self, presented: Option<&str>) -> bool {
        let (Some(expected), Some(presented)) = (&self.token_digest, presented) else { return false };
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        digest.ct_eq(expected).into()
    }
}

async fn require_token(State(auth): State<Auth>, mut request: Request, next: Next) -> Response {
    let presented = bearer(&request);
    if (auth.token_digest.is_none() && auth.oauth.is_none()) || auth.is_static_token(presented) {
        return next.run(request).await;
    }
    if let Some(oauth) = &auth.oauth {
        let verified = match presented {
            None => Err(Denied::Missing),
            Some(token) => oauth.verify(token).await,
        };
        return match verified {
            Ok(granted) => {
                request.extensions_mut().insert(granted);
                next.run(request).await
            }
            Err(denied) => oauth.challenge(&denied),
        };
    }
    tracing::info!(path = %request.uri().path(), "rejected a request without a valid bearer token");
    let mut response = (StatusCode::UNAUTHORIZED, "a valid bearer token is required\n").into_response();
    response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    response
}

/// `DELETE /mcp` ends its session: the session's running calls stop before rmcp closes it.
async fn end_deleted_session(State(sessions): State<Arc<Sessions>>, request: Request, next: Next) -> Response {
    if request.method() == axum::http::Method::DELETE
        && let Some(id) = request.headers().get(HEADER_SESSION_ID).and_then(|v| v.to_str().ok())
    {
        sessions.end(id);
    }
    next.run(request).await
}

/// Serves MCP over HTTP until `stop` is cancelled; stops accepting when `draining` is.
/// Boxed, so that its state machine is compiled once, here, and not again in each binary
/// that awaits it (the command line, the tests).
pub fn serve(
    host: Arc<Host>,
    tasks: Arc<super::Tasks>,
    settings: HttpSettings,
    draining: CancellationToken,
    stop: CancellationToken,
) -> BoxFuture<'static, Result<()>> {
    Box::pin(async move {
        let addr = settings.listen.context("no address to listen on (`--http` or `[http] listen`)")?;
        let token = std::env::var(&settings.token_env).ok().filter(|t| !t.trim().is_empty());
        let oauth = match &settings.oauth {
            Some(oauth) => Some(Arc::new(ResourceServer::new(oauth)?)),
            None => None,
        };
        match (&token, &oauth, addr.ip().is_loopback()) {
            (None, None, false) => bail!(
                "refusing to serve MCP on {addr} without a bearer token: set {} or [http.oauth] (or listen on 127.0.0.1)",
                settings.token_env
            ),
            (None, None, true) => {
                tracing::warn!(%addr, env = %settings.token_env, "no bearer token set: any local process may connect")
            }
            _ => {}
        }
        let auth =
            Auth { token_digest: token.map(|t| Sha256::digest(t.trim().as_bytes()).into()), oauth: oauth.clone() };

        let mut allowed_hosts = settings.allowed_hosts.clone();
        // The address we listen on is always a valid Host.
        allowed_hosts.push(addr.to_string());
        let mut allowed_origins = settings.allowed_origins.clone();
        if addr.ip().is_loopback() {
            // A browser-based client on this machine (an inspector on another local port) sends a
            // loopback Origin; a loopback listener serves it. Every other site stays refused.
            allowed_origins.extend(LOOPBACK_ORIGINS.iter().map(|o| (*o).to_owned()));
        }
        let mcp_config = StreamableHttpServerConfig::default()
            .with_allowed_hosts(allowed_hosts)
            .with_allowed_origins(allowed_origins)
            .with_max_request_body_bytes(settings.max_body_kib * 1024)
            .with_cancellation_token(stop.child_token())
            // A stateless (2026-07-28) request whose handler sends nothing before its answer gets a
            // JSON body, not a one-event stream; progress or a log message first keeps the stream.
            .with_json_response(true)
            .enforce_origin_validation();
        let service_host = host.clone();
        let sessions = Arc::new(Sessions::default());
        let service_sessions = sessions.clone();
        let mcp = StreamableHttpService::new(
            move || Ok(McpService::over_http(service_host.clone(), tasks.clone(), service_sessions.clone())),
            Arc::new(LocalSessionManager::default()),
            mcp_config,
        );

        let webhooks = Router::new()
            .route("/webhooks/{component}/{*path}", axum::routing::any(webhook))
            .with_state(Webhooks { host: host.clone(), max_body: settings.max_body_kib * 1024 });
        // Audio by capability URL: Twilio's <Play> cannot send our token; the id is the secret.
        let audio = Router::new().route("/audio/{id}", get(super::audio::serve)).with_state(host.clone());
        let not_ready = draining.clone();
        let metrics_host = host.clone();
        let app = Router::new()
            .nest_service("/mcp", mcp)
            .layer(middleware::from_fn_with_state(sessions, end_deleted_session))
            .layer(middleware::from_fn_with_state(
                Input { max_body: settings.max_body_kib * 1024, in_flight: Arc::default(), oauth: oauth.clone() },
                http_input::check_post,
            ))
            .route(
                "/metrics",
                get(move || {
                    let text = metrics_host.metrics.render();
                    async move {
                        ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text)
                    }
                }),
            )
            .layer(middleware::from_fn_with_state(auth, require_token))
            // Webhooks carry their sender's signature, not our token: the component checks it.
            .merge(webhooks)
            .merge(audio)
            .merge(protected_resource_metadata(oauth.as_deref()))
            .route("/health", get(|| async { "ok\n" }))
            .route(
                "/ready",
                get(move || {
                    let draining = not_ready.is_cancelled();
                    async move {
                        if draining {
                            (StatusCode::SERVICE_UNAVAILABLE, "draining\n")
                        } else {
                            (StatusCode::OK, "ready\n")
                        }
                    }
                }),
            );

        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("listening on {addr}"))?;
        // Carriers call back here unless the operator names a public URL.
        host.roles.public.set_listening(listener.local_addr()?);
        tracing::info!(addr = %listener.local_addr()?, tools = host.catalog().len(), "serving MCP over Streamable HTTP at /mcp");
        // Responses go out as several small writes (headers, then each event of the stream);
        // with Nagle's algorithm on, each waits for the client's delayed ACK, 40 ms a reply.
        let listener = listener.tap_io(|stream| {
            if let Err(e) = stream.set_nodelay(true) {
                tracing::debug!(error = %e, "could not set TCP_NODELAY on a connection");
            }
        });
        let accepting = draining.clone();
        let server = axum::serve(listener, app).with_graceful_shutdown(async move { accepting.cancelled().await });
        let mut server = tokio::spawn(async move { server.await });
        tokio::select! {
            done = &mut server => return done.context("HTTP server task")?.context("HTTP server"),
            _ = stop.cancelled() => {}
        }
        // Sessions are closed now; give their connections a moment to say so.
        match tokio::time::timeout(Duration::from_secs(2), server).await {
            Ok(done) => done.context("HTTP server task")?.context("HTTP server")?,
            Err(_) => tracing::warn!("closing the remaining HTTP connections"),
        }
        Ok(())
    })
}

/// RFC 9728 metadata, which clients read before they have a token.
fn protected_resource_metadata(oauth: Option<&ResourceServer>) -> Router {
    let Some(oauth) = oauth else { return Router::new() };
    let document = oauth.metadata().to_string();
    oauth.metadata_paths().iter().fold(Router::new(), |router, path| {
        let document = document.clone();
        router.route(path, get(move || async move { ([(header::CONTENT_TYPE, "application/json")], document) }))
    })
}

#[derive(Clone)]
struct Webhooks {
    host: Arc<Host>,
    max_body: usize,
}

/// `/webhooks/{component}/{path...}`: the request, with its original URI, goes to the
/// component's `wasi:http/incoming-handler` when its policy says `webhooks = true`.
async fn webhook(
    State(hooks): State<Webhooks>,
    axum::extract::Path((name, path)): axum::extract::Path<(String, String)>,
    request: Request,
) -> Response {
    let Some(component) = hooks.host.components().into_iter().find(|c| c.name == name) else {
        return (StatusCode::NOT_FOUND, format!("no component named `{name}`\n")).into_response();
    };
    if !component.policy.webhooks {
        return (StatusCode::NOT_FOUND, format!("`{name}` does not take webhooks (see its policy)\n")).into_response();
    }
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, hooks.max_body).await {
        Ok(body) => body,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n").into_response(),
    };
    let _in_flight = hooks.host.begin_call();
    if component.is_carrier() {
        return carrier_webhook(&hooks.host, &component, path, parts, body).await;
    }
    let request = Request::from_parts(parts, body);
    match hooks.host.runtime.handle_http(&component, request).await {
        Ok(response) => response.map(axum::body::Body::new),
        Err(e) => {
            tracing::warn!(component = %name, error = %e, "webhook failed");
            let status = match &e {
                crate::runtime::IncomingError::Call(crate::runtime::CallError::Busy { .. }) => {
                    StatusCode::SERVICE_UNAVAILABLE
                }
                crate::runtime::IncomingError::NotAHandler(_) => StatusCode::NOT_FOUND,
                _ => StatusCode::BAD_GATEWAY,
            };
            (status, format!("{e}\n")).into_response()
        }
    }
}

/// A carrier's webhook, for the calling role, which checks it with the carrier and applies it.
async fn carrier_webhook(
    host: &Host,
    carrier: &crate::runtime::LoadedComponent,
    path: String,
    parts: axum::http::request::Parts,
    body: bytes::Bytes,
) -> Response {
    let headers = parts
        .headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
        .collect();
    let inbound = crate::roles::telephony::Inbound {
        method: parts.method.as_str().to_owned(),
        host: parts.headers.get(header::HOST).and_then(|v| v.to_str().ok()).map(str::to_owned),
        path_and_query: parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/").to_owned(),
        path,
        headers,
        body: body.to_vec(),
    };
    let routes = host.catalog().routes().clone();
    match host.roles.telephony.webhook(&host.runtime, &routes, carrier, inbound).await {
        Ok(answer) => {
            let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
            let content_type = header::HeaderValue::from_str(&answer.content_type)
                .unwrap_or(header::HeaderValue::from_static("text/plain"));
            (status, [(header::CONTENT_TYPE, content_type)], answer.body).into_response()
        }
        Err(e) => {
            tracing::warn!(component = %carrier.name, error = %e, "carrier webhook failed");
            let status = match e {
                crate::runtime::CallError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::BAD_GATEWAY,
            };
            (status, format!("{e}\n")).into_response()
        }
    }
}
