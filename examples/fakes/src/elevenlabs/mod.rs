//! A wire-compatible fake of the ElevenLabs REST API, served on 127.0.0.1 for tests and the
//! demo.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use switchboard_fakes::elevenlabs::{FakeElevenLabs, Failure};
//! let fake = FakeElevenLabs::start().await?;
//! println!("point base_url at {}", fake.base_url()); // key: "fake-key"
//! fake.fail_with(Failure::from_status(429)); // the next synthesis gets a 429
//! # Ok(()) }
//! ```
//!
//! It serves text to speech (streamed and whole, with real audio in every output format; see
//! [`audio`]), voices (v1 and paged v2), models, Conversational AI agents kept in memory, and
//! `register-call`, which puts an agent on a Twilio call ([`RegisteredCall`]). It builds,
//! signs and sends post-call webhooks ([`post_call_transcription`], [`sign_webhook`],
//! [`FakeElevenLabs::send_webhook`]).
//! Every request needs the `xi-api-key` it accepts ([`DEFAULT_API_KEY`] unless changed); a
//! missing or wrong key gets ElevenLabs' 401 `invalid_api_key`. Knobs change its behaviour
//! while it runs: latency, chunking, failures, a dropped connection. It records every request
//! ([`RecordedRequest`]) without the key.

mod agents;
pub mod audio;
mod convai;
mod errors;
mod query;
mod server;
mod speech;
mod state;
mod voices;
mod webhooks;

pub use convai::{CallDirection, RegisteredCall};
pub use errors::Failure;
pub use state::{DEFAULT_API_KEY, DEFAULT_CHUNK_SIZE, Endpoint, RecordedRequest};
pub use voices::{FakeVoice, VOICES};
pub use webhooks::{
    Role, SIGNATURE_HEADER, Turn, Verdict, WebhookDelivery, post_call_transcription, send_webhook, send_webhook_with,
    sign_webhook,
};

use state::{Shared, lock};
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// A running fake. Dropping it stops the server.
pub struct FakeElevenLabs {
    server: crate::server::Server,
    shared: Arc<Shared>,
}

impl fmt::Debug for FakeElevenLabs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeElevenLabs").field("addr", &self.server.addr()).finish_non_exhaustive()
    }
}

impl FakeElevenLabs {
    /// Starts on 127.0.0.1 at a free port. Needs a tokio runtime.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts on `addr` (port 0 picks a free one).
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        *lock(&shared.authority) = addr.to_string();
        let server = crate::server::Server::spawn(listener, server::router(shared.clone()), "fake ElevenLabs")?;
        Ok(Self { server, shared })
    }

    /// `http://127.0.0.1:<port>`: what the component's `base_url` should be.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.server.addr())
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The host config that points the `tts_elevenlabs` component at this fake: its egress
    /// allowed to 127.0.0.1, a 20 MiB result cap, each synthesis bounded by `timeout_ms`, and
    /// its key read from the `ELEVENLABS_API_KEY` environment variable.
    pub fn host_config(&self, timeout_ms: u64) -> String {
        format!(
            r#"
[components.tts_elevenlabs]
timeout_ms = {timeout_ms}
max_result_kib = 20480
allowed_hosts = ["127.0.0.1"]
[components.tts_elevenlabs.config]
base_url = "{}"
[components.tts_elevenlabs.secrets]
api_key = {{ env = "ELEVENLABS_API_KEY" }}
"#,
            self.base_url()
        )
    }

    /// The key it accepts from now on.
    pub fn set_api_key(&self, key: impl Into<String>) {
        let key = key.into();
        self.shared.update_knobs(|k| k.api_key = key);
    }

    /// Wait before answering a synthesis (before the headers, as ElevenLabs answers when the
    /// first audio is ready), and before answering a `register-call`.
    pub fn set_first_byte_latency(&self, latency: Duration) {
        self.shared.update_knobs(|k| k.first_byte_latency = latency);
    }

    /// Wait between streamed audio chunks.
    pub fn set_chunk_interval(&self, interval: Duration) {
        self.shared.update_knobs(|k| k.chunk_interval = interval);
    }

    /// Bytes per streamed audio chunk (at least 1).
    pub fn set_chunk_size(&self, size: usize) {
        self.shared.update_knobs(|k| k.chunk_size = size.max(1));
    }

    /// Whether streamed syntheses break the connection after their first chunk (until turned
    /// off).
    pub fn set_drop_connection(&self, drop: bool) {
        self.shared.update_knobs(|k| k.drop_connection = drop);
    }

    /// The next synthesis request gets `failure` instead of audio.
    pub fn fail_with(&self, failure: Failure) {
        self.fail_on(Endpoint::Speech, failure, false);
    }

    /// Every synthesis request gets `failure` until [`Self::clear_failures`].
    pub fn fail_sticky(&self, failure: Failure) {
        self.fail_on(Endpoint::Speech, failure, true);
    }

    /// Requests to `endpoint` get `failure`: the next one, or every one when `sticky`. Planned
    /// failures apply in the order given; each is answered after the key check.
    pub fn fail_on(&self, endpoint: Endpoint, failure: Failure, sticky: bool) {
        self.shared.plan_failure(endpoint, failure, sticky);
    }

    pub fn clear_failures(&self) {
        self.shared.clear_failures();
    }

    /// Every request received, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests()
    }

    /// The requests to one endpoint.
    pub fn requests_to(&self, endpoint: Endpoint) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(|r| endpoint == Endpoint::Any || Endpoint::of(&r.path) == Some(endpoint))
            .collect()
    }

    /// How many requests it received.
    pub fn request_count(&self) -> usize {
        self.requests().len()
    }

    /// How many synthesis requests it received.
    pub fn speech_count(&self) -> usize {
        self.requests_to(Endpoint::Speech).len()
    }

    pub fn clear_requests(&self) {
        self.shared.clear_requests();
    }

    /// How many agents exist.
    pub fn agent_count(&self) -> usize {
        lock(&self.shared.agents).len()
    }

    /// Creates an agent with ElevenLabs' defaults and this name, as `POST
    /// /v1/convai/agents/create` would; its id.
    pub fn create_agent(&self, name: &str) -> String {
        let mut given = serde_json::Map::new();
        given.insert("name".into(), name.into());
        // The defaults always pass the checks, so there is no refusal to report.
        agents::insert(&self.shared, given).unwrap_or_default()
    }

    /// Every accepted `register-call`, oldest first.
    pub fn registered_calls(&self) -> Vec<RegisteredCall> {
        lock(&self.shared.calls).clone()
    }

    /// The registration of one conversation.
    pub fn registered_call(&self, conversation_id: &str) -> Option<RegisteredCall> {
        lock(&self.shared.calls).iter().find(|c| c.conversation_id == conversation_id).cloned()
    }

    /// POSTs `body` to `url` as ElevenLabs sends a webhook: JSON, signed with `secret` at the
    /// current time in `ElevenLabs-Signature`. Recorded ([`Self::webhooks_sent`]).
    pub async fn send_webhook(&self, url: &str, secret: &str, body: &str) -> WebhookDelivery {
        let delivery = send_webhook(url, secret, body).await;
        lock(&self.shared.webhooks).push(delivery.clone());
        delivery
    }

    /// The webhooks sent with [`Self::send_webhook`], oldest first.
    pub fn webhooks_sent(&self) -> Vec<WebhookDelivery> {
        lock(&self.shared.webhooks).clone()
    }

    /// Stops the server, letting requests in flight finish for up to five seconds.
    pub async fn shutdown(mut self) {
        self.server.stop().await;
    }
}
