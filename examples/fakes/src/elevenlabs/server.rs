//! The routes, and the gate every request passes first: it records the request, checks the
//! `xi-api-key`, and answers a planned failure instead of the route when one applies.

use super::audio::{self, OutputFormat};
use super::errors;
use super::query::Query;
use super::state::{RecordedRequest, Shared};
use super::{agents, convai, speech, voices};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::Arc;

/// The largest request body read (ElevenLabs takes at most 40,000 characters of text).
const MAX_BODY: usize = 1024 * 1024;

/// Every route of the fake.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/text-to-speech/{voice_id}/stream", post(speech::stream))
        .route("/v1/text-to-speech/{voice_id}", post(speech::whole))
        .route("/v1/voices", get(voices::list_v1))
        .route("/v1/voices/{voice_id}", get(voices::get_v1))
        .route("/v2/voices", get(voices::list_v2))
        .route("/v1/models", get(voices::models))
        .route("/v1/convai/agents/create", post(agents::create))
        .route("/v1/convai/agents", get(agents::list))
        .route("/v1/convai/agents/{agent_id}", get(agents::get).patch(agents::update))
        .route("/v1/convai/conversation/get-signed-url", get(agents::signed_url))
        .route("/v1/convai/conversation/get_signed_url", get(agents::signed_url))
        .route("/v1/convai/twilio/register-call", post(convai::register_call))
        .route("/previews/{file}", get(preview))
        .fallback(|| async { errors::route_not_found() })
        .layer(middleware::from_fn_with_state(shared.clone(), gate))
        .with_state(shared)
}

/// Records, authenticates, and answers planned failures. Previews are public, as ElevenLabs'
/// preview URLs are.
async fn gate(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
    };
    let path = parts.uri.path().to_string();
    let sent = parts.headers.get("xi-api-key").map(HeaderValue::as_bytes);
    let expected = shared.knobs().api_key;
    let key_matched = sent.is_some_and(|k| same(k, expected.as_bytes()));
    shared.record(RecordedRequest {
        method: parts.method.to_string(),
        path: path.clone(),
        query: Query::parse(parts.uri.query()).0,
        json: serde_json::from_slice(&bytes).ok(),
        key_present: sent.is_some(),
        key_matched,
    });
    if !path.starts_with("/previews/") {
        if !key_matched {
            return errors::invalid_api_key();
        }
        if let Some(failure) = shared.take_failure(&path) {
            return failure.response();
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// Compares keys without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `GET /previews/{voice_id}-{locale}.mp3`: a short sample, the voice's name as silent MP3.
async fn preview(Path(file): Path<String>) -> Response {
    let Some((id, _locale)) = file.strip_suffix(".mp3").and_then(|f| f.split_once('-')) else {
        return errors::route_not_found();
    };
    let Some(voice) = voices::find(id) else { return errors::route_not_found() };
    let mut response =
        Response::new(Body::from(audio::render(OutputFormat::Mp3 { sample_rate: 44100, kbps: 128 }, voice.name)));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("audio/mpeg"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_comparison() {
        assert!(same(b"fake-key", b"fake-key"));
        assert!(!same(b"fake-key", b"fake-kez") && !same(b"fake", b"fake-key") && !same(b"", b"x"));
    }
}
