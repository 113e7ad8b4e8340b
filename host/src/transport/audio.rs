//! `GET` and `HEAD /audio/{id}`: synthesized audio by capability URL, for Twilio's `<Play>`
//! and for MCP clients given a `speak` link. No bearer token (Twilio cannot send one): the id
//! is 192 random bits, and the audio expires.
//!
//! A clip still being made streams: the answer starts (chunked, no length) as soon as the
//! provider's first chunk is there, and each chunk follows as it arrives. A finished clip has
//! its length, and answers byte ranges (`Range: bytes=a-b`, `a-`, `-n`) with 206, the way
//! players and Twilio's fetcher ask; a range waits for the clip to finish.

use crate::host::Host;
use crate::roles::tts::{Clip, Progress};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;

/// How long a fetch waits for the first audio of a clip being made.
const FIRST_AUDIO_WAIT: Duration = Duration::from_secs(60);

pub async fn serve(State(host): State<Arc<Host>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let Some(clip) = host.roles.speech.clips().get(&id) else {
        return (StatusCode::NOT_FOUND, "no such audio: the link is wrong or has expired\n").into_response();
    };
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    if let Some(range) = range {
        return ranged(&clip, &range).await;
    }
    // Wait for the first bytes, so that a failure before any audio is an error status.
    let first = tokio::time::timeout(FIRST_AUDIO_WAIT, clip.wait_past(0, 0)).await;
    match first {
        Err(_) => return failed("no audio came in time"),
        Ok(Progress::Failed(why)) => return failed(&why),
        Ok(Progress::Done { .. }) => {
            let (bytes, _) = clip.read(0);
            return audio(&clip, StatusCode::OK, bytes.len(), None).body(Body::from(bytes)).unwrap_or_default();
        }
        Ok(Progress::Making { .. }) => {}
    }
    let stream = futures::stream::unfold(Follow { clip: clip.clone(), sent: 0, restarts: 0 }, next_chunk);
    audio(&clip, StatusCode::OK, 0, None).body(Body::from_stream(stream)).unwrap_or_default()
}

/// A streaming reader's place in a clip.
struct Follow {
    clip: Arc<Clip>,
    sent: usize,
    restarts: u32,
}

/// The next bytes of a clip being made: whatever is there past what was sent, else waits.
async fn next_chunk(mut f: Follow) -> Option<(Result<bytes::Bytes, std::io::Error>, Follow)> {
    loop {
        let (mut bytes, progress) = f.clip.read(f.sent);
        match progress {
            Progress::Making { restarts, .. } if restarts != f.restarts && f.sent > 0 => {
                // Another provider started over: what was sent is not its audio. End badly, so
                // the client does not keep half of one voice and half of another.
                return Some((Err(std::io::Error::other("the audio restarted with another provider")), f));
            }
            Progress::Failed(why) => return Some((Err(std::io::Error::other(why)), f)),
            Progress::Done { len } if f.sent >= len => return None,
            Progress::Done { .. } => {}
            Progress::Making { restarts, .. } => {
                f.restarts = restarts;
                if bytes.is_empty() {
                    f.clip.wait_past(f.sent, f.restarts).await;
                    continue;
                }
                if f.sent == 0 {
                    f.clip.streaming_header(&mut bytes);
                }
            }
        }
        f.sent += bytes.len();
        return Some((Ok(bytes::Bytes::from(bytes)), f));
    }
}

/// A byte range of a finished clip.
async fn ranged(clip: &Clip, range: &str) -> Response {
    let len = match tokio::time::timeout(FIRST_AUDIO_WAIT, clip.finished()).await {
        Ok(Progress::Done { len }) => len,
        Ok(Progress::Failed(why)) => return failed(&why),
        _ => return failed("the audio did not finish in time"),
    };
    let Some((start, end)) = parse_range(range, len) else {
        let mut response = (StatusCode::RANGE_NOT_SATISFIABLE, "the range is outside the audio\n").into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
            response.headers_mut().insert(header::CONTENT_RANGE, v);
        }
        return response;
    };
    let (bytes, _) = clip.read(start);
    let part = bytes[..=(end - start)].to_vec();
    audio(clip, StatusCode::PARTIAL_CONTENT, part.len(), Some(format!("bytes {start}-{end}/{len}")))
        .body(Body::from(part))
        .unwrap_or_default()
}

/// The first byte range of a `Range` header, inclusive, within `len` bytes; none when it is
/// not a byte range or lies outside the audio.
fn parse_range(header: &str, len: usize) -> Option<(usize, usize)> {
    let spec = header.trim().strip_prefix("bytes=")?.split(',').next()?.trim();
    let (from, to) = spec.split_once('-')?;
    let (from, to) = (from.trim(), to.trim());
    if len == 0 {
        return None;
    }
    let (start, end) = match (from.is_empty(), to.is_empty()) {
        (true, false) => {
            let n: usize = to.parse().ok()?;
            if n == 0 {
                return None;
            }
            (len.saturating_sub(n), len - 1)
        }
        (false, true) => (from.parse().ok()?, len - 1),
        (false, false) => (from.parse().ok()?, to.parse::<usize>().ok()?.min(len - 1)),
        (true, true) => return None,
    };
    (start <= end && start < len).then_some((start, end))
}

/// The headers of an audio answer; `len` 0 with no range means a stream of unknown length.
fn audio(clip: &Clip, status: StatusCode, len: usize, range: Option<String>) -> axum::http::response::Builder {
    let mut builder = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, &clip.mime)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CACHE_CONTROL, format!("private, max-age={}", clip.max_age()))
        .header("X-Content-Type-Options", "nosniff");
    if len > 0 || range.is_some() {
        builder = builder.header(header::CONTENT_LENGTH, len);
    }
    if let Some(range) = range {
        builder = builder.header(header::CONTENT_RANGE, range);
    }
    builder
}

fn failed(why: &str) -> Response {
    tracing::warn!(error = why, "audio requested by URL could not be served");
    (StatusCode::BAD_GATEWAY, format!("the audio could not be made: {why}\n")).into_response()
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn byte_ranges_as_rfc_9110_has_them() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some((0, 99)));
        assert_eq!(parse_range("bytes=900-", 1000), Some((900, 999)));
        assert_eq!(parse_range("bytes=-100", 1000), Some((900, 999)));
        assert_eq!(parse_range("bytes=-5000", 1000), Some((0, 999)));
        assert_eq!(parse_range("bytes=990-2000", 1000), Some((990, 999)));
        assert_eq!(parse_range("bytes=0-0, 5-9", 1000), Some((0, 0)));
        for bad in ["bytes=1000-", "bytes=5-2", "bytes=-0", "items=0-1", "bytes=x-1", "bytes=-"] {
            assert_eq!(parse_range(bad, 1000), None, "{bad}");
        }
    }
}
