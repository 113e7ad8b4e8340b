//! tts-formant: Switchboard's offline voice. Text goes through the rule-based front end
//! ([`text`]: normalisation, phrasing, letter to sound, stress) into [`phoneme`] sentences,
//! which the [`synth`] module speaks with a Klatt-style formant synthesiser. No model, no
//! network: everything is code and small tables.
//!
//! This file is the component glue: the WIT bindings, request checking and streaming to the
//! host's sink.

pub mod phoneme;
pub mod synth;
pub mod text;

wit_bindgen::generate!({
    path: ["../../wit/tts", "wit"],
    world: "switchboard:tts-formant/formant",
    // The world imports an interface of another package (switchboard:tts/sink).
    generate_all,
});

use exports::switchboard::tts::provider::Guest as Provider;
use exports::switchboard::tts_formant::inspect::Guest as Inspect;
use switchboard::tts::sink;
use switchboard::tts::types::{
    Gender, Label, ProviderInfo, SynthesisInfo, SynthesisRequest, TtsError, Voice, VoiceFilter, VoiceSettings,
};
use synth::request::{self, RequestError};
use synth::voices::{self, VOICES};

/// The WIT source, embedded as a custom section so that Switchboard can show its doc comments
/// as tool descriptions: the component toolchain drops them from the built `.wasm`.
#[unsafe(link_section = "switchboard-wit")]
#[used]
static WIT: [u8; include_bytes!("../wit/world.wit").len()] = *include_bytes!("../wit/world.wit");

/// The provider id the host knows this component by.
pub const PROVIDER_ID: &str = "formant";

/// The component. Natively (unit tests) nothing exports it: the WIT export names contain
/// `:` and `/`, which a native linker rejects, so `export!` is for wasm only.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Formant;

fn wit_voice(v: &voices::Voice) -> Voice {
    Voice {
        id: v.id.to_string(),
        name: v.name.to_string(),
        language: voices::LANGUAGE.to_string(),
        gender: match v.gender {
            voices::Gender::Female => Gender::Female,
            voices::Gender::Male => Gender::Male,
            voices::Gender::Neutral => Gender::Neutral,
        },
        labels: v.labels().iter().map(|(k, val)| Label { key: k.to_string(), value: val.to_string() }).collect(),
        preview_url: None,
    }
}

impl Provider for Formant {
    fn info() -> ProviderInfo {
        ProviderInfo {
            id: PROVIDER_ID.to_string(),
            name: "Formant (offline)".to_string(),
            languages: vec!["en".to_string(), voices::LANGUAGE.to_string()],
            formats: synth::Format::ALL.iter().map(|f| f.id().to_string()).collect(),
            models: Vec::new(),
            default_voice: VOICES[0].id.to_string(),
            max_text_length: request::MAX_TEXT_LENGTH,
            offline: true,
            unavailable: None,
        }
    }

    fn list_voices(filter: VoiceFilter) -> Result<Vec<Voice>, TtsError> {
        Ok(VOICES
            .iter()
            .filter(|v| v.matches(filter.language.as_deref(), filter.search.as_deref()))
            .map(wit_voice)
            .collect())
    }

    /// Checks the request, then speaks it phrase by phrase into the sink. If the sink refuses
    /// a chunk (the caller went away or a limit was hit), synthesis stops and the call still
    /// succeeds, reporting the duration of the audio the sink accepted.
    fn synthesize(request: SynthesisRequest) -> Result<SynthesisInfo, TtsError> {
        let settings = request.settings;
        let checked = request::check(&request::Request {
            text: &request.text,
            voice: &request.voice,
            model: request.model.as_deref(),
            language: request.language.as_deref(),
            format: &request.format,
            settings: synth::RawSettings {
                stability: settings.stability,
                similarity: settings.similarity,
                style: settings.style,
                speed: settings.speed,
            },
        })
        .map_err(|e| match e {
            RequestError::Invalid(m) => TtsError::InvalidRequest(m),
            RequestError::VoiceNotFound(m) => TtsError::VoiceNotFound(m),
        })?;
        let emphasis: Vec<(u32, u32)> = request.emphasis.iter().map(|s| (s.start, s.end)).collect();
        let sentences = text::analyse(&request.text, &emphasis);
        let speakable = sentences.iter().flat_map(|s| &s.phrases).flat_map(|p| &p.words).any(|w| !w.phones.is_empty());
        if !speakable {
            return Err(TtsError::InvalidRequest(
                "the text has nothing this voice can pronounce (only punctuation or symbols); give some words".into(),
            ));
        }
        let outcome =
            synth::speak(&sentences, checked.voice, &checked.settings, checked.format, &mut |chunk| sink::push(chunk));
        Ok(SynthesisInfo {
            voice: checked.voice.id.to_string(),
            model: None,
            format: checked.format.id().to_string(),
            duration_ms: Some(outcome.duration_ms()),
            characters: checked.characters,
            settings: Some(used_settings(&checked.settings)),
        })
    }
}

/// The settings spoken with, for `synthesis-info.settings`: what the request gave or the
/// defaults for stability, style and speed; none for similarity, which has no effect here.
fn used_settings(settings: &synth::Settings) -> VoiceSettings {
    VoiceSettings {
        stability: Some(settings.stability),
        similarity: None,
        style: Some(settings.style),
        speed: Some(settings.speed),
    }
}

impl Inspect for Formant {
    fn normalize(text: String) -> String {
        text::normalize(&text)
    }

    fn phonemes(text: String) -> String {
        phoneme::transcription(&text::analyse(&text, &[]))
    }
}

#[cfg(target_arch = "wasm32")]
export!(Formant);

#[cfg(test)]
mod tests {
    use super::*;

    fn request(text: &str) -> SynthesisRequest {
        SynthesisRequest {
            text: text.to_string(),
            voice: "alba".to_string(),
            model: None,
            language: None,
            format: "wav_16000".to_string(),
            settings: VoiceSettings { stability: None, similarity: None, style: None, speed: None },
            emphasis: Vec::new(),
        }
    }

    /// The error of a request that must be refused before any audio (natively there is no
    /// sink, so reaching it would trap).
    fn refusal(r: SynthesisRequest) -> TtsError {
        match <Formant as Provider>::synthesize(r) {
            Err(e) => e,
            Ok(info) => panic!("accepted: {info:?}"),
        }
    }

    #[test]
    fn info_describes_an_offline_english_provider() {
        let info = <Formant as Provider>::info();
        assert_eq!(info.id, "formant");
        assert_eq!(info.languages, vec!["en", "en-US"]);
        assert_eq!(info.formats, vec!["wav_16000", "wav_22050", "pcm_16000", "pcm_22050", "ulaw_8000"]);
        assert!(info.models.is_empty() && info.offline);
        assert_eq!(info.default_voice, "alba");
        assert_eq!(info.max_text_length, 5000);
    }

    #[test]
    fn voices_are_listed_and_filtered() {
        let all = <Formant as Provider>::list_voices(VoiceFilter { language: None, search: None }).unwrap_or_default();
        assert!(all.len() >= 3);
        assert!(all.iter().all(|v| v.language == "en-US" && v.preview_url.is_none() && v.labels.len() == 3));
        let french = VoiceFilter { language: Some("fr".into()), search: None };
        assert!(<Formant as Provider>::list_voices(french).is_ok_and(|v| v.is_empty()));
        let calm = VoiceFilter { language: Some("en".into()), search: Some("CALM".into()) };
        let found = <Formant as Provider>::list_voices(calm).unwrap_or_default();
        assert_eq!(found.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(), vec!["marlow"]);
        assert!(matches!(found[0].gender, Gender::Male));
    }

    #[test]
    fn bad_requests_are_refused_with_the_right_error() {
        assert!(matches!(refusal(request("   ")), TtsError::InvalidRequest(m) if m.contains("empty")));
        assert!(matches!(refusal(request("?! ...")), TtsError::InvalidRequest(m) if m.contains("pronounce")));
        let long = "a".repeat(5001);
        assert!(matches!(refusal(request(&long)), TtsError::InvalidRequest(m) if m.contains("5001")));
        let r = SynthesisRequest { voice: "nobody".into(), ..request("Hi.") };
        assert!(matches!(refusal(r), TtsError::VoiceNotFound(m) if m.contains("alba")));
        let r = SynthesisRequest { format: "mp3_44100_128".into(), ..request("Hi.") };
        assert!(matches!(refusal(r), TtsError::InvalidRequest(m) if m.contains("ulaw_8000")));
        let r = SynthesisRequest { language: Some("de".into()), ..request("Hi.") };
        assert!(matches!(refusal(r), TtsError::InvalidRequest(m) if m.contains("de")));
        let r = SynthesisRequest { model: Some("eleven_v3".into()), ..request("Hi.") };
        assert!(matches!(refusal(r), TtsError::InvalidRequest(m) if m.contains("no models")));
        let settings = VoiceSettings { stability: None, similarity: None, style: None, speed: Some(9.0) };
        let r = SynthesisRequest { settings, ..request("Hi.") };
        assert!(matches!(refusal(r), TtsError::InvalidRequest(m) if m.contains("speed")));
    }

    #[test]
    fn reports_the_settings_it_used() {
        let fields = |s: VoiceSettings| (s.stability, s.similarity, s.style, s.speed);
        assert_eq!(fields(used_settings(&synth::Settings::default())), (Some(0.5), None, Some(0.0), Some(1.0)));
        let raw = synth::RawSettings { stability: None, similarity: Some(0.9), style: Some(0.4), speed: Some(1.5) };
        let checked = request::check(&request::Request {
            text: "Hi.",
            voice: "alba",
            model: None,
            language: None,
            format: "wav_16000",
            settings: raw,
        })
        .expect("valid");
        assert_eq!(fields(used_settings(&checked.settings)), (Some(0.5), None, Some(0.4), Some(1.5)));
    }

    #[test]
    fn inspect_shows_the_reading_and_the_pronunciation() {
        let phones = <Formant as Inspect>::phonemes("Hello, world.".to_string());
        assert!(phones.contains(" | "), "{phones}");
        assert!(phones.starts_with("HH"), "{phones}");
        assert!(!<Formant as Inspect>::normalize("Dr. Smith".to_string()).is_empty());
    }
}
