//! The fake's shared state: the account it serves, the knobs a test turns while it runs, the
//! failures it is told to answer with, the log of what it received, the calls (in
//! [`super::store`]) and the webhooks it sent. Locks are held only for a copy or a short
//! update, never across an await.

use super::errors::Failure;
use super::progress::Outcome;
use super::store::Store;
use super::webhooks::Delivery;
use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::task::JoinHandle;

/// The account sid the demo uses unless told otherwise.
pub const DEFAULT_ACCOUNT_SID: &str = "AC00000000000000000000000000000000";
/// The auth token the demo uses unless told otherwise.
pub const DEFAULT_AUTH_TOKEN: &str = "fake-auth-token";
/// The pause between two steps of a call's progress unless told otherwise.
pub const DEFAULT_STEP_DELAY: Duration = Duration::from_millis(50);
/// How long an answered call lasts unless its outcome says otherwise.
pub const DEFAULT_TALK_TIME: Duration = Duration::from_millis(100);
/// How long the fake waits for a webhook's answer (Twilio's own limit).
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(15);

/// Which requests a planned failure applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST .../Calls.json`
    CreateCall,
    /// `GET .../Calls.json`
    ListCalls,
    /// `GET .../Calls/{Sid}.json`
    FetchCall,
    /// `POST .../Calls/{Sid}.json`
    UpdateCall,
    /// `.../Calls/{Sid}/Recordings...` and `.../Recordings/...`
    Recordings,
    /// Every authenticated request.
    Any,
}

impl Endpoint {
    /// The endpoint a request belongs to (never [`Endpoint::Any`]); none for other paths.
    pub fn of(method: &str, path: &str) -> Option<Self> {
        let rest = path.strip_prefix("/2010-04-01/Accounts/")?;
        let (_, rest) = rest.split_once('/')?;
        if rest.contains("/Recordings") || rest.starts_with("Recordings") {
            Some(Self::Recordings)
        } else if rest == "Calls.json" {
            Some(if method == "POST" { Self::CreateCall } else { Self::ListCalls })
        } else if rest.starts_with("Calls/") {
            Some(if method == "POST" { Self::UpdateCall } else { Self::FetchCall })
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
    /// How many more requests get it; none means every one until cleared.
    remaining: Option<u32>,
}

/// What a test can change at runtime. Outcomes and timing are read when a call is placed.
#[derive(Debug, Clone)]
pub struct Knobs {
    /// The pause between queued, initiated, ringing and the outcome.
    pub step_delay: Duration,
    /// The outcome of a call to a number without its own.
    pub default_outcome: Outcome,
    /// Outcomes by destination (`To`, as given).
    pub outcomes: HashMap<String, Outcome>,
    /// `AnsweredBy` by destination, for calls placed with `MachineDetection` (else `human`).
    pub answered_by: HashMap<String, String>,
    /// How long the REST API takes to answer (after the request is recorded).
    pub latency: Duration,
}

impl Default for Knobs {
    fn default() -> Self {
        Self {
            step_delay: DEFAULT_STEP_DELAY,
            default_outcome: Outcome::Completed { talk: DEFAULT_TALK_TIME },
            outcomes: HashMap::new(),
            answered_by: HashMap::new(),
            latency: Duration::ZERO,
        }
    }
}

impl Knobs {
    /// The outcome of a call to `to`.
    pub fn outcome_for(&self, to: &str) -> Outcome {
        self.outcomes.get(to).cloned().unwrap_or_else(|| self.default_outcome.clone())
    }

    /// Who answers a call to `to` placed with machine detection.
    pub fn answered_by_for(&self, to: &str) -> String {
        self.answered_by.get(to).cloned().unwrap_or_else(|| "human".to_string())
    }
}

/// One request as the fake received it. It never holds the credentials: only whether they
/// were sent and whether they matched.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// Decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// Decoded form pairs of the body, in order.
    pub form: Vec<(String, String)>,
    /// Whether an `Authorization` header was sent.
    pub auth_present: bool,
    /// Whether it held the account sid and auth token the fake accepts.
    pub auth_matched: bool,
    /// When it arrived.
    pub received: std::time::Instant,
}

impl RecordedRequest {
    /// The first value of a form parameter.
    pub fn form_value(&self, name: &str) -> Option<&str> {
        self.form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The first value of a query parameter.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Everything the handlers and the calls' tasks share.
#[derive(Debug)]
pub struct Shared {
    pub account_sid: String,
    pub auth_token: String,
    /// `http://127.0.0.1:<port>`, for the URLs it hands out.
    pub base_url: String,
    /// The client the webhooks go out with.
    pub client: reqwest::Client,
    knobs: Mutex<Knobs>,
    failures: Mutex<Vec<Planned>>,
    log: Mutex<Vec<RecordedRequest>>,
    pub store: Mutex<Store>,
    deliveries: Mutex<Vec<Delivery>>,
    /// The calls' background tasks, stopped with the fake.
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// Counts sids handed out, so each is unique.
    serial: AtomicU64,
    /// Scrambles serials into sids, differently for each fake.
    key: u64,
}

/// Locks, recovering from a panic elsewhere: the state stays usable for the other requests.
pub(crate) use crate::server::lock;

/// A bijection on u64 (SplitMix64's finalizer): distinct inputs give distinct outputs.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl Shared {
    pub fn new(account_sid: String, auth_token: String, base_url: String) -> std::io::Result<Self> {
        let client = crate::http_client()
            .user_agent("TwilioProxy/1.1")
            .timeout(WEBHOOK_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(std::io::Error::other)?;
        Ok(Self {
            account_sid,
            auth_token,
            base_url,
            client,
            knobs: Mutex::default(),
            failures: Mutex::default(),
            log: Mutex::default(),
            store: Mutex::default(),
            deliveries: Mutex::default(),
            tasks: Mutex::default(),
            serial: AtomicU64::new(0),
            key: RandomState::new().hash_one("twilio"),
        })
    }

    pub fn knobs(&self) -> Knobs {
        lock(&self.knobs).clone()
    }

    pub fn update_knobs(&self, change: impl FnOnce(&mut Knobs)) {
        change(&mut lock(&self.knobs));
    }

    /// Plans `failure` for the next `times` requests to `endpoint`, or every one when none.
    pub fn plan_failure(&self, endpoint: Endpoint, failure: Failure, times: Option<u32>) {
        if times != Some(0) {
            lock(&self.failures).push(Planned { endpoint, failure, remaining: times });
        }
    }

    pub fn clear_failures(&self) {
        lock(&self.failures).clear();
    }

    /// The failure to answer a request with, if one is planned; a counted one is used up.
    pub fn take_failure(&self, method: &str, path: &str) -> Option<Failure> {
        let endpoint = Endpoint::of(method, path);
        let mut failures = lock(&self.failures);
        let at = failures.iter().position(|p| p.endpoint.covers(endpoint))?;
        let failure = failures[at].failure.clone();
        if let Some(remaining) = failures[at].remaining.as_mut() {
            *remaining -= 1;
            if *remaining == 0 {
                failures.remove(at);
            }
        }
        Some(failure)
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

    pub fn record_delivery(&self, delivery: Delivery) {
        lock(&self.deliveries).push(delivery);
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.deliveries).clone()
    }

    pub fn clear_deliveries(&self) {
        lock(&self.deliveries).clear();
    }

    /// Keeps a call's task, to stop it with the fake; forgets the finished ones.
    pub fn keep_task(&self, task: JoinHandle<()>) {
        let mut tasks = lock(&self.tasks);
        tasks.retain(|t| !t.is_finished());
        tasks.push(task);
    }

    /// Stops every call's task.
    pub fn abort_tasks(&self) {
        for task in lock(&self.tasks).drain(..) {
            task.abort();
        }
    }

    /// A fresh sid: `prefix` and 32 lowercase hex digits, never the same twice in a fake.
    pub fn new_sid(&self, prefix: &str) -> String {
        let serial = self.serial.fetch_add(1, Ordering::Relaxed);
        format!("{prefix}{:016x}{:016x}", mix(serial ^ self.key.rotate_left(17)), mix(serial ^ self.key))
    }

    /// `/2010-04-01/Accounts/{AccountSid}`: where this account's resources live.
    pub fn account_path(&self) -> String {
        format!("/2010-04-01/Accounts/{}", self.account_sid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared() -> Shared {
        Shared::new(DEFAULT_ACCOUNT_SID.into(), DEFAULT_AUTH_TOKEN.into(), "http://127.0.0.1:1".into())
            .expect("a client")
    }

    #[test]
    fn failures_are_scoped_and_counted() {
        let s = shared();
        let calls = "/2010-04-01/Accounts/AC1/Calls.json";
        s.plan_failure(Endpoint::CreateCall, Failure::ServerError, Some(2));
        assert_eq!(s.take_failure("GET", calls), None);
        assert_eq!(s.take_failure("POST", calls), Some(Failure::ServerError));
        assert_eq!(s.take_failure("POST", calls), Some(Failure::ServerError));
        assert_eq!(s.take_failure("POST", calls), None);
        s.plan_failure(Endpoint::Any, Failure::ServiceUnavailable, None);
        for _ in 0..3 {
            assert_eq!(
                s.take_failure("GET", "/2010-04-01/Accounts/AC1/Calls/CA1.json"),
                Some(Failure::ServiceUnavailable)
            );
        }
        s.clear_failures();
        assert_eq!(s.take_failure("GET", calls), None);
        s.plan_failure(Endpoint::Any, Failure::ServerError, Some(0));
        assert_eq!(s.take_failure("GET", calls), None);
    }

    #[test]
    fn endpoints_by_method_and_path() {
        let of = Endpoint::of;
        assert_eq!(of("POST", "/2010-04-01/Accounts/AC1/Calls.json"), Some(Endpoint::CreateCall));
        assert_eq!(of("GET", "/2010-04-01/Accounts/AC1/Calls.json"), Some(Endpoint::ListCalls));
        assert_eq!(of("GET", "/2010-04-01/Accounts/AC1/Calls/CA1.json"), Some(Endpoint::FetchCall));
        assert_eq!(of("POST", "/2010-04-01/Accounts/AC1/Calls/CA1.json"), Some(Endpoint::UpdateCall));
        assert_eq!(of("POST", "/2010-04-01/Accounts/AC1/Calls/CA1/Recordings.json"), Some(Endpoint::Recordings));
        assert_eq!(of("GET", "/2010-04-01/Accounts/AC1/Recordings/RE1.json"), Some(Endpoint::Recordings));
        assert_eq!(of("GET", "/health"), None);
    }

    #[test]
    fn sids_are_unique_hex() {
        let s = shared();
        let sids: std::collections::HashSet<String> = (0..1000).map(|_| s.new_sid("CA")).collect();
        assert_eq!(sids.len(), 1000);
        assert!(sids.iter().all(|sid| sid.len() == 34 && sid[2..].bytes().all(|b| b.is_ascii_hexdigit())));
    }
}
