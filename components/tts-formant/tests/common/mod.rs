//! Helpers for the listener tests: hand-built sentences, rendering, and simple measurements
//! of what a listener hears (level, pauses, pitch).

#![allow(dead_code)]

use tts_formant::phoneme::{Boundary, Phone, Phoneme, Phrase, Sentence, Stress, Tune, Word};
use tts_formant::synth::{self, Format, Settings, voices};

/// A sentence from a compact transcription: words as `text:PH_ON_ES` separated by spaces,
/// phrases by ` | `, emphasised words marked with a leading `*`.
/// `hello:HH_AH0_L_OW1 | world:W_ER1_L_D`.
pub fn sentence(tune: Tune, spec: &str) -> Sentence {
    let parts: Vec<&str> = spec.split('|').collect();
    let n = parts.len();
    let phrases = parts
        .iter()
        .enumerate()
        .map(|(i, part)| Phrase {
            words: part.split_whitespace().map(word).collect(),
            boundary: if i + 1 == n { Boundary::Sentence } else { Boundary::Phrase },
        })
        .collect();
    Sentence { phrases, tune }
}

fn word(spec: &str) -> Word {
    let (text, phones) = spec.split_once(':').unwrap_or((spec, ""));
    let (emphasis, text) = match text.strip_prefix('*') {
        Some(t) => (true, t),
        None => (false, text),
    };
    let phones = phones
        .split('_')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let (sym, stress) = match s.as_bytes().last() {
                Some(b'0') => (&s[..s.len() - 1], Stress::Unstressed),
                Some(b'1') => (&s[..s.len() - 1], Stress::Primary),
                Some(b'2') => (&s[..s.len() - 1], Stress::Secondary),
                _ => (s, Stress::Unstressed),
            };
            let phoneme = Phoneme::parse(sym).unwrap_or_else(|| panic!("bad phoneme {sym}"));
            Phone { phoneme, stress }
        })
        .collect();
    Word { text: text.to_string(), phones, emphasis }
}

/// Every chunk the sink received.
pub struct Rendered {
    pub chunks: Vec<Vec<u8>>,
    pub outcome: synth::Outcome,
}

impl Rendered {
    pub fn bytes(&self) -> Vec<u8> {
        self.chunks.concat()
    }
}

pub fn render_with(sentences: &[Sentence], voice: &str, settings: Settings, format: Format) -> Rendered {
    let voice = voices::find(voice).expect("voice");
    let mut chunks = Vec::new();
    let outcome = synth::speak(sentences, voice, &settings, format, &mut |c: &[u8]| {
        chunks.push(c.to_vec());
        Ok(())
    });
    Rendered { chunks, outcome }
}

/// 22.05 kHz samples of `sentences` spoken by `voice` with default settings.
pub fn pcm(sentences: &[Sentence], voice: &str) -> Vec<f32> {
    samples(&render_with(sentences, voice, Settings::default(), Format::Pcm22k).bytes())
}

/// Little-endian 16-bit samples as -1..1.
pub fn samples(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]]) as f32 / 32768.0).collect()
}

pub fn rms(x: &[f32]) -> f32 {
    (x.iter().map(|v| v * v).sum::<f32>() / x.len().max(1) as f32).sqrt()
}

/// RMS level of consecutive 10 ms windows.
pub fn envelope(x: &[f32], rate: usize) -> Vec<f32> {
    x.chunks(rate / 100).map(rms).collect()
}

/// Longest run of windows (10 ms each) more than 40 dB below the loudest window, ignoring
/// the leading and trailing silence.
pub fn longest_pause_ms(x: &[f32], rate: usize) -> usize {
    let env = envelope(x, rate);
    let peak = env.iter().cloned().fold(0.0, f32::max);
    let loud: Vec<bool> = env.iter().map(|&e| e > peak * 0.01).collect();
    let (Some(first), Some(last)) = (loud.iter().position(|&l| l), loud.iter().rposition(|&l| l)) else {
        return 0;
    };
    let mut best = 0;
    let mut run = 0;
    for &l in &loud[first..=last] {
        run = if l { 0 } else { run + 1 };
        best = best.max(run);
    }
    best * 10
}

/// F0 of a 40 ms window by normalised autocorrelation, or `None` if it is not periodic.
pub fn pitch(window: &[f32], rate: usize) -> Option<f32> {
    let (min_lag, max_lag) = (rate / 500, rate / 60);
    if window.len() < 2 * max_lag {
        return None;
    }
    let energy: f32 = window.iter().map(|v| v * v).sum();
    if energy <= 1e-6 {
        return None;
    }
    let n = window.len() - max_lag;
    let corr = |lag: usize| {
        let (mut xy, mut xx, mut yy) = (0.0f32, 0.0f32, 0.0f32);
        for i in 0..n {
            xy += window[i] * window[i + lag];
            xx += window[i] * window[i];
            yy += window[i + lag] * window[i + lag];
        }
        xy / (xx * yy).sqrt().max(1e-9)
    };
    let scores: Vec<f32> = (min_lag..=max_lag).map(corr).collect();
    let best = scores.iter().cloned().fold(f32::MIN, f32::max);
    if best < 0.6 {
        return None;
    }
    // The first lag that comes close to the best avoids octave errors (picking 2 periods).
    let i = scores.iter().position(|&s| s >= 0.9 * best)?;
    Some(rate as f32 / (min_lag + i) as f32)
}

/// Pitch track: one estimate every 10 ms over 40 ms windows (only voiced, loud frames).
/// Works on the signal averaged down to half the rate, which keeps F0 and saves time.
pub fn pitch_track(x: &[f32], rate: usize) -> Vec<(f32, f32)> {
    let x: Vec<f32> = x.chunks_exact(2).map(|p| 0.5 * (p[0] + p[1])).collect();
    let x = &x[..];
    let rate = rate / 2;
    let win = rate * 40 / 1000;
    let hop = rate / 100;
    let peak = envelope(x, rate).iter().cloned().fold(0.0, f32::max);
    let mut out = Vec::new();
    let mut start = 0;
    while start + win <= x.len() {
        let w = &x[start..start + win];
        if rms(w) > 0.1 * peak
            && let Some(f) = pitch(w, rate)
        {
            out.push((start as f32 * 1000.0 / rate as f32, f));
        }
        start += hop;
    }
    out
}

/// Writes a 16-bit mono WAV of `x` to `path` (for listening and the README spectrogram).
pub fn write_wav(path: &str, x: &[f32], rate: u32) {
    let mut bytes = synth::audio::wav_header(rate, Some((x.len() * 2) as u32)).to_vec();
    for &s in x {
        bytes.extend_from_slice(&synth::audio::to_i16(s).to_le_bytes());
    }
    std::fs::write(path, bytes).expect("write wav");
}
