//! The HTTP clients, over `wasi:http` through `wstd`: Twilio's REST API (HTTP Basic auth with
//! the account SID and auth token) and ElevenLabs' register-call endpoint (`xi-api-key`). No
//! message built here quotes a header, and every Twilio error passes through
//! [`errors::redact`] before it leaves.

use crate::agent;
use crate::config::{Config, ElevenLabsAgent};
use crate::errors;
use crate::exports::switchboard::telephony::carrier::CarrierError;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;
use std::time::Duration;
use wstd::future::FutureExt as _;
use wstd::http::body::Bytes;
use wstd::http::body::util::Empty;
use wstd::http::{Body, Client, HeaderValue, Method, Request};

/// How long to wait for a connection, and for the answer's head and then between chunks of its
/// body. The policy's deadline bounds the whole call; these make a dead network an
/// `unavailable` error rather than a deadline.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(15);
const BETWEEN_BYTES_TIMEOUT: Duration = Duration::from_secs(15);
/// The largest JSON answer read (a page of 1,000 calls is some 1.5 MiB).
const JSON_LIMIT: usize = 8 * 1024 * 1024;
/// How much of an error answer, or of ElevenLabs' TwiML, is read.
const SMALL_LIMIT: usize = 64 * 1024;
const USER_AGENT: &str = concat!("switchboard-telephony-twilio/", env!("CARGO_PKG_VERSION"));

/// A client bound to the configured Twilio account.
pub struct Twilio<'a> {
    base: &'a str,
    /// `/2010-04-01/Accounts/{AccountSid}`.
    pub account_path: String,
    token: &'a str,
    authorization: HeaderValue,
    client: Client,
}

/// An answer, read.
struct Answer {
    status: u16,
    retry_after: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
    truncated: bool,
}

impl<'a> Twilio<'a> {
    /// Fails without usable credentials (`unauthorized`) or with a bad `base_url`
    /// (`unavailable`).
    pub fn new(config: &'a Config) -> Result<Self, CarrierError> {
        let credentials = config.credentials()?;
        let basic = BASE64.encode(format!("{}:{}", credentials.account_sid, credentials.auth_token));
        let mut authorization = HeaderValue::from_str(&format!("Basic {basic}")).map_err(|_| {
            CarrierError::Unauthorized("the configured Twilio credentials cannot be sent in a header".to_string())
        })?;
        authorization.set_sensitive(true);
        Ok(Self {
            base: &config.base_url,
            account_path: format!("/2010-04-01/Accounts/{}", credentials.account_sid),
            token: credentials.auth_token,
            authorization,
            client: client(CONNECT_TIMEOUT, FIRST_BYTE_TIMEOUT, BETWEEN_BYTES_TIMEOUT),
        })
    }

    /// Sends a request below the account (`path` starts with `/`), with `form` as an
    /// `application/x-www-form-urlencoded` body when given, and decodes the JSON answer. An error
    /// answer is mapped; `not_found` is what a bare 404 means here.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        form: Option<String>,
        not_found: &str,
    ) -> Result<Value, CarrierError> {
        self.call_inner(method, path, form, not_found).await.map_err(|e| errors::redact(e, self.token))
    }

    async fn call_inner(
        &self,
        method: Method,
        path: &str,
        form: Option<String>,
        not_found: &str,
    ) -> Result<Value, CarrierError> {
        let endpoint = format!("{}{path}", self.account_path);
        let endpoint = endpoint.split('?').next().unwrap_or_default().to_string();
        let builder = Request::builder()
            .method(method)
            .uri(format!("{}{}{path}", self.base, self.account_path))
            .header("user-agent", USER_AGENT)
            .header("accept", "application/json")
            .header("authorization", self.authorization.clone());
        // An empty body is sent as an empty stream, not `Body::empty()`: that still writes an
        // empty chunk, and for a request without a body the host may already have closed the body
        // stream (the server answered), which fails the whole request with "connection reset".
        let empty = || Body::from_http_body(Empty::<Bytes>::new());
        let form_type = "application/x-www-form-urlencoded";
        let request = match form {
            Some(form) if !form.is_empty() => {
                builder.header("content-type", form_type).body(Body::from(form.into_bytes()))
            }
            Some(_) => builder.header("content-type", form_type).body(empty()),
            None => builder.body(empty()),
        }
        .map_err(|e| CarrierError::Unavailable(format!("cannot build the request for {}: {e}", self.base)))?;

        let answer = send(&self.client, request, JSON_LIMIT, SMALL_LIMIT)
            .await
            .map_err(|e| CarrierError::Unavailable(guest_kit::http::unreachable("Twilio", self.base, &e)))?;
        if !(200..300).contains(&answer.status) {
            return Err(errors::from_response(answer.status, answer.retry_after.as_deref(), &answer.body, not_found));
        }
        if answer.truncated {
            return Err(CarrierError::Unavailable(format!(
                "Twilio's answer to {endpoint} is larger than {} MiB",
                JSON_LIMIT / (1024 * 1024)
            )));
        }
        serde_json::from_slice(&answer.body).map_err(|e| {
            CarrierError::Unavailable(format!("Twilio's answer to {endpoint} is not what was expected: {e}"))
        })
    }
}

/// Registers a call with an ElevenLabs agent (`POST {base}/v1/convai/twilio/register-call`, the
/// JSON `body` of [`agent::register_call_body`]) and reads the answer, within the agent's
/// timeout in all. The error says why there is no answer, without the key.
pub async fn register_call(agent_config: &ElevenLabsAgent, body: String) -> Result<agent::Reply, String> {
    let base = &agent_config.base_url;
    let mut key = HeaderValue::from_str(&agent_config.api_key)
        .map_err(|_| "the configured ElevenLabs API key has characters a header cannot carry".to_string())?;
    key.set_sensitive(true);
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("{base}{}", agent::REGISTER_CALL_PATH))
        .header("user-agent", USER_AGENT)
        .header("content-type", "application/json")
        .header("xi-api-key", key)
        .body(Body::from(body.into_bytes()))
        .map_err(|e| format!("cannot build the request for {base}: {e}"))?;
    let (connect, first_byte, between_bytes) = agent::timeouts(agent_config.timeout);
    let client = client(connect, first_byte, between_bytes);
    // The per-phase timeouts bound each wait; this bounds them all together.
    let total = wstd::time::Duration::from(agent_config.timeout);
    let answer = send(&client, request, SMALL_LIMIT, SMALL_LIMIT)
        .timeout(total)
        .await
        .map_err(|_| format!("cannot reach ElevenLabs at {base}: no answer came in time"))?
        .map_err(|e| guest_kit::http::unreachable("ElevenLabs", base, &e))?;
    if answer.truncated {
        return Err(format!("ElevenLabs' register-call answer is larger than {} KiB", SMALL_LIMIT / 1024));
    }
    Ok(agent::Reply { status: answer.status, content_type: answer.content_type, body: answer.body })
}

fn client(connect: Duration, first_byte: Duration, between_bytes: Duration) -> Client {
    let mut client = Client::new();
    client.set_connect_timeout(connect);
    client.set_first_byte_timeout(first_byte);
    client.set_between_bytes_timeout(between_bytes);
    client
}

/// Sends a request and reads its answer: a success up to `limit` bytes, an error up to
/// `error_limit` (an error body that cannot be read still leaves the status to go by).
async fn send(
    client: &Client,
    request: Request<Body>,
    limit: usize,
    error_limit: usize,
) -> Result<Answer, wstd::http::Error> {
    let response = client.send(request).await?;
    let status = response.status().as_u16();
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (retry_after, content_type) = (header("retry-after"), header("content-type"));
    let (body, truncated) = if (200..300).contains(&status) {
        guest_kit::http::read_body(response.into_body(), limit).await?
    } else {
        guest_kit::http::read_body(response.into_body(), error_limit).await.unwrap_or_default()
    };
    Ok(Answer { status, retry_after, content_type, body, truncated })
}
