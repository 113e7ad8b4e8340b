//! The text-to-speech role: `speak`, voices, the default voice, and status, served by the
//! active TTS component (the first of the operator's providers that is loaded).
//!
//! `speak` checks the request against what the provider says it can do, asks the classifier
//! how the text should sound (unless the caller set everything), and streams the provider's
//! audio through the host's sink. Finished audio is cached in memory.

mod cache;
pub mod context;
pub mod format;
mod prefs;

pub use cache::CacheStats;
pub use format::{Format, UnknownFormat};

use super::{Routes, SpeechSettings, classifier};
use crate::runtime::roles::{ProviderInfo, SynthesisRequest, TtsError, Voice, VoiceFilter, VoiceSettings};
use crate::runtime::{CallError, LoadedComponent, Runtime};
use cache::{Key, SpeechCache, Weight};
use prefs::Preferences;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a provider's voice list is trusted before it is asked again.
const VOICES_TTL: Duration = Duration::from_secs(300);
/// Chunks a provider may push ahead of the host reading them.
const SINK_DEPTH: usize = 64;

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
    pub provider: ProviderRef,
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

#[derive(Debug, thiserror::Error)]
pub enum SpeakError {
    #[error("no text-to-speech component is loaded; load one (the built-in offline voice is `tts_formant`)")]
    NoProvider,
    #[error("`text` is empty: pass the words to speak")]
    EmptyText,
    #[error("the text has {chars} characters but `{provider}` takes at most {max}; split it into shorter requests")]
    TooLong { chars: usize, max: u32, provider: String },
    #[error(transparent)]
    UnknownFormat(#[from] UnknownFormat),
    #[error("`{provider}` cannot make `{format}`; it makes: {}", .supported.join(", "))]
    FormatUnsupported { format: String, provider: String, supported: Vec<String> },
    #[error("`{provider}` has no voice `{voice}`; its voices are: {}", .available.join(", "))]
    UnknownVoice { voice: String, provider: String, available: Vec<String> },
    #[error("`{provider}` does not speak `{language}`; it speaks: {}", .languages.join(", "))]
    LanguageUnsupported { language: String, provider: String, languages: Vec<String> },
    #[error("`settings.{field}` is {value} but must be between {min} and {max}")]
    Setting { field: &'static str, value: f32, min: f32, max: f32 },
    #[error(
        "the text contains personal data ({}) and `refuse_personal_data` is set; remove it, or set `refuse_personal_data` to false to speak it anyway",
        .kinds.join(", ")
    )]
    PersonalData { kinds: Vec<&'static str> },
    #[error("`{provider}` refused: {}", describe(.error))]
    Provider { provider: String, error: TtsError },
    #[error("`{provider}` failed: {source}")]
    Call { provider: String, source: CallError },
    #[error(transparent)]
    Classifier(#[from] classifier::ClassifyError),
    #[error("cannot save the default voice: {0}")]
    Preferences(#[from] prefs::PrefsError),
}

impl SpeakError {
    /// A short fixed label for logs and metrics (the message may quote the request).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NoProvider => "no_provider",
            Self::EmptyText | Self::TooLong { .. } | Self::Setting { .. } => "invalid_request",
            Self::UnknownFormat(_) | Self::FormatUnsupported { .. } => "format",
            Self::UnknownVoice { .. } => "voice_not_found",
            Self::LanguageUnsupported { .. } => "language",
            Self::PersonalData { .. } => "personal_data",
            Self::Provider { .. } => "provider_error",
            Self::Call { source, .. } => source.kind(),
            Self::Classifier(_) => "classifier",
            Self::Preferences(_) => "preferences",
        }
    }
}

/// An agent-facing explanation of a provider's error.
pub fn describe(error: &TtsError) -> String {
    match error {
        TtsError::InvalidRequest(m) => format!("invalid request: {m}"),
        TtsError::Unauthorized(m) => format!("unauthorized (check the provider's API key): {m}"),
        TtsError::QuotaExceeded(m) => format!("quota exceeded: {m}"),
        TtsError::RateLimited(r) => match r.retry_after_ms {
            Some(ms) => format!("rate limited, retry after {ms} ms: {}", r.message),
            None => format!("rate limited, retry later: {}", r.message),
        },
        TtsError::VoiceNotFound(m) => format!("voice not found: {m}; list_voices gives the voices"),
        TtsError::Unavailable(m) => format!("unavailable, try again later: {m}"),
        TtsError::Internal(m) => format!("internal error: {m}"),
    }
}

/// The TTS role's state: cache, preferences, and what each provider said about itself.
pub struct Speech {
    settings: SpeechSettings,
    cache: SpeechCache<Audio>,
    prefs: Preferences,
    /// Provider info by component digest: a component's info never changes.
    infos: moka::future::Cache<String, Arc<ProviderInfo>>,
    voices: moka::future::Cache<String, Arc<Vec<Voice>>>,
}

impl Speech {
    pub fn new(settings: &SpeechSettings) -> Self {
        let path = settings.preferences.clone().unwrap_or_else(Preferences::default_path);
        Self {
            cache: SpeechCache::new(settings.cache_mb * 1024 * 1024, Duration::from_secs(settings.cache_ttl_seconds)),
            prefs: Preferences::open(path),
            infos: moka::future::Cache::new(256),
            voices: moka::future::Cache::builder().max_capacity(256).time_to_live(VOICES_TTL).build(),
            settings: settings.clone(),
        }
    }

    /// The provider that speaks: the first of the routes.
    fn active(routes: &Routes) -> Result<&Arc<LoadedComponent>, SpeakError> {
        routes.tts.first().ok_or(SpeakError::NoProvider)
    }

    /// A named provider (by component name or provider id), or the active one.
    async fn pick<'r>(
        &self,
        runtime: &Runtime,
        routes: &'r Routes,
        name: Option<&str>,
    ) -> Result<&'r Arc<LoadedComponent>, SpeakError> {
        let Some(name) = name else { return Self::active(routes) };
        for component in &routes.tts {
            if component.name == name || self.info(runtime, component).await?.id == name {
                return Ok(component);
            }
        }
        let mut known = Vec::new();
        for component in &routes.tts {
            known.push(self.info(runtime, component).await?.id.clone());
        }
        Err(SpeakError::Call {
            provider: name.to_owned(),
            source: CallError::Instantiate(format!(
                "no TTS provider is called `{name}`; the loaded ones are: {}",
                known.join(", ")
            )),
        })
    }

    pub async fn info(&self, runtime: &Runtime, component: &LoadedComponent) -> Result<Arc<ProviderInfo>, SpeakError> {
        self.infos
            .try_get_with(component.digest.clone(), async {
                runtime.tts_info(component).await.map(|(info, _)| Arc::new(info))
            })
            .await
            .map_err(|e| SpeakError::Call { provider: component.name.clone(), source: (*e).clone() })
    }

    async fn all_voices(&self, runtime: &Runtime, component: &LoadedComponent) -> Result<Arc<Vec<Voice>>, SpeakError> {
        let provider = component.name.clone();
        self.voices
            .try_get_with(component.digest.clone(), async {
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
        let info = self.info(runtime, component).await?;
        let voices = match runtime.tts_list_voices(component, filter).await {
            Ok((Ok(voices), _)) => voices,
            Ok((Err(error), _)) => return Err(SpeakError::Provider { provider: info.id.clone(), error }),
            Err(source) => return Err(SpeakError::Call { provider: component.name.clone(), source }),
        };
        let default = self.prefs.default_voice(&info.id).unwrap_or_else(|| info.default_voice.clone());
        Ok((provider_ref(component, &info), voices, default))
    }

    /// The default voice of a provider and where it comes from (`preference` or `provider`).
    pub async fn default_voice(
        &self,
        runtime: &Runtime,
        routes: &Routes,
        provider: Option<&str>,
    ) -> Result<(ProviderRef, String, &'static str), SpeakError> {
        let component = self.pick(runtime, routes, provider).await?;
        let info = self.info(runtime, component).await?;
        let (voice, source) = match self.prefs.default_voice(&info.id) {
            Some(voice) => (voice, "preference"),
            None => (info.default_voice.clone(), "provider"),
        };
        Ok((provider_ref(component, &info), voice, source))
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
        let info = self.info(runtime, component).await?;
        let voices = self.all_voices(runtime, component).await?;
        check_voice(&voices, voice, &info.id)?;
        self.prefs.set_default_voice(&info.id, voice)?;
        tracing::info!(provider = %info.id, voice, "default voice set");
        Ok(provider_ref(component, &info))
    }

    /// Speaks `request` with the active provider.
    pub async fn speak(&self, runtime: &Runtime, routes: &Routes, request: SpeakRequest) -> Result<Spoken, SpeakError> {
        let started = Instant::now();
        let text = request.text.trim();
        if text.is_empty() {
            return Err(SpeakError::EmptyText);
        }
        check_settings(&request.settings)?;
        let component = Self::active(routes)?;
        let info = self.info(runtime, component).await?;
        let chars = text.chars().count();
        if chars > info.max_text_length as usize {
            return Err(SpeakError::TooLong { chars, max: info.max_text_length, provider: info.id.clone() });
        }
        let format_id = request.format.as_deref().unwrap_or(&self.settings.default_format);
        let format = Format::parse(format_id)?;
        if !info.formats.iter().any(|f| f == format_id) {
            return Err(SpeakError::FormatUnsupported {
                format: format_id.to_owned(),
                provider: info.id.clone(),
                supported: info.formats.clone(),
            });
        }
        if let Some(language) = &request.language
            && !info.languages.iter().any(|l| same_language(l, language))
        {
            return Err(SpeakError::LanguageUnsupported {
                language: language.clone(),
                provider: info.id.clone(),
                languages: info.languages.clone(),
            });
        }
        let voice = match &request.voice {
            Some(v) => {
                check_voice(&self.all_voices(runtime, component).await?, v, &info.id)?;
                v.clone()
            }
            None => self.prefs.default_voice(&info.id).unwrap_or_else(|| info.default_voice.clone()),
        };

        let caller = VoiceSettings {
            stability: request.settings.stability,
            similarity: request.settings.similarity,
            style: request.settings.style,
            speed: request.settings.speed,
        };
        let refuse = request.refuse_personal_data.unwrap_or(self.settings.refuse_personal_data);
        let key = Key {
            provider: component.digest.clone(),
            classifier: routes.classifier.as_ref().map(|c| c.digest.clone()),
            voice: voice.clone(),
            model: request.model.clone(),
            language: request.language.clone(),
            format: format_id.to_owned(),
            settings: [caller.stability, caller.similarity, caller.style, caller.speed].map(|s| s.map(f32::to_bits)),
            context_aware: request.context_aware,
            refuse_personal_data: refuse,
            text: cache::normalise_text(text),
        };
        let synthesis = async {
            let prepared = prepare(runtime, routes, text, &info, caller, request.context_aware, refuse).await?;
            let synthesis_request = SynthesisRequest {
                text: text.to_owned(),
                voice,
                model: request.model.clone(),
                language: request.language.clone(),
                format: format_id.to_owned(),
                settings: prepared.settings,
                emphasis: prepared.emphasis.clone(),
            };
            synthesize(runtime, component, &info.id, format, synthesis_request, prepared, started).await
        };
        let (audio, cached) = self.cache.get_or_synthesize(key, synthesis).await.map_err(|e| clone_speak_error(&e))?;
        Ok(Spoken {
            first_chunk: (!cached).then_some(audio.first_chunk),
            cached,
            format,
            provider: provider_ref(component, &info),
            elapsed: started.elapsed(),
            audio,
        })
    }

    /// The state of every provider, the cache and the preferences, for `get_server_status`.
    pub async fn status(&self, runtime: &Runtime, routes: &Routes) -> serde_json::Value {
        let mut providers = Vec::new();
        for (rank, component) in routes.tts.iter().enumerate() {
            let entry = match self.info(runtime, component).await {
                Ok(info) => serde_json::json!({
                    "component": component.name,
                    "id": info.id,
                    "name": info.name,
                    "active": rank == 0,
                    "offline": info.offline,
                    "languages": info.languages,
                    "formats": info.formats,
                    "models": info.models,
                    "max_text_length": info.max_text_length,
                    "default_voice": self.prefs.default_voice(&info.id).unwrap_or_else(|| info.default_voice.clone()),
                }),
                Err(e) => {
                    serde_json::json!({ "component": component.name, "active": rank == 0, "error": e.to_string() })
                }
            };
            providers.push(entry);
        }
        serde_json::json!({
            "providers": providers,
            "classifier": routes.classifier.as_ref().map(|c| c.name.clone()),
            "cache": self.cache.stats(),
            "preferences": {
                "path": self.prefs.path().display().to_string(),
                "problem": self.prefs.problem(),
            },
        })
    }
}

/// The request as the host will send it, after the classifier's reading.
struct Prepared {
    settings: VoiceSettings,
    emphasis: Vec<crate::runtime::roles::TextSpan>,
    context: Option<context::ContextReport>,
    warnings: Vec<String>,
}

/// Before speaking: is the text fit to speak, and how should it sound? Without a
/// classifier, the caller's settings go as they are.
async fn prepare(
    runtime: &Runtime,
    routes: &Routes,
    text: &str,
    info: &ProviderInfo,
    caller: VoiceSettings,
    context_aware: bool,
    refuse: bool,
) -> Result<Prepared, SpeakError> {
    let mut prepared = Prepared { settings: caller, emphasis: Vec::new(), context: None, warnings: Vec::new() };
    let Some(classifier) = &routes.classifier else { return Ok(prepared) };
    let (analysis, quality) = classifier::prepare(runtime, classifier, text, info.max_text_length).await?;
    let kinds = personal_data_kinds(&quality);
    if !kinds.is_empty() {
        if refuse {
            return Err(SpeakError::PersonalData { kinds });
        }
        prepared.warnings.push(format!("the text contains personal data ({})", kinds.join(", ")));
    }
    if !quality.unpronounceable.is_empty() {
        prepared.warnings.push(format!(
            "{} stretch(es) of characters the voice cannot pronounce will be skipped",
            quality.unpronounceable.len()
        ));
    }
    if context_aware {
        let (settings, emphasis, report) = context::apply(&analysis, &caller);
        prepared.settings = settings;
        prepared.emphasis = emphasis;
        prepared.context = Some(report);
    }
    Ok(prepared)
}

/// Runs one synthesis, collecting the audio as it streams in.
async fn synthesize(
    runtime: &Runtime,
    component: &LoadedComponent,
    provider: &str,
    format: Format,
    request: SynthesisRequest,
    prepared: Prepared,
    started: Instant,
) -> Result<Arc<Audio>, SpeakError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(SINK_DEPTH);
    let synthesis_started = Instant::now();
    let collect = async {
        let mut audio = Vec::new();
        let mut first = None;
        while let Some(chunk) = rx.recv().await {
            if first.is_none() && !chunk.is_empty() {
                first = Some(started.elapsed());
            }
            audio.extend_from_slice(&chunk);
        }
        (audio, first)
    };
    let (outcome, (mut bytes, first)) = tokio::join!(runtime.tts_synthesize(component, request, tx), collect);
    let info = match outcome {
        Ok((Ok(info), _stats)) => info,
        Ok((Err(error), _)) => return Err(SpeakError::Provider { provider: provider.to_owned(), error }),
        Err(source) => return Err(SpeakError::Call { provider: component.name.clone(), source }),
    };
    if bytes.is_empty() {
        let error = TtsError::Internal("the provider returned no audio".into());
        return Err(SpeakError::Provider { provider: provider.to_owned(), error });
    }
    format.finish(&mut bytes);
    let duration_ms = format.duration_ms(&bytes).or(info.duration_ms);
    Ok(Arc::new(Audio {
        bytes,
        voice: info.voice,
        model: info.model,
        duration_ms,
        characters: info.characters,
        settings: Settings {
            stability: prepared.settings.stability,
            similarity: prepared.settings.similarity,
            style: prepared.settings.style,
            speed: prepared.settings.speed,
        },
        context: prepared.context,
        warnings: prepared.warnings,
        first_chunk: first.unwrap_or_default(),
        synthesis: synthesis_started.elapsed(),
    }))
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
        available: voices.iter().take(20).map(|v| v.id.clone()).collect(),
    })
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

fn personal_data_kinds(report: &crate::runtime::roles::QualityReport) -> Vec<&'static str> {
    use crate::runtime::roles::PersonalDataKind as K;
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

/// Errors shared by coalesced callers arrive behind an `Arc`; each caller gets its own copy.
fn clone_speak_error(e: &SpeakError) -> SpeakError {
    match e {
        SpeakError::Provider { provider, error } => {
            SpeakError::Provider { provider: provider.clone(), error: error.clone() }
        }
        SpeakError::Call { provider, source } => {
            SpeakError::Call { provider: provider.clone(), source: source.clone() }
        }
        // Only the ones above come out of a shared synthesis or look-up.
        other => SpeakError::Call { provider: "tts".into(), source: CallError::Instantiate(other.to_string()) },
    }
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
