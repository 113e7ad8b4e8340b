//! The roles layer: services the host composes from components that export a role interface
//! it understands (text to speech, classification). The catalog routes role tools here; the
//! roles call into the runtime. Each role is a module shaped like its siblings: settings,
//! routing to the active component, and the service with its state (cache, preferences).

pub mod chain;
pub mod classifier;
pub mod tts;

use crate::runtime::LoadedComponent;
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;

/// The `[speech]` table of the operator's config.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpeechSettings {
    /// TTS components by name, in order of preference; the first available one speaks and
    /// the others stand in when it fails. Empty means every loaded TTS component in load
    /// order, with the built-in offline voice last, as the fallback that always works.
    pub providers: Vec<String>,
    /// The classifier component `speak` consults and `classify_text` uses; by default the
    /// built-in `classifier_text`, else any loaded classifier.
    pub classifier: Option<String>,
    /// The audio format `speak` returns when the caller names none.
    pub default_format: String,
    /// Memory for finished audio, in MiB; 0 turns the cache off.
    pub cache_mb: u64,
    /// How long finished audio stays cached, in seconds.
    pub cache_ttl_seconds: u64,
    /// Where the user's preferences live (default: `SWITCHBOARD_PREFERENCES`, else
    /// `preferences.json` in the user's config directory).
    pub preferences: Option<PathBuf>,
    /// Refuse to speak text with personal data unless the caller says otherwise.
    pub refuse_personal_data: bool,
    /// Retries, circuit breakers and the deadline of the provider chain.
    pub resilience: chain::Resilience,
}

impl Default for SpeechSettings {
    fn default() -> Self {
        Self {
            providers: Vec::new(),
            classifier: None,
            default_format: "wav_22050".into(),
            cache_mb: 64,
            cache_ttl_seconds: 3600,
            preferences: None,
            refuse_personal_data: false,
            resilience: chain::Resilience::default(),
        }
    }
}

/// Which components serve the roles, fixed when the catalog is built: a call keeps the
/// routes it started with, so a swap never changes a provider under a call in flight.
#[derive(Clone, Default)]
pub struct Routes {
    /// TTS providers in order of preference.
    pub tts: Vec<Arc<LoadedComponent>>,
    pub classifier: Option<Arc<LoadedComponent>>,
    /// The speech settings these routes were chosen with.
    pub speech: Arc<SpeechSettings>,
}

/// The built-in offline voice, the last resort of the default chain.
const BUILTIN_OFFLINE_VOICE: &str = "tts_formant";
/// The built-in classifier's name, preferred when the config names none.
const BUILTIN_CLASSIFIER: &str = "classifier_text";

impl Routes {
    pub fn select(components: &[Arc<LoadedComponent>], settings: &SpeechSettings) -> Self {
        let tts = if settings.providers.is_empty() {
            let mut all: Vec<_> = components.iter().filter(|c| c.is_tts_provider()).cloned().collect();
            // A stable sort: everything else keeps its order, the offline voice goes last.
            all.sort_by_key(|c| c.name == BUILTIN_OFFLINE_VOICE);
            all
        } else {
            settings
                .providers
                .iter()
                .filter_map(|name| components.iter().find(|c| &c.name == name && c.is_tts_provider()).cloned())
                .collect()
        };
        let classifiers = || components.iter().filter(|c| c.is_classifier());
        let classifier = match &settings.classifier {
            Some(name) => classifiers().find(|c| &c.name == name).cloned(),
            None => classifiers().find(|c| c.name == BUILTIN_CLASSIFIER).or_else(|| classifiers().next()).cloned(),
        };
        Self { tts, classifier, speech: Arc::new(settings.clone()) }
    }
}

/// The role services, shared by every connection.
pub struct Roles {
    pub speech: tts::Speech,
}

impl Roles {
    pub fn new(settings: &SpeechSettings) -> Self {
        Self { speech: tts::Speech::new(settings) }
    }
}
