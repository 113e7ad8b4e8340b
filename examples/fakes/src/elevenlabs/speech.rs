//! Text to speech: `POST /v1/text-to-speech/{voice_id}/stream` (chunked, paced by the knobs)
//! and `POST /v1/text-to-speech/{voice_id}` (the whole file), validated the way ElevenLabs
//! validates: unknown voice 404 `voice_not_found`, malformed fields 422 with a `detail` list,
//! unknown model 400 `model_not_found`, text over the model's limit 400
//! `max_character_limit_exceeded`.

use super::audio::{self, OutputFormat};
use super::errors::{Refusal, invalid_item};
use super::query::Query;
use super::state::Shared;
use super::voices;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// ElevenLabs' default when a request names no model.
const DEFAULT_MODEL: &str = "eleven_multilingual_v2";

/// How long a dropped stream waits after its first chunk before breaking off.
const DROP_PAUSE: Duration = Duration::from_millis(50);

/// A request that passed validation.
struct Speech {
    format: OutputFormat,
    text: String,
}

/// `POST /v1/text-to-speech/{voice_id}/stream`: the audio in chunks of the configured size,
/// after the configured first-byte latency and with the configured interval between chunks.
pub async fn stream(
    State(shared): State<Arc<Shared>>,
    Path(voice_id): Path<String>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let speech = match validate(&voice_id, raw.as_deref(), &body) {
        Ok(s) => s,
        Err(refusal) => return refusal.into_response(),
    };
    let knobs = shared.knobs();
    tokio::time::sleep(knobs.first_byte_latency).await;
    let audio = audio::render(speech.format, &speech.text);
    let chunks: Vec<Bytes> = audio.chunks(knobs.chunk_size.max(1)).map(Bytes::copy_from_slice).collect();
    let (interval, drop_connection) = (knobs.chunk_interval, knobs.drop_connection);
    let body = futures::stream::unfold((chunks.into_iter(), 0usize), move |(mut chunks, sent)| async move {
        if sent > 0 {
            if drop_connection {
                if sent > 1 {
                    return None;
                }
                // A pause lets the head and the first chunk reach the client; then an error
                // ends the body without its terminating chunk, and the client sees the
                // connection break mid-stream.
                tokio::time::sleep(interval.max(DROP_PAUSE)).await;
                return Some((Err(std::io::Error::other("the fake dropped the connection")), (chunks, usize::MAX)));
            }
            if !interval.is_zero() {
                tokio::time::sleep(interval).await;
            }
        }
        chunks.next().map(|chunk| (Ok(chunk), (chunks, sent.saturating_add(1))))
    });
    respond(&shared, speech, Body::from_stream(body))
}

/// `POST /v1/text-to-speech/{voice_id}`: the whole file at once, after the first-byte latency.
pub async fn whole(
    State(shared): State<Arc<Shared>>,
    Path(voice_id): Path<String>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let speech = match validate(&voice_id, raw.as_deref(), &body) {
        Ok(s) => s,
        Err(refusal) => return refusal.into_response(),
    };
    tokio::time::sleep(shared.knobs().first_byte_latency.min(Duration::from_secs(60))).await;
    let audio = audio::render(speech.format, &speech.text);
    respond(&shared, speech, Body::from(audio))
}

fn respond(shared: &Shared, speech: Speech, body: Body) -> Response {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(speech.format.content_type()));
    headers.insert("character-cost", HeaderValue::from(speech.text.chars().count()));
    if let Ok(id) = HeaderValue::from_str(&format!("fake-{:016x}", shared.next_serial())) {
        headers.insert("request-id", id);
    }
    response
}

/// Checks the request the way ElevenLabs does; the error is the answer to send.
fn validate(voice_id: &str, raw_query: Option<&str>, body: &[u8]) -> Result<Speech, Refusal> {
    let query = Query::parse(raw_query);
    let format_id = query.get("output_format").unwrap_or("mp3_44100_128");
    let format = OutputFormat::parse(format_id).ok_or_else(|| {
        Refusal::invalid(
            &["query", "output_format"],
            &format!("Input should be a supported output format, not '{format_id}'"),
            "enum",
        )
    })?;
    let json: Value =
        serde_json::from_slice(body).map_err(|_| Refusal::invalid(&["body"], "JSON decode error", "json_invalid"))?;
    let text = match json.get("text") {
        None | Some(Value::Null) => {
            return Err(Refusal::invalid(&["body", "text"], "Field required", "missing"));
        }
        Some(Value::String(t)) if t.is_empty() => {
            return Err(Refusal::invalid(
                &["body", "text"],
                "String should have at least 1 character",
                "string_too_short",
            ));
        }
        Some(Value::String(t)) => t.clone(),
        Some(_) => {
            return Err(Refusal::invalid(&["body", "text"], "Input should be a valid string", "string_type"));
        }
    };
    let settings = settings_problems(json.get("voice_settings"));
    if !settings.is_empty() {
        return Err(Refusal::Invalid(settings));
    }
    if voices::find(voice_id).is_none() {
        return Err(voices::voice_not_found(voice_id));
    }
    let model = json.get("model_id").and_then(Value::as_str).unwrap_or(DEFAULT_MODEL);
    let Some(limit) = voices::model_limit(model) else {
        return Err(Refusal::Detail(
            StatusCode::BAD_REQUEST,
            "model_not_found",
            format!("A model with model ID {model} was not found."),
        ));
    };
    let characters = text.chars().count();
    if characters > limit as usize {
        return Err(Refusal::Detail(
            StatusCode::BAD_REQUEST,
            "max_character_limit_exceeded",
            format!("Text is too long: {characters} characters; the limit of {model} is {limit}."),
        ));
    }
    if let Some(code) = json.get("language_code").filter(|c| !c.is_null())
        && !voices::model_takes_language_code(model)
    {
        return Err(Refusal::Detail(
            StatusCode::BAD_REQUEST,
            "unsupported_language_code",
            format!("Model {model} does not support language_code {code}; use a v2.5 model."),
        ));
    }
    Ok(Speech { format, text })
}

/// Validation items for `voice_settings`: ranges as ElevenLabs enforces them.
fn settings_problems(settings: Option<&Value>) -> Vec<serde_json::Value> {
    let Some(settings) = settings.filter(|s| !s.is_null()) else { return Vec::new() };
    let Some(map) = settings.as_object() else {
        return vec![invalid_item(&["body", "voice_settings"], "Input should be a valid dictionary", "dict_type")];
    };
    let ranges = [("stability", 0.0, 1.0), ("similarity_boost", 0.0, 1.0), ("style", 0.0, 1.0), ("speed", 0.7, 1.2)];
    let mut problems = Vec::new();
    for (name, lo, hi) in ranges {
        let loc = ["body", "voice_settings", name];
        match map.get(name) {
            None | Some(Value::Null) => {}
            Some(v) => match v.as_f64() {
                None => problems.push(invalid_item(&loc, "Input should be a valid number", "float_type")),
                Some(x) if x < lo => problems.push(invalid_item(
                    &loc,
                    &format!("Input should be greater than or equal to {lo}"),
                    "greater_than_equal",
                )),
                Some(x) if x > hi => problems.push(invalid_item(
                    &loc,
                    &format!("Input should be less than or equal to {hi}"),
                    "less_than_equal",
                )),
                Some(_) => {}
            },
        }
    }
    if map.get("use_speaker_boost").is_some_and(|b| !b.is_boolean() && !b.is_null()) {
        problems.push(invalid_item(
            &["body", "voice_settings", "use_speaker_boost"],
            "Input should be a valid boolean",
            "bool_type",
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_ranges() {
        let bad =
            json!({"stability": 1.5, "similarity_boost": -0.1, "style": "x", "speed": 0.5, "use_speaker_boost": 1});
        assert_eq!(settings_problems(Some(&bad)).len(), 5);
        let good =
            json!({"stability": 0.5, "similarity_boost": 0.75, "style": 0.0, "speed": 1.2, "use_speaker_boost": true});
        assert!(settings_problems(Some(&good)).is_empty());
        assert!(settings_problems(None).is_empty() && settings_problems(Some(&Value::Null)).is_empty());
        assert_eq!(settings_problems(Some(&json!([1]))).len(), 1);
    }

    #[test]
    fn validation_answers() {
        let rachel = "21m00Tcm4TlvDq8ikWAM";
        let status = |voice: &str, q: Option<&str>, body: &str| match validate(voice, q, body.as_bytes()) {
            Ok(_) => 200,
            Err(r) => r.into_response().status().as_u16(),
        };
        assert_eq!(status(rachel, Some("output_format=pcm_16000"), r#"{"text":"Hi"}"#), 200);
        assert_eq!(status(rachel, Some("output_format=wav_16000"), r#"{"text":"Hi"}"#), 422);
        assert_eq!(status(rachel, None, "not json"), 422);
        assert_eq!(status(rachel, None, r#"{"text":""}"#), 422);
        assert_eq!(status(rachel, None, r#"{}"#), 422);
        assert_eq!(status("unknownVoice00000000", None, r#"{"text":"Hi"}"#), 404);
        assert_eq!(status(rachel, None, r#"{"text":"Hi","model_id":"nope"}"#), 400);
        let long = format!(r#"{{"text":"{}","model_id":"eleven_v3"}}"#, "a".repeat(3001));
        assert_eq!(status(rachel, None, &long), 400);
        assert_eq!(status(rachel, None, r#"{"text":"Hi","language_code":"es"}"#), 400);
        assert_eq!(status(rachel, None, r#"{"text":"Hi","model_id":"eleven_flash_v2_5","language_code":"es"}"#), 200);
    }
}
