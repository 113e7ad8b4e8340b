//! Synthesis: check the request, open the streaming endpoint, and hand each chunk of the
//! answer to the host's sink as it arrives, without holding the whole audio.

use crate::catalog::Format;
use crate::config::Config;
use crate::errors::{ApiError, Kind};
use crate::http::Api;
use crate::request;
use crate::switchboard::tts::types::{SynthesisInfo, SynthesisRequest};
use crate::wav;
use wstd::http::Method;
use wstd::http::body::util::BodyExt as _;

/// Whether to go on reading.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// The sink wants no more audio.
    Stop,
}

/// Passes audio on to a sink: the WAV header, when the format has one, rides in front of the
/// first chunk (the sink contract wants it in the first chunk), and the audio bytes are counted
/// for the duration.
pub struct Streamer {
    header: Option<[u8; wav::HEADER_LEN]>,
    /// Audio bytes the sink accepted, the header excluded.
    pub audio_bytes: u64,
    /// Whether the sink refused a chunk.
    pub stopped: bool,
}

impl Streamer {
    pub fn new(format: &Format) -> Self {
        Self { header: format.wav.then(|| wav::streaming_header(format.sample_rate())), audio_bytes: 0, stopped: false }
    }

    /// Hands `chunk` on; empty chunks are skipped.
    pub fn feed(&mut self, chunk: &[u8], push: &mut impl FnMut(&[u8]) -> Result<(), String>) -> Flow {
        if self.stopped {
            return Flow::Stop;
        }
        if chunk.is_empty() {
            return Flow::Continue;
        }
        let result = match self.header.take() {
            Some(header) => {
                let mut first = Vec::with_capacity(header.len() + chunk.len());
                first.extend_from_slice(&header);
                first.extend_from_slice(chunk);
                push(&first)
            }
            None => push(chunk),
        };
        match result {
            Ok(()) => {
                self.audio_bytes = self.audio_bytes.saturating_add(chunk.len() as u64);
                Flow::Continue
            }
            Err(_) => {
                self.stopped = true;
                Flow::Stop
            }
        }
    }
}

/// Speaks `req` through ElevenLabs into `push`. If the sink refuses a chunk, reading stops
/// and the call succeeds with what was produced. A connection that breaks mid-stream is
/// `unavailable`, naming how much audio had arrived.
pub async fn synthesize(
    config: &Config,
    req: &SynthesisRequest,
    mut push: impl FnMut(&[u8]) -> Result<(), String>,
) -> Result<SynthesisInfo, ApiError> {
    let checked = request::check(req, &config.default_voice, config.default_model)?;
    let api = Api::new(config)?;
    let not_found = format!("no voice `{}` in this ElevenLabs account; list_voices gives them", checked.voice);
    let response = api.send(Method::POST, &checked.path(), Some(&checked.body(&req.text)), &not_found).await?;
    // ElevenLabs reports what it billed; fall back to the characters sent.
    let characters = response
        .headers()
        .get("character-cost")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(checked.characters);

    let mut streamer = Streamer::new(checked.format);
    let mut body = response.into_body().into_boxed_body();
    while let Some(frame) = body.frame().await {
        let frame = match frame {
            Ok(frame) => frame,
            Err(e) => {
                let mut error = api.broken(&e, "the audio");
                error.message.push_str(&format!(" (after {} bytes of audio)", streamer.audio_bytes));
                return Err(error);
            }
        };
        let Ok(data) = frame.into_data() else { continue };
        if streamer.feed(&data, &mut push) == Flow::Stop {
            break;
        }
    }
    // Dropping the body closes the stream, so a refused sink stops the download too.
    drop(body);
    if streamer.audio_bytes == 0 && !streamer.stopped {
        return Err(ApiError::new(Kind::Internal, "ElevenLabs answered with no audio"));
    }
    let settings = Some(checked.settings());
    Ok(SynthesisInfo {
        voice: checked.voice,
        model: Some(checked.model.id.to_string()),
        format: checked.format.id.to_string(),
        duration_ms: Some(checked.format.duration_ms(streamer.audio_bytes)),
        characters,
        settings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    #[test]
    fn wav_header_rides_with_the_first_chunk() {
        let format = catalog::format("wav_16000").expect("known");
        let mut s = Streamer::new(format);
        let mut got: Vec<Vec<u8>> = Vec::new();
        let mut push = |c: &[u8]| {
            got.push(c.to_vec());
            Ok(())
        };
        assert_eq!(s.feed(&[], &mut push), Flow::Continue);
        assert_eq!(s.feed(&[1, 2, 3], &mut push), Flow::Continue);
        assert_eq!(s.feed(&[4, 5], &mut push), Flow::Continue);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].len(), wav::HEADER_LEN + 3);
        assert_eq!(&got[0][..4], b"RIFF");
        assert_eq!(&got[0][wav::HEADER_LEN..], &[1, 2, 3]);
        assert_eq!(got[1], vec![4, 5]);
        assert_eq!(s.audio_bytes, 5);
    }

    #[test]
    fn raw_formats_pass_through_and_a_refusal_stops() {
        let format = catalog::format("mp3_44100_128").expect("known");
        let mut s = Streamer::new(format);
        let mut pushed = 0;
        let mut push = |c: &[u8]| {
            pushed += 1;
            if c == [9] { Err("enough".to_string()) } else { Ok(()) }
        };
        assert_eq!(s.feed(&[1, 2], &mut push), Flow::Continue);
        assert_eq!(s.feed(&[9], &mut push), Flow::Stop);
        assert_eq!(s.feed(&[3], &mut push), Flow::Stop);
        assert_eq!((pushed, s.audio_bytes, s.stopped), (2, 2, true));
    }
}
