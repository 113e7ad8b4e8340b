//! The one handler every request goes through: it records the request, checks the HTTP Basic
//! credentials against the account, answers a planned failure when one applies, and routes by
//! path. Twilio's paths end in `.json` after a sid (`Calls/CA....json`), which a router's
//! parameters do not split, so the paths are parsed here.

use super::errors::{authenticate, method_not_allowed, not_found};
use super::params::Params;
use super::state::{RecordedRequest, Shared};
use super::{calls, recordings};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::sync::Arc;

/// The largest request body read.
const MAX_BODY: usize = 1024 * 1024;

/// What a path names, below `/2010-04-01/Accounts/{AccountSid}/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `Calls.json`
    Calls,
    /// `Calls/{CallSid}.json`
    Call(String),
    /// `Calls/{CallSid}/Recordings.json`
    CallRecordings(String),
    /// `Calls/{CallSid}/Recordings/{RecordingSid}.json`
    CallRecording(String, String),
    /// `Recordings/{RecordingSid}.json`
    Recording(String),
    /// `Recordings/{RecordingSid}`, `.wav` or `.mp3`
    RecordingMedia(String),
}

/// The account sid and the route of a path; the route is none when the path names nothing.
pub fn parse(path: &str) -> Option<(&str, Option<Route>)> {
    let rest = path.strip_prefix("/2010-04-01/Accounts/")?;
    let (account, rest) = rest.split_once('/')?;
    let sid = |s: &str| s.strip_suffix(".json").filter(|s| !s.is_empty() && !s.contains('/')).map(str::to_string);
    let route = if rest == "Calls.json" {
        Some(Route::Calls)
    } else if let Some(call) = rest.strip_prefix("Calls/") {
        match call.split_once('/') {
            None => sid(call).map(Route::Call),
            Some((call, "Recordings.json")) => Some(Route::CallRecordings(call.to_string())),
            Some((call, recording)) => recording
                .strip_prefix("Recordings/")
                .and_then(sid)
                .map(|recording| Route::CallRecording(call.to_string(), recording)),
        }
    } else if let Some(recording) = rest.strip_prefix("Recordings/") {
        match sid(recording) {
            Some(sid) => Some(Route::Recording(sid)),
            None if !recording.is_empty() && !recording.contains('/') => {
                Some(Route::RecordingMedia(recording.to_string()))
            }
            None => None,
        }
    } else {
        None
    };
    Some((account, route))
}

/// Every route of the fake.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// Whether the `Authorization` header holds `account_sid:auth_token`.
fn authorized(headers: &HeaderMap, shared: &Shared) -> bool {
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return false };
    let Some(encoded) = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic ")) else { return false };
    let Ok(decoded) = STANDARD.decode(encoded.trim()) else { return false };
    let expected = format!("{}:{}", shared.account_sid, shared.auth_token);
    same(&decoded, expected.as_bytes())
}

/// Compares credentials without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    };
    let path = parts.uri.path().to_string();
    let method = parts.method.clone();
    let query = Params::parse_query(parts.uri.query());
    let form = Params::parse(&bytes);
    let auth_matched = authorized(&parts.headers, &shared);
    shared.record(RecordedRequest {
        method: method.to_string(),
        path: path.clone(),
        query: query.0.clone(),
        form: form.0.clone(),
        auth_present: parts.headers.contains_key(header::AUTHORIZATION),
        auth_matched,
        received: std::time::Instant::now(),
    });
    let latency = shared.knobs().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let parsed = parse(&path);
    let ours = parsed.as_ref().is_none_or(|(account, _)| *account == shared.account_sid);
    if let (Some((_, Some(Route::RecordingMedia(file)))), true, &Method::GET) = (&parsed, ours, &method) {
        return recordings::media(&shared, file, &path);
    }
    if !auth_matched || !ours {
        return authenticate();
    }
    if let Some(failure) = shared.take_failure(method.as_str(), &path) {
        return failure.response();
    }
    let Some((_, Some(route))) = parsed else { return not_found(&path) };
    match (method, route) {
        (Method::POST, Route::Calls) => calls::create(&shared, &form),
        (Method::GET, Route::Calls) => calls::list(&shared, &query),
        (Method::GET, Route::Call(sid)) => calls::fetch(&shared, &sid, &path),
        (Method::POST, Route::Call(sid)) => calls::update(&shared, &sid, &path, &form),
        (Method::POST, Route::CallRecordings(call)) => recordings::create(&shared, &call, &path, &form),
        (Method::GET, Route::CallRecordings(call)) => recordings::list(&shared, &call, &path),
        (Method::GET, Route::CallRecording(call, sid)) => recordings::fetch_in_call(&shared, &call, &sid, &path),
        (Method::POST, Route::CallRecording(call, sid)) => recordings::update(&shared, &call, &sid, &path, &form),
        (Method::GET, Route::Recording(sid)) => recordings::fetch(&shared, &sid, &path),
        _ => method_not_allowed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths() {
        let at = |rest: &str| parse(&format!("/2010-04-01/Accounts/AC1/{rest}")).and_then(|(_, r)| r);
        assert_eq!(at("Calls.json"), Some(Route::Calls));
        assert_eq!(at("Calls/CA1.json"), Some(Route::Call("CA1".into())));
        assert_eq!(at("Calls/CA1/Recordings.json"), Some(Route::CallRecordings("CA1".into())));
        assert_eq!(at("Calls/CA1/Recordings/RE1.json"), Some(Route::CallRecording("CA1".into(), "RE1".into())));
        assert_eq!(at("Recordings/RE1.json"), Some(Route::Recording("RE1".into())));
        assert_eq!(at("Recordings/RE1.wav"), Some(Route::RecordingMedia("RE1.wav".into())));
        assert_eq!(at("Calls/CA1"), None);
        assert_eq!(at("Calls/.json"), None);
        assert_eq!(at("Messages.json"), None);
        assert_eq!(parse("/2010-04-01/Accounts/AC9/Calls.json").map(|(a, _)| a), Some("AC9"));
        assert_eq!(parse("/v1/voices"), None);
    }

    #[test]
    fn credential_comparison() {
        assert!(same(b"AC1:token", b"AC1:token"));
        assert!(!same(b"AC1:token", b"AC1:tokem") && !same(b"AC1", b"AC1:token"));
    }
}
