//! The audio the fake speaks: real, format-correct bytes for every `output_format`, whose
//! length follows the text (60 ms a character, at most a minute).
//!
//! The signal is a tone per character: letters and digits sound a note (a fundamental between
//! 180 and 400 Hz with two harmonics, 5 ms fades against clicks), anything else is silence, so
//! word gaps are audible and a test can tell audio from zeros. PCM is 16-bit little-endian
//! mono at the requested rate; `ulaw_8000` is that signal G.711 mu-law coded; MP3 is a run of
//! valid, silent MPEG Layer III frames (all-zero side info and main data decode to silence) at
//! the requested rate and bitrate, as many as the duration needs.

use std::f64::consts::TAU;

/// Audio length per character of text.
pub const MS_PER_CHAR: u32 = 60;
/// The longest audio a request produces.
pub const MAX_DURATION_MS: u32 = 60_000;

/// An ElevenLabs `output_format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Raw PCM 16-bit little-endian mono at this rate.
    Pcm(u32),
    /// G.711 mu-law at 8 kHz.
    Ulaw8000,
    Mp3 {
        sample_rate: u32,
        kbps: u32,
    },
}

impl OutputFormat {
    /// The formats the fake serves (ElevenLabs' list without opus and a-law).
    pub fn parse(id: &str) -> Option<Self> {
        Some(match id {
            "ulaw_8000" => Self::Ulaw8000,
            "pcm_8000" => Self::Pcm(8000),
            "pcm_16000" => Self::Pcm(16000),
            "pcm_22050" => Self::Pcm(22050),
            "pcm_24000" => Self::Pcm(24000),
            "pcm_44100" => Self::Pcm(44100),
            "pcm_48000" => Self::Pcm(48000),
            "mp3_22050_32" => Self::Mp3 { sample_rate: 22050, kbps: 32 },
            "mp3_44100_32" => Self::Mp3 { sample_rate: 44100, kbps: 32 },
            "mp3_44100_64" => Self::Mp3 { sample_rate: 44100, kbps: 64 },
            "mp3_44100_96" => Self::Mp3 { sample_rate: 44100, kbps: 96 },
            "mp3_44100_128" => Self::Mp3 { sample_rate: 44100, kbps: 128 },
            "mp3_44100_192" => Self::Mp3 { sample_rate: 44100, kbps: 192 },
            _ => return None,
        })
    }

    /// The content type ElevenLabs-like servers answer with.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Pcm(_) => "audio/pcm",
            Self::Ulaw8000 => "audio/basic",
            Self::Mp3 { .. } => "audio/mpeg",
        }
    }
}

/// How long the audio for `text` lasts.
pub fn duration_ms(text: &str) -> u32 {
    let chars = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
    chars.saturating_mul(MS_PER_CHAR).clamp(MS_PER_CHAR, MAX_DURATION_MS)
}

/// The whole audio for `text` in `format`.
pub fn render(format: OutputFormat, text: &str) -> Vec<u8> {
    let ms = duration_ms(text);
    match format {
        OutputFormat::Pcm(rate) => signal(text, rate, ms).iter().flat_map(|s| s.to_le_bytes()).collect(),
        OutputFormat::Ulaw8000 => signal(text, 8000, ms).into_iter().map(ulaw).collect(),
        OutputFormat::Mp3 { sample_rate, kbps } => mp3(sample_rate, kbps, ms),
    }
}

/// The tone-per-character signal, `ms` long at `rate`.
pub fn signal(text: &str, rate: u32, ms: u32) -> Vec<i16> {
    let total = (u64::from(rate) * u64::from(ms) / 1000) as usize;
    let per_char = (rate * MS_PER_CHAR / 1000) as usize;
    let fade = (rate / 200) as usize; // 5 ms
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(total);
    for i in 0..total {
        let slot = i / per_char.max(1);
        let at = i % per_char.max(1);
        let c = chars.get(slot).copied().unwrap_or(' ');
        if !c.is_alphanumeric() {
            out.push(0);
            continue;
        }
        let f0 = 180.0 + f64::from(u32::from(c) % 12) * 20.0;
        let t = i as f64 / f64::from(rate);
        let wave = (TAU * f0 * t).sin() + 0.5 * (TAU * 2.0 * f0 * t).sin() + 0.25 * (TAU * 3.0 * f0 * t).sin();
        let edge = at.min(per_char.saturating_sub(at + 1));
        let envelope = if fade == 0 { 1.0 } else { (edge as f64 / fade as f64).min(1.0) };
        out.push((wave / 1.75 * envelope * 0.3 * f64::from(i16::MAX)) as i16);
    }
    out
}

/// G.711 mu-law coding of one sample.
pub fn ulaw(sample: i16) -> u8 {
    const BIAS: i32 = 0x84;
    const CLIP: i32 = 32635;
    let mut s = i32::from(sample);
    let sign = if s < 0 {
        s = -s;
        0x80
    } else {
        0
    };
    s = s.min(CLIP) + BIAS;
    let exponent = (0..8).rev().find(|e| s & (0x80 << e) != 0).unwrap_or(0);
    let mantissa = (s >> (exponent + 3)) & 0x0F;
    !((sign | (exponent << 4) | mantissa) as u8)
}

/// Decodes one mu-law byte (for tests and checks).
pub fn ulaw_decode(byte: u8) -> i16 {
    let b = !byte;
    let sign = b & 0x80;
    let exponent = i32::from((b >> 4) & 0x07);
    let mantissa = i32::from(b & 0x0F);
    let magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    (if sign != 0 { -magnitude } else { magnitude }) as i16
}

/// A frame header's fields for a mono Layer III stream.
struct Mp3Layout {
    /// MPEG version bits: `11` MPEG-1, `10` MPEG-2.
    version: u8,
    bitrate_index: u8,
    rate_index: u8,
    samples_per_frame: u32,
    /// Bytes of side information after the header (mono).
    side_info: usize,
    frame_bytes: usize,
}

fn mp3_layout(sample_rate: u32, kbps: u32) -> Option<Mp3Layout> {
    const MPEG1_KBPS: [u32; 14] = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
    const MPEG2_KBPS: [u32; 14] = [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    let (version, rate_index, table, samples_per_frame, side_info) = match sample_rate {
        44100 => (0b11, 0, &MPEG1_KBPS, 1152, 17),
        48000 => (0b11, 1, &MPEG1_KBPS, 1152, 17),
        32000 => (0b11, 2, &MPEG1_KBPS, 1152, 17),
        22050 => (0b10, 0, &MPEG2_KBPS, 576, 9),
        24000 => (0b10, 1, &MPEG2_KBPS, 576, 9),
        16000 => (0b10, 2, &MPEG2_KBPS, 576, 9),
        _ => return None,
    };
    let bitrate_index = table.iter().position(|k| *k == kbps)? as u8 + 1;
    // Bytes per frame: samples/8 * bitrate / rate (no padding slot).
    let frame_bytes = (samples_per_frame / 8 * kbps * 1000 / sample_rate) as usize;
    Some(Mp3Layout { version, bitrate_index, rate_index, samples_per_frame, side_info, frame_bytes })
}

/// One silent frame: header, zeroed side info, zeroed main data.
fn mp3_frame(layout: &Mp3Layout) -> Vec<u8> {
    let mut frame = vec![0u8; layout.frame_bytes.max(4 + layout.side_info)];
    frame[0] = 0xFF;
    // Sync, version, layer III (01), no CRC (protection bit 1).
    frame[1] = 0xE0 | (layout.version << 3) | (0b01 << 1) | 1;
    frame[2] = (layout.bitrate_index << 4) | (layout.rate_index << 2);
    // Mono (channel mode 11), no emphasis.
    frame[3] = 0b1100_0000;
    frame
}

/// Silent MP3 frames lasting at least `ms`; empty for a rate or bitrate MPEG has no frame for.
pub fn mp3(sample_rate: u32, kbps: u32, ms: u32) -> Vec<u8> {
    let Some(layout) = mp3_layout(sample_rate, kbps) else { return Vec::new() };
    let samples = u64::from(sample_rate) * u64::from(ms) / 1000;
    let frames = samples.div_ceil(u64::from(layout.samples_per_frame)) as usize;
    mp3_frame(&layout).repeat(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcm_length_follows_the_text() {
        let audio = render(OutputFormat::Pcm(16000), "Hello there");
        assert_eq!(audio.len(), 11 * 60 * 16 * 2);
        assert!(audio.iter().any(|b| *b != 0));
        assert_eq!(duration_ms(""), 60);
        assert_eq!(duration_ms(&"a".repeat(100_000)), MAX_DURATION_MS);
    }

    #[test]
    fn mu_law_round_trips() {
        for s in [0i16, 1000, -1000, 12345, -32768, 32767] {
            let back = ulaw_decode(ulaw(s));
            assert!((i32::from(back) - i32::from(s)).abs() <= (i32::from(s).abs() / 16).max(8), "{s} -> {back}");
        }
        assert_eq!(ulaw(0), 0xFF);
        assert_eq!(render(OutputFormat::Ulaw8000, "ab").len(), 2 * 60 * 8);
    }

    #[test]
    fn mp3_frames_are_well_formed() {
        let audio = mp3(44100, 128, 1000);
        assert_eq!(&audio[..4], &[0xFF, 0xFB, 0x90, 0xC0]);
        assert_eq!(audio.len() % 417, 0);
        assert_eq!(audio.len() / 417, 39); // ceil(44100 / 1152)
        let low = mp3(22050, 32, 1000);
        assert_eq!(&low[..4], &[0xFF, 0xF3, 0x40, 0xC0]);
        assert_eq!(low.len() % 104, 0);
        assert!(mp3(11025, 32, 1000).is_empty() && mp3(44100, 33, 1000).is_empty());
        assert_eq!(OutputFormat::parse("mp3_44100_192"), Some(OutputFormat::Mp3 { sample_rate: 44100, kbps: 192 }));
        assert_eq!(OutputFormat::parse("wav_16000"), None);
    }
}
