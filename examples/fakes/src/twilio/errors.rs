//! Error answers in Twilio's shape, and the failures a test can make the fake answer with.
//!
//! Twilio answers every REST error as
//! `{"code": <Twilio error code>, "message": "...", "more_info": "https://www.twilio.com/docs/errors/<code>",
//! "status": <HTTP status>}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// 401: credentials missing or wrong, or another account's path.
pub const AUTHENTICATE: u32 = 20003;
/// 404: no such resource.
pub const NOT_FOUND: u32 = 20404;
/// 405: the resource does not take that method.
pub const METHOD_NOT_ALLOWED: u32 = 20004;
/// 400: a parameter of the Calls resource is malformed (Twilio's "Calls Resource" family).
pub const INVALID_PARAMETER: u32 = 21200;
/// 400: `To` is missing.
pub const NO_TO: u32 = 21201;
/// 400: neither `Url` nor `Twiml` (or both, or a malformed `Url`).
pub const URL_REQUIRED: u32 = 21205;
/// 400: `To` is not a phone number.
pub const INVALID_TO: u32 = 21211;
/// 400: `From` is not a phone number.
pub const INVALID_FROM: u32 = 21212;
/// 400: a realtime operation on a call that is not in progress.
pub const NOT_IN_PROGRESS: u32 = 21220;
/// 400: `From` is missing.
pub const NO_FROM: u32 = 21603;
/// 400: a callback URL is malformed.
pub const INVALID_CALLBACK: u32 = 21609;

/// A JSON answer with a status.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A Twilio error: what a refused request gets. A small value until it becomes an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwilioError {
    pub status: u16,
    pub code: u32,
    pub message: String,
}

impl TwilioError {
    pub fn new(status: u16, code: u32, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }

    /// A 400.
    pub fn bad_request(code: u32, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    /// The body Twilio sends.
    pub fn body(&self) -> Value {
        json!({
            "code": self.code,
            "message": self.message,
            "more_info": format!("https://www.twilio.com/docs/errors/{}", self.code),
            "status": self.status,
        })
    }
}

impl IntoResponse for TwilioError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = json_response(status, &self.body());
        if self.status == 401 {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"Twilio API\""));
        }
        response
    }
}

/// The answer to missing or wrong credentials.
pub fn authenticate() -> Response {
    TwilioError::new(401, AUTHENTICATE, "Authenticate").into_response()
}

/// The answer to a path that names nothing.
pub fn not_found(path: &str) -> Response {
    TwilioError::new(404, NOT_FOUND, format!("The requested resource {path} was not found")).into_response()
}

/// The answer to a method the resource does not take.
pub fn method_not_allowed() -> Response {
    TwilioError::new(405, METHOD_NOT_ALLOWED, "Method not allowed").into_response()
}

/// A failure the fake can be told to answer with instead of serving a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// 401 code 20003, as if the credentials were wrong.
    Unauthorized,
    /// 429 code 20429, with `Retry-After` in seconds when given.
    RateLimited { retry_after_secs: Option<u32> },
    /// 500 code 20500.
    ServerError,
    /// 503 code 20503.
    ServiceUnavailable,
    /// Any other status, with code 20000 + status.
    Status(u16),
}

impl Failure {
    /// The failure a status code most often means at Twilio: 401 is an authentication
    /// failure, 429 a rate limit with `Retry-After: 1`.
    pub fn from_status(status: u16) -> Self {
        match status {
            401 => Self::Unauthorized,
            429 => Self::RateLimited { retry_after_secs: Some(1) },
            500 => Self::ServerError,
            503 => Self::ServiceUnavailable,
            other => Self::Status(other),
        }
    }

    /// The HTTP status it answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::RateLimited { .. } => 429,
            Self::ServerError => 500,
            Self::ServiceUnavailable => 503,
            Self::Status(s) => *s,
        }
    }

    /// The error it answers with.
    pub fn error(&self) -> TwilioError {
        match self {
            Self::Unauthorized => TwilioError::new(401, AUTHENTICATE, "Authenticate"),
            Self::RateLimited { .. } => TwilioError::new(429, 20429, "Too Many Requests"),
            Self::ServerError => TwilioError::new(500, 20500, "Internal Server Error"),
            Self::ServiceUnavailable => TwilioError::new(503, 20503, "Service Unavailable"),
            Self::Status(s) => TwilioError::new(*s, 20000 + u32::from(*s), format!("The fake was told to answer {s}.")),
        }
    }

    /// The answer.
    pub fn response(&self) -> Response {
        let mut response = self.error().into_response();
        if let Self::RateLimited { retry_after_secs: Some(secs) } = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_have_twilio_shape() {
        let body = TwilioError::bad_request(INVALID_TO, "Invalid 'To' Phone Number: 12").body();
        assert_eq!(
            body,
            json!({"code": 21211, "message": "Invalid 'To' Phone Number: 12",
                   "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})
        );
        assert_eq!(Failure::from_status(429).error().code, 20429);
        assert_eq!(Failure::from_status(418).error(), TwilioError::new(418, 20418, "The fake was told to answer 418."));
        let response = Failure::from_status(429).response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        assert_eq!(Failure::Status(42).status(), 42);
        assert_eq!(Failure::Status(42).response().status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
