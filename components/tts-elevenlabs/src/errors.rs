//! What went wrong talking to ElevenLabs, one error type for speech, voices and agents, and
//! how an ElevenLabs answer maps to it.
//!
//! ElevenLabs answers errors as JSON: a validation error (422) as
//! `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`, every other one as
//! `{"detail": {"status": "<code>", "message": "..."}}`. The `status` code says more than the
//! HTTP status (a 401 may mean an exhausted quota), so it is consulted first.

use crate::exports::switchboard::tts_elevenlabs::agents::{AgentError, RateLimit as AgentRateLimit};
use crate::switchboard::tts::types::{RateLimit, TtsError};
use serde_json::Value;

/// The kind of failure, shared by every operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    InvalidRequest,
    Unauthorized,
    QuotaExceeded,
    RateLimited,
    /// No such voice (speech, voices) or agent (agents).
    NotFound,
    Unavailable,
    Internal,
}

/// An error with a message fit for the agent: never the API key, never request headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub kind: Kind,
    pub message: String,
    /// For [`Kind::RateLimited`]: how long ElevenLabs asked to wait.
    pub retry_after_ms: Option<u32>,
}

/// The longest piece of an answer body quoted in a message.
const QUOTE_LIMIT: usize = 300;

impl ApiError {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), retry_after_ms: None }
    }

    /// Builds the error for a non-success answer: its HTTP status, its `Retry-After` header and
    /// its body. `not_found` is what to say for a 404 that explains nothing itself.
    pub fn from_response(status: u16, retry_after: Option<&str>, body: &[u8], not_found: &str) -> Self {
        let detail = Detail::parse(body);
        let code = detail.code.as_deref();
        let kind = match (code, status) {
            (Some("quota_exceeded"), _) => Kind::QuotaExceeded,
            (Some("voice_not_found" | "agent_not_found" | "not_found"), _) | (_, 404) => Kind::NotFound,
            (Some("too_many_concurrent_requests" | "system_busy" | "rate_limit_exceeded"), _) | (_, 429) => {
                Kind::RateLimited
            }
            (Some("invalid_api_key" | "needs_authorization" | "missing_permissions"), _) | (_, 401 | 403) => {
                Kind::Unauthorized
            }
            (_, 400 | 413 | 422) => Kind::InvalidRequest,
            (_, 500..=599) => Kind::Unavailable,
            _ => Kind::Internal,
        };
        let said = match (&detail.message, kind) {
            (Some(m), _) => m.clone(),
            (None, Kind::NotFound) => not_found.to_string(),
            (None, _) => String::new(),
        };
        let mut message = format!("ElevenLabs answered {status}");
        if let Some(code) = code {
            message.push(' ');
            message.push_str(&clean(code));
        }
        if !said.is_empty() {
            message.push_str(": ");
            message.push_str(&said);
        }
        let retry_after_ms =
            (kind == Kind::RateLimited).then(|| retry_after.and_then(guest_kit::retry::retry_after_ms)).flatten();
        Self { kind, message, retry_after_ms }
    }

    /// Removes every occurrence of `secret` from the message: a last line of defence should a
    /// server ever echo the key back. Keys shorter than 4 characters are left alone (they would
    /// mangle ordinary words and protect nothing).
    pub fn redact(mut self, secret: &str) -> Self {
        if secret.chars().count() >= 4 && self.message.contains(secret) {
            self.message = self.message.replace(secret, "[redacted]");
        }
        self
    }

    /// Refers to the voice when a speech request finds nothing.
    pub fn into_tts(self) -> TtsError {
        let m = self.message;
        match self.kind {
            Kind::InvalidRequest => TtsError::InvalidRequest(m),
            Kind::Unauthorized => TtsError::Unauthorized(m),
            Kind::QuotaExceeded => TtsError::QuotaExceeded(m),
            Kind::RateLimited => TtsError::RateLimited(RateLimit { message: m, retry_after_ms: self.retry_after_ms }),
            Kind::NotFound => TtsError::VoiceNotFound(m),
            Kind::Unavailable => TtsError::Unavailable(m),
            Kind::Internal => TtsError::Internal(m),
        }
    }

    pub fn into_agent(self) -> AgentError {
        let m = self.message;
        match self.kind {
            Kind::InvalidRequest => AgentError::InvalidRequest(m),
            Kind::Unauthorized => AgentError::Unauthorized(m),
            Kind::QuotaExceeded => AgentError::QuotaExceeded(m),
            Kind::RateLimited => {
                AgentError::RateLimited(AgentRateLimit { message: m, retry_after_ms: self.retry_after_ms })
            }
            Kind::NotFound => AgentError::NotFound(m),
            Kind::Unavailable => AgentError::Unavailable(m),
            Kind::Internal => AgentError::Internal(m),
        }
    }
}

/// What an error body said.
#[derive(Debug, Default, PartialEq, Eq)]
struct Detail {
    /// `detail.status`, e.g. `quota_exceeded`.
    code: Option<String>,
    message: Option<String>,
}

impl Detail {
    fn parse(body: &[u8]) -> Self {
        let Ok(json) = serde_json::from_slice::<Value>(body) else {
            // Not JSON (a proxy's HTML page, say): quote the start of it.
            let text = clean(&String::from_utf8_lossy(body));
            return Self { code: None, message: (!text.is_empty()).then_some(text) };
        };
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(clean).filter(|s| !s.is_empty());
        match json.get("detail") {
            Some(Value::Object(d)) => Self { code: text(d.get("status")), message: text(d.get("message")) },
            Some(Value::Array(items)) => Self { code: None, message: Some(validation_message(items)) },
            Some(Value::String(s)) => Self { code: None, message: Some(clean(s)) },
            _ => Self { code: None, message: text(json.get("message")).or_else(|| text(json.get("error"))) },
        }
    }
}

/// Joins FastAPI-style validation items into `loc: msg; loc: msg`, e.g.
/// `body.voice_settings.stability: Input should be less than or equal to 1`.
fn validation_message(items: &[Value]) -> String {
    let parts: Vec<String> = items
        .iter()
        .take(10)
        .map(|item| {
            let loc = item
                .get("loc")
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .map(|p| match p {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default();
            let msg = item.get("msg").and_then(Value::as_str).unwrap_or("invalid");
            if loc.is_empty() { clean(msg) } else { format!("{}: {}", clean(&loc), clean(msg)) }
        })
        .collect();
    if parts.is_empty() { "the request was refused as invalid".to_string() } else { parts.join("; ") }
}

/// One line, printable, at most [`QUOTE_LIMIT`] characters.
fn clean(text: &str) -> String {
    guest_kit::text::clean(text, QUOTE_LIMIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(status: u16, body: &str) -> ApiError {
        ApiError::from_response(status, None, body.as_bytes(), "no voice `x`")
    }

    #[test]
    fn statuses_and_codes_map_to_kinds() {
        let e = error(401, r#"{"detail":{"status":"invalid_api_key","message":"Invalid API key"}}"#);
        assert_eq!(e.kind, Kind::Unauthorized);
        assert_eq!(e.message, "ElevenLabs answered 401 invalid_api_key: Invalid API key");
        let e = error(401, r#"{"detail":{"status":"quota_exceeded","message":"You have 3 credits left"}}"#);
        assert_eq!((e.kind, e.message.contains("3 credits")), (Kind::QuotaExceeded, true));
        assert_eq!(error(404, "").kind, Kind::NotFound);
        assert!(error(404, "").message.ends_with("no voice `x`"));
        let e = error(400, r#"{"detail":{"status":"voice_not_found","message":"A voice with id x was not found"}}"#);
        assert_eq!(e.kind, Kind::NotFound);
        assert_eq!(error(400, r#"{"detail":{"status":"max_character_limit_exceeded"}}"#).kind, Kind::InvalidRequest);
        assert_eq!(error(403, r#"{"detail":{"status":"only_for_creator+"}}"#).kind, Kind::Unauthorized);
        assert_eq!(error(500, "oops").kind, Kind::Unavailable);
        assert_eq!(error(503, "").kind, Kind::Unavailable);
        assert_eq!(error(418, "").kind, Kind::Internal);
        assert_eq!(error(302, "").kind, Kind::Internal);
    }

    #[test]
    fn validation_errors_name_the_field() {
        let body = r#"{"detail":[{"loc":["body","voice_settings","stability"],"msg":"Input should be less than or equal to 1","type":"less_than_equal"},{"loc":["query","output_format"],"msg":"bad","type":"enum"}]}"#;
        let e = error(422, body);
        assert_eq!(e.kind, Kind::InvalidRequest);
        assert_eq!(
            e.message,
            "ElevenLabs answered 422: body.voice_settings.stability: Input should be less than or equal to 1; \
             query.output_format: bad"
        );
        assert!(error(422, r#"{"detail":[]}"#).message.contains("refused as invalid"));
        assert!(error(422, r#"{"detail":[{"loc":[1,"x"],"msg":"m"}]}"#).message.ends_with("1.x: m"));
    }

    #[test]
    fn rate_limits_carry_retry_after() {
        let body = br#"{"detail":{"status":"too_many_concurrent_requests","message":"slow down"}}"#;
        let e = ApiError::from_response(429, Some("2"), body, "");
        assert_eq!((e.kind, e.retry_after_ms), (Kind::RateLimited, Some(2000)));
        let e = ApiError::from_response(429, Some("0.25"), body, "");
        assert_eq!(e.retry_after_ms, Some(250));
        let e = ApiError::from_response(429, Some("Wed, 21 Oct 2015 07:28:00 GMT"), body, "");
        assert_eq!(e.retry_after_ms, Some(0), "a date in the past");
        let e = ApiError::from_response(429, Some("-1"), body, "");
        assert_eq!(e.retry_after_ms, None);
        let e = ApiError::from_response(503, Some("5"), b"", "");
        assert_eq!((e.kind, e.retry_after_ms), (Kind::Unavailable, None));
        let e = ApiError::from_response(200, None, br#"{"detail":{"status":"system_busy"}}"#, "");
        assert_eq!(e.kind, Kind::RateLimited);
        assert!(matches!(e.into_tts(), TtsError::RateLimited(r) if r.retry_after_ms.is_none()));
    }

    #[test]
    fn odd_bodies_are_quoted_safely() {
        let long = "x\n".repeat(1000);
        let e = error(502, &long);
        assert!(e.message.len() < 400 && !e.message.contains('\n'), "{}", e.message);
        assert_eq!(error(500, r#"{"detail":"boom"}"#).message, "ElevenLabs answered 500: boom");
        assert_eq!(error(500, r#"{"message":"m"}"#).message, "ElevenLabs answered 500: m");
        assert_eq!(error(500, "[1,2]").message, "ElevenLabs answered 500");
        assert_eq!(error(500, "\u{0}\u{1}").message, "ElevenLabs answered 500");
    }

    #[test]
    fn redaction_and_conversion() {
        let e = error(401, r#"{"detail":{"message":"key sk_12345678 is wrong"}}"#).redact("sk_12345678");
        assert!(e.message.contains("key [redacted] is wrong"));
        assert_eq!(error(400, r#"{"detail":"a b c"}"#).redact("a").message, "ElevenLabs answered 400: a b c");
        assert!(matches!(error(404, "").into_tts(), TtsError::VoiceNotFound(_)));
        assert!(matches!(error(404, "").into_agent(), AgentError::NotFound(_)));
        let e = ApiError::from_response(429, Some("1"), b"", "");
        assert!(matches!(e.into_agent(), AgentError::RateLimited(r) if r.retry_after_ms == Some(1000)));
        assert!(matches!(error(422, "").into_agent(), AgentError::InvalidRequest(_)));
    }
}
