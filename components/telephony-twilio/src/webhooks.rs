//! Twilio's webhooks, as the host routes them from `/webhooks/<component>/<path>`:
//!
//! - `status`: a status callback (`CallSid`, `CallStatus`, `SequenceNumber`, `CallDuration`,
//!   `AnsweredBy`, `ErrorCode`): 204, and a `status` event when the status is one of the
//!   call-status values.
//! - `recording`: a recording status callback (`CallSid`, `RecordingSid`, `RecordingUrl`,
//!   `RecordingStatus`, `RecordingDuration`, `ErrorCode`): 204 and a `recording` event.
//! - `voice`: Twilio asks what to do with a call that connected: 200 TwiML connecting it to the
//!   configured voice agent, or saying that none is available and hanging up; an `answer` event.
//!
//! Nothing is believed before the `X-Twilio-Signature` checks out: a missing or wrong signature,
//! or no auth token to check it with, is 403 without an event. An unknown path is 404.

use crate::calls::parse_status;
use crate::config::{Config, ElevenLabsAgent, VoiceAgent};
use crate::exports::switchboard::telephony::carrier::{CallEvent, EventKind, WebhookRequest, WebhookResponse};
use crate::number;
use crate::signature::{self, Signed};
use crate::twiml;
use serde_json::Value;

/// The webhooks there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Status,
    Recording,
    Voice,
}

fn text_response(status: u16, body: &str) -> WebhookResponse {
    WebhookResponse {
        status,
        content_type: "text/plain; charset=utf-8".to_string(),
        body: body.to_string(),
        event: None,
    }
}

/// The value of the header `name` (case-insensitive), the first when repeated.
fn header<'a>(request: &'a WebhookRequest, name: &str) -> Option<&'a str> {
    request.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Checks and reads a webhook. `signed_url` fetches an ElevenLabs agent's signed WebSocket URL,
/// for the `voice` webhook when such an agent is configured.
pub fn handle(
    config: &Config,
    request: &WebhookRequest,
    signed_url: impl FnOnce(&ElevenLabsAgent) -> Result<String, String>,
) -> WebhookResponse {
    let route = match request.path.trim_matches('/') {
        "status" => Route::Status,
        "recording" => Route::Recording,
        "voice" => Route::Voice,
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
    params.extend(query);
    let params = Params(params);

    match route {
        Route::Status => acknowledge(status_event(&params)),
        Route::Recording => acknowledge(recording_event(&params)),
        Route::Voice => voice(config, &params, signed_url),
    }
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

    /// An event about the call, with nothing else set.
    fn event(&self, kind: EventKind) -> Option<CallEvent> {
        Some(CallEvent {
            kind,
            call_sid: self.call_sid()?,
            status: None,
            sequence: None,
            duration_seconds: None,
            answered_by: None,
            recording_sid: None,
            recording_url: None,
            recording_status: None,
            error_code: self.get("ErrorCode"),
        })
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

/// The instructions for a call that connected, and its `answer` event.
fn voice(
    config: &Config,
    params: &Params,
    signed_url: impl FnOnce(&ElevenLabsAgent) -> Result<String, String>,
) -> WebhookResponse {
    let event = params.event(EventKind::Answer).map(|event| CallEvent {
        status: params.get("CallStatus").and_then(|s| parse_status(&s)),
        answered_by: params.get("AnsweredBy"),
        ..event
    });
    let stream_url = match config.voice_agent() {
        VoiceAgent::Stream(url) => Some(url),
        // An agent that cannot be reached leaves the caller with the apology, not Twilio's
        // "application error" message.
        VoiceAgent::ElevenLabs(agent) => signed_url(&agent).ok(),
        VoiceAgent::None => None,
    };
    let body = match (stream_url, params.call_sid()) {
        (Some(url), Some(sid)) => twiml::connect_stream(&url, &[("call_sid", &sid)]),
        (Some(url), None) => twiml::connect_stream(&url, &[]),
        (None, _) => twiml::say_and_hang_up(twiml::NO_AGENT),
    };
    WebhookResponse { status: 200, content_type: twiml::CONTENT_TYPE.to_string(), body, event }
}

/// The `signed_url` of ElevenLabs' answer, when it is a WebSocket URL.
pub fn parse_signed_url(body: &[u8]) -> Result<String, String> {
    let json: Value =
        serde_json::from_slice(body).map_err(|e| format!("ElevenLabs' signed-URL answer is not JSON: {e}"))?;
    json.get("signed_url")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|u| u.starts_with("wss://") || u.starts_with("ws://"))
        .map(str::to_string)
        .ok_or_else(|| "ElevenLabs' answer has no wss:// signed_url".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exports::switchboard::telephony::carrier::CallStatus;
    use crate::signature::{body_sha256_hex, compute};

    const TOKEN: &str = "test-auth-token";
    const SID: &str = "CA0123456789abcdef0123456789abcdef";
    const BASE: &str = "https://switchboard.example/webhooks/telephony_twilio";

    fn config(pairs: &[(&str, &str)]) -> Config {
        let mut pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        pairs.push(("auth_token".into(), TOKEN.into()));
        Config::load(|k| Ok(pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone())))
    }

    fn form_request(path: &str, form: &[(&str, &str)]) -> WebhookRequest {
        let url = format!("{BASE}/{path}");
        let mut params: Vec<(String, String)> = form.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        params.sort();
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(form.iter()).finish();
        WebhookRequest {
            headers: vec![
                ("Content-Type".into(), "application/x-www-form-urlencoded; charset=utf-8".into()),
                ("X-Twilio-Signature".into(), compute(TOKEN, &url, &params)),
            ],
            url,
            method: "POST".into(),
            path: path.into(),
            body: body.into_bytes(),
        }
    }

    fn no_agent(_: &ElevenLabsAgent) -> Result<String, String> {
        panic!("no ElevenLabs call expected")
    }

    fn status_form(status: &str) -> Vec<(&str, &str)> {
        vec![
            ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
            ("CallSid", SID),
            ("CallStatus", status),
            ("SequenceNumber", "3"),
            ("CallDuration", "42"),
            ("AnsweredBy", "human"),
            ("To", "+13035550123"),
        ]
    }

    #[test]
    fn status_callbacks() {
        let r = handle(&config(&[]), &form_request("status", &status_form("completed")), no_agent);
        assert_eq!((r.status, r.body.as_str()), (204, ""));
        let e = r.event.expect("an event");
        assert_eq!((e.kind, e.call_sid.as_str(), e.status), (EventKind::Status, SID, Some(CallStatus::Completed)));
        assert_eq!((e.sequence, e.duration_seconds, e.answered_by.as_deref()), (Some(3), Some(42), Some("human")));
        let mut form = status_form("failed");
        form.push(("ErrorCode", "31005"));
        let e = handle(&config(&[]), &form_request("/status/", &form), no_agent).event.unwrap();
        assert_eq!((e.status, e.error_code.as_deref()), (Some(CallStatus::Failed), Some("31005")));
        // An unknown status: genuine, acknowledged, no event.
        let r = handle(&config(&[]), &form_request("status", &status_form("answered")), no_agent);
        assert_eq!((r.status, r.event), (204, None));
    }

    #[test]
    fn bad_signatures_are_refused() {
        let good = form_request("status", &status_form("ringing"));
        let mut missing = good.clone();
        missing.headers.retain(|(k, _)| k != "X-Twilio-Signature");
        let r = handle(&config(&[]), &missing, no_agent);
        assert_eq!((r.status, r.event.is_none()), (403, true));
        assert!(!r.body.is_empty() && r.body.len() < 80);
        let mut tampered = good.clone();
        tampered.body = String::from_utf8(tampered.body).unwrap().replace("ringing", "completed").into_bytes();
        assert_eq!(handle(&config(&[]), &tampered, no_agent).status, 403);
        let wrong_token = Config::load(|k| Ok((k == "auth_token").then(|| "other".to_string())));
        assert_eq!(handle(&wrong_token, &good, no_agent).status, 403);
        let no_token = Config::load(|_| Ok(None));
        let r = handle(&no_token, &good, no_agent);
        assert_eq!((r.status, r.event), (403, None));
        // Header names are case-insensitive.
        let mut lower = good.clone();
        lower.headers = lower.headers.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect();
        assert_eq!(handle(&config(&[]), &lower, no_agent).status, 204);
    }

    #[test]
    fn unknown_paths_and_methods() {
        let mut r = form_request("status", &status_form("ringing"));
        r.path = "other".into();
        assert_eq!(handle(&config(&[]), &r, no_agent).status, 404);
        r.path = "".into();
        assert_eq!(handle(&config(&[]), &r, no_agent).status, 404);
        r.path = "status".into();
        r.method = "PUT".into();
        assert_eq!(handle(&config(&[]), &r, no_agent).status, 405);
    }

    #[test]
    fn get_webhooks_read_the_query() {
        let url = format!("{BASE}/status?CallSid={SID}&CallStatus=in-progress&SequenceNumber=1");
        let request = WebhookRequest {
            headers: vec![("x-twilio-signature".into(), compute(TOKEN, &url, &[]))],
            url,
            method: "GET".into(),
            path: "status".into(),
            body: Vec::new(),
        };
        let e = handle(&config(&[]), &request, no_agent).event.expect("an event");
        assert_eq!((e.status, e.sequence), (Some(CallStatus::InProgress), Some(1)));
        let mut tampered = request.clone();
        tampered.url = tampered.url.replace("in-progress", "completed");
        assert_eq!(handle(&config(&[]), &tampered, no_agent).status, 403);
    }

    #[test]
    fn json_webhooks_check_the_body_hash() {
        let body = format!(r#"{{"CallSid":"{SID}","CallStatus":"busy"}}"#).into_bytes();
        let url = format!("{BASE}/status?bodySHA256={}", body_sha256_hex(&body));
        let request = WebhookRequest {
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("X-Twilio-Signature".into(), compute(TOKEN, &url, &[])),
            ],
            url,
            method: "POST".into(),
            path: "status".into(),
            body,
        };
        let e = handle(&config(&[]), &request, no_agent).event.expect("an event");
        assert_eq!(e.status, Some(CallStatus::Busy));
        let mut tampered = request.clone();
        tampered.body = String::from_utf8(tampered.body).unwrap().replace("busy", "failed").into_bytes();
        assert_eq!(handle(&config(&[]), &tampered, no_agent).status, 403);
    }

    #[test]
    fn recording_callbacks() {
        let form = [
            ("CallSid", SID),
            ("RecordingSid", "RE0123456789abcdef0123456789abcdef"),
            ("RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"),
            ("RecordingStatus", "completed"),
            ("RecordingDuration", "17"),
        ];
        let r = handle(&config(&[]), &form_request("recording", &form), no_agent);
        let e = r.event.expect("an event");
        assert_eq!((r.status, e.kind, e.status), (204, EventKind::Recording, None));
        assert_eq!(e.recording_sid.as_deref(), Some("RE0123456789abcdef0123456789abcdef"));
        assert_eq!((e.recording_status.as_deref(), e.duration_seconds), (Some("completed"), Some(17)));
        assert!(e.recording_url.is_some_and(|u| u.ends_with("/RE1")));
    }

    fn voice_form() -> Vec<(&'static str, &'static str)> {
        vec![("CallSid", SID), ("CallStatus", "in-progress"), ("Direction", "outbound-api")]
    }

    #[test]
    fn voice_connects_the_configured_stream() {
        let c = config(&[("voice_stream_url", "wss://agent.example/media?x=1&y=2")]);
        let r = handle(&c, &form_request("voice", &voice_form()), no_agent);
        assert_eq!((r.status, r.content_type.as_str()), (200, "text/xml"));
        assert_eq!(
            r.body,
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://agent.example/media?x=1&amp;y=2"><Parameter name="call_sid" value="{SID}"/></Stream></Connect></Response>"#
            )
        );
        let e = r.event.expect("an event");
        assert_eq!((e.kind, e.status), (EventKind::Answer, Some(CallStatus::InProgress)));
    }

    #[test]
    fn voice_asks_elevenlabs_for_a_signed_url() {
        let c = config(&[("elevenlabs_agent_id", "agent_123"), ("elevenlabs_api_key", "sk_x")]);
        let mut asked = None;
        let r = handle(&c, &form_request("voice", &voice_form()), |agent| {
            asked = Some(agent.agent_id.clone());
            Ok("wss://api.elevenlabs.io/v1/convai/conversation?agent_id=agent_123&conversation_signature=s".into())
        });
        assert_eq!(asked.as_deref(), Some("agent_123"));
        assert!(r.body.contains(r#"<Stream url="wss://api.elevenlabs.io/v1/convai/conversation?agent_id=agent_123&amp;conversation_signature=s">"#));
        // ElevenLabs failing: the apology, still 200 with the event.
        let r = handle(&c, &form_request("voice", &voice_form()), |_| Err("down".into()));
        assert!(r.body.contains("<Say>") && r.body.ends_with("<Hangup/></Response>"));
        assert_eq!((r.status, r.event.map(|e| e.kind)), (200, Some(EventKind::Answer)));
    }

    #[test]
    fn voice_without_an_agent_hangs_up() {
        let r = handle(&config(&[]), &form_request("voice", &voice_form()), no_agent);
        assert_eq!(r.status, 200);
        assert_eq!(
            r.body,
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say>{}</Say><Hangup/></Response>"#,
                twiml::NO_AGENT
            )
        );
        assert!(r.event.is_some());
        // A bad signature gets no TwiML.
        let mut bad = form_request("voice", &voice_form());
        bad.headers[1].1 = "AAAA".into();
        let r = handle(&config(&[]), &bad, no_agent);
        assert_eq!((r.status, r.event), (403, None));
    }

    #[test]
    fn signed_url_answers() {
        assert_eq!(parse_signed_url(br#"{"signed_url":"wss://x/y?s=1"}"#).as_deref(), Ok("wss://x/y?s=1"));
        assert!(parse_signed_url(br#"{"signed_url":"https://x"}"#).is_err());
        assert!(parse_signed_url(b"nope").is_err());
    }
}
