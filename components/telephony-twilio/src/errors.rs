//! How a Twilio error answer maps to a `carrier-error`.
//!
//! Twilio answers errors as JSON:
//! `{"code": 21211, "message": "...", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`.
//! Its code is consulted before the HTTP status: 20003 is an authentication failure, 20404 a
//! missing resource and 20429 too many requests, whatever status carried them.

use crate::exports::switchboard::telephony::carrier::{ApiError, CarrierError};
use serde_json::Value;

/// The longest piece of an answer quoted in a message.
const QUOTE_LIMIT: usize = 300;

/// Twilio's codes that decide the kind of error.
const CODE_UNAUTHORIZED: u32 = 20003;
const CODE_NOT_FOUND: u32 = 20404;
const CODE_TOO_MANY_REQUESTS: u32 = 20429;

/// What an error answer said.
#[derive(Debug, Default, PartialEq, Eq)]
struct Said {
    code: Option<u32>,
    message: Option<String>,
    more_info: Option<String>,
}

impl Said {
    fn parse(body: &[u8]) -> Self {
        let Ok(json) = serde_json::from_slice::<Value>(body) else {
            // Not JSON (a proxy's HTML page, say): quote the start of it.
            let text = clean(&String::from_utf8_lossy(body));
            return Self { message: (!text.is_empty()).then_some(text), ..Self::default() };
        };
        let text = |key: &str| json.get(key).and_then(Value::as_str).map(clean).filter(|s| !s.is_empty());
        let code = match json.get("code") {
            Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        Self { code, message: text("message"), more_info: text("more_info") }
    }
}

/// The error for a non-success answer: its HTTP status, its `Retry-After` header and its body.
/// `not_found` is what to say for a 404 that explains nothing itself.
pub fn from_response(status: u16, retry_after: Option<&str>, body: &[u8], not_found: &str) -> CarrierError {
    let said = Said::parse(body);
    let summary = || {
        let mut m = format!("Twilio answered {status}");
        if let Some(code) = said.code {
            m.push_str(&format!(" (error {code})"));
        }
        if let Some(message) = &said.message {
            m.push_str(": ");
            m.push_str(message);
        }
        m
    };
    match (said.code, status) {
        (Some(CODE_UNAUTHORIZED), _) | (_, 401 | 403) => CarrierError::Unauthorized(summary()),
        (Some(CODE_NOT_FOUND), _) | (_, 404) => {
            CarrierError::NotFound(if said.message.is_some() { summary() } else { not_found.to_string() })
        }
        (Some(CODE_TOO_MANY_REQUESTS), _) | (_, 429) => {
            CarrierError::RateLimited(retry_after.and_then(guest_kit::retry::retry_after_secs))
        }
        (_, 400..=499) => CarrierError::Rejected(ApiError {
            status,
            code: said.code,
            message: said.message.clone().unwrap_or_else(|| format!("Twilio refused the request ({status})")),
            more_info: said.more_info.clone(),
        }),
        // 5xx, and anything else that is not a success (a redirect Twilio never sends).
        _ => CarrierError::Unavailable(summary()),
    }
}

/// Removes every occurrence of `secret` from the error's message: a last line of defence should
/// a server ever echo the token back. Secrets shorter than 4 characters are left alone (they
/// would mangle ordinary words and protect nothing).
pub fn redact(error: CarrierError, secret: &str) -> CarrierError {
    if secret.chars().count() < 4 {
        return error;
    }
    let scrub = |m: String| if m.contains(secret) { m.replace(secret, "[redacted]") } else { m };
    match error {
        CarrierError::InvalidNumber(m) => CarrierError::InvalidNumber(scrub(m)),
        CarrierError::InvalidRequest(m) => CarrierError::InvalidRequest(scrub(m)),
        CarrierError::Unauthorized(m) => CarrierError::Unauthorized(scrub(m)),
        CarrierError::NotFound(m) => CarrierError::NotFound(scrub(m)),
        CarrierError::Unavailable(m) => CarrierError::Unavailable(scrub(m)),
        CarrierError::Rejected(e) => {
            CarrierError::Rejected(ApiError { message: scrub(e.message), more_info: e.more_info.map(scrub), ..e })
        }
        e @ CarrierError::RateLimited(_) => e,
    }
}

/// One line, printable, at most [`QUOTE_LIMIT`] characters.
pub fn clean(text: &str) -> String {
    guest_kit::text::clean(text, QUOTE_LIMIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(status: u16, body: &str) -> CarrierError {
        from_response(status, None, body.as_bytes(), "no call `CA1`")
    }

    fn twilio(code: u32, status: u16, message: &str) -> String {
        format!(
            r#"{{"code": {code}, "message": "{message}", "more_info": "https://www.twilio.com/docs/errors/{code}", "status": {status}}}"#
        )
    }

    #[test]
    fn unauthorized() {
        let e = error(401, &twilio(20003, 401, "Authenticate"));
        assert_eq!(e, CarrierError::Unauthorized("Twilio answered 401 (error 20003): Authenticate".into()));
        assert!(matches!(error(403, ""), CarrierError::Unauthorized(_)));
        assert!(matches!(error(400, &twilio(20003, 400, "x")), CarrierError::Unauthorized(_)));
    }

    #[test]
    fn not_found() {
        let body = twilio(20404, 404, "The requested resource /2010-04-01/Accounts/AC/Calls/CA.json was not found");
        assert!(matches!(error(404, &body), CarrierError::NotFound(m) if m.contains("was not found")));
        assert_eq!(error(404, ""), CarrierError::NotFound("no call `CA1`".into()));
        assert!(matches!(error(400, &twilio(20404, 400, "gone")), CarrierError::NotFound(_)));
    }

    #[test]
    fn rate_limited() {
        let body = twilio(20429, 429, "Too Many Requests");
        assert_eq!(from_response(429, Some("3"), body.as_bytes(), ""), CarrierError::RateLimited(Some(3)));
        assert_eq!(from_response(429, Some("0.2"), b"", ""), CarrierError::RateLimited(Some(1)));
        assert_eq!(from_response(429, None, b"", ""), CarrierError::RateLimited(None));
        // An HTTP date is read too; one already past means no wait.
        let date = Some("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(from_response(429, date, b"", ""), CarrierError::RateLimited(Some(0)));
        assert_eq!(from_response(429, Some("soon"), b"", ""), CarrierError::RateLimited(None));
        assert_eq!(from_response(400, Some("5"), body.as_bytes(), ""), CarrierError::RateLimited(Some(5)));
    }

    #[test]
    fn unavailable() {
        assert!(matches!(error(500, "oops"), CarrierError::Unavailable(m) if m == "Twilio answered 500: oops"));
        assert!(matches!(error(503, &twilio(20500, 503, "down")), CarrierError::Unavailable(m) if m.contains("down")));
        assert!(matches!(error(302, ""), CarrierError::Unavailable(_)));
    }

    #[test]
    fn other_client_errors_are_rejected_with_the_details() {
        let e = error(400, &twilio(21211, 400, "The 'To' number +15005550001 is not a valid phone number."));
        assert_eq!(
            e,
            CarrierError::Rejected(ApiError {
                status: 400,
                code: Some(21211),
                message: "The 'To' number +15005550001 is not a valid phone number.".into(),
                more_info: Some("https://www.twilio.com/docs/errors/21211".into()),
            })
        );
        let CarrierError::Rejected(e) = error(422, "") else { panic!("not rejected") };
        assert_eq!((e.status, e.code, e.more_info), (422, None, None));
        assert!(e.message.contains("422"));
        let CarrierError::Rejected(e) = error(400, r#"{"code":"21210","message":"bad from"}"#) else { panic!() };
        assert_eq!(e.code, Some(21210));
    }

    #[test]
    fn odd_bodies_are_quoted_safely() {
        let long = "x\n".repeat(1000);
        let CarrierError::Unavailable(m) = error(502, &long) else { panic!("not unavailable") };
        assert!(m.len() < 400 && !m.contains('\n'), "{m}");
        assert_eq!(error(500, "[1,2]"), CarrierError::Unavailable("Twilio answered 500".into()));
    }

    #[test]
    fn redaction() {
        let e = redact(error(401, r#"{"message":"token tok_secret_1 refused"}"#), "tok_secret_1");
        assert!(matches!(e, CarrierError::Unauthorized(m) if m.contains("token [redacted] refused")));
        let e = redact(error(400, r#"{"message":"tok_secret_1","more_info":"x/tok_secret_1"}"#), "tok_secret_1");
        let CarrierError::Rejected(e) = e else { panic!("not rejected") };
        assert_eq!((e.message.as_str(), e.more_info.as_deref()), ("[redacted]", Some("x/[redacted]")));
        assert!(matches!(redact(error(500, "a b"), "a"), CarrierError::Unavailable(m) if m.ends_with("a b")));
    }
}
