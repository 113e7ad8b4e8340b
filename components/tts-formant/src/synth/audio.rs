//! Output formats: the sample rate conversion from the synthesiser's internal rate, 16-bit
//! PCM, WAV headers for streaming, and G.711 mu-law.

use super::klatt::SAMPLE_RATE;
use super::resample::Resampler;

/// An output format the provider can produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// WAV (RIFF, PCM 16-bit mono) at 16 kHz.
    Wav16k,
    /// WAV (RIFF, PCM 16-bit mono) at 22.05 kHz.
    Wav22k,
    /// Raw PCM 16-bit little-endian mono at 16 kHz.
    Pcm16k,
    /// Raw PCM 16-bit little-endian mono at 22.05 kHz.
    Pcm22k,
    /// Raw G.711 mu-law at 8 kHz, for telephony.
    Ulaw8k,
}

impl Format {
    /// Every format, in the order `info` lists them.
    pub const ALL: [Format; 5] = [Format::Wav16k, Format::Wav22k, Format::Pcm16k, Format::Pcm22k, Format::Ulaw8k];

    /// The format id of the WIT contract, e.g. `wav_16000`.
    pub fn id(self) -> &'static str {
        match self {
            Format::Wav16k => "wav_16000",
            Format::Wav22k => "wav_22050",
            Format::Pcm16k => "pcm_16000",
            Format::Pcm22k => "pcm_22050",
            Format::Ulaw8k => "ulaw_8000",
        }
    }

    /// The format with this id (exact, as the contract spells them).
    pub fn parse(id: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.id() == id)
    }

    /// Output sample rate in Hz.
    pub fn sample_rate(self) -> u32 {
        match self {
            Format::Wav16k | Format::Pcm16k => 16_000,
            Format::Wav22k | Format::Pcm22k => 22_050,
            Format::Ulaw8k => 8_000,
        }
    }

    /// Whether the stream starts with a WAV header.
    pub fn is_wav(self) -> bool {
        matches!(self, Format::Wav16k | Format::Wav22k)
    }
}

/// A 44-byte canonical WAV header for 16-bit mono PCM at `rate`. `data_bytes` is the size of
/// the sample data; `None` writes 0xFFFFFFFF into both the RIFF and the data size, the usual
/// marker for "length unknown while streaming".
pub fn wav_header(rate: u32, data_bytes: Option<u32>) -> [u8; 44] {
    let (riff_size, data_size) = match data_bytes {
        Some(n) => (n.saturating_add(36), n),
        None => (u32::MAX, u32::MAX),
    };
    let mut h = [0u8; 44];
    h[0..4].copy_from_slice(b"RIFF");
    h[4..8].copy_from_slice(&riff_size.to_le_bytes());
    h[8..12].copy_from_slice(b"WAVE");
    h[12..16].copy_from_slice(b"fmt ");
    h[16..20].copy_from_slice(&16u32.to_le_bytes());
    h[20..22].copy_from_slice(&1u16.to_le_bytes()); // PCM
    h[22..24].copy_from_slice(&1u16.to_le_bytes()); // mono
    h[24..28].copy_from_slice(&rate.to_le_bytes());
    h[28..32].copy_from_slice(&rate.saturating_mul(2).to_le_bytes()); // bytes per second
    h[32..34].copy_from_slice(&2u16.to_le_bytes()); // block align
    h[34..36].copy_from_slice(&16u16.to_le_bytes()); // bits per sample
    h[36..40].copy_from_slice(b"data");
    h[40..44].copy_from_slice(&data_size.to_le_bytes());
    h
}

/// Keeps samples inside -1..1 with a smooth knee instead of a hard clip. Applied after
/// resampling, whose filter may overshoot a little on sharp transients.
pub fn soft_limit(x: f32) -> f32 {
    const KNEE: f32 = 0.9;
    const CEILING: f32 = 0.999;
    let a = x.abs();
    if a <= KNEE {
        x
    } else if a.is_finite() {
        x.signum() * (KNEE + (CEILING - KNEE) * ((a - KNEE) / (CEILING - KNEE)).tanh())
    } else {
        0.0
    }
}

/// A sample in -1..1 as a 16-bit integer, rounded and clamped.
pub fn to_i16(x: f32) -> i16 {
    // `as` saturates and maps NaN to 0, so no input can wrap around.
    (x * 32767.0).round() as i16
}

/// G.711 mu-law encoding of a 16-bit sample (ITU-T G.711, the bias-and-segment algorithm).
pub fn mulaw_encode(sample: i16) -> u8 {
    const BIAS: i32 = 0x84;
    const CLIP: i32 = 32635;
    let s = sample as i32;
    let sign = if s < 0 { 0x80 } else { 0 };
    let magnitude = s.abs().min(CLIP) + BIAS;
    // Segment: position of the highest set bit above bit 7.
    let exponent = (31 - (magnitude as u32).leading_zeros()).saturating_sub(7).min(7);
    let mantissa = (magnitude >> (exponent + 3)) & 0x0F;
    !(sign | ((exponent as i32) << 4) | mantissa) as u8
}

/// G.711 mu-law decoding to a 16-bit sample.
pub fn mulaw_decode(byte: u8) -> i16 {
    let u = !byte;
    let sign = u & 0x80;
    let exponent = ((u >> 4) & 0x07) as i32;
    let mantissa = (u & 0x0F) as i32;
    let magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    (if sign != 0 { -magnitude } else { magnitude }) as i16
}

/// Turns the synthesiser's samples into the bytes of one output format, chunk by chunk.
pub struct Encoder {
    format: Format,
    resampler: Resampler,
    header_pending: bool,
    scratch: Vec<f32>,
    samples_out: u64,
}

impl Encoder {
    /// An encoder whose first chunk will carry the WAV header when the format has one.
    pub fn new(format: Format) -> Encoder {
        Encoder {
            format,
            resampler: Resampler::new(SAMPLE_RATE as u32, format.sample_rate()),
            header_pending: format.is_wav(),
            scratch: Vec::new(),
            samples_out: 0,
        }
    }

    /// Samples written so far, at the output rate.
    pub fn samples_out(&self) -> u64 {
        self.samples_out
    }

    /// Converts `input` (internal rate, -1..1) and appends the bytes to `out`.
    pub fn encode(&mut self, input: &[f32], out: &mut Vec<u8>) {
        self.scratch.clear();
        self.resampler.process(input, &mut self.scratch);
        self.write(out);
    }

    /// Flushes what the resampler still holds.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.scratch.clear();
        self.resampler.flush(&mut self.scratch);
        self.write(out);
    }

    /// The WAV header, if it has not been written yet (it leads the first chunk).
    pub fn header(&mut self, out: &mut Vec<u8>) {
        if self.header_pending {
            out.extend_from_slice(&wav_header(self.format.sample_rate(), None));
            self.header_pending = false;
        }
    }

    fn write(&mut self, out: &mut Vec<u8>) {
        self.header(out);
        match self.format {
            Format::Ulaw8k => {
                out.reserve(self.scratch.len());
                out.extend(self.scratch.iter().map(|&x| mulaw_encode(to_i16(soft_limit(x)))));
            }
            _ => {
                out.reserve(self.scratch.len() * 2);
                for &x in &self.scratch {
                    out.extend_from_slice(&to_i16(soft_limit(x)).to_le_bytes());
                }
            }
        }
        self.samples_out += self.scratch.len() as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip_their_ids() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.id()), Some(f));
        }
        assert_eq!(Format::parse("mp3_44100_128"), None);
        assert_eq!(Format::parse("WAV_16000"), None);
    }

    #[test]
    fn wav_header_fields() {
        let h = wav_header(22050, Some(1000));
        assert_eq!(&h[0..4], b"RIFF");
        assert_eq!(u32::from_le_bytes([h[4], h[5], h[6], h[7]]), 1036);
        assert_eq!(u32::from_le_bytes([h[24], h[25], h[26], h[27]]), 22050);
        assert_eq!(u32::from_le_bytes([h[28], h[29], h[30], h[31]]), 44100);
        assert_eq!(u32::from_le_bytes([h[40], h[41], h[42], h[43]]), 1000);
        let s = wav_header(16000, None);
        assert_eq!(&s[4..8], &[0xFF; 4]);
        assert_eq!(&s[40..44], &[0xFF; 4]);
    }

    #[test]
    fn mulaw_known_values_and_round_trip() {
        // Reference points of G.711: silence, full scale, and the sign bit.
        assert_eq!(mulaw_encode(0), 0xFF);
        assert_eq!(mulaw_encode(-1), 0x7F);
        assert_eq!(mulaw_encode(32767), 0x80);
        assert_eq!(mulaw_encode(-32768), 0x00);
        assert_eq!(mulaw_decode(0xFF), 0);
        assert_eq!(mulaw_decode(0x80), 32124);
        for byte in 0..=255u8 {
            // Decoding then encoding gives the same code, except for the two zeros.
            let back = mulaw_encode(mulaw_decode(byte));
            assert!(back == byte || (byte == 0x7F && back == 0xFF), "{byte:#x} -> {back:#x}");
        }
        // Quantisation error stays within half a step of the segment (about 3 % of the value).
        for s in (-32000i32..32000).step_by(97) {
            let d = mulaw_decode(mulaw_encode(s as i16)) as i32;
            assert!((d - s).abs() <= 5 + s.abs() / 32, "{s} -> {d}");
        }
    }

    #[test]
    fn soft_limit_is_bounded_and_transparent_below_the_knee() {
        assert_eq!(soft_limit(0.5), 0.5);
        assert_eq!(soft_limit(-0.9), -0.9);
        for x in [0.95f32, 1.0, 3.0, 1e9, -7.0] {
            let y = soft_limit(x);
            assert!(y.abs() < 1.0 && y.abs() > 0.9 && y.signum() == x.signum(), "{x} -> {y}");
        }
        assert_eq!(soft_limit(f32::NAN), 0.0);
        assert_eq!(soft_limit(f32::INFINITY), 0.0);
    }

    #[test]
    fn to_i16_never_wraps() {
        assert_eq!(to_i16(2.0), i16::MAX);
        assert_eq!(to_i16(-2.0), i16::MIN);
        assert_eq!(to_i16(f32::NAN), 0);
        assert_eq!(to_i16(0.5), 16384);
    }

    #[test]
    fn encoder_writes_header_once_and_the_right_sample_count() {
        let mut e = Encoder::new(Format::Wav16k);
        let mut out = Vec::new();
        e.encode(&vec![0.0; 3200], &mut out);
        e.encode(&vec![0.0; 3200], &mut out);
        e.finish(&mut out);
        assert_eq!(&out[0..4], b"RIFF");
        assert_eq!(out.iter().filter(|&&b| b == b'R').count(), 1);
        assert_eq!((out.len() - 44) / 2, e.samples_out() as usize);
        assert!(e.samples_out().abs_diff(3200) <= 2);

        let mut u = Encoder::new(Format::Ulaw8k);
        let mut bytes = Vec::new();
        u.encode(&vec![0.0; 3200], &mut bytes);
        u.finish(&mut bytes);
        assert!(bytes.iter().all(|&b| b == 0xFF));
        assert!(bytes.len().abs_diff(800) <= 2);
    }
}
