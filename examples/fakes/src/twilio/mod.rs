//! A wire-compatible fake of Twilio's Voice REST API (2010-04-01), served on 127.0.0.1 for
//! tests and the demo.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use std::time::Duration;
//! use switchboard_fakes::twilio::{FakeTwilio, Outcome};
//! let fake = FakeTwilio::start("AC00000000000000000000000000000000", "token").await?;
//! println!("point the client at {}", fake.base_url());
//! fake.set_outcome("+15005550006", Outcome::Busy);
//! fake.set_step_delay(Duration::from_millis(10));
//! # Ok(()) }
//! ```
//!
//! It places calls (`POST .../Calls.json`, form-encoded as Twilio takes them, answered in
//! Twilio's JSON) that then progress by themselves, `queued`, `initiated`, `ringing`, and the
//! [`Outcome`] scripted for the number: answered and completed after a talk time, busy, no
//! answer, failed, or held in progress until ended through the API. On the way it sends the
//! webhooks Twilio sends, signed with `X-Twilio-Signature` ([`sign`]): the TwiML fetch of the
//! call's `Url` when answered, status callbacks, and recording status callbacks; each
//! delivery is recorded ([`Delivery`]). It fetches, lists, ends and records calls. Every
//! request needs HTTP Basic credentials `account_sid:auth_token`; anything else gets Twilio's
//! 401 (code 20003). Planned [`Failure`]s answer instead of the routes. It records every
//! request ([`RecordedRequest`]) without the credentials.
//!
//! It carries out an answered call's TwiML (fetched from `Url`, or inline `Twiml`) minimally:
//! it fetches every `<Play>` URL ([`PlayFetch`], [`FakeTwilio::play_fetches`]), remembers the
//! first `<Gather>` ([`Gather`], [`FakeTwilio::gather_of`]) for the test to answer with keys
//! or speech ([`FakeTwilio::press`], [`FakeTwilio::say`]: Twilio's signed Gather callback,
//! whose answer is carried out in turn), and hangs up on `<Hangup/>`.

mod calls;
mod dates;
mod errors;
mod events;
mod gather;
mod params;
mod progress;
mod recordings;
mod resources;
mod server;
mod state;
mod store;
mod twiml;
mod webhooks;

pub use errors::{Failure, TwilioError};
pub use events::API_VERSION;
pub use gather::{Gather, GatherError, PlayFetch};
pub use progress::Outcome;
pub use state::{
    DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, DEFAULT_STEP_DELAY, DEFAULT_TALK_TIME, Endpoint, RecordedRequest,
    WEBHOOK_TIMEOUT,
};
pub use store::{Call, CallStatus, Hook, Recording, RecordingStatus};
pub use webhooks::{Delivery, Kind, Signing, sign};

use state::Shared;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// How often the `wait_*` helpers look again.
const POLL: Duration = Duration::from_millis(5);

/// A running fake. Dropping it stops the server and the calls' progress.
pub struct FakeTwilio {
    server: crate::server::Server,
    shared: Arc<Shared>,
}

impl fmt::Debug for FakeTwilio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeTwilio")
            .field("addr", &self.server.addr())
            .field("account_sid", &self.shared.account_sid)
            .finish_non_exhaustive()
    }
}

impl FakeTwilio {
    /// Starts on 127.0.0.1 at a free port, accepting `account_sid:auth_token`. Needs a tokio
    /// runtime.
    pub async fn start(account_sid: impl Into<String>, auth_token: impl Into<String>) -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), account_sid, auth_token).await
    }

    /// Starts on `addr` (port 0 picks a free one).
    pub async fn start_on(
        addr: SocketAddr,
        account_sid: impl Into<String>,
        auth_token: impl Into<String>,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(account_sid.into(), auth_token.into(), format!("http://{addr}"))?);
        let server = crate::server::Server::spawn(listener, server::router(shared.clone()), "fake Twilio")?;
        Ok(Self { server, shared })
    }

    /// `http://127.0.0.1:<port>`: what replaces `https://api.twilio.com`.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    pub fn account_sid(&self) -> &str {
        &self.shared.account_sid
    }

    pub fn auth_token(&self) -> &str {
        &self.shared.auth_token
    }

    /// The pause between a call's steps (queued, initiated, ringing, outcome) for calls placed
    /// from now on.
    pub fn set_step_delay(&self, delay: Duration) {
        self.shared.update_knobs(|k| k.step_delay = delay);
    }

    /// How long every REST API answer takes from now on (a real carrier takes tens to
    /// hundreds of milliseconds to accept a call).
    pub fn set_latency(&self, latency: Duration) {
        self.shared.update_knobs(|k| k.latency = latency);
    }

    /// How calls to `to` (the `To` parameter, as given) placed from now on end.
    pub fn set_outcome(&self, to: impl Into<String>, outcome: Outcome) {
        let to = to.into();
        self.shared.update_knobs(|k| {
            k.outcomes.insert(to, outcome);
        });
    }

    /// How calls to numbers without their own outcome end (at first: completed after
    /// [`DEFAULT_TALK_TIME`]).
    pub fn set_default_outcome(&self, outcome: Outcome) {
        self.shared.update_knobs(|k| k.default_outcome = outcome);
    }

    /// Calls to `to` are answered and stay in progress until ended through the REST API or
    /// [`Self::hang_up`].
    pub fn hold_in_progress(&self, to: impl Into<String>) {
        self.set_outcome(to, Outcome::Hold);
    }

    /// `AnsweredBy` for calls to `to` placed with `MachineDetection` (`human` unless set):
    /// `machine_start`, `machine_end_beep`, `fax`, `unknown`, ...
    pub fn set_answered_by(&self, to: impl Into<String>, answered_by: impl Into<String>) {
        let (to, answered_by) = (to.into(), answered_by.into());
        self.shared.update_knobs(|k| {
            k.answered_by.insert(to, answered_by);
        });
    }

    /// Forgets the outcomes, answers and step delay set so far.
    pub fn reset_script(&self) {
        self.shared.update_knobs(|k| *k = state::Knobs::default());
    }

    /// The callee hangs up an in-progress call (status `completed`); false when the call is
    /// not in progress.
    pub fn hang_up(&self, call_sid: &str) -> bool {
        self.shared.advance(call_sid, &[CallStatus::InProgress], CallStatus::Completed).is_some()
    }

    /// The next request (to any endpoint) gets `failure`.
    pub fn fail_with(&self, failure: Failure) {
        self.fail_next(1, failure);
    }

    /// The next `count` requests (to any endpoint) get `failure`.
    pub fn fail_next(&self, count: u32, failure: Failure) {
        self.shared.plan_failure(Endpoint::Any, failure, Some(count));
    }

    /// Every request gets `failure` until [`Self::clear_failures`].
    pub fn fail_sticky(&self, failure: Failure) {
        self.shared.plan_failure(Endpoint::Any, failure, None);
    }

    /// Requests to `endpoint` get `failure`: the next one, or every one when `sticky`. Planned
    /// failures apply in the order given, after the credentials are checked.
    pub fn fail_on(&self, endpoint: Endpoint, failure: Failure, sticky: bool) {
        self.shared.plan_failure(endpoint, failure, if sticky { None } else { Some(1) });
    }

    /// The next `count` requests to `endpoint` get `failure`.
    pub fn fail_next_on(&self, endpoint: Endpoint, count: u32, failure: Failure) {
        self.shared.plan_failure(endpoint, failure, Some(count));
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
            .filter(|r| endpoint == Endpoint::Any || Endpoint::of(&r.method, &r.path) == Some(endpoint))
            .collect()
    }

    pub fn clear_requests(&self) {
        self.shared.clear_requests();
    }

    /// Every call, oldest first.
    pub fn calls(&self) -> Vec<Call> {
        let store = state::lock(&self.shared.store);
        let mut calls: Vec<Call> = store.newest_first().cloned().collect();
        calls.reverse();
        calls
    }

    pub fn call(&self, sid: &str) -> Option<Call> {
        self.shared.call(sid)
    }

    /// What the call's `Url` answered when the call was answered (its TwiML).
    pub fn twiml_fetched(&self, call_sid: &str) -> Option<String> {
        self.call(call_sid)?.fetched_twiml
    }

    /// The `<Play>` URLs of the call's TwiML as fetched so far, in order.
    pub fn play_fetches(&self, call_sid: &str) -> Vec<PlayFetch> {
        self.call(call_sid).map(|c| c.play_fetches).unwrap_or_default()
    }

    /// The `<Gather>` the call waits on: the first of its TwiML, until answered with
    /// [`Self::press`] or [`Self::say`] (then the one of the answer's TwiML, if any).
    pub fn gather_of(&self, call_sid: &str) -> Option<Gather> {
        self.call(call_sid)?.gather
    }

    /// The callee presses `digits` (0-9, `*`, `#`) during the call's `<Gather>`: Twilio's
    /// Gather callback with `Digits` (up to `finishOnKey` or `numDigits`) goes to its action,
    /// form-encoded and signed; the answer's TwiML is carried out (its `<Play>` URLs fetched
    /// before this returns, its `<Hangup/>` ending the call; an answer that is not 2xx hangs
    /// up, as Twilio's application error does). The delivery, or why nothing was sent.
    pub async fn press(&self, call_sid: &str, digits: &str) -> Result<Delivery, GatherError> {
        gather::submit(&self.shared, call_sid, gather::Input::Digits(digits)).await
    }

    /// The callee says `speech`, recognised with `confidence` (0..1), during a `<Gather>` whose
    /// `input` takes speech: as [`Self::press`], with `SpeechResult` and `Confidence`.
    pub async fn say(&self, call_sid: &str, speech: &str, confidence: f32) -> Result<Delivery, GatherError> {
        gather::submit(&self.shared, call_sid, gather::Input::Speech { text: speech, confidence }).await
    }

    /// Waits until the call has a `<Gather>` waiting; it, or none after `within`.
    pub async fn wait_for_gather(&self, call_sid: &str, within: Duration) -> Option<Gather> {
        let deadline = Instant::now() + within;
        loop {
            match self.gather_of(call_sid) {
                Some(gather) => return Some(gather),
                None if Instant::now() >= deadline => return None,
                None => tokio::time::sleep(POLL).await,
            }
        }
    }

    /// Waits until at least `count` `<Play>` URLs of the call were fetched; what there is then,
    /// or after `within`.
    pub async fn wait_for_play_fetches(&self, call_sid: &str, count: usize, within: Duration) -> Vec<PlayFetch> {
        let deadline = Instant::now() + within;
        loop {
            let fetched = self.play_fetches(call_sid);
            if fetched.len() >= count || Instant::now() >= deadline {
                return fetched;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Every webhook sent, in the order they were delivered.
    pub fn callbacks(&self) -> Vec<Delivery> {
        self.shared.deliveries()
    }

    /// The webhooks sent for one call.
    pub fn callbacks_for(&self, call_sid: &str) -> Vec<Delivery> {
        self.callbacks().into_iter().filter(|d| d.call_sid.as_deref() == Some(call_sid)).collect()
    }

    pub fn clear_callbacks(&self) {
        self.shared.clear_deliveries();
    }

    /// Sends a webhook to `url` now, as Twilio would (POST, form-encoded, `TwilioProxy/1.1`),
    /// signed as `signing` says: to test a receiver's signature check with a valid, a wrong, a
    /// missing or a stale signature ([`Signing::Header`] with one computed by [`sign`] over
    /// other parameters). Recorded with the others, as [`Kind::Manual`].
    pub async fn deliver_callback(&self, url: &str, params: &[(&str, &str)], signing: Signing) -> Delivery {
        let out = webhooks::Outgoing {
            kind: Kind::Manual,
            call_sid: params.iter().find(|(k, _)| *k == "CallSid").map(|(_, v)| v.to_string()),
            url: url.to_string(),
            method: "POST".to_string(),
            params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        };
        webhooks::deliver(&self.shared, out, signing).await
    }

    /// [`sign`] with this fake's auth token.
    pub fn sign(&self, url: &str, params: &[(&str, &str)]) -> String {
        sign(&self.shared.auth_token, url, params)
    }

    /// Waits until the call reaches `status` (or, for a terminal status, ends otherwise);
    /// the call as it is then, or none after `within`.
    pub async fn wait_for_status(&self, call_sid: &str, status: CallStatus, within: Duration) -> Option<Call> {
        let deadline = Instant::now() + within;
        loop {
            match self.call(call_sid) {
                Some(call) if call.status == status || (status.is_terminal() && call.status.is_terminal()) => {
                    return Some(call);
                }
                _ if Instant::now() >= deadline => return None,
                _ => tokio::time::sleep(POLL).await,
            }
        }
    }

    /// Waits until the call is over; the call then, or none after `within`.
    pub async fn wait_for_end(&self, call_sid: &str, within: Duration) -> Option<Call> {
        self.wait_for_status(call_sid, CallStatus::Completed, within).await
    }

    /// Waits until at least `count` webhooks were delivered for the call (or, with no sid,
    /// at all) and answers them, or what there is after `within`.
    pub async fn wait_for_callbacks(&self, call_sid: Option<&str>, count: usize, within: Duration) -> Vec<Delivery> {
        let deadline = Instant::now() + within;
        loop {
            let sent = match call_sid {
                Some(sid) => self.callbacks_for(sid),
                None => self.callbacks(),
            };
            if sent.len() >= count || Instant::now() >= deadline {
                return sent;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Stops the server, letting requests in flight finish for up to five seconds, and the
    /// calls' progress.
    pub async fn shutdown(mut self) {
        self.server.stop().await;
        self.shared.abort_tasks();
    }
}

impl Drop for FakeTwilio {
    fn drop(&mut self) {
        // The server stops with its own drop.
        self.shared.abort_tasks();
    }
}
