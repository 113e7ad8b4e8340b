//! The webhooks the host routes here from `/webhooks/<component>/<path>`:
//!
//! - `status`: a status callback (`CallSid`, `CallStatus`, `SequenceNumber`, `CallDuration`,
//!   `AnsweredBy`, `ErrorCode`): 204, and a `status` event when the status is one of the
//!   call-status values.
//! - `recording`: a recording status callback (`CallSid`, `RecordingSid`, `RecordingUrl`,
//!   `RecordingStatus`, `RecordingDuration`, `ErrorCode`): 204 and a `recording` event.
//! - `voice`: Twilio asks what to do with a call that connected: 200 TwiML connecting it to the
//!   configured voice agent (an ElevenLabs agent's TwiML from register-call, see
//!   [`crate::agent`], or `<Connect><Stream>` to `voice_stream_url`), or saying that none is
//!   available and hanging up; an `answer` event.
//! - `gather`: what the callee did during a script's `<Gather>` (`Digits`, `SpeechResult`,
//!   `Confidence`, `CallSid`, `CallStatus`): an `input` event, and by default 200 TwiML that
//!   hangs up (the host answers through `answer` instead, once it decided what comes next).
//! - `agent-events`: ElevenLabs' post-call webhook, signed by ElevenLabs rather than Twilio; see
//!   [`crate::agent_events`].
//!
//! On Twilio's paths nothing is believed before the `X-Twilio-Signature` checks out: a missing
//! or wrong signature, or no auth token to check it with, is 403 without an event. An unknown
//! path is 404, a method Twilio never uses 405.

use crate::agent::{self, CallParams, Reply};
use crate::agent_events;
use crate::calls::parse_status;
use crate::config::{Config, ElevenLabsAgent, VoiceAgent};
use crate::exports::switchboard::telephony::carrier::{
    CallEvent, CallScript, CalleeInput, EventKind, Step, WebhookRequest, WebhookResponse,
};
use crate::number;
use crate::script;
use crate::signature::{self, Signed};
use crate::twiml;
use serde_json::Value;
use std::time::{SystemTime, UNIX_EPOCH};

/// Twilio's webhooks (`agent-events` is ElevenLabs').
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Status,
    Recording,
    Voice,
    Gather,
}

/// A plain-text answer without an event.
pub(crate) fn text_response(status: u16, body: &str) -> WebhookResponse {
    WebhookResponse {
        status,
        content_type: "text/plain; charset=utf-8".to_string(),
        body: body.to_string(),
        event: None,
    }
}

/// The value of the header `name` (case-insensitive), the first when repeated.
pub(crate) fn header<'a>(request: &'a WebhookRequest, name: &str) -> Option<&'a str> {
    request.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// An event about call `call_sid`, with nothing else set.
pub(crate) fn event(kind: EventKind, call_sid: String) -> CallEvent {
    CallEvent {
        kind,
        call_sid,
        status: None,
        sequence: None,
        duration_seconds: None,
        answered_by: None,
        recording_sid: None,
        recording_url: None,
        recording_status: None,
        error_code: None,
        input: None,
        conversation: None,
    }
}

/// The component's wall clock, in unix seconds.
fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// Checks and reads a webhook. `register` sends ElevenLabs' register-call request (the agent,
/// the JSON body) and gives its answer, for the `voice` webhook when an ElevenLabs agent is
/// configured.
pub fn handle(
    config: &Config,
    request: &WebhookRequest,
    register: impl FnOnce(&ElevenLabsAgent, String) -> Result<Reply, String>,
) -> WebhookResponse {
    let route = match request.path.trim_matches('/') {
        "status" => Route::Status,
        "recording" => Route::Recording,
        "voice" => Route::Voice,
        "gather" => Route::Gather,
        "agent-events" => return agent_events_route(config, request),
        _ => return text_response(404, "no such webhook"),
    };
    let method = request.method.trim().to_ascii_uppercase();
    if method != "POST" && method != "GET" {
        return text_response(405, "only POST and GET");
    }
    let Some(token) = config.auth_token() else {
        return text_response(403, "webhook signatures cannot be checked: no auth token configured");
    };
    let Some(claimed) = header(request, "x-twilio-signature") else {
        return text_response(403, "missing X-Twilio-Signature");
    };

    let media_type = header(request, "content-type")
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let query = signature::query_pairs(&request.url);
    let payload = if method == "GET" {
        Payload::UrlOnly
    } else if media_type == "application/x-www-form-urlencoded" {
        Payload::Form(form_urlencoded::parse(&request.body).into_owned().collect())
    } else if media_type == "application/json" || query.iter().any(|(k, _)| k == "bodySHA256") {
        Payload::Json
    } else {
        // No parameters in the body to sign (an empty POST): the URL alone.
        Payload::UrlOnly
    };
    let signed = match &payload {
        Payload::Form(params) => Signed::Form(params),
        Payload::Json => Signed::Json(&request.body),
        Payload::UrlOnly => Signed::UrlOnly,
    };
    if !signature::verify(token, &request.url, claimed, signed) {
        return text_response(403, "invalid X-Twilio-Signature");
    }
    let mut params = match payload {
        Payload::Form(params) => params,
        Payload::Json => json_params(&request.body),
        Payload::UrlOnly => Vec::new(),
    };
    // The body's parameters first, then the URL's (a GET has only those).
    params.extend(query.iter().cloned());
    let params = Params(params);

    match route {
        Route::Status => acknowledge(status_event(&params)),
        Route::Recording => acknowledge(recording_event(&params)),
        Route::Voice => voice(config, &params, &Params(query), register),
        Route::Gather => gather(&params),
    }
}

/// ElevenLabs' post-call webhook: a POST, signed by ElevenLabs (not Twilio), checked against the
/// component's clock.
fn agent_events_route(config: &Config, request: &WebhookRequest) -> WebhookResponse {
    if !request.method.trim().eq_ignore_ascii_case("POST") {
        return text_response(405, "only POST");
    }
    agent_events::handle(config, request, unix_now())
}

/// What a request's body is, for its signature and its parameters.
enum Payload {
    /// Form-encoded parameters.
    Form(Vec<(String, String)>),
    /// JSON, whose hash the URL carries.
    Json,
    /// Nothing to read: the parameters, if any, are in the URL.
    UrlOnly,
}

/// The top-level scalar fields of a JSON object body, as parameters.
fn json_params(body: &[u8]) -> Vec<(String, String)> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else { return Vec::new() };
    map.into_iter()
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some((k, s)),
            Value::Number(n) => Some((k, n.to_string())),
            Value::Bool(b) => Some((k, b.to_string())),
            _ => None,
        })
        .collect()
}

/// A verified webhook's parameters.
struct Params(Vec<(String, String)>);

impl Params {
    /// The first non-blank value of `name`, trimmed.
    fn get(&self, name: &str) -> Option<String> {
        self.0.iter().find(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.trim().to_string())
    }

    fn number(&self, name: &str) -> Option<u32> {
        self.get(name).and_then(|v| v.parse().ok())
    }

    /// The call's SID, when it is one.
    fn call_sid(&self) -> Option<String> {
        self.get("CallSid").filter(|sid| number::is_sid(sid, "CA"))
    }

    /// An event about the call, with nothing else set but its `ErrorCode`.
    fn event(&self, kind: EventKind) -> Option<CallEvent> {
        Some(CallEvent { error_code: self.get("ErrorCode"), ..event(kind, self.call_sid()?) })
    }
}

/// 204 with the event, if any: Twilio reads nothing from the answer to a callback.
fn acknowledge(event: Option<CallEvent>) -> WebhookResponse {
    WebhookResponse { status: 204, content_type: "text/plain; charset=utf-8".to_string(), body: String::new(), event }
}

/// A status callback's event; none when it has no call SID or a status that is not one of the
/// call-status values.
fn status_event(params: &Params) -> Option<CallEvent> {
    let status = parse_status(&params.get("CallStatus")?)?;
    Some(CallEvent {
        status: Some(status),
        sequence: params.number("SequenceNumber"),
        duration_seconds: params.number("CallDuration"),
        answered_by: params.get("AnsweredBy"),
        ..params.event(EventKind::Status)?
    })
}

/// A recording status callback's event.
fn recording_event(params: &Params) -> Option<CallEvent> {
    Some(CallEvent {
        duration_seconds: params.number("RecordingDuration"),
        recording_sid: params.get("RecordingSid"),
        recording_url: params.get("RecordingUrl"),
        recording_status: params.get("RecordingStatus"),
        ..params.event(EventKind::Recording)?
    })
}

/// The instructions for a call that connected, and its `answer` event. `query` holds the
/// webhook URL's own parameters (the host's `lead_id` and `subject`).
fn voice(
    config: &Config,
    params: &Params,
    query: &Params,
    register: impl FnOnce(&ElevenLabsAgent, String) -> Result<Reply, String>,
) -> WebhookResponse {
    let event = params.event(EventKind::Answer).map(|event| CallEvent {
        status: params.get("CallStatus").and_then(|s| parse_status(&s)),
        answered_by: params.get("AnsweredBy"),
        ..event
    });
    let call_sid = params.call_sid();
    let body = match config.voice_agent() {
        VoiceAgent::Stream(url) => match &call_sid {
            Some(sid) => twiml::connect_stream(&url, &[("call_sid", sid)]),
            None => twiml::connect_stream(&url, &[]),
        },
        // An agent that cannot be reached leaves the caller with the apology, not Twilio's
        // "application error" message.
        VoiceAgent::ElevenLabs(agent) => {
            let (from, to) = (params.get("From"), params.get("To"));
            let (lead_id, subject) = (query.get("lead_id"), query.get("subject"));
            let twiml = match (&from, &to) {
                (Some(from), Some(to)) => {
                    let call = CallParams {
                        from,
                        to,
                        call_sid: call_sid.as_deref(),
                        lead_id: lead_id.as_deref(),
                        subject: subject.as_deref(),
                    };
                    let body = agent::register_call_body(&agent, &call);
                    agent::twiml_from(register(&agent, body))
                }
                _ => Err("the voice webhook carries no From and To to register the call with".to_string()),
            };
            twiml.unwrap_or_else(|_| twiml::say_and_hang_up(twiml::NO_AGENT))
        }
        VoiceAgent::None => twiml::say_and_hang_up(twiml::NO_AGENT),
    };
    WebhookResponse { status: 200, content_type: twiml::CONTENT_TYPE.to_string(), body, event }
}

/// What the callee did during a `<Gather>`: the `input` event, and the default answer, which
/// hangs up.
fn gather(params: &Params) -> WebhookResponse {
    let event = params.event(EventKind::Input).map(|event| CallEvent {
        status: params.get("CallStatus").and_then(|s| parse_status(&s)),
        input: Some(callee_input(params)),
        ..event
    });
    WebhookResponse { event, ..script::answer(&CallScript { steps: vec![Step::HangUp] }) }
}

/// The keys pressed and the words heard; blank values are none, and the confidence is clamped
/// to 0 to 1 (none when it is not a number).
fn callee_input(params: &Params) -> CalleeInput {
    let confidence =
        params.get("Confidence").and_then(|c| c.parse::<f32>().ok()).filter(|c| !c.is_nan()).map(|c| c.clamp(0.0, 1.0));
    CalleeInput { digits: params.get("Digits"), speech: params.get("SpeechResult"), confidence }
}

#[cfg(test)]
mod tests;
