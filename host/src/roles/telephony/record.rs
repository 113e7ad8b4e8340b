//! A call's record as the host keeps it, and the state machine its status follows.
//!
//! The carrier reports status through webhooks that may arrive late, twice or out of order
//! (a `ringing` after `in-progress`); a status only ever moves forward, and a move the machine
//! does not allow is refused and leaves the record as it was.

use super::heard::{ConversationRecord, Heard, MessagePlan, OptOut};
use crate::contracts::telephony::CallStatus as CarrierStatus;
use serde::{Deserialize, Serialize};

/// Where a call is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Accepted by the carrier, not yet ringing (the carrier's `queued` and `initiated`).
    Initiated,
    Ringing,
    InProgress,
    Completed,
    Failed,
    Busy,
    NoAnswer,
    Canceled,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Self::Initiated,
        Self::Ringing,
        Self::InProgress,
        Self::Completed,
        Self::Failed,
        Self::Busy,
        Self::NoAnswer,
        Self::Canceled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initiated => "initiated",
            Self::Ringing => "ringing",
            Self::InProgress => "in-progress",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Busy => "busy",
            Self::NoAnswer => "no-answer",
            Self::Canceled => "canceled",
        }
    }

    /// A status by its name (the carrier's `queued` is `initiated` here).
    pub fn parse(s: &str) -> Option<Self> {
        if s == "queued" {
            return Some(Self::Initiated);
        }
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// Whether the call is over: no status follows these.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Busy | Self::NoAnswer | Self::Canceled)
    }

    /// Whether a call in `self` may move to `next`. A call moves forward only:
    ///
    /// * initiated -> ringing, in-progress, or any end (a lost `ringing` callback is no reason
    ///   to refuse the rest);
    /// * ringing -> in-progress, or any end;
    /// * in-progress -> completed or failed (a call that was answered cannot be busy,
    ///   unanswered or canceled);
    /// * an ended call never moves again.
    pub fn may_become(self, next: Self) -> bool {
        use Status::*;
        match self {
            Initiated => next != Initiated,
            Ringing => !matches!(next, Initiated | Ringing),
            InProgress => matches!(next, Completed | Failed),
            Completed | Failed | Busy | NoAnswer | Canceled => false,
        }
    }
}

impl From<CarrierStatus> for Status {
    fn from(s: CarrierStatus) -> Self {
        match s {
            CarrierStatus::Queued | CarrierStatus::Initiated => Self::Initiated,
            CarrierStatus::Ringing => Self::Ringing,
            CarrierStatus::InProgress => Self::InProgress,
            CarrierStatus::Completed => Self::Completed,
            CarrierStatus::Busy => Self::Busy,
            CarrierStatus::Failed => Self::Failed,
            CarrierStatus::NoAnswer => Self::NoAnswer,
            CarrierStatus::Canceled => Self::Canceled,
        }
    }
}

/// One status the call took, and who said so.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Step {
    pub status: Status,
    /// Seconds since the Unix epoch, when the host learned it.
    pub at: i64,
    /// `carrier` (an API answer), `webhook` (a signed callback) or `host`.
    pub source: String,
    /// The carrier's callback sequence number, when it gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u32>,
}

/// A recording of the call.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Recording {
    pub sid: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u32>,
}

/// What the compliance check said before the call was placed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Clearance {
    /// The checker's audit entry for the decision.
    pub audit_id: String,
    /// The component that decided.
    pub checker: String,
    pub checked_at: i64,
}

/// A call the host placed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CallRecord {
    pub call_sid: String,
    /// The carrier component that placed it.
    pub carrier: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_id: Option<String>,
    pub to: String,
    pub from: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    pub compliance: Clearance,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recordings: Vec<Recording>,
    /// Every status the call took, in order.
    pub history: Vec<Step>,
    /// Status reports refused as impossible (out of order, or after the call ended).
    #[serde(default)]
    pub refused_updates: u32,
    /// What a message call plays (none for a call to a voice agent or with instructions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<MessagePlan>,
    /// What the callee pressed or said while the carrier listened, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub heard: Vec<Heard>,
    /// The callee's opt-out on this call, with its evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_out: Option<OptOut>,
    /// The voice agent's conversation, once its platform reported it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<ConversationRecord>,
}

/// News about a call, from a webhook or a carrier answer. Stored while it waits for its call
/// to be saved ([`super::book`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Update {
    pub status: Option<Status>,
    pub source: std::borrow::Cow<'static, str>,
    pub sequence: Option<u32>,
    pub duration_seconds: Option<u32>,
    pub answered_by: Option<String>,
    pub error_code: Option<String>,
    pub recording: Option<Recording>,
    pub heard: Option<Heard>,
    pub opt_out: Option<OptOut>,
    pub conversation: Option<ConversationRecord>,
}

/// What applying an update did.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    /// The status moved (or details were added).
    Changed { from: Status, to: Status },
    /// Only details changed, or the same status was reported again.
    Unchanged,
    /// An impossible move: the record keeps its status.
    Refused { from: Status, to: Status },
}

impl CallRecord {
    /// Applies `update` at `now`. A refused status still lets nothing else through: the whole
    /// update is dropped, so a stale callback cannot overwrite newer details either.
    pub fn apply(&mut self, update: Update, now: i64) -> Applied {
        let from = self.status;
        let mut outcome = Applied::Unchanged;
        if let Some(to) = update.status
            && to != from
        {
            if !from.may_become(to) {
                self.refused_updates += 1;
                return Applied::Refused { from, to };
            }
            self.status = to;
            self.history.push(Step {
                status: to,
                at: now,
                source: update.source.into_owned(),
                sequence: update.sequence,
            });
            outcome = Applied::Changed { from, to };
        }
        if update.duration_seconds.is_some() {
            self.duration_seconds = update.duration_seconds;
        }
        if update.answered_by.is_some() {
            self.answered_by = update.answered_by;
        }
        if update.error_code.is_some() {
            self.error_code = update.error_code;
        }
        if let Some(recording) = update.recording {
            match self.recordings.iter_mut().find(|r| r.sid == recording.sid) {
                Some(existing) => {
                    existing.status = recording.status;
                    existing.url = recording.url.or(existing.url.take());
                    existing.duration_seconds = recording.duration_seconds.or(existing.duration_seconds);
                }
                None => self.recordings.push(recording),
            }
        }
        self.heard.extend(update.heard);
        // The first opt-out is the one that counts; a second one adds nothing.
        if self.opt_out.is_none() {
            self.opt_out = update.opt_out;
        }
        if update.conversation.is_some() {
            self.conversation = update.conversation;
        }
        self.updated_at = now;
        outcome
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use Status::*;

    /// A call just placed, for tests here and of the book.
    pub(in crate::roles::telephony) fn record() -> CallRecord {
        CallRecord {
            call_sid: "CA00000000000000000000000000000001".into(),
            carrier: "telephony_twilio".into(),
            lead_id: Some("lead-1".into()),
            to: "+13035550123".into(),
            from: "+13035550100".into(),
            status: Initiated,
            subject: None,
            created_at: 0,
            updated_at: 0,
            duration_seconds: None,
            answered_by: None,
            error_code: None,
            compliance: Clearance { audit_id: "1".into(), checker: "compliance_tcpa".into(), checked_at: 0 },
            recordings: Vec::new(),
            history: vec![Step { status: Initiated, at: 0, source: "carrier".into(), sequence: None }],
            refused_updates: 0,
            message: None,
            heard: Vec::new(),
            opt_out: None,
            conversation: None,
        }
    }

    fn to(status: Status) -> Update {
        Update { status: Some(status), source: "webhook".into(), ..Update::default() }
    }

    #[test]
    fn a_call_moves_forward_through_its_life() {
        let mut r = record();
        assert_eq!(r.apply(to(Ringing), 1), Applied::Changed { from: Initiated, to: Ringing });
        assert_eq!(r.apply(to(InProgress), 2), Applied::Changed { from: Ringing, to: InProgress });
        let done = Update { duration_seconds: Some(42), ..to(Completed) };
        assert_eq!(r.apply(done, 3), Applied::Changed { from: InProgress, to: Completed });
        assert_eq!(r.duration_seconds, Some(42));
        let seen: Vec<Status> = r.history.iter().map(|s| s.status).collect();
        assert_eq!(seen, [Initiated, Ringing, InProgress, Completed]);
    }

    #[test]
    fn out_of_order_and_late_reports_are_refused_and_change_nothing() {
        let mut r = record();
        r.apply(to(InProgress), 1);
        let stale = Update { answered_by: Some("machine_start".into()), ..to(Ringing) };
        assert_eq!(r.apply(stale, 2), Applied::Refused { from: InProgress, to: Ringing });
        assert_eq!(r.answered_by, None, "a refused update changes no detail either");
        assert_eq!(r.apply(to(Busy), 3), Applied::Refused { from: InProgress, to: Busy });
        r.apply(to(Completed), 4);
        for late in [Initiated, Ringing, InProgress, Failed, Canceled] {
            assert_eq!(r.apply(to(late), 5), Applied::Refused { from: Completed, to: late });
        }
        assert_eq!(r.status, Completed);
        assert_eq!(r.refused_updates, 7);
        assert_eq!(r.history.len(), 3);
    }

    #[test]
    fn a_repeated_report_is_not_a_move() {
        let mut r = record();
        r.apply(to(Ringing), 1);
        assert_eq!(r.apply(to(Ringing), 2), Applied::Unchanged);
        assert_eq!(r.history.len(), 2);
        assert_eq!(r.refused_updates, 0);
    }

    #[test]
    fn the_transition_table() {
        let all = [Initiated, Ringing, InProgress, Completed, Failed, Busy, NoAnswer, Canceled];
        for from in all {
            for next in all {
                let expected = match from {
                    Initiated => next != Initiated,
                    Ringing => !matches!(next, Initiated | Ringing),
                    InProgress => matches!(next, Completed | Failed),
                    _ => false,
                };
                assert_eq!(from.may_become(next), expected, "{from:?} -> {next:?}");
            }
            assert_eq!(Status::parse(from.as_str()), Some(from));
        }
        assert_eq!(Status::parse("queued"), Some(Initiated));
        assert_eq!(Status::parse("answered"), None);
    }

    #[test]
    fn recordings_are_added_then_completed() {
        let mut r = record();
        let started = Recording { sid: "RE1".into(), status: "in-progress".into(), ..Recording::default() };
        r.apply(Update { recording: Some(started), source: "carrier".into(), ..Update::default() }, 1);
        let done = Recording {
            sid: "RE1".into(),
            status: "completed".into(),
            url: Some("https://x/RE1".into()),
            duration_seconds: Some(9),
        };
        r.apply(Update { recording: Some(done.clone()), source: "webhook".into(), ..Update::default() }, 2);
        assert_eq!(r.recordings, [done]);
    }
}
