//! The parameters of the webhooks a call causes, as Twilio names them: the TwiML fetch when
//! the call is answered, status callbacks, and recording status callbacks.

use super::dates::rfc2822;
use super::state::Shared;
use super::store::{Call, CallStatus, Recording, RecordingStatus};
use std::time::SystemTime;

/// The API version every resource and webhook names.
pub const API_VERSION: &str = "2010-04-01";

fn pair(name: &str, value: impl Into<String>) -> (String, String) {
    (name.to_string(), value.into())
}

/// What every voice webhook carries: `AccountSid`, `ApiVersion`, `CallSid`, `CallStatus`,
/// `Called`, `Caller`, `Direction`, `From`, `To`, and `AnsweredBy` once machine detection
/// has decided.
pub fn call_params(call: &Call) -> Vec<(String, String)> {
    let mut params = vec![
        pair("AccountSid", &call.account_sid),
        pair("ApiVersion", API_VERSION),
        pair("CallSid", &call.sid),
        pair("CallStatus", call.status.as_str()),
        pair("Called", &call.to),
        pair("Caller", &call.from),
        pair("Direction", "outbound-api"),
        pair("From", &call.from),
        pair("To", &call.to),
    ];
    if let Some(answered_by) = &call.answered_by {
        params.push(pair("AnsweredBy", answered_by));
    }
    params
}

/// The TwiML fetch when the call is answered (`CallStatus=in-progress`).
pub fn answer_params(call: &Call) -> Vec<(String, String)> {
    call_params(call)
}

/// The SIP response Twilio reports for how a call ended.
fn sip_response_code(status: CallStatus) -> &'static str {
    match status {
        CallStatus::Busy => "486",
        CallStatus::NoAnswer | CallStatus::Canceled => "487",
        CallStatus::Failed => "500",
        _ => "200",
    }
}

/// A status callback: the call's parameters, `SequenceNumber`, `Timestamp`,
/// `CallbackSource=call-progress-events`, and when the call is over `CallDuration`
/// (seconds), `Duration` (minutes, rounded up) and `SipResponseCode`.
pub fn status_params(call: &Call, sequence: u32, now: SystemTime) -> Vec<(String, String)> {
    let mut params = call_params(call);
    params.push(pair("SequenceNumber", sequence.to_string()));
    params.push(pair("Timestamp", rfc2822(now)));
    params.push(pair("CallbackSource", "call-progress-events"));
    if call.status.is_terminal() {
        let seconds = call.duration().unwrap_or(0);
        params.push(pair("CallDuration", seconds.to_string()));
        params.push(pair("Duration", seconds.div_ceil(60).to_string()));
        params.push(pair("SipResponseCode", sip_response_code(call.status)));
    }
    params
}

/// `{base_url}/2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}`: where the audio is.
pub fn recording_url(shared: &Shared, sid: &str) -> String {
    format!("{}{}/Recordings/{sid}", shared.base_url, shared.account_path())
}

/// A recording status callback: `AccountSid`, `CallSid`, `RecordingSid`, `RecordingUrl`,
/// `RecordingStatus`, `RecordingDuration` (once completed), `RecordingChannels`,
/// `RecordingStartTime`, `RecordingSource`, `RecordingTrack=both`.
pub fn recording_params(shared: &Shared, recording: &Recording) -> Vec<(String, String)> {
    let mut params = vec![
        pair("AccountSid", &shared.account_sid),
        pair("CallSid", &recording.call_sid),
        pair("RecordingSid", &recording.sid),
        pair("RecordingUrl", recording_url(shared, &recording.sid)),
        pair("RecordingStatus", recording.status.as_str()),
    ];
    if recording.status == RecordingStatus::Completed {
        params.push(pair("RecordingDuration", recording.duration.unwrap_or(0).to_string()));
    }
    params.push(pair("RecordingChannels", recording.channels.to_string()));
    params.push(pair("RecordingStartTime", rfc2822(recording.started_at)));
    params.push(pair("RecordingSource", &recording.source));
    params.push(pair("RecordingTrack", "both"));
    params
}
