//! Error answers in ElevenLabs' shapes, and the failures a test can make the fake answer with.
//!
//! ElevenLabs answers a validation error as `422 {"detail": [{"type", "loc", "msg", "input"}]}`
//! (FastAPI's shape) and every other error as `{"detail": {"status": "<code>", "message": "..."}}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A JSON answer with a status.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// `{"detail": {"status": code, "message": message}}`.
pub fn detail(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, &json!({"detail": {"status": code, "message": message}}))
}

/// One FastAPI validation item.
pub fn invalid_item(loc: &[&str], msg: &str, kind: &str) -> Value {
    json!({"type": kind, "loc": loc, "msg": msg, "input": null})
}

/// `422 {"detail": [items]}`.
pub fn unprocessable(items: Vec<Value>) -> Response {
    json_response(StatusCode::UNPROCESSABLE_ENTITY, &json!({"detail": items}))
}

/// The answer to a missing or wrong `xi-api-key`.
pub fn invalid_api_key() -> Response {
    detail(StatusCode::UNAUTHORIZED, "invalid_api_key", "Invalid API key")
}

/// Why a request is refused, before it becomes an answer (a small value, unlike a response).
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// 422 with these validation items.
    Invalid(Vec<Value>),
    /// `{"detail": {"status": code, "message": message}}` with this HTTP status.
    Detail(StatusCode, &'static str, String),
}

impl Refusal {
    /// A 422 with one validation item.
    pub fn invalid(loc: &[&str], msg: &str, kind: &str) -> Self {
        Self::Invalid(vec![invalid_item(loc, msg, kind)])
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::Invalid(items) => unprocessable(items),
            Self::Detail(status, code, message) => detail(status, code, &message),
        }
    }
}

/// What a route that does not exist answers (FastAPI's default).
pub fn route_not_found() -> Response {
    json_response(StatusCode::NOT_FOUND, &json!({"detail": "Not Found"}))
}

/// A failure the fake can be told to answer with instead of serving a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// 401 `invalid_api_key`, as if the key were wrong.
    InvalidApiKey,
    /// 401 `quota_exceeded`: the account is out of credits.
    QuotaExceeded,
    /// 422 with a validation `detail` list (`body.text: Field required`).
    Unprocessable,
    /// 429 `too_many_concurrent_requests`, with `Retry-After` in seconds when given.
    RateLimited { retry_after_secs: Option<u32> },
    /// 429 `system_busy`.
    SystemBusy,
    /// 500.
    ServerError,
    /// 503.
    ServiceUnavailable,
    /// Any other status, with a generic `detail`.
    Status(u16),
}

impl Failure {
    /// The failure a status code most often means at ElevenLabs: 401 is `quota_exceeded`
    /// (a wrong key needs no knob), 422 a validation list, 429 a rate limit with
    /// `Retry-After: 1`.
    pub fn from_status(status: u16) -> Self {
        match status {
            401 => Self::QuotaExceeded,
            422 => Self::Unprocessable,
            429 => Self::RateLimited { retry_after_secs: Some(1) },
            500 => Self::ServerError,
            503 => Self::ServiceUnavailable,
            other => Self::Status(other),
        }
    }

    /// The HTTP status it answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::InvalidApiKey | Self::QuotaExceeded => 401,
            Self::Unprocessable => 422,
            Self::RateLimited { .. } | Self::SystemBusy => 429,
            Self::ServerError => 500,
            Self::ServiceUnavailable => 503,
            Self::Status(s) => *s,
        }
    }

    /// The answer.
    pub fn response(&self) -> Response {
        match self {
            Self::InvalidApiKey => invalid_api_key(),
            Self::QuotaExceeded => detail(
                StatusCode::UNAUTHORIZED,
                "quota_exceeded",
                "This request exceeds your quota of 10000. You have 12 credits remaining, while 40 credits are \
                 required for this request.",
            ),
            Self::Unprocessable => unprocessable(vec![invalid_item(&["body", "text"], "Field required", "missing")]),
            Self::RateLimited { retry_after_secs } => {
                let mut response = detail(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_concurrent_requests",
                    "Too many concurrent requests. Your current subscription is associated with a maximum of 2 \
                     concurrent requests.",
                );
                if let Some(secs) = retry_after_secs {
                    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*secs));
                }
                response
            }
            Self::SystemBusy => detail(
                StatusCode::TOO_MANY_REQUESTS,
                "system_busy",
                "Our services are experiencing high levels of traffic and your request was not processed.",
            ),
            Self::ServerError => {
                detail(StatusCode::INTERNAL_SERVER_ERROR, "internal_server_error", "An internal error occurred.")
            }
            Self::ServiceUnavailable => detail(
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
                "The service is temporarily unavailable.",
            ),
            Self::Status(s) => {
                let status = StatusCode::from_u16(*s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                detail(status, "fake_failure", &format!("The fake was told to answer {s}."))
            }
        }
    }
}
