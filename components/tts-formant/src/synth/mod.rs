//! The synthesiser: from analysed sentences to audio bytes, phrase by phrase.
//!
//! Pipeline per phrase: [`prosody`] lays the phones out in time and picks pitch accents,
//! [`intonation`] draws the F0 contour, [`articulation`] turns phones into formant and
//! source tracks sampled into [`klatt::Frame`]s, [`klatt`] renders them at 32 kHz, and
//! [`audio`] resamples and encodes the result, which goes to the sink straight away.

pub mod articulation;
pub mod audio;
pub mod intonation;
pub mod klatt;
pub mod phonetics;
pub mod prosody;
pub mod request;
pub mod resample;
mod resonator;
pub mod track;
pub mod voices;

pub use audio::Format;
pub use request::{RawSettings, Settings};
pub use voices::Voice;

use crate::phoneme::{Boundary, Sentence, Word};
use intonation::PhrasePosition;
use klatt::{FRAME_MS, Frame, Klatt};

/// Pause after a phrase break, in ms at speed 1.
pub const PHRASE_PAUSE_MS: f32 = 200.0;
/// Pause after a sentence, in ms at speed 1.
pub const SENTENCE_PAUSE_MS: f32 = 420.0;
/// Silence after the last phrase, so the last sound decays rather than stops.
const TAIL_MS: f32 = 120.0;
/// Silence before the first phrase, so no player clicks on the first sample.
const LEAD_MS: f32 = 15.0;
/// Most words said in one breath group (see [`jobs`]).
const MAX_PHRASE_WORDS: usize = 24;
/// Longest audio pushed in one chunk: a long phrase without punctuation still streams.
const MAX_CHUNK_FRAMES: usize = (2000.0 / FRAME_MS) as usize;
/// Speech in the first chunk (after the lead-in): enough for a player to start on, and
/// rendered in well under a millisecond, so the listener does not wait for the whole first
/// phrase. The rest of the text renders far faster than it plays, so no gap follows.
const FIRST_CHUNK_FRAMES: usize = (200.0 / FRAME_MS) as usize;
/// Gain from the synthesiser's scale to full scale; a stressed vowel peaks near -6 dBFS.
const OUTPUT_GAIN: f32 = 0.3;

/// What a synthesis produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// Samples the sink accepted, at the output rate.
    pub samples: u64,
    /// Output sample rate in Hz.
    pub sample_rate: u32,
    /// The sink's message if it refused a chunk (synthesis stopped there).
    pub stopped: Option<String>,
}

impl Outcome {
    /// Length of the delivered audio in ms.
    pub fn duration_ms(&self) -> u32 {
        u32::try_from(self.samples.saturating_mul(1000) / u64::from(self.sample_rate.max(1))).unwrap_or(u32::MAX)
    }
}

/// One phrase to say and what follows it.
struct Job<'a> {
    words: &'a [Word],
    position: PhrasePosition,
    pause_ms: f32,
}

/// The phrases to say in order. A phrase longer than [`MAX_PHRASE_WORDS`] is said in
/// breath groups of about equal length, each but the last ending in a continuation rise and
/// a short pause, as a reader takes a breath: that also bounds the memory and the latency of
/// one phrase whatever the text.
fn jobs(sentences: &[Sentence], speed: f32) -> Vec<Job<'_>> {
    let mut out = Vec::new();
    for sentence in sentences {
        let mut groups: Vec<(&[Word], bool)> = Vec::new();
        let n = sentence.phrases.len();
        for (i, phrase) in sentence.phrases.iter().enumerate() {
            let last = i + 1 == n || phrase.boundary == Boundary::Sentence;
            let parts = phrase.words.len().div_ceil(MAX_PHRASE_WORDS).max(1);
            let size = phrase.words.len().div_ceil(parts).max(1);
            let chunks: Vec<&[Word]> = phrase.words.chunks(size).collect();
            if chunks.is_empty() {
                groups.push((&[], last));
            }
            let count = chunks.len();
            for (k, chunk) in chunks.into_iter().enumerate() {
                groups.push((chunk, last && k + 1 == count));
            }
        }
        for (index, (words, last)) in groups.into_iter().enumerate() {
            let pause = if last { SENTENCE_PAUSE_MS } else { PHRASE_PAUSE_MS };
            out.push(Job {
                words,
                position: PhrasePosition { tune: sentence.tune, index, last },
                pause_ms: pause / speed,
            });
        }
    }
    if let Some(j) = out.last_mut() {
        j.pause_ms = TAIL_MS;
    }
    out
}

/// Streams speech to a sink chunk by chunk.
struct Stream<'s> {
    klatt: Klatt,
    encoder: audio::Encoder,
    samples: Vec<f32>,
    bytes: Vec<u8>,
    last_frame: Frame,
    sink: &'s mut dyn FnMut(&[u8]) -> Result<(), String>,
    delivered: u64,
    /// Chunks the sink has taken.
    pushed: usize,
}

impl Stream<'_> {
    fn render(&mut self, frame: &Frame) {
        self.klatt.render(frame, &mut self.samples);
        self.last_frame = *frame;
    }

    fn silence(&mut self, ms: f32) {
        let quiet = Frame { av: 0.0, ah: 0.0, af: 0.0, ..self.last_frame };
        for _ in 0..(ms / FRAME_MS).round().max(0.0) as usize {
            self.render(&quiet);
        }
    }

    /// Encodes what has been rendered and pushes it; `Err` carries the sink's refusal.
    fn push(&mut self, finish: bool) -> Result<(), String> {
        self.samples.iter_mut().for_each(|s| *s *= OUTPUT_GAIN);
        self.encoder.encode(&self.samples, &mut self.bytes);
        self.samples.clear();
        if finish {
            self.encoder.finish(&mut self.bytes);
        }
        if self.bytes.is_empty() {
            return Ok(());
        }
        let result = (self.sink)(&self.bytes);
        self.bytes.clear();
        result?;
        self.delivered = self.encoder.samples_out();
        self.pushed += 1;
        Ok(())
    }
}

/// Speaks `sentences` with `voice`, pushing `format` bytes to `sink` as each phrase is ready:
/// the first chunk holds the WAV header (if any) and the first 200 ms of the first phrase, so
/// audio starts a millisecond or two after the call however long the text is. After that, one
/// chunk per phrase and its pause; phrases longer than two seconds go out in two-second chunks.
/// If the sink refuses a chunk, synthesis stops and the outcome says so.
pub fn speak(
    sentences: &[Sentence],
    voice: &Voice,
    settings: &Settings,
    format: Format,
    sink: &mut dyn FnMut(&[u8]) -> Result<(), String>,
) -> Outcome {
    let mut stream = Stream {
        klatt: Klatt::new(voice.source),
        encoder: audio::Encoder::new(format),
        samples: Vec::with_capacity(MAX_CHUNK_FRAMES * klatt::FRAME_SAMPLES),
        bytes: Vec::new(),
        last_frame: Frame { f0: voice.f0_hz, ..Frame::silent() },
        sink,
        delivered: 0,
        pushed: 0,
    };
    let outcome = |stream: &Stream<'_>, stopped: Option<String>| Outcome {
        samples: stream.delivered,
        sample_rate: format.sample_rate(),
        stopped,
    };
    stream.silence(LEAD_MS);
    let jobs = jobs(sentences, settings.speed);
    if jobs.is_empty() {
        stream.silence(TAIL_MS);
        let result = stream.push(true);
        return outcome(&stream, result.err());
    }
    let count = jobs.len();
    for (j, job) in jobs.iter().enumerate() {
        let plan = prosody::plan(job.words, voice, settings);
        let frames = articulation::frames(&plan, job.position, voice, settings);
        // A phrase with nothing to say still keeps its pause: the loop runs at least once.
        let mut rest = frames.as_slice();
        loop {
            let most = if stream.pushed == 0 { FIRST_CHUNK_FRAMES } else { MAX_CHUNK_FRAMES };
            let (block, after) = rest.split_at(rest.len().min(most));
            for frame in block {
                stream.render(frame);
            }
            rest = after;
            let last_block = rest.is_empty();
            if last_block {
                stream.silence(job.pause_ms);
            }
            if let Err(message) = stream.push(last_block && j + 1 == count) {
                return outcome(&stream, Some(message));
            }
            if last_block {
                break;
            }
        }
    }
    outcome(&stream, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_to_say_still_gives_a_valid_stream() {
        let mut chunks: Vec<Vec<u8>> = Vec::new();
        let out = speak(&[], &voices::VOICES[0], &Settings::default(), Format::Wav16k, &mut |c: &[u8]| {
            chunks.push(c.to_vec());
            Ok(())
        });
        assert_eq!(chunks.len(), 1);
        assert_eq!(&chunks[0][..4], b"RIFF");
        assert!(out.duration_ms() > 100 && out.stopped.is_none());
    }

    #[test]
    fn the_first_chunk_is_the_first_200_ms() {
        let text = "Hello Maria, this is Switchboard calling to confirm your dental appointment tomorrow.";
        let sentences = crate::text::analyse(text, &[]);
        let mut chunks: Vec<usize> = Vec::new();
        speak(&sentences, &voices::VOICES[0], &Settings::default(), Format::Pcm16k, &mut |c: &[u8]| {
            chunks.push(c.len());
            Ok(())
        });
        let ms = |bytes: usize| bytes / 2 * 1000 / 16_000;
        // The lead-in and 200 ms of speech, less the resampler's delay of about 1 ms.
        assert!((205..=215).contains(&ms(chunks[0])), "{} ms", ms(chunks[0]));
        // Then the rest of "hello Maria" with its pause, and the second phrase in chunks of at
        // most two seconds.
        assert!(chunks.len() >= 3 && ms(chunks[1]) > 300, "{chunks:?}");
        assert!(chunks[1..].iter().all(|&c| ms(c) <= 2_000), "{chunks:?}");
    }
}
