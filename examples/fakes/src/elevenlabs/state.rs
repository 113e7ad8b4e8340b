//! The fake's shared state: the knobs a test turns while it runs, the failures it is told to
//! answer with, and the log of what it received. Locks are held only for a copy or a push,
//! never across an await.

use super::agents::AgentStore;
use super::convai::RegisteredCall;
use super::errors::Failure;
use super::webhooks::WebhookDelivery;
use serde_json::Value;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The key the fake accepts unless told otherwise.
pub const DEFAULT_API_KEY: &str = "fake-key";
/// Bytes per streamed chunk unless told otherwise.
pub const DEFAULT_CHUNK_SIZE: usize = 4096;

/// Which requests a planned failure applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/v1/text-to-speech/...`
    Speech,
    /// `/v1/voices...` and `/v2/voices...`
    Voices,
    /// `/v1/models`
    Models,
    /// `/v1/convai/...`, but for `register-call`: agents, signed URLs.
    Agents,
    /// `/v1/convai/twilio/register-call`.
    RegisterCall,
    /// Every authenticated request.
    Any,
}

impl Endpoint {
    /// The endpoint a path belongs to (never [`Endpoint::Any`]); none for other paths.
    pub fn of(path: &str) -> Option<Self> {
        if path.starts_with("/v1/text-to-speech/") {
            Some(Self::Speech)
        } else if path.starts_with("/v1/voices") || path.starts_with("/v2/voices") {
            Some(Self::Voices)
        } else if path.starts_with("/v1/models") {
            Some(Self::Models)
        } else if path.starts_with("/v1/convai/twilio/register-call") {
            Some(Self::RegisterCall)
        } else if path.starts_with("/v1/convai/") {
            Some(Self::Agents)
        } else {
            None
        }
    }

    fn covers(self, other: Option<Endpoint>) -> bool {
        self == Self::Any || Some(self) == other
    }
}

/// A failure waiting to be answered.
#[derive(Debug, Clone)]
struct Planned {
    endpoint: Endpoint,
    failure: Failure,
    /// Answered once and then dropped, or every time until cleared.
    sticky: bool,
}

/// What a test can change at runtime.
#[derive(Debug, Clone)]
pub struct Knobs {
    pub api_key: String,
    /// Wait before the first audio byte (and before a `register-call` answer).
    pub first_byte_latency: Duration,
    /// Wait between audio chunks.
    pub chunk_interval: Duration,
    pub chunk_size: usize,
    /// Close the connection after the first audio chunk.
    pub drop_connection: bool,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            api_key: DEFAULT_API_KEY.to_string(),
            first_byte_latency: Duration::ZERO,
            chunk_interval: Duration::ZERO,
            chunk_size: DEFAULT_CHUNK_SIZE,
            drop_connection: false,
        }
    }
}

/// One request as the fake received it. It never holds the key: only whether one was sent
/// and whether it matched.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// Decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// The body, when it was JSON.
    pub json: Option<Value>,
    /// Whether an `xi-api-key` header was sent.
    pub key_present: bool,
    /// Whether it was the key the fake accepts.
    pub key_matched: bool,
}

impl RecordedRequest {
    /// The first value of a query parameter.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Everything the handlers share.
#[derive(Debug, Default)]
pub struct Shared {
    knobs: Mutex<Knobs>,
    failures: Mutex<Vec<Planned>>,
    log: Mutex<Vec<RecordedRequest>>,
    pub agents: Mutex<AgentStore>,
    /// Every accepted `register-call`, oldest first.
    pub calls: Mutex<Vec<RegisteredCall>>,
    /// Every webhook sent with [`super::FakeElevenLabs::send_webhook`].
    pub webhooks: Mutex<Vec<WebhookDelivery>>,
    /// `host:port` the fake listens on, for the URLs it hands out.
    pub authority: Mutex<String>,
    /// Counts ids and signatures handed out, so each is unique.
    pub serial: AtomicU64,
}

/// Locks, recovering from a panic elsewhere: the state stays usable for the other requests.
pub(crate) use crate::server::lock;

impl Shared {
    pub fn knobs(&self) -> Knobs {
        lock(&self.knobs).clone()
    }

    pub fn update_knobs(&self, change: impl FnOnce(&mut Knobs)) {
        change(&mut lock(&self.knobs));
    }

    pub fn plan_failure(&self, endpoint: Endpoint, failure: Failure, sticky: bool) {
        lock(&self.failures).push(Planned { endpoint, failure, sticky });
    }

    pub fn clear_failures(&self) {
        lock(&self.failures).clear();
    }

    /// The failure to answer a request to `path` with, if one is planned; a one-shot failure
    /// is used up.
    pub fn take_failure(&self, path: &str) -> Option<Failure> {
        let endpoint = Endpoint::of(path);
        let mut failures = lock(&self.failures);
        let at = failures.iter().position(|p| p.endpoint.covers(endpoint))?;
        let planned = if failures[at].sticky { failures[at].clone() } else { failures.remove(at) };
        Some(planned.failure)
    }

    pub fn record(&self, request: RecordedRequest) {
        lock(&self.log).push(request);
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.log).clone()
    }

    pub fn clear_requests(&self) {
        lock(&self.log).clear();
    }

    /// `http://host:port` of the fake.
    pub fn base_url(&self) -> String {
        format!("http://{}", lock(&self.authority))
    }

    /// A fresh number, for ids.
    pub fn next_serial(&self) -> u64 {
        self.serial.fetch_add(1, Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_scoped_and_used_up() {
        let s = Shared::default();
        s.plan_failure(Endpoint::Speech, Failure::ServerError, false);
        assert_eq!(s.take_failure("/v2/voices"), None);
        assert_eq!(s.take_failure("/v1/text-to-speech/x/stream"), Some(Failure::ServerError));
        assert_eq!(s.take_failure("/v1/text-to-speech/x/stream"), None);
        s.plan_failure(Endpoint::Any, Failure::SystemBusy, true);
        assert_eq!(s.take_failure("/v1/models"), Some(Failure::SystemBusy));
        assert_eq!(s.take_failure("/v1/convai/agents"), Some(Failure::SystemBusy));
        s.clear_failures();
        assert_eq!(s.take_failure("/v1/models"), None);
        assert_eq!(Endpoint::of("/health"), None);
        s.plan_failure(Endpoint::RegisterCall, Failure::ServiceUnavailable, false);
        assert_eq!(s.take_failure("/v1/convai/agents"), None);
        assert_eq!(s.take_failure("/v1/convai/twilio/register-call"), Some(Failure::ServiceUnavailable));
        assert_eq!(Endpoint::of("/v1/convai/conversation/get-signed-url"), Some(Endpoint::Agents));
    }
}
