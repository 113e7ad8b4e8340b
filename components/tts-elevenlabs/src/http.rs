//! The ElevenLabs HTTP client, over `wasi:http` through `wstd`. Every request carries the key
//! in `xi-api-key` and nothing else of it: no message built here quotes a header, and every
//! error passes through [`ApiError::redact`] before it leaves.

use crate::config::Config;
use crate::errors::{ApiError, Kind};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::Duration;
use wstd::http::body::Bytes;
use wstd::http::body::util::Empty;
use wstd::http::{Body, Client, HeaderValue, Method, Request, Response};

/// How long to wait for a connection. The policy's deadline bounds the whole call; these make
/// a dead network an `unavailable` error the host can fall back on, rather than a deadline.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for the answer's head, and then between chunks of its body.
const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(20);
const BETWEEN_BYTES_TIMEOUT: Duration = Duration::from_secs(20);
/// The largest JSON answer read (a page of 100 voices with their languages is some 200 KiB).
const JSON_LIMIT: usize = 8 * 1024 * 1024;
/// How much of an error answer is read.
const ERROR_BODY_LIMIT: usize = 64 * 1024;
const USER_AGENT: &str = concat!("switchboard-tts-elevenlabs/", env!("CARGO_PKG_VERSION"));

/// A client for one call, bound to the configured base URL and key.
pub struct Api<'a> {
    base: &'a str,
    key: &'a str,
    client: Client,
}

impl<'a> Api<'a> {
    /// Fails without a usable configuration (no key: `unauthorized`; a bad base URL or model:
    /// `unavailable`).
    pub fn new(config: &'a Config) -> Result<Self, ApiError> {
        let key = config.api_key()?;
        let mut client = Client::new();
        client.set_connect_timeout(CONNECT_TIMEOUT);
        client.set_first_byte_timeout(FIRST_BYTE_TIMEOUT);
        client.set_between_bytes_timeout(BETWEEN_BYTES_TIMEOUT);
        Ok(Self { base: &config.base_url, key, client })
    }

    /// Sends a request and returns the answer when its status is a success. Otherwise the
    /// error body is read and mapped; `not_found` is what a bare 404 means here.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        json: Option<&Value>,
        not_found: &str,
    ) -> Result<Response<Body>, ApiError> {
        self.send_inner(method, path, json, not_found).await.map_err(|e| e.redact(self.key))
    }

    async fn send_inner(
        &self,
        method: Method,
        path: &str,
        json: Option<&Value>,
        not_found: &str,
    ) -> Result<Response<Body>, ApiError> {
        let mut key = HeaderValue::from_str(self.key).map_err(|_| {
            ApiError::new(Kind::Unauthorized, "the configured ElevenLabs API key has characters a header cannot carry")
        })?;
        key.set_sensitive(true);
        let builder = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("user-agent", USER_AGENT)
            .header("xi-api-key", key);
        let request = match json {
            Some(value) => {
                let bytes = serde_json::to_vec(value)
                    .map_err(|e| ApiError::new(Kind::Internal, format!("cannot encode the request: {e}")))?;
                builder.header("content-type", "application/json").body(Body::from(bytes))
            }
            // Not `Body::empty()`: that still writes an empty chunk, and for a request without
            // a body the host may already have closed the body stream (the server answered),
            // which fails the whole request with "connection reset". An empty stream writes
            // nothing.
            None => builder.body(Body::from_http_body(Empty::<Bytes>::new())),
        }
        .map_err(|e| ApiError::new(Kind::Internal, format!("cannot build the request for {}: {e}", self.base)))?;

        let response = self.client.send(request).await.map_err(|e| self.connection_error(&e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
        // An error body that cannot be read still leaves the status to go by.
        let body = guest_kit::http::read_body(response.into_body(), ERROR_BODY_LIMIT)
            .await
            .map(|(b, _)| b)
            .unwrap_or_default();
        Err(ApiError::from_response(status.as_u16(), retry_after.as_deref(), &body, not_found))
    }

    /// Sends a request and decodes its JSON answer.
    pub async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        not_found: &str,
    ) -> Result<T, ApiError> {
        let response = self.send(method, path, body, not_found).await?;
        let endpoint = path.split('?').next().unwrap_or(path);
        let (bytes, truncated) = guest_kit::http::read_body(response.into_body(), JSON_LIMIT)
            .await
            .map_err(|e| self.broken(&e, endpoint))?;
        if truncated {
            return Err(ApiError::new(
                Kind::Internal,
                format!("ElevenLabs' answer to {endpoint} is larger than {} MiB", JSON_LIMIT / (1024 * 1024)),
            ));
        }
        serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::new(Kind::Internal, format!("ElevenLabs' answer to {endpoint} is not what was expected: {e}"))
                .redact(self.key)
        })
    }

    /// The error for a body that broke off while being read.
    pub fn broken(&self, error: &wstd::http::Error, what: &str) -> ApiError {
        ApiError::new(Kind::Unavailable, format!("the connection to ElevenLabs broke while reading {what}: {error}"))
            .redact(self.key)
    }

    /// The error for a request that got no answer.
    fn connection_error(&self, error: &wstd::http::Error) -> ApiError {
        ApiError::new(Kind::Unavailable, guest_kit::http::unreachable("ElevenLabs", self.base, error))
    }
}
