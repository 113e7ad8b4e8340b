//! The text-to-speech role: `speak`, voices, the default voice, and status, served by the
//! active TTS component (the first of the operator's providers that is loaded).
//!
//! `speak` checks the request against what the provider says it can do, asks the classifier
//! how the text should sound (unless the caller set everything), and streams the provider's
//! audio through the host's sink. Finished audio is cached in memory.

mod cache;
pub mod clips;
pub mod context;
mod error;
mod prefs;
mod speak;

pub use crate::media::{self as format, Format, UnknownFormat};
pub use cache::CacheStats;
pub use clips::{Clip, ClipWriter, Clips, Progress};
pub use error::{SpeakError, describe};

use super::chain::{Attempts, Breakers};
use super::{Routes, SpeechSettings};
use crate::contracts::tts::{ProviderInfo, Voice, VoiceFilter};
use crate::runtime::{LoadedComponent, Runtime};
use cache::{SpeechCache, Weight};
use error::clone_speak_error;
use prefs::Preferences;
use std::sync::Arc;
use std::time::Duration;

/// How long a provider's voice list is trusted before it is asked again.
const VOICES_TTL: Duration = Duration::from_secs(300);

/// A `speak` request, as the caller gave it.
#[derive(Debug, Clone, Default)]
pub struct SpeakRequest {
    pub text: String,
    pub voice: Option<String>,
    pub format: Option<String>,
    pub model: Option<String>,
    pub language: Option<String>,
    pub settings: Settings,
    /// Let the classifier choose settings the caller left out (default true).
    pub context_aware: bool,
    /// Refuse text with personal data; `None` takes the operator's default.
    pub refuse_personal_data: Option<bool>,
}

/// Voice settings as the caller gave them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Settings {
    pub stability: Option<f32>,
    pub similarity: Option<f32>,
    pub style: Option<f32>,
    pub speed: Option<f32>,
}

/// Finished speech: the audio, what the provider said about it, and how the host prepared
/// the request. Cached whole, so a hit needs neither classifier nor provider.
#[derive(Debug)]
pub struct Audio {
    pub bytes: Vec<u8>,
    /// The provider that spoke, and whether it stood in for the first choice.
    pub provider: ProviderRef,
    pub degraded: bool,
    /// Failed or skipped attempts before this audio was made.
    pub attempts: Attempts,
    pub voice: String,
    pub model: Option<String>,
    pub duration_ms: Option<u32>,
    pub characters: u32,
    /// The voice settings sent to the provider.
    pub settings: Settings,
    pub context: Option<context::ContextReport>,
    /// Problems the quality check found that did not stop the speech.
    pub warnings: Vec<String>,
    /// From the start of `speak` to the first audio chunk, and the synthesis itself.
    pub first_chunk: Duration,
    pub synthesis: Duration,
}

impl Weight for Audio {
    fn weight(&self) -> usize {
        self.bytes.len() + std::mem::size_of::<Self>()
    }
}

/// What `speak` produced.
pub struct Spoken {
    pub audio: Arc<Audio>,
    pub cached: bool,
    pub format: Format,
    /// From the start of `speak` to the first audio chunk (None for a cache hit).
    pub first_chunk: Option<Duration>,
    pub elapsed: Duration,
}

/// Which provider served a request.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProviderRef {
    /// The component's name.
    pub component: String,
    /// The provider's own id (`formant`).
    pub id: String,
    pub name: String,
}

/// The TTS role's state: cache, preferences, and what each provider said about itself.
pub struct Speech {
    cache: SpeechCache<Audio>,
    /// Circuit breakers by component name, kept across reloads.
    breakers: Breakers,
    prefs: Preferences,
    /// Provider info by load: a load's info never changes (a new key means a new load).
    infos: moka::future::Cache<u64, Arc<ProviderInfo>>,
    voices: moka::future::Cache<u64, Arc<Vec<Voice>>>,
    /// Audio served by URL (`/audio/{id}`).
    clips: Clips,
}

impl Speech {
    pub fn new(settings: &SpeechSettings) -> Self {
        let path = settings.preferences.clone().unwrap_or_else(Preferences::default_path);
        Self {
            cache: SpeechCache::new(settings.cache_mb * 1024 * 1024, Duration::from_secs(settings.cache_ttl_seconds)),
            prefs: Preferences::open(path),
            infos: moka::future::Cache::new(256),
            voices: moka::future::Cache::builder().max_capacity(256).time_to_live(VOICES_TTL).build(),
            breakers: Breakers::default(),
            clips: Clips::new(
                settings.audio_url_max_mb * 1024 * 1024,
                Duration::from_secs(settings.audio_url_ttl_seconds),
            ),
        }
    }

    /// The audio this host serves by URL.
    pub fn clips(&self) -> &Clips {
        &self.clips
    }

    /// Starts speaking `request` into a new clip, in the background, once the request is
    /// checked as `speak` would check it (text, settings, format, provider, voice): what is
    /// wrong with it is an error now, not a failed download later. Returns the clip's id; the
    /// clip can be read at once, and streams as the provider speaks.
    pub async fn start_clip(
        self: &Arc<Self>,
        runtime: &Arc<Runtime>,
        routes: &Routes,
        request: SpeakRequest,
    ) -> Result<(String, Format), SpeakError> {
        let format = self.check(runtime, routes, &request).await?;
        let writer = self.clips.create(format);
        let id = writer.id().to_owned();
        let (speech, runtime, routes) = (self.clone(), runtime.clone(), routes.clone());
        tokio::spawn(async move {
            match speech.speak_into(&runtime, &routes, request, Some(&writer)).await {
                Ok(spoken) => writer.finish(&spoken.audio.bytes),
                Err(e) => {
                    tracing::warn!(clip = writer.id(), error = %e, "audio for a URL could not be made");
                    writer.fail(e.to_string());
                }
            }
        });
        Ok((id, format))
    }

    /// The providers that can serve now, in the operator's order, with what they said about
    /// themselves. One that reports itself unavailable (no key, say) is left out.
    async fn candidates(
        &self,
        runtime: &Runtime,
        routes: &Routes,
    ) -> Result<Vec<(Arc<LoadedComponent>, Arc<ProviderInfo>)>, SpeakError> {
        if routes.tts.is_empty() {
            return Err(SpeakError::NoProvider);
        }
        let (mut ready, mut reasons) = (Vec::new(), Vec::new());
        for component in &routes.tts {
            match self.info(runtime, component).await {
                Ok(info) => match &info.unavailable {
                    None => ready.push((component.clone(), info)),
                    Some(why) => reasons.push(format!("{}: {why}", info.id)),
                },
                Err(e) => reasons.push(e.to_string()),
            }
        }
        if ready.is_empty() {
            return Err(SpeakError::NoneAvailable { reasons });
        }
        Ok(ready)
    }

    /// The longest text the active provider takes, if one is available.
    pub async fn max_text_length(&self, runtime: &Runtime, routes: &Routes) -> Option<u32> {
        let active = self.active(runtime, routes).await.ok()?;
        Some(self.info(runtime, &active).await.ok()?.max_text_length)
    }

    /// The provider that speaks: the first available one of the routes.
    async fn active(&self, runtime: &Runtime, routes: &Routes) -> Result<Arc<LoadedComponent>, SpeakError> {
        Ok(self.candidates(runtime, routes).await?.swap_remove(0).0)
    }

    /// A named provider (by component name or provider id), or the active one.
    async fn pick(
        &self,
        runtime: &Runtime,
        routes: &Routes,
        name: Option<&str>,
    ) -> Result<Arc<LoadedComponent>, SpeakError> {
        let Some(name) = name else { return self.active(runtime, routes).await };
        for component in &routes.tts {
            if component.name == name || self.info(runtime, component).await?.id == name {
                return Ok(component.clone());
            }
        }
        let mut known = Vec::new();
        for component in &routes.tts {
            known.push(self.info(runtime, component).await?.id.clone());
        }
        Err(SpeakError::UnknownProvider { name: name.to_owned(), known })
    }

    pub async fn info(&self, runtime: &Runtime, component: &LoadedComponent) -> Result<Arc<ProviderInfo>, SpeakError> {
        self.infos
            .try_get_with(component.load_id, async {
                runtime.tts_info(component).await.map(|(info, _)| Arc::new(info))
            })
            .await
            .map_err(|e| SpeakError::Call { provider: component.name.clone(), source: (*e).clone() })
    }

    async fn all_voices(&self, runtime: &Runtime, component: &LoadedComponent) -> Result<Arc<Vec<Voice>>, SpeakError> {
        let provider = component.name.clone();
        self.voices
            .try_get_with(component.load_id, async {
                let filter = VoiceFilter { language: None, search: None };
                match runtime.tts_list_voices(component, filter).await {
                    Ok((Ok(voices), _)) => Ok(Arc::new(voices)),
                    Ok((Err(error), _)) => Err(SpeakError::Provider { provider: provider.clone(), error }),
                    Err(source) => Err(SpeakError::Call { provider: provider.clone(), source }),
                }
            })
            .await
            .map_err(|e| clone_speak_error(&e))
    }

    /// The voices of a provider (the active one by default), filtered.
    pub async fn list_voices(
        &self,
        runtime: &Runtime,
        routes: &Routes,
        provider: Option<&str>,
        filter: VoiceFilter,
    ) -> Result<(ProviderRef, Vec<Voice>, String), SpeakError> {
        let component = self.pick(runtime, routes, provider).await?;
        let info = self.info(runtime, &component).await?;
        let voices = match runtime.tts_list_voices(&component, filter).await {
            Ok((Ok(voices), _)) => voices,
            Ok((Err(error), _)) => return Err(SpeakError::Provider { provider: info.id.clone(), error }),
            Err(source) => return Err(SpeakError::Call { provider: component.name.clone(), source }),
        };
        let default = self.prefs.default_voice(&info.id).unwrap_or_else(|| info.default_voice.clone());
        Ok((provider_ref(&component, &info), voices, default))
    }

    /// The default voice of a provider and where it comes from (`preference` or `provider`).
    pub async fn default_voice(
        &self,
        runtime: &Runtime,
        routes: &Routes,
        provider: Option<&str>,
    ) -> Result<(ProviderRef, String, &'static str), SpeakError> {
        let component = self.pick(runtime, routes, provider).await?;
        let info = self.info(runtime, &component).await?;
        let (voice, source) = match self.prefs.default_voice(&info.id) {
            Some(voice) => (voice, "preference"),
            None => (info.default_voice.clone(), "provider"),
        };
        Ok((provider_ref(&component, &info), voice, source))
    }

    /// Makes `voice` the default of a provider, after checking it has that voice.
    pub async fn set_default_voice(
        &self,
        runtime: &Runtime,
        routes: &Routes,
        provider: Option<&str>,
        voice: &str,
    ) -> Result<ProviderRef, SpeakError> {
        let component = self.pick(runtime, routes, provider).await?;
        let info = self.info(runtime, &component).await?;
        let voices = self.all_voices(runtime, &component).await?;
        check_voice(&voices, voice, &info.id)?;
        self.prefs.set_default_voice(&info.id, voice)?;
        tracing::info!(provider = %info.id, voice, "default voice set");
        Ok(provider_ref(&component, &info))
    }

    /// The state of every provider, the cache and the preferences, for `get_server_status`.
    pub async fn status(&self, runtime: &Runtime, routes: &Routes) -> serde_json::Value {
        let mut providers = Vec::new();
        let active = self.active(runtime, routes).await.ok();
        let resilience = &routes.speech.resilience;
        for (rank, component) in routes.tts.iter().enumerate() {
            let is_active = active.as_ref().is_some_and(|a| Arc::ptr_eq(a, component));
            let entry = match self.info(runtime, component).await {
                Ok(info) => serde_json::json!({
                    "component": component.name,
                    "id": info.id,
                    "name": info.name,
                    "rank": rank,
                    "active": is_active,
                    "unavailable": info.unavailable,
                    "breaker": self.breakers.status(&component.name, resilience),
                    "offline": info.offline,
                    "languages": info.languages,
                    "formats": info.formats,
                    "models": info.models,
                    "max_text_length": info.max_text_length,
                    "default_voice": self.prefs.default_voice(&info.id).unwrap_or_else(|| info.default_voice.clone()),
                }),
                Err(e) => {
                    serde_json::json!({ "component": component.name, "rank": rank, "active": false, "error": e.to_string() })
                }
            };
            providers.push(entry);
        }
        serde_json::json!({
            "providers": providers,
            "classifier": routes.classifier.as_ref().map(|c| c.name.clone()),
            "cache": self.cache.stats(),
            "audio_urls": self.clips.stats(),
            "preferences": {
                "path": self.prefs.path().display().to_string(),
                "problem": self.prefs.problem(),
            },
        })
    }
}

fn provider_ref(component: &LoadedComponent, info: &ProviderInfo) -> ProviderRef {
    ProviderRef { component: component.name.clone(), id: info.id.clone(), name: info.name.clone() }
}

fn check_voice(voices: &[Voice], voice: &str, provider: &str) -> Result<(), SpeakError> {
    if voices.iter().any(|v| v.id == voice) {
        return Ok(());
    }
    Err(SpeakError::UnknownVoice {
        voice: voice.to_owned(),
        provider: provider.to_owned(),
        available: closest(voices, voice),
        total: voices.len(),
    })
}

/// The few voice ids (by id or name) nearest to what was asked, nearest first.
fn closest(voices: &[Voice], asked: &str) -> Vec<String> {
    let asked = asked.to_lowercase();
    let distance = |v: &Voice| {
        let by = |s: &str| strsim::normalized_damerau_levenshtein(&asked, &s.to_lowercase());
        let contains = v.id.to_lowercase().contains(&asked) || v.name.to_lowercase().contains(&asked);
        (!contains, -(by(&v.id).max(by(&v.name)) * 1000.0) as i64)
    };
    let mut ranked: Vec<&Voice> = voices.iter().collect();
    ranked.sort_by_key(|v| distance(v));
    ranked.into_iter().take(5).map(|v| v.id.clone()).collect()
}

fn check_settings(settings: &Settings) -> Result<(), SpeakError> {
    let unit = [("stability", settings.stability), ("similarity", settings.similarity), ("style", settings.style)];
    for (field, value) in unit {
        if let Some(value) = value
            && !(0.0..=1.0).contains(&value)
        {
            return Err(SpeakError::Setting { field, value, min: 0.0, max: 1.0 });
        }
    }
    if let Some(speed) = settings.speed
        && !(0.5..=2.0).contains(&speed)
    {
        return Err(SpeakError::Setting { field: "speed", value: speed, min: 0.5, max: 2.0 });
    }
    Ok(())
}

/// `en` matches `en-US` and the other way round; case does not matter.
fn same_language(a: &str, b: &str) -> bool {
    let primary = |t: &str| t.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    a.eq_ignore_ascii_case(b) || primary(a) == primary(b)
}

fn personal_data_kinds(report: &crate::contracts::classifier::QualityReport) -> Vec<&'static str> {
    use crate::contracts::classifier::PersonalDataKind as K;
    let mut kinds: Vec<&'static str> = report
        .personal_data
        .iter()
        .map(|p| match p.kind {
            K::PhoneNumber => "a phone number",
            K::Email => "an e-mail address",
            K::CardNumber => "a payment card number",
            K::Ssn => "a social security number",
        })
        .collect();
    kinds.dedup();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_match_by_primary_tag() {
        assert!(same_language("en", "en-US"));
        assert!(same_language("en-GB", "EN"));
        assert!(!same_language("en", "es"));
    }

    #[test]
    fn settings_out_of_range_name_the_field() {
        let bad = Settings { speed: Some(3.0), ..Settings::default() };
        assert!(check_settings(&bad).unwrap_err().to_string().contains("settings.speed"));
        let nan = Settings { style: Some(f32::NAN), ..Settings::default() };
        assert!(check_settings(&nan).is_err());
    }
}
