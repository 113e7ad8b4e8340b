//! Audio format ids (`wav_22050`, `ulaw_8000`, `mp3_44100_128` ...), as the WIT contract and
//! the operator's config name them: what they mean, their
//! MIME types, and what the host does to the bytes (patching a streamed WAV header, telling
//! how long the audio lasts).

use std::fmt;

/// How the samples are coded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// RIFF/WAVE, PCM 16-bit little-endian mono.
    Wav,
    /// Raw PCM 16-bit little-endian mono.
    Pcm,
    /// Raw G.711 mu-law, 8 bits a sample.
    Ulaw,
    Mp3,
}

/// A parsed format id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Format {
    pub codec: Codec,
    pub sample_rate: u32,
    /// For compressed codecs.
    pub kbps: Option<u32>,
}

/// Every format id the host understands, as the WIT contract lists them.
pub const KNOWN: &[&str] = &[
    "wav_16000",
    "wav_22050",
    "wav_24000",
    "pcm_16000",
    "pcm_22050",
    "pcm_24000",
    "pcm_44100",
    "ulaw_8000",
    "mp3_22050_32",
    "mp3_44100_64",
    "mp3_44100_128",
    "mp3_44100_192",
];

/// The size of the canonical 44-byte header of a PCM WAV file.
const WAV_HEADER: usize = 44;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown audio format `{given}`; use one of: {}", KNOWN.join(", "))]
pub struct UnknownFormat {
    pub given: String,
}

impl Format {
    pub fn parse(id: &str) -> Result<Self, UnknownFormat> {
        let unknown = || UnknownFormat { given: id.to_owned() };
        if !KNOWN.contains(&id) {
            return Err(unknown());
        }
        let mut parts = id.split('_');
        let codec = match parts.next() {
            Some("wav") => Codec::Wav,
            Some("pcm") => Codec::Pcm,
            Some("ulaw") => Codec::Ulaw,
            Some("mp3") => Codec::Mp3,
            _ => return Err(unknown()),
        };
        let sample_rate = parts.next().and_then(|r| r.parse().ok()).ok_or_else(unknown)?;
        let kbps = parts.next().and_then(|k| k.parse().ok());
        Ok(Self { codec, sample_rate, kbps })
    }

    /// The MIME type an MCP client plays it as.
    pub fn mime_type(&self) -> String {
        match self.codec {
            Codec::Wav => "audio/wav".into(),
            // RFC 2586: big-endian by default, so the parameters matter here.
            Codec::Pcm => format!("audio/L16;rate={};channels=1;endianness=little-endian", self.sample_rate),
            // RFC 2046's audio/basic is exactly 8 kHz mono mu-law.
            Codec::Ulaw if self.sample_rate == 8000 => "audio/basic".into(),
            Codec::Ulaw => format!("audio/PCMU;rate={}", self.sample_rate),
            Codec::Mp3 => "audio/mpeg".into(),
        }
    }

    /// The file extension for it.
    pub fn extension(&self) -> &'static str {
        match self.codec {
            Codec::Wav => "wav",
            Codec::Pcm => "pcm",
            Codec::Ulaw => "ulaw",
            Codec::Mp3 => "mp3",
        }
    }

    /// How long `audio` lasts, in milliseconds, when the codec says so by its length.
    pub fn duration_ms(&self, audio: &[u8]) -> Option<u32> {
        let samples = match self.codec {
            Codec::Wav => audio.len().saturating_sub(WAV_HEADER) / 2,
            Codec::Pcm => audio.len() / 2,
            Codec::Ulaw => audio.len(),
            Codec::Mp3 => return self.kbps.map(|k| (audio.len() as u64 * 8 / u64::from(k.max(1))) as u32),
        };
        Some((samples as u64 * 1000 / u64::from(self.sample_rate.max(1))) as u32)
    }

    /// Makes whole-file audio out of what a provider streamed: a streamed WAV header carries
    /// unknown (0xFFFFFFFF) sizes, which are set here now that the length is known.
    pub fn finish(&self, audio: &mut [u8]) {
        if self.codec != Codec::Wav || audio.len() < WAV_HEADER || &audio[0..4] != b"RIFF" {
            return;
        }
        let riff = (audio.len() - 8) as u32;
        audio[4..8].copy_from_slice(&riff.to_le_bytes());
        // The data chunk follows the `fmt ` chunk; find it rather than assume 36.
        let mut at = 12;
        while at + 8 <= audio.len() {
            let id = &audio[at..at + 4];
            let size = u32::from_le_bytes([audio[at + 4], audio[at + 5], audio[at + 6], audio[at + 7]]);
            if id == b"data" {
                let data = (audio.len() - at - 8) as u32;
                audio[at + 4..at + 8].copy_from_slice(&data.to_le_bytes());
                return;
            }
            at += 8 + size as usize + (size as usize & 1);
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let codec = match self.codec {
            Codec::Wav => "wav",
            Codec::Pcm => "pcm",
            Codec::Ulaw => "ulaw",
            Codec::Mp3 => "mp3",
        };
        match self.kbps {
            Some(k) => write!(f, "{codec}_{}_{k}", self.sample_rate),
            None => write!(f, "{codec}_{}", self.sample_rate),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streamed_wav(samples: usize) -> Vec<u8> {
        let mut wav = Vec::new();
        wav.extend_from_slice(b"RIFF");
        wav.extend_from_slice(&u32::MAX.to_le_bytes());
        wav.extend_from_slice(b"WAVEfmt ");
        wav.extend_from_slice(&16u32.to_le_bytes());
        wav.extend_from_slice(&[1, 0, 1, 0]);
        wav.extend_from_slice(&16000u32.to_le_bytes());
        wav.extend_from_slice(&32000u32.to_le_bytes());
        wav.extend_from_slice(&[2, 0, 16, 0]);
        wav.extend_from_slice(b"data");
        wav.extend_from_slice(&u32::MAX.to_le_bytes());
        wav.resize(44 + samples * 2, 0);
        wav
    }

    #[test]
    fn parses_every_known_id_and_round_trips() {
        for id in KNOWN {
            assert_eq!(Format::parse(id).unwrap().to_string(), *id);
        }
        assert!(Format::parse("wav_8000").is_err());
        assert!(Format::parse("flac_44100").unwrap_err().to_string().contains("wav_22050"));
    }

    #[test]
    fn patches_streamed_wav_sizes() {
        let mut wav = streamed_wav(16000);
        let format = Format::parse("wav_16000").unwrap();
        format.finish(&mut wav);
        assert_eq!(u32::from_le_bytes(wav[4..8].try_into().unwrap()), (wav.len() - 8) as u32);
        assert_eq!(u32::from_le_bytes(wav[40..44].try_into().unwrap()), 32000);
        assert_eq!(format.duration_ms(&wav), Some(1000));
    }

    #[test]
    fn durations_by_codec() {
        assert_eq!(Format::parse("ulaw_8000").unwrap().duration_ms(&[0; 4000]), Some(500));
        assert_eq!(Format::parse("pcm_22050").unwrap().duration_ms(&[0; 44100]), Some(1000));
        assert_eq!(Format::parse("mp3_44100_128").unwrap().duration_ms(&[0; 16000]), Some(1000));
        assert_eq!(Format::parse("ulaw_8000").unwrap().mime_type(), "audio/basic");
    }
}
