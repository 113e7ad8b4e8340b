//! The calls and their recordings, and every change of a call's status. A change and the
//! webhooks it causes are made under one lock, so a call's callbacks are queued (and numbered)
//! in the order its status changed, whether the change came from the call's own progress or
//! from the REST API.

use super::errors::{NOT_IN_PROGRESS, TwilioError};
use super::events;
use super::gather::{Gather, PlayFetch};
use super::state::{Shared, lock};
use super::webhooks::{Delivery, Kind, Outgoing, Queued};
use std::time::SystemTime;
use tokio::sync::{mpsc, oneshot};

/// Where a call is. Twilio's names are [`CallStatus::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallStatus {
    Queued,
    Initiated,
    Ringing,
    InProgress,
    Completed,
    Busy,
    NoAnswer,
    Failed,
    Canceled,
}

impl CallStatus {
    pub const ALL: [CallStatus; 9] = [
        Self::Queued,
        Self::Initiated,
        Self::Ringing,
        Self::InProgress,
        Self::Completed,
        Self::Busy,
        Self::NoAnswer,
        Self::Failed,
        Self::Canceled,
    ];

    /// Twilio's name: `queued`, `initiated`, `ringing`, `in-progress`, `completed`, `busy`,
    /// `no-answer`, `failed`, `canceled`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Initiated => "initiated",
            Self::Ringing => "ringing",
            Self::InProgress => "in-progress",
            Self::Completed => "completed",
            Self::Busy => "busy",
            Self::NoAnswer => "no-answer",
            Self::Failed => "failed",
            Self::Canceled => "canceled",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether the call is over.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Busy | Self::NoAnswer | Self::Failed | Self::Canceled)
    }

    /// Whether the call has not been answered yet and can still be canceled.
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Queued | Self::Initiated | Self::Ringing)
    }

    /// The `StatusCallbackEvent` that reports reaching this status (none for `queued`).
    pub fn event(self) -> Option<&'static str> {
        match self {
            Self::Queued => None,
            Self::Initiated => Some("initiated"),
            Self::Ringing => Some("ringing"),
            Self::InProgress => Some("answered"),
            _ => Some("completed"),
        }
    }
}

/// Where a recording is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordingStatus {
    InProgress,
    Paused,
    Completed,
}

impl RecordingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "in-progress",
            Self::Paused => "paused",
            Self::Completed => "completed",
        }
    }
}

/// Where a webhook goes and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    pub url: String,
    /// `GET` or `POST`.
    pub method: String,
}

/// A recording of a call.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    /// `RE` and 32 hex digits.
    pub sid: String,
    pub call_sid: String,
    pub status: RecordingStatus,
    /// `OutboundAPI` (`Record=true` when placing the call) or `StartCallRecordingAPI`.
    pub source: String,
    pub channels: u32,
    pub started_at: SystemTime,
    pub ended_at: Option<SystemTime>,
    /// Whole seconds, once completed.
    pub duration: Option<u64>,
    pub status_callback: Option<Hook>,
    /// `RecordingStatusCallbackEvent`: `in-progress`, `completed` (the default), `absent`.
    pub status_callback_events: Vec<String>,
}

/// A call as the fake keeps it: what it was placed with and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// `CA` and 32 hex digits.
    pub sid: String,
    pub account_sid: String,
    pub to: String,
    pub from: String,
    pub status: CallStatus,
    /// The TwiML URL fetched when the call is answered.
    pub url: Option<Hook>,
    /// TwiML given inline with `Twiml`.
    pub twiml: Option<String>,
    /// The body the `Url` answered with, once fetched.
    pub fetched_twiml: Option<String>,
    /// The `<Play>` URLs of its TwiML, as fetched, in order.
    pub play_fetches: Vec<PlayFetch>,
    /// The `<Gather>` waiting for the callee's keys or speech, if any.
    pub gather: Option<Gather>,
    pub status_callback: Option<Hook>,
    /// `StatusCallbackEvent` values, as given (`completed` is reported regardless).
    pub status_callback_events: Vec<String>,
    /// `Record=true`.
    pub record: bool,
    pub recording_status_callback: Option<Hook>,
    pub recording_status_callback_events: Vec<String>,
    pub recording_channels: u32,
    /// `MachineDetection` (`Enable` or `DetectMessageEnd`).
    pub machine_detection: Option<String>,
    /// `Timeout`, seconds of ringing before Twilio gives up (default 60; not waited for).
    pub timeout: u32,
    /// `human`, `machine_start`, ... once answered with machine detection.
    pub answered_by: Option<String>,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    /// When it was dialled (`initiated`).
    pub started_at: Option<SystemTime>,
    pub answered_at: Option<SystemTime>,
    pub ended_at: Option<SystemTime>,
    pub recordings: Vec<Recording>,
}

impl Call {
    /// Whole seconds talked: from answer to end, rounded up; zero if never answered, none
    /// while the call lasts.
    pub fn duration(&self) -> Option<u64> {
        let ended = self.ended_at?;
        Some(self.answered_at.map_or(0, |a| super::dates::whole_seconds(ended.duration_since(a).unwrap_or_default())))
    }
}

/// One call with what only the store needs.
#[derive(Debug)]
struct Entry {
    call: Call,
    /// The next status callback's `SequenceNumber`.
    sequence: u32,
    /// The call's webhook queue; closed once the call and its recordings are over.
    outbox: Option<mpsc::UnboundedSender<Queued>>,
}

impl Entry {
    fn send(&self, out: Outgoing) -> Option<oneshot::Receiver<Delivery>> {
        let (tx, rx) = oneshot::channel();
        self.outbox.as_ref()?.send(Queued { out, reply: Some(tx) }).ok()?;
        Some(rx)
    }
}

/// The calls, in creation order.
#[derive(Debug, Default)]
pub struct Store {
    entries: Vec<Entry>,
}

impl Store {
    fn entry_mut(&mut self, sid: &str) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.call.sid == sid)
    }

    pub fn get(&self, sid: &str) -> Option<&Call> {
        self.entries.iter().find(|e| e.call.sid == sid).map(|e| &e.call)
    }

    /// Every call, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Call> {
        self.entries.iter().rev().map(|e| &e.call)
    }

    /// A recording by sid, with the call it belongs to.
    pub fn recording(&self, sid: &str) -> Option<&Recording> {
        self.entries.iter().flat_map(|e| &e.call.recordings).find(|r| r.sid == sid)
    }
}

/// What to record, from the create-call or create-recording parameters.
#[derive(Debug, Clone)]
pub struct RecordingRequest {
    pub source: &'static str,
    pub channels: u32,
    pub status_callback: Option<Hook>,
    pub status_callback_events: Vec<String>,
}

/// Starts a recording of `entry`'s call now, and queues its `in-progress` callback when asked.
fn start_recording(shared: &Shared, entry: &mut Entry, request: RecordingRequest, now: SystemTime) -> Recording {
    let recording = Recording {
        sid: shared.new_sid("RE"),
        call_sid: entry.call.sid.clone(),
        status: RecordingStatus::InProgress,
        source: request.source.to_string(),
        channels: request.channels,
        started_at: now,
        ended_at: None,
        duration: None,
        status_callback: request.status_callback,
        status_callback_events: request.status_callback_events,
    };
    if recording.status_callback_events.iter().any(|e| e == "in-progress") {
        queue_recording_callback(shared, entry, &recording);
    }
    entry.call.recordings.push(recording.clone());
    recording
}

/// Completes a recording at `now` and queues its `completed` callback (sent unless the events
/// asked for leave `completed` out).
fn complete_recording(shared: &Shared, entry: &mut Entry, index: usize, now: SystemTime) {
    let recording = &mut entry.call.recordings[index];
    if recording.status == RecordingStatus::Completed {
        return;
    }
    recording.status = RecordingStatus::Completed;
    recording.ended_at = Some(now);
    recording.duration =
        Some(super::dates::whole_seconds(now.duration_since(recording.started_at).unwrap_or_default()));
    let events = &recording.status_callback_events;
    if events.is_empty() || events.iter().any(|e| e == "completed") {
        let recording = recording.clone();
        queue_recording_callback(shared, entry, &recording);
    }
}

fn queue_recording_callback(shared: &Shared, entry: &Entry, recording: &Recording) {
    if let Some(hook) = &recording.status_callback {
        let params = events::recording_params(shared, recording);
        entry.send(Outgoing::new(Kind::Recording, &entry.call.sid, hook, params));
    }
}

impl Shared {
    /// Keeps a new call, with the queue its webhooks go through.
    pub fn insert_call(&self, call: Call, outbox: mpsc::UnboundedSender<Queued>) {
        lock(&self.store).entries.push(Entry { call, sequence: 0, outbox: Some(outbox) });
    }

    pub fn call(&self, sid: &str) -> Option<Call> {
        lock(&self.store).get(sid).cloned()
    }

    /// Moves a call from one of `from` to `to` and queues the webhooks that causes; none when
    /// it was elsewhere (the REST API or the call's own progress got there first).
    pub fn advance(&self, sid: &str, from: &[CallStatus], to: CallStatus) -> Option<Call> {
        let knobs = self.knobs();
        let now = SystemTime::now();
        let mut store = lock(&self.store);
        let entry = store.entry_mut(sid)?;
        if !from.contains(&entry.call.status) {
            return None;
        }
        let call = &mut entry.call;
        call.status = to;
        call.updated_at = now;
        match to {
            CallStatus::Initiated => call.started_at = Some(now),
            CallStatus::InProgress => {
                call.answered_at = Some(now);
                if call.machine_detection.is_some() {
                    call.answered_by = Some(knobs.answered_by_for(&call.to));
                }
            }
            _ if to.is_terminal() => call.ended_at = Some(now),
            _ => {}
        }
        let event = to.event();
        let wanted =
            event == Some("completed") || call.status_callback_events.iter().any(|e| Some(e.as_str()) == event);
        if let (Some(hook), true) = (call.status_callback.clone(), wanted) {
            let params = events::status_params(call, entry.sequence, now);
            entry.sequence += 1;
            entry.send(Outgoing::new(Kind::Status, sid, &hook, params));
        }
        if to == CallStatus::InProgress && entry.call.record {
            let request = RecordingRequest {
                source: "OutboundAPI",
                channels: entry.call.recording_channels,
                status_callback: entry.call.recording_status_callback.clone(),
                status_callback_events: entry.call.recording_status_callback_events.clone(),
            };
            start_recording(self, entry, request, now);
        }
        if to.is_terminal() {
            for index in 0..entry.call.recordings.len() {
                complete_recording(self, entry, index, now);
            }
            entry.outbox = None;
        }
        Some(entry.call.clone())
    }

    /// Queues the `Url` fetch of an answered call; the receiver gets the delivery once sent.
    pub fn fetch_twiml(&self, sid: &str) -> Option<oneshot::Receiver<Delivery>> {
        let store = lock(&self.store);
        let entry = store.entries.iter().find(|e| e.call.sid == sid)?;
        let hook = entry.call.url.clone()?;
        entry.send(Outgoing::new(Kind::Answer, sid, &hook, events::answer_params(&entry.call)))
    }

    /// Keeps what a call's `Url` answered.
    pub fn set_fetched_twiml(&self, sid: &str, twiml: String) {
        self.with_call(sid, |call| call.fetched_twiml = Some(twiml));
    }

    /// Changes a call under the store's lock (not its status: that is [`Self::advance`]'s);
    /// none when there is no such call.
    pub fn with_call<T>(&self, sid: &str, change: impl FnOnce(&mut Call) -> T) -> Option<T> {
        lock(&self.store).entry_mut(sid).map(|entry| change(&mut entry.call))
    }

    /// Queues a webhook on the call's queue, after those queued before; the receiver gets the
    /// delivery once sent. None when the call is unknown or over.
    pub fn queue_webhook(&self, sid: &str, out: Outgoing) -> Option<oneshot::Receiver<Delivery>> {
        lock(&self.store).entry_mut(sid)?.send(out)
    }

    /// The `<Gather>` the call now waits on.
    pub fn set_gather(&self, sid: &str, gather: Option<Gather>) {
        self.with_call(sid, |call| call.gather = gather);
    }

    pub fn push_play_fetch(&self, sid: &str, fetch: PlayFetch) {
        self.with_call(sid, |call| call.play_fetches.push(fetch));
    }

    /// Ends a call at the REST API's request (`Status=completed` or `Status=canceled`): a call
    /// not yet answered is canceled; an answered one is completed, or left alone when only
    /// `canceled` was asked for (as Twilio does); an ended one is an error (21220).
    pub fn end_call(&self, sid: &str, requested: CallStatus) -> Result<Call, TwilioError> {
        use CallStatus::*;
        if let Some(call) = self.advance(sid, &[Queued, Initiated, Ringing], Canceled) {
            return Ok(call);
        }
        if requested == Completed
            && let Some(call) = self.advance(sid, &[InProgress], Completed)
        {
            return Ok(call);
        }
        match self.call(sid) {
            Some(call) if !call.status.is_terminal() => Ok(call),
            _ => Err(not_in_progress()),
        }
    }

    /// Starts recording an in-progress call; 21220 otherwise.
    pub fn record_call(&self, sid: &str, request: RecordingRequest) -> Result<Recording, TwilioError> {
        let mut store = lock(&self.store);
        let entry =
            store.entry_mut(sid).filter(|e| e.call.status == CallStatus::InProgress).ok_or_else(not_in_progress)?;
        Ok(start_recording(self, entry, request, SystemTime::now()))
    }

    /// Changes a recording of an in-progress call: `stopped` completes it, `paused` and
    /// `in-progress` pause and resume it. None when the call has no such recording.
    pub fn update_recording(&self, call_sid: &str, sid: &str, status: &str) -> Option<Result<Recording, TwilioError>> {
        let mut store = lock(&self.store);
        let entry = store.entry_mut(call_sid)?;
        let index = entry.call.recordings.iter().position(|r| r.sid == sid)?;
        if entry.call.status != CallStatus::InProgress
            || entry.call.recordings[index].status == RecordingStatus::Completed
        {
            return Some(Err(not_in_progress()));
        }
        match status {
            "stopped" => complete_recording(self, entry, index, SystemTime::now()),
            "paused" => entry.call.recordings[index].status = RecordingStatus::Paused,
            "in-progress" => entry.call.recordings[index].status = RecordingStatus::InProgress,
            other => {
                return Some(Err(TwilioError::bad_request(
                    super::errors::INVALID_PARAMETER,
                    format!("Status must be one of stopped, paused, in-progress, not '{other}'"),
                )));
            }
        }
        Some(Ok(entry.call.recordings[index].clone()))
    }
}

/// Twilio's answer to a realtime operation on a call that is not in progress.
pub fn not_in_progress() -> TwilioError {
    TwilioError::bad_request(NOT_IN_PROGRESS, "Call is not in-progress. Cannot redirect.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_and_events() {
        for status in CallStatus::ALL {
            assert_eq!(CallStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(CallStatus::parse("answered"), None);
        assert_eq!(CallStatus::InProgress.event(), Some("answered"));
        assert_eq!(CallStatus::Busy.event(), Some("completed"));
        assert!(CallStatus::Ringing.is_pending() && !CallStatus::InProgress.is_pending());
        assert!(CallStatus::Canceled.is_terminal() && !CallStatus::InProgress.is_terminal());
    }
}
