//! What ElevenLabs offers, as far as this provider exposes it: output formats (mapped to the
//! host's format ids), models with their text limits and languages, and language tags.

/// One output format id of the WIT contract and how to get it from ElevenLabs.
#[derive(Debug, PartialEq, Eq)]
pub struct Format {
    /// The id in `provider-info.formats` and `synthesis-request.format`.
    pub id: &'static str,
    /// The `output_format` query value ElevenLabs takes.
    pub api: &'static str,
    /// True when the provider prepends a WAV header to the PCM ElevenLabs sends.
    pub wav: bool,
    /// Bytes of audio per second, to tell how long what was streamed lasts.
    pub bytes_per_second: u32,
}

const fn pcm(id: &'static str, api: &'static str, wav: bool, rate: u32) -> Format {
    Format { id, api, wav, bytes_per_second: rate * 2 }
}

const fn mp3(id: &'static str, kbps: u32) -> Format {
    Format { id, api: id, wav: false, bytes_per_second: kbps * 1000 / 8 }
}

/// Every format this provider produces, in the order `info` lists them. ElevenLabs has no WAV
/// output, so the `wav_*` ids ask for PCM and put a streamed header in front of it.
pub const FORMATS: &[Format] = &[
    mp3("mp3_44100_128", 128),
    mp3("mp3_22050_32", 32),
    mp3("mp3_44100_64", 64),
    mp3("mp3_44100_192", 192),
    pcm("pcm_16000", "pcm_16000", false, 16000),
    pcm("pcm_22050", "pcm_22050", false, 22050),
    pcm("pcm_24000", "pcm_24000", false, 24000),
    pcm("pcm_44100", "pcm_44100", false, 44100),
    // G.711 mu-law: one byte a sample.
    Format { id: "ulaw_8000", api: "ulaw_8000", wav: false, bytes_per_second: 8000 },
    pcm("wav_16000", "pcm_16000", true, 16000),
    pcm("wav_22050", "pcm_22050", true, 22050),
    pcm("wav_24000", "pcm_24000", true, 24000),
];

impl Format {
    /// The sample rate of the PCM under a `wav_*` format (the number after the codec).
    pub fn sample_rate(&self) -> u32 {
        self.id.split('_').nth(1).and_then(|r| r.parse().ok()).unwrap_or(0)
    }

    /// How long `audio_bytes` of this format last, in milliseconds (a WAV header excluded).
    pub fn duration_ms(&self, audio_bytes: u64) -> u32 {
        if self.bytes_per_second == 0 {
            return 0;
        }
        let ms = audio_bytes.saturating_mul(1000) / u64::from(self.bytes_per_second);
        u32::try_from(ms).unwrap_or(u32::MAX)
    }
}

/// Looks a format id up.
pub fn format(id: &str) -> Option<&'static Format> {
    FORMATS.iter().find(|f| f.id == id)
}

/// The 32 languages of the v2.5 models (Flash and Turbo), English first.
pub const LANGUAGES_V2_5: &[&str] = &[
    "en", "es", "fr", "de", "it", "pt", "pl", "hi", "ar", "ja", "zh", "ko", "nl", "tr", "sv", "id", "fil", "ru", "uk",
    "bg", "ro", "cs", "el", "fi", "hr", "ms", "sk", "da", "ta", "hu", "no", "vi",
];

/// The 29 languages of Multilingual v2: the v2.5 set without Hungarian, Norwegian and
/// Vietnamese.
pub const LANGUAGES_MULTILINGUAL_V2: &[&str] = &[
    "en", "es", "fr", "de", "it", "pt", "pl", "hi", "ar", "ja", "zh", "ko", "nl", "tr", "sv", "id", "fil", "ru", "uk",
    "bg", "ro", "cs", "el", "fi", "hr", "ms", "sk", "da", "ta",
];

/// A synthesis model.
#[derive(Debug, PartialEq, Eq)]
pub struct Model {
    pub id: &'static str,
    /// Longest text one request may carry, in characters.
    pub max_chars: u32,
    /// The languages it speaks; `None` when it speaks more than this provider lists (v3's
    /// 70-odd), so any well-formed tag is passed on.
    pub languages: Option<&'static [&'static str]>,
    /// Whether it takes `language_code` to enforce the language (ElevenLabs refuses the field
    /// for models that do not).
    pub takes_language_code: bool,
}

/// The models offered, best first for a phone call: Flash is the fastest to first byte.
pub const MODELS: &[Model] = &[
    Model { id: "eleven_flash_v2_5", max_chars: 40_000, languages: Some(LANGUAGES_V2_5), takes_language_code: true },
    Model { id: "eleven_turbo_v2_5", max_chars: 40_000, languages: Some(LANGUAGES_V2_5), takes_language_code: true },
    Model {
        id: "eleven_multilingual_v2",
        max_chars: 10_000,
        languages: Some(LANGUAGES_MULTILINGUAL_V2),
        takes_language_code: false,
    },
    Model { id: "eleven_v3", max_chars: 3_000, languages: None, takes_language_code: false },
];

/// Looks a model id up.
pub fn model(id: &str) -> Option<&'static Model> {
    MODELS.iter().find(|m| m.id == id)
}

/// The primary subtag of a BCP 47 tag, lower-cased and mapped to the code ElevenLabs uses
/// (`nb` and `nn` are `no`, `tl` is `fil`, the legacy `in` is `id`); `None` when the tag is
/// malformed.
pub fn language_code(tag: &str) -> Option<String> {
    let mut parts = tag.trim().split(['-', '_']);
    let primary = parts.next()?.to_ascii_lowercase();
    let well_formed = (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !well_formed {
        return None;
    }
    Some(
        match primary.as_str() {
            "nb" | "nn" => "no",
            "tl" => "fil",
            "in" => "id",
            other => other,
        }
        .to_string(),
    )
}

/// Whether a voice language `candidate` satisfies a filter language `wanted`: the same primary
/// language, and where both give a region or script, the same one (`en` matches `en-US`,
/// `en-GB` does not match `en-US`).
pub fn language_matches(wanted: &str, candidate: &str) -> bool {
    let (Some(w), Some(c)) = (language_code(wanted), language_code(candidate)) else { return false };
    if w != c {
        return false;
    }
    let rest = |tag: &str| tag.split(['-', '_']).skip(1).map(str::to_ascii_lowercase).collect::<Vec<_>>();
    let (wr, cr) = (rest(wanted), rest(candidate));
    wr.iter().zip(&cr).all(|(a, b)| a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_map_to_api_values() {
        assert_eq!(format("wav_22050").map(|f| (f.api, f.wav)), Some(("pcm_22050", true)));
        assert_eq!(format("mp3_44100_128").map(|f| f.bytes_per_second), Some(16_000));
        assert_eq!(format("ulaw_8000").map(|f| f.duration_ms(8000)), Some(1000));
        assert_eq!(format("pcm_24000").map(|f| f.duration_ms(48_000)), Some(1000));
        assert_eq!(format("wav_16000").map(Format::sample_rate), Some(16000));
        assert!(format("wav_44100").is_none() && format("opus_48000_32").is_none());
        assert_eq!(FORMATS.len(), 12);
    }

    #[test]
    fn models_and_languages() {
        assert_eq!(model("eleven_flash_v2_5").map(|m| m.max_chars), Some(40_000));
        assert_eq!(model("eleven_v3").map(|m| m.max_chars), Some(3_000));
        assert!(model("eleven_monolingual_v1").is_none());
        assert_eq!(LANGUAGES_V2_5.len(), 32);
        assert_eq!(LANGUAGES_MULTILINGUAL_V2.len(), 29);
        assert!(LANGUAGES_MULTILINGUAL_V2.iter().all(|l| LANGUAGES_V2_5.contains(l)));
    }

    #[test]
    fn language_tags() {
        assert_eq!(language_code("en-US").as_deref(), Some("en"));
        assert_eq!(language_code("PT_br").as_deref(), Some("pt"));
        assert_eq!(language_code("nb-NO").as_deref(), Some("no"));
        assert_eq!(language_code("fil").as_deref(), Some("fil"));
        assert_eq!(language_code("english"), None);
        assert_eq!(language_code("e1"), None);
        assert_eq!(language_code(""), None);
        assert_eq!(language_code("en-"), None);
        assert!(language_matches("en", "en-US") && language_matches("en-US", "en"));
        assert!(language_matches("EN-us", "en-US") && !language_matches("en-GB", "en-US"));
        assert!(!language_matches("fr", "en") && !language_matches("", "en"));
    }
}
