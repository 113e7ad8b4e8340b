//! Recordings: `POST .../Calls/{Sid}/Recordings.json` starts one on an in-progress call (21220
//! otherwise), `GET` lists a call's; `GET|POST .../Calls/{Sid}/Recordings/{Sid}.json` fetches
//! or changes one (`Status=stopped|paused|in-progress`); `GET .../Recordings/{Sid}.json` fetches
//! one by sid; and `GET .../Recordings/{Sid}` (`.wav`, `.mp3`) serves a completed recording's
//! audio, silence as long as the recording, without credentials as Twilio does by default.

use super::calls::{channels, is_url};
use super::errors::{INVALID_CALLBACK, TwilioError, json_response, not_found};
use super::params::Params;
use super::resources;
use super::state::{Shared, lock};
use super::store::{Hook, RecordingRequest, RecordingStatus};
use crate::elevenlabs::audio;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The longest audio served, in seconds.
const MAX_AUDIO_SECS: u64 = 600;
/// The rate of the WAV audio served (Twilio records calls at 8 kHz).
const WAV_RATE: u32 = 8000;

/// The recording options of a create-recording form.
fn request(form: &Params) -> Result<RecordingRequest, TwilioError> {
    let status_callback = match form.non_empty("RecordingStatusCallback") {
        None => None,
        Some(url) if !is_url(url) => {
            let message = format!("RecordingStatusCallback is not a valid URL: {url}");
            return Err(TwilioError::bad_request(INVALID_CALLBACK, message));
        }
        Some(url) => {
            let method = match form.non_empty("RecordingStatusCallbackMethod").map(str::to_ascii_uppercase) {
                Some(m) if m == "GET" => m,
                _ => "POST".to_string(),
            };
            Some(Hook { url: url.to_string(), method })
        }
    };
    Ok(RecordingRequest {
        source: "StartCallRecordingAPI",
        channels: channels(form)?,
        status_callback,
        status_callback_events: form
            .all("RecordingStatusCallbackEvent")
            .flat_map(str::split_whitespace)
            .map(str::to_string)
            .collect(),
    })
}

/// `POST .../Calls/{Sid}/Recordings.json`: 201 with the recording, in progress.
pub fn create(shared: &Shared, call_sid: &str, path: &str, form: &Params) -> Response {
    if shared.call(call_sid).is_none() {
        return not_found(path);
    }
    match request(form).and_then(|r| shared.record_call(call_sid, r)) {
        Ok(recording) => json_response(StatusCode::CREATED, &resources::recording(shared, &recording, true)),
        Err(e) => e.into_response(),
    }
}

/// `GET .../Calls/{Sid}/Recordings.json`: the call's recordings, oldest first, on one page.
pub fn list(shared: &Shared, call_sid: &str, path: &str) -> Response {
    let Some(call) = shared.call(call_sid) else { return not_found(path) };
    let items: Vec<_> = call.recordings.iter().map(|r| resources::recording(shared, r, true)).collect();
    let size = items.len().max(50);
    json_response(StatusCode::OK, &resources::page("recordings", items, 0, size, false, path, ""))
}

/// `GET .../Calls/{Sid}/Recordings/{Sid}.json`.
pub fn fetch_in_call(shared: &Shared, call_sid: &str, sid: &str, path: &str) -> Response {
    let call = shared.call(call_sid);
    match call.as_ref().and_then(|c| c.recordings.iter().find(|r| r.sid == sid)) {
        Some(recording) => json_response(StatusCode::OK, &resources::recording(shared, recording, true)),
        None => not_found(path),
    }
}

/// `POST .../Calls/{Sid}/Recordings/{Sid}.json` with `Status`.
pub fn update(shared: &Shared, call_sid: &str, sid: &str, path: &str, form: &Params) -> Response {
    let status = form.non_empty("Status").unwrap_or_default();
    match shared.update_recording(call_sid, sid, status) {
        Some(Ok(recording)) => json_response(StatusCode::OK, &resources::recording(shared, &recording, true)),
        Some(Err(e)) => e.into_response(),
        None => not_found(path),
    }
}

/// `GET .../Recordings/{Sid}.json`.
pub fn fetch(shared: &Shared, sid: &str, path: &str) -> Response {
    let store = lock(&shared.store);
    match store.recording(sid) {
        Some(recording) => json_response(StatusCode::OK, &resources::recording(shared, recording, false)),
        None => not_found(path),
    }
}

/// `GET .../Recordings/{Sid}[.wav|.mp3]`: the audio of a completed recording.
pub fn media(shared: &Shared, file: &str, path: &str) -> Response {
    let (sid, mp3) = match file.rsplit_once('.') {
        Some((sid, "mp3")) => (sid, true),
        Some((sid, "wav")) => (sid, false),
        Some(_) => return not_found(path),
        None => (file, false),
    };
    let (secs, channels) = {
        let store = lock(&shared.store);
        match store.recording(sid) {
            Some(r) if r.status == RecordingStatus::Completed => (r.duration.unwrap_or(0), r.channels),
            _ => return not_found(path),
        }
    };
    let secs = secs.clamp(1, MAX_AUDIO_SECS) as u32;
    let (bytes, kind) = if mp3 {
        (audio::mp3(22050, 32, secs * 1000), "audio/mpeg")
    } else {
        (silent_wav(WAV_RATE, channels.clamp(1, 2) as u16, secs), "audio/x-wav")
    };
    let mut response = Response::new(Body::from(bytes));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    response
}

/// A WAV file of 16-bit PCM silence.
fn silent_wav(rate: u32, channels: u16, secs: u32) -> Vec<u8> {
    let block = u32::from(channels) * 2;
    let data = rate * block * secs;
    let mut wav = Vec::with_capacity(44 + data as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&channels.to_le_bytes());
    wav.extend_from_slice(&rate.to_le_bytes());
    wav.extend_from_slice(&(rate * block).to_le_bytes());
    wav.extend_from_slice(&(block as u16).to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data.to_le_bytes());
    wav.resize(44 + data as usize, 0);
    wav
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_header() {
        let wav = silent_wav(8000, 1, 2);
        assert_eq!(wav.len(), 44 + 32_000);
        assert_eq!((&wav[..4], &wav[8..16]), (&b"RIFF"[..], &b"WAVEfmt "[..]));
        assert_eq!(u32::from_le_bytes([wav[40], wav[41], wav[42], wav[43]]), 32_000);
    }

    #[test]
    fn recording_options() {
        let form = Params::parse(
            b"RecordingStatusCallback=http://127.0.0.1:1/r&RecordingStatusCallbackEvent=in-progress completed",
        );
        let request = request(&form).expect("valid");
        assert_eq!(request.status_callback.map(|h| h.method), Some("POST".to_string()));
        assert_eq!(request.status_callback_events, ["in-progress", "completed"]);
        assert!(request_is_refused(b"RecordingStatusCallback=nope"));
        assert!(request_is_refused(b"RecordingChannels=stereo"));
    }

    fn request_is_refused(form: &[u8]) -> bool {
        request(&Params::parse(form)).is_err()
    }
}
