//! Checking a synthesis request before anything goes on the wire, and building the ElevenLabs
//! request from it: `POST /v1/text-to-speech/{voice_id}/stream?output_format=...` with
//! `{text, model_id, language_code, voice_settings}`.

use crate::catalog::{self, Format, Model};
use crate::errors::{ApiError, Kind};
use crate::switchboard::tts::types::{SynthesisRequest, VoiceSettings};
use crate::url;
use serde_json::{Value, json};

/// ElevenLabs' own defaults, sent when the request leaves a setting out, so the sound does not
/// depend on what was last saved for the voice in the dashboard.
pub const DEFAULT_STABILITY: f32 = 0.5;
pub const DEFAULT_SIMILARITY: f32 = 0.75;
pub const DEFAULT_STYLE: f32 = 0.0;
pub const DEFAULT_SPEED: f32 = 1.0;
/// The speaking rates ElevenLabs accepts.
pub const SPEED_RANGE: (f32, f32) = (0.7, 1.2);

/// A request that passed the checks.
#[derive(Debug, PartialEq)]
pub struct Checked {
    pub voice: String,
    pub model: &'static Model,
    pub format: &'static Format,
    /// Sent as `language_code` (only to models that take it).
    pub language_code: Option<String>,
    pub stability: f32,
    pub similarity: f32,
    pub style: f32,
    pub speed: f32,
    /// Characters of the text.
    pub characters: u32,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(Kind::InvalidRequest, message)
}

/// Checks `request`; `default_voice` stands in for an empty voice and `default_model` for an
/// absent model. Emphasis spans are accepted and ignored: ElevenLabs has no way to stress a
/// span of text.
pub fn check(
    request: &SynthesisRequest,
    default_voice: &str,
    default_model: &'static Model,
) -> Result<Checked, ApiError> {
    if request.text.trim().is_empty() {
        return Err(invalid("the text is empty; give something to say"));
    }
    let format = catalog::format(&request.format).ok_or_else(|| {
        invalid(format!(
            "ElevenLabs cannot produce the format `{}`; use one of: {}",
            request.format,
            catalog::FORMATS.iter().map(|f| f.id).collect::<Vec<_>>().join(", ")
        ))
    })?;
    let model = match request.model.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        None => default_model,
        Some(id) => catalog::model(id).ok_or_else(|| {
            invalid(format!(
                "unknown model `{id}`; use one of: {}",
                catalog::MODELS.iter().map(|m| m.id).collect::<Vec<_>>().join(", ")
            ))
        })?,
    };
    let characters = u32::try_from(request.text.chars().count()).unwrap_or(u32::MAX);
    if characters > model.max_chars {
        return Err(invalid(format!(
            "the text has {characters} characters; {} takes at most {}",
            model.id, model.max_chars
        )));
    }
    let voice = match request.voice.trim() {
        "" => default_voice.to_string(),
        v => v.to_string(),
    };
    if !url::is_id(&voice) {
        return Err(ApiError::new(Kind::NotFound, format!("no voice `{voice}`: voice ids are letters and digits")));
    }
    let language_code = match request.language.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        None => None,
        Some(tag) => {
            let code = catalog::language_code(tag)
                .ok_or_else(|| invalid(format!("`{tag}` is not a BCP 47 language tag (e.g. `en` or `pt-BR`)")))?;
            if let Some(spoken) = model.languages
                && !spoken.contains(&code.as_str())
            {
                return Err(invalid(format!("{} does not speak `{tag}`; it speaks: {}", model.id, spoken.join(", "))));
            }
            model.takes_language_code.then_some(code)
        }
    };
    let VoiceSettings { stability, similarity, style, speed } = request.settings;
    Ok(Checked {
        voice,
        model,
        format,
        language_code,
        stability: setting("stability", stability, (0.0, 1.0), DEFAULT_STABILITY)?,
        similarity: setting("similarity", similarity, (0.0, 1.0), DEFAULT_SIMILARITY)?,
        style: setting("style", style, (0.0, 1.0), DEFAULT_STYLE)?,
        speed: setting("speed", speed, SPEED_RANGE, DEFAULT_SPEED)?,
        characters,
    })
}

fn setting(name: &str, value: Option<f32>, (lo, hi): (f32, f32), default: f32) -> Result<f32, ApiError> {
    match value {
        None => Ok(default),
        Some(v) if v.is_finite() && (lo..=hi).contains(&v) => Ok(v),
        Some(v) => Err(invalid(format!("settings.{name} must be between {lo} and {hi}; got {v}"))),
    }
}

impl Checked {
    /// Path and query of the streaming endpoint.
    pub fn path(&self) -> String {
        format!("/v1/text-to-speech/{}/stream?output_format={}", url::encode(&self.voice), self.format.api)
    }

    /// The JSON body. Rounding the settings to two decimals keeps f32 noise (0.699999988)
    /// out of the wire format.
    pub fn body(&self, text: &str) -> Value {
        let mut body = json!({
            "text": text,
            "model_id": self.model.id,
            "voice_settings": {
                "stability": round(self.stability),
                "similarity_boost": round(self.similarity),
                "style": round(self.style),
                "use_speaker_boost": true,
                "speed": round(self.speed),
            },
        });
        if let (Some(code), Some(map)) = (&self.language_code, body.as_object_mut()) {
            map.insert("language_code".into(), Value::String(code.clone()));
        }
        body
    }

    /// The `voice_settings` [`Self::body`] sends, as `synthesis-info.settings` reports them:
    /// every field, the request's values with ElevenLabs' defaults for what it left out, rounded
    /// as sent. (`use_speaker_boost`, always on, has no field in the record.)
    pub fn settings(&self) -> VoiceSettings {
        let sent = |v: f32| round(v) as f32;
        VoiceSettings {
            stability: Some(sent(self.stability)),
            similarity: Some(sent(self.similarity)),
            style: Some(sent(self.style)),
            speed: Some(sent(self.speed)),
        }
    }
}

/// A setting as it goes on the wire: two decimals.
fn round(v: f32) -> f64 {
    (f64::from(v) * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(text: &str) -> SynthesisRequest {
        SynthesisRequest {
            text: text.into(),
            voice: "21m00Tcm4TlvDq8ikWAM".into(),
            model: None,
            language: None,
            format: "mp3_44100_128".into(),
            settings: VoiceSettings { stability: None, similarity: None, style: None, speed: None },
            emphasis: Vec::new(),
        }
    }

    fn check_default(r: &SynthesisRequest) -> Result<Checked, ApiError> {
        check(r, "defaultVoice", catalog::model("eleven_flash_v2_5").unwrap_or(&catalog::MODELS[0]))
    }

    fn refusal(r: SynthesisRequest) -> ApiError {
        match check_default(&r) {
            Err(e) => e,
            Ok(c) => panic!("accepted: {c:?}"),
        }
    }

    #[test]
    fn builds_the_wire_request() {
        let mut r = request("Hola, ¿qué tal?");
        r.format = "wav_22050".into();
        r.language = Some("es-MX".into());
        r.settings.speed = Some(0.7);
        r.settings.stability = Some(0.3);
        let c = check_default(&r).expect("valid");
        assert_eq!(c.path(), "/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/stream?output_format=pcm_22050");
        assert_eq!(c.characters, 15);
        assert_eq!(
            c.body(&r.text),
            json!({
                "text": "Hola, ¿qué tal?",
                "model_id": "eleven_flash_v2_5",
                "language_code": "es",
                "voice_settings": {"stability": 0.3, "similarity_boost": 0.75, "style": 0.0,
                                   "use_speaker_boost": true, "speed": 0.7},
            })
        );
    }

    #[test]
    fn defaults_fill_in() {
        let mut r = request("Hi");
        r.voice = " ".into();
        r.model = Some("eleven_multilingual_v2".into());
        r.language = Some("de".into());
        let c = check_default(&r).expect("valid");
        assert_eq!(c.voice, "defaultVoice");
        assert_eq!(c.model.id, "eleven_multilingual_v2");
        // Multilingual v2 refuses language_code, so it is checked but not sent.
        assert_eq!(c.language_code, None);
        assert!(c.body("Hi").get("language_code").is_none());
        let c = check_default(&request("Hi")).expect("valid");
        assert_eq!((c.stability, c.similarity, c.style, c.speed), (0.5, 0.75, 0.0, 1.0));
    }

    #[test]
    fn reports_the_settings_it_sends() {
        let fields = |s: VoiceSettings| (s.stability, s.similarity, s.style, s.speed);
        let c = check_default(&request("Hi")).expect("valid");
        assert_eq!(fields(c.settings()), (Some(0.5), Some(0.75), Some(0.0), Some(1.0)));
        let mut r = request("Hi");
        r.settings = VoiceSettings { stability: Some(0.333), similarity: None, style: Some(0.2), speed: Some(0.7) };
        let c = check_default(&r).expect("valid");
        let reported = c.settings();
        assert_eq!(fields(reported), (Some(0.33), Some(0.75), Some(0.2), Some(0.7)));
        // Every field the API received is reported, with the value it received.
        let sent = &c.body("Hi")["voice_settings"];
        for (name, value) in [
            ("stability", reported.stability),
            ("similarity_boost", reported.similarity),
            ("style", reported.style),
            ("speed", reported.speed),
        ] {
            let value = value.map(|v| (f64::from(v) * 100.0).round() / 100.0);
            assert_eq!(sent[name].as_f64(), value, "{name}");
        }
    }

    #[test]
    fn refuses_bad_requests() {
        assert!(refusal(request(" \n")).message.contains("empty"));
        let mut r = request("Hi");
        r.format = "flac_48000".into();
        assert!(refusal(r).message.contains("ulaw_8000"));
        let mut r = request("Hi");
        r.model = Some("eleven_monolingual_v1".into());
        assert!(refusal(r).message.contains("eleven_flash_v2_5"));
        let mut r = request(&"a".repeat(3001));
        r.model = Some("eleven_v3".into());
        assert!(refusal(r).message.contains("3001"));
        let mut r = request("Hi");
        r.language = Some("xx".into());
        assert!(refusal(r).message.contains("does not speak"));
        let mut r = request("Hi");
        r.language = Some("english!".into());
        assert!(refusal(r).message.contains("BCP 47"));
        let mut r = request("Hi");
        r.model = Some("eleven_v3".into());
        r.language = Some("sw".into());
        assert!(check_default(&r).is_ok(), "v3 speaks more than the listed languages");
        for (speed, ok) in [(0.69, false), (1.21, false), (f32::NAN, false), (1.2, true)] {
            let mut r = request("Hi");
            r.settings.speed = Some(speed);
            assert_eq!(check_default(&r).is_ok(), ok, "{speed}");
        }
        let mut r = request("Hi");
        r.settings.similarity = Some(-0.1);
        assert!(refusal(r).message.contains("settings.similarity"));
        let mut r = request("Hi");
        r.settings.style = Some(f32::INFINITY);
        assert!(refusal(r).message.contains("settings.style"));
        let mut r = request("Hi");
        r.voice = "../v1/user".into();
        assert_eq!(refusal(r).kind, Kind::NotFound);
    }
}
