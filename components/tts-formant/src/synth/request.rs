//! Checking a synthesis request before any work is done, with messages that say what to fix.

use super::audio::Format;
use super::voices::{self, VOICES, Voice};

/// Longest text one request may carry, in characters (Unicode scalar values).
pub const MAX_TEXT_LENGTH: u32 = 5000;

/// Slowest and fastest accepted speaking rate.
pub const SPEED_RANGE: (f32, f32) = (0.5, 2.0);

/// Voice settings as a request gives them: each optional.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RawSettings {
    /// 0..1: pitch range, higher is steadier.
    pub stability: Option<f32>,
    /// 0..1: accepted and ignored.
    pub similarity: Option<f32>,
    /// 0..1: accent exaggeration.
    pub style: Option<f32>,
    /// 0.5..2: speaking rate.
    pub speed: Option<f32>,
}

/// Voice settings with the defaults filled in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// 0 (expressive, wide pitch range) to 1 (steady, narrow range).
    pub stability: f32,
    /// 0 (neutral) to 1 (exaggerated accents).
    pub style: f32,
    /// Speaking rate, 1 normal.
    pub speed: f32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { stability: 0.5, style: 0.0, speed: 1.0 }
    }
}

/// Why a request was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum RequestError {
    /// The request is malformed; the message says how.
    Invalid(String),
    /// No voice has the requested id; the message lists the voices.
    VoiceNotFound(String),
}

/// A request that passed every check.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Checked {
    /// The voice to speak with.
    pub voice: &'static Voice,
    /// The output format.
    pub format: Format,
    /// The settings with defaults filled in.
    pub settings: Settings,
    /// Length of the text in characters.
    pub characters: u32,
}

/// The fields of a synthesis request that need checking.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The text to speak.
    pub text: &'a str,
    /// A voice id.
    pub voice: &'a str,
    /// A model id, if any.
    pub model: Option<&'a str>,
    /// BCP 47 language of the text, if known.
    pub language: Option<&'a str>,
    /// A format id.
    pub format: &'a str,
    /// The voice settings as given.
    pub settings: RawSettings,
}

fn voice_list() -> String {
    VOICES.iter().map(|v| v.id).collect::<Vec<_>>().join(", ")
}

fn format_list() -> String {
    Format::ALL.iter().map(|f| f.id()).collect::<Vec<_>>().join(", ")
}

/// Checks one setting: absent takes the default, present must be finite and in range.
fn setting(name: &str, value: Option<f32>, range: (f32, f32), default: f32) -> Result<f32, RequestError> {
    match value {
        None => Ok(default),
        Some(v) if v.is_finite() && v >= range.0 && v <= range.1 => Ok(v),
        Some(v) => Err(RequestError::Invalid(format!(
            "settings.{name} is {v}; it must be between {} and {}",
            range.0, range.1
        ))),
    }
}

/// Checks a request, in the order a caller would fix things: text, voice, format, language,
/// model, settings. A blank `model` or `language` counts as not given.
pub fn check(request: &Request<'_>) -> Result<Checked, RequestError> {
    if request.text.trim().is_empty() {
        return Err(RequestError::Invalid("the text is empty; give some words to speak".into()));
    }
    let characters = u32::try_from(request.text.chars().count()).unwrap_or(u32::MAX);
    if characters > MAX_TEXT_LENGTH {
        return Err(RequestError::Invalid(format!(
            "the text is {characters} characters long; this provider reads at most {MAX_TEXT_LENGTH} characters \
             per request, so split it"
        )));
    }
    let Some(voice) = voices::find(request.voice) else {
        return Err(RequestError::VoiceNotFound(format!(
            "no voice `{}`; the voices are {}",
            request.voice,
            voice_list()
        )));
    };
    let Some(format) = Format::parse(request.format.trim()) else {
        return Err(RequestError::Invalid(format!(
            "format `{}` is not supported; use one of {}",
            request.format,
            format_list()
        )));
    };
    if let Some(language) = request.language.map(str::trim).filter(|l| !l.is_empty()) {
        let primary = language.split(['-', '_']).next().unwrap_or("");
        if !primary.eq_ignore_ascii_case("en") {
            return Err(RequestError::Invalid(format!(
                "language `{language}` is not supported; this provider speaks English only (en, en-US)"
            )));
        }
    }
    if let Some(model) = request.model.map(str::trim).filter(|m| !m.is_empty()) {
        return Err(RequestError::Invalid(format!(
            "model `{model}` was asked for, but this provider has no models; leave `model` out"
        )));
    }
    let raw = request.settings;
    let defaults = Settings::default();
    setting("similarity", raw.similarity, (0.0, 1.0), 0.0)?;
    let settings = Settings {
        stability: setting("stability", raw.stability, (0.0, 1.0), defaults.stability)?,
        style: setting("style", raw.style, (0.0, 1.0), defaults.style)?,
        speed: setting("speed", raw.speed, SPEED_RANGE, defaults.speed)?,
    };
    Ok(Checked { voice, format, settings, characters })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(text: &str) -> Request<'_> {
        Request {
            text,
            voice: "alba",
            model: None,
            language: None,
            format: "wav_16000",
            settings: RawSettings::default(),
        }
    }

    fn invalid(r: &Request<'_>) -> String {
        match check(r) {
            Err(RequestError::Invalid(m)) => m,
            other => panic!("expected invalid-request, got {other:?}"),
        }
    }

    #[test]
    fn accepts_a_plain_request_with_defaults() {
        let c = check(&request("Hello there.")).expect("valid");
        assert_eq!(c.voice.id, "alba");
        assert_eq!(c.format, Format::Wav16k);
        assert_eq!(c.settings, Settings::default());
        assert_eq!(c.characters, 12);
    }

    #[test]
    fn refuses_empty_and_long_text() {
        assert!(invalid(&request(" \n\t ")).contains("empty"));
        let long = "é".repeat(5001);
        let m = invalid(&request(&long));
        assert!(m.contains("5001") && m.contains("5000"), "{m}");
        assert!(check(&request(&"é".repeat(5000))).is_ok());
    }

    #[test]
    fn names_voices_formats_and_fields() {
        let r = Request { voice: "zed", ..request("hi") };
        match check(&r) {
            Err(RequestError::VoiceNotFound(m)) => assert!(m.contains("zed") && m.contains("marlow"), "{m}"),
            other => panic!("{other:?}"),
        }
        let m = invalid(&Request { format: "mp3_44100_128", ..request("hi") });
        assert!(m.contains("mp3_44100_128") && m.contains("ulaw_8000") && m.contains("wav_22050"), "{m}");
        let m = invalid(&Request { language: Some("fr-FR"), ..request("hi") });
        assert!(m.contains("fr-FR"), "{m}");
        assert!(check(&Request { language: Some("en-GB"), ..request("hi") }).is_ok());
        assert!(check(&Request { language: Some(""), model: Some(" "), ..request("hi") }).is_ok());
        let m = invalid(&Request { model: Some("turbo"), ..request("hi") });
        assert!(m.contains("no models"), "{m}");
        for (settings, field) in [
            (RawSettings { speed: Some(3.0), ..Default::default() }, "speed"),
            (RawSettings { speed: Some(f32::NAN), ..Default::default() }, "speed"),
            (RawSettings { stability: Some(-0.1), ..Default::default() }, "stability"),
            (RawSettings { style: Some(1.5), ..Default::default() }, "style"),
            (RawSettings { similarity: Some(2.0), ..Default::default() }, "similarity"),
        ] {
            let m = invalid(&Request { settings, ..request("hi") });
            assert!(m.contains(field), "{m}");
        }
        let ok = RawSettings { stability: Some(1.0), similarity: Some(0.3), style: Some(0.0), speed: Some(0.5) };
        let c = check(&Request { settings: ok, ..request("hi") }).expect("in range");
        assert_eq!(c.settings, Settings { stability: 1.0, style: 0.0, speed: 0.5 });
    }
}
