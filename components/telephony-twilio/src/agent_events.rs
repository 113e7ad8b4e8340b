//! ElevenLabs' post-call webhook (the `agent-events` path): what the agent's conversation on a
//! call was, once it ended.
//!
//! It is ElevenLabs', not Twilio's: `ElevenLabs-Signature: t=<unix seconds>,v0=<hex>` where the
//! hex is HMAC-SHA256, keyed by the webhook secret (`elevenlabs_webhook_secret`), of
//! `"<t>.<raw body>"`. The parts may come in any order and `v0` more than once (any may match);
//! the comparison is constant-time, over the raw bytes. A timestamp more than 30 minutes old or
//! more than 5 minutes ahead of the component's clock is refused, as ElevenLabs' SDKs do.
//!
//! - Refused (no secret configured, no or a malformed header, a wrong signature, a stale
//!   timestamp): 401, a short text, no event.
//! - Signed but not JSON: 400, no event.
//! - `post_call_transcription`: 200 and a `conversation` event, for the Twilio call whose
//!   `CallSid` the conversation carries (the dynamic variable `call_id` the `voice` webhook
//!   passed, else the phone call's `call_sid`); without one, 200 and no event.
//! - Any other type (`post_call_audio`, `call_initiation_failure`, ...): 200, no event.

use crate::config::Config;
use crate::exports::switchboard::telephony::carrier::{
    CallEvent, Conversation, EventKind, Turn, WebhookRequest, WebhookResponse,
};
use crate::number;
use crate::webhooks::{event, header, text_response};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The header ElevenLabs signs its webhooks in.
pub const SIGNATURE_HEADER: &str = "ElevenLabs-Signature";
/// How old a signature's timestamp may be, and how far ahead of the clock, in seconds.
pub const MAX_AGE_SECS: u64 = 30 * 60;
pub const MAX_AHEAD_SECS: u64 = 5 * 60;

/// Why a post-call webhook is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NoSecret,
    Missing,
    Malformed,
    Mismatch,
    TooOld,
    InTheFuture,
}

impl Refusal {
    /// The short text of the 401 answer.
    pub fn reason(self) -> &'static str {
        match self {
            Self::NoSecret => {
                "ElevenLabs webhook signatures cannot be checked: no elevenlabs_webhook_secret configured"
            }
            Self::Missing => "missing ElevenLabs-Signature",
            Self::Malformed => "malformed ElevenLabs-Signature: expected t=<unix seconds>,v0=<hex>",
            Self::Mismatch => "invalid ElevenLabs-Signature",
            Self::TooOld => "ElevenLabs-Signature timestamp is more than 30 minutes old",
            Self::InTheFuture => "ElevenLabs-Signature timestamp is in the future",
        }
    }
}

/// The lowercase hex HMAC-SHA256, keyed by `secret`, of `"<timestamp>.<body>"`.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        unreachable!("HMAC takes a key of any length");
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks the `ElevenLabs-Signature` header of a body at `now` (unix seconds).
pub fn verify(secret: Option<&str>, header: Option<&str>, body: &[u8], now: u64) -> Result<(), Refusal> {
    let secret = secret.ok_or(Refusal::NoSecret)?;
    let header = header.map(str::trim).filter(|h| !h.is_empty()).ok_or(Refusal::Missing)?;
    let mut timestamp: Option<&str> = None;
    let mut signatures = Vec::new();
    for part in header.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').ok_or(Refusal::Malformed)?;
        let value = value.trim();
        match key.trim() {
            "t" => {
                if timestamp.is_some_and(|t| t != value) {
                    return Err(Refusal::Malformed);
                }
                timestamp = Some(value);
            }
            "v0" => signatures.push(value),
            // Other schemes, should ElevenLabs add some.
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(Refusal::Malformed)?;
    if signatures.is_empty() || timestamp.is_empty() || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::Malformed);
    }
    let at: u64 = timestamp.parse().map_err(|_| Refusal::Malformed)?;
    if at > now.saturating_add(MAX_AHEAD_SECS) {
        return Err(Refusal::InTheFuture);
    }
    if now.saturating_sub(at) > MAX_AGE_SECS {
        return Err(Refusal::TooOld);
    }
    let expected = sign(secret, timestamp, body);
    let mut valid = false;
    for claimed in signatures {
        valid |= bool::from(expected.as_bytes().ct_eq(claimed.to_ascii_lowercase().as_bytes()));
    }
    if valid { Ok(()) } else { Err(Refusal::Mismatch) }
}

/// Just the type of a webhook: the rest (the audio of `post_call_audio` can be megabytes of
/// base64) is skipped, not held.
#[derive(Deserialize)]
struct Head {
    #[serde(rename = "type", default)]
    kind: Option<String>,
}

fn ok(body: &str) -> WebhookResponse {
    text_response(200, body)
}

/// Checks and reads an `agent-events` request (a POST) at `now` (unix seconds).
pub fn handle(config: &Config, request: &WebhookRequest, now: u64) -> WebhookResponse {
    let claimed = header(request, SIGNATURE_HEADER);
    if let Err(refusal) = verify(config.elevenlabs_webhook_secret(), claimed, &request.body, now) {
        return text_response(401, refusal.reason());
    }
    let Ok(head) = serde_json::from_slice::<Head>(&request.body) else {
        return text_response(400, "the body is not a JSON object");
    };
    match head.kind.as_deref().map(str::trim) {
        Some("post_call_transcription") => {}
        Some(kind) => return ok(&format!("received; a `{kind}` webhook gives no event")),
        None => return ok("received; a webhook without a type gives no event"),
    }
    let Ok(payload) = serde_json::from_slice::<Value>(&request.body) else {
        return text_response(400, "the body is not JSON");
    };
    match conversation_event(&payload) {
        Some(event) => WebhookResponse { event: Some(event), ..ok("received") },
        None => ok("received; the conversation carries no Twilio CallSid, so no event"),
    }
}

/// The `conversation` event of a `post_call_transcription` payload; none without a Twilio
/// `CallSid` (`CA` and 32 hex digits) to attach it to.
pub fn conversation_event(payload: &Value) -> Option<CallEvent> {
    let data = payload.get("data")?;
    let call_sid = [
        "/conversation_initiation_client_data/dynamic_variables/call_id",
        "/metadata/phone_call/call_sid",
        "/conversation_initiation_client_data/dynamic_variables/system__call_sid",
    ]
    .iter()
    .filter_map(|pointer| text(data, pointer))
    .find(|sid| number::is_sid(sid, "CA"))?;

    let transcript = data
        .get("transcript")
        .and_then(Value::as_array)
        .map(|turns| {
            turns
                .iter()
                .filter_map(|turn| {
                    Some(Turn {
                        role: text(turn, "/role").unwrap_or_default(),
                        message: text(turn, "/message")?,
                        at_seconds: seconds(turn.get("time_in_call_secs")),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let conversation = Conversation {
        id: text(data, "/conversation_id").unwrap_or_default(),
        agent_id: text(data, "/agent_id").unwrap_or_default(),
        transcript,
        summary: text(data, "/analysis/transcript_summary"),
        call_successful: text(data, "/analysis/call_successful"),
        duration_seconds: seconds(data.pointer("/metadata/call_duration_secs")),
    };
    Some(CallEvent { conversation: Some(conversation), ..event(EventKind::Conversation, call_sid) })
}

/// A non-blank string at `pointer`, trimmed.
fn text(value: &Value, pointer: &str) -> Option<String> {
    value.pointer(pointer).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Whole seconds from a non-negative number (a fraction is dropped).
fn seconds(value: Option<&Value>) -> Option<u32> {
    let value = value?;
    if let Some(n) = value.as_u64() {
        return u32::try_from(n).ok();
    }
    let f = value.as_f64()?;
    // In range, the cast truncates as intended.
    (f.is_finite() && (0.0..=f64::from(u32::MAX)).contains(&f)).then_some(f as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wsec_0123456789abcdef";
    const NOW: u64 = 1_760_000_000;
    const SID: &str = "CA0123456789abcdef0123456789abcdef";

    fn header_for(secret: &str, t: u64, body: &[u8]) -> String {
        format!("t={t},v0={}", sign(secret, &t.to_string(), body))
    }

    #[test]
    fn hmac_sha256_as_documented() {
        // python3: hmac.new(b"wsec_0123456789abcdef", b"1760000000.{}", hashlib.sha256).hexdigest()
        assert_eq!(
            sign(SECRET, "1760000000", b"{}"),
            "ea36ca465cd543638937658c6fd70bd2e4596ff3fa9ff92351fce5e11e651e2b"
        );
    }

    #[test]
    fn good_signatures() {
        let body = br#"{"type":"post_call_audio"}"#;
        let good = header_for(SECRET, NOW, body);
        assert_eq!(verify(Some(SECRET), Some(&good), body, NOW), Ok(()));
        // In any order, with spaces, an unknown part, several v0 (any may match), uppercase hex.
        let hex = sign(SECRET, &NOW.to_string(), body);
        let shuffled = format!("v0=deadbeef, v1=x ,v0={} ,t={NOW}", hex.to_ascii_uppercase());
        assert_eq!(verify(Some(SECRET), Some(&shuffled), body, NOW), Ok(()));
        // At the edges of the window.
        for t in [NOW - MAX_AGE_SECS, NOW + MAX_AHEAD_SECS] {
            assert_eq!(verify(Some(SECRET), Some(&header_for(SECRET, t, body)), body, NOW), Ok(()));
        }
    }

    #[test]
    fn bad_signatures() {
        let body = br#"{"type":"post_call_transcription"}"#;
        let good = header_for(SECRET, NOW, body);
        let check = |secret: Option<&str>, header: Option<&str>, body: &[u8]| verify(secret, header, body, NOW);
        assert_eq!(check(Some("wsec_other"), Some(&good), body), Err(Refusal::Mismatch));
        assert_eq!(check(Some(SECRET), Some(&good), br#"{"type":"post_call_transcriptioN"}"#), Err(Refusal::Mismatch));
        assert_eq!(check(None, Some(&good), body), Err(Refusal::NoSecret));
        assert_eq!(check(Some(SECRET), None, body), Err(Refusal::Missing));
        assert_eq!(check(Some(SECRET), Some("  "), body), Err(Refusal::Missing));
        let old = header_for(SECRET, NOW - MAX_AGE_SECS - 1, body);
        assert_eq!(check(Some(SECRET), Some(&old), body), Err(Refusal::TooOld));
        let future = header_for(SECRET, NOW + MAX_AHEAD_SECS + 1, body);
        assert_eq!(check(Some(SECRET), Some(&future), body), Err(Refusal::InTheFuture));
        let hex = sign(SECRET, &NOW.to_string(), body);
        for malformed in [
            "garbage".to_string(),
            format!("v0={hex}"),
            format!("t={NOW}"),
            format!("t=,v0={hex}"),
            format!("t=-{NOW},v0={hex}"),
            format!("t={NOW}.5,v0={hex}"),
            format!("t=99999999999999999999999,v0={hex}"),
            format!("t={NOW},t={},v0={hex}", NOW + 1),
            format!("t={NOW};v0={hex}"),
        ] {
            assert_eq!(check(Some(SECRET), Some(&malformed), body), Err(Refusal::Malformed), "{malformed}");
        }
        // The signature covers the timestamp: moving it breaks the signature.
        let moved = format!("t={},v0={hex}", NOW - 10);
        assert_eq!(check(Some(SECRET), Some(&moved), body), Err(Refusal::Mismatch));
        assert_eq!(check(Some(SECRET), Some(&format!("t={NOW},v0=")), body), Err(Refusal::Mismatch));
    }

    /// A post-call transcription as ElevenLabs sends it (trimmed of fields not read).
    fn transcription(call_id: Option<&str>, phone_call_sid: Option<&str>) -> Value {
        let mut dynamic = serde_json::json!({"lead_id": "lead-42", "system__agent_id": "agent_01jz"});
        if let Some(id) = call_id {
            dynamic["call_id"] = id.into();
        }
        let mut phone_call = serde_json::json!({
            "direction": "outbound", "phone_number_id": "pn_1", "agent_number": "+12125551234",
            "external_number": "+13035550123", "type": "twilio", "stream_sid": "MZ1"
        });
        if let Some(sid) = phone_call_sid {
            phone_call["call_sid"] = sid.into();
        }
        serde_json::json!({
            "type": "post_call_transcription",
            "event_timestamp": 1_760_000_000,
            "data": {
                "agent_id": "agent_01jz",
                "conversation_id": "conv_01jzq",
                "status": "done",
                "transcript": [
                    {"role": "agent", "message": "Hi, this is Sunny Solar. Is now a good time?", "tool_calls": null,
                     "tool_results": null, "feedback": null, "time_in_call_secs": 0, "conversation_turn_metrics": null},
                    {"role": "user", "message": "Sure, go ahead.", "time_in_call_secs": 4},
                    {"role": "agent", "message": null, "tool_calls": [{"tool_name": "end_call"}], "time_in_call_secs": 9},
                    {"role": "agent", "message": "  ", "time_in_call_secs": 10},
                    {"role": "agent", "message": "Thanks, goodbye.", "time_in_call_secs": 12.6}
                ],
                "metadata": {
                    "start_time_unix_secs": 1_759_999_970, "call_duration_secs": 22, "cost": 296,
                    "termination_reason": "end_call tool was called", "phone_call": phone_call
                },
                "analysis": {
                    "evaluation_criteria_results": {}, "data_collection_results": {},
                    "call_successful": "success", "transcript_summary": "The lead agreed to a follow-up."
                },
                "conversation_initiation_client_data": {
                    "conversation_config_override": {"agent": {"prompt": null}}, "custom_llm_extra_body": {},
                    "dynamic_variables": dynamic
                }
            }
        })
    }

    #[test]
    fn post_call_transcriptions() {
        let e = conversation_event(&transcription(Some(SID), None)).expect("an event");
        assert_eq!((e.kind, e.call_sid.as_str(), e.status, e.input), (EventKind::Conversation, SID, None, None));
        let c = e.conversation.expect("a conversation");
        assert_eq!((c.id.as_str(), c.agent_id.as_str()), ("conv_01jzq", "agent_01jz"));
        let turns: Vec<(&str, &str, Option<u32>)> =
            c.transcript.iter().map(|t| (t.role.as_str(), t.message.as_str(), t.at_seconds)).collect();
        assert_eq!(
            turns,
            [
                ("agent", "Hi, this is Sunny Solar. Is now a good time?", Some(0)),
                ("user", "Sure, go ahead.", Some(4)),
                ("agent", "Thanks, goodbye.", Some(12)),
            ]
        );
        assert_eq!(c.summary.as_deref(), Some("The lead agreed to a follow-up."));
        assert_eq!((c.call_successful.as_deref(), c.duration_seconds), (Some("success"), Some(22)));
        // The phone call's CallSid when the dynamic variable is missing or not a CallSid.
        let other = "CAffffffffffffffffffffffffffffffff";
        assert_eq!(conversation_event(&transcription(None, Some(other))).map(|e| e.call_sid).as_deref(), Some(other));
        let e = conversation_event(&transcription(Some("lead-42"), Some(other)));
        assert_eq!(e.map(|e| e.call_sid).as_deref(), Some(other));
        // No CallSid anywhere: no event.
        assert_eq!(conversation_event(&transcription(None, None)), None);
        assert_eq!(conversation_event(&transcription(Some("CA123"), Some("not-a-sid"))), None);
        assert_eq!(conversation_event(&serde_json::json!({"type": "post_call_transcription"})), None);
    }

    #[test]
    fn sparse_conversations() {
        let payload = serde_json::json!({"type": "post_call_transcription", "data": {
            "conversation_id": "c1", "agent_id": "a1", "transcript": null, "analysis": null,
            "metadata": {"phone_call": {"call_sid": SID}, "call_duration_secs": -3}
        }});
        let c = conversation_event(&payload).and_then(|e| e.conversation).expect("a conversation");
        assert_eq!((c.transcript.len(), c.summary, c.call_successful, c.duration_seconds), (0, None, None, None));
    }
}
