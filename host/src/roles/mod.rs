//! The roles layer: services the host composes from components that export a role interface
//! it understands (text to speech, classification, compliance and telephony). The catalog routes role tools here; the
//! roles call into the runtime. Each role is a module shaped like its siblings: settings,
//! routing to the active component, and the service with its state (cache, preferences).

pub mod chain;
pub mod classifier;
pub mod public;
pub mod telephony;
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
    /// How long audio served by URL (`/audio/{id}`: message calls, `speak` links) stays
    /// fetchable, in seconds.
    pub audio_url_ttl_seconds: u64,
    /// Memory for audio served by URL, in MiB; the oldest clips give way.
    pub audio_url_max_mb: u64,
}

impl SpeechSettings {
    /// Checks values the types alone allow but that make no sense; says what to change.
    pub fn check(&self) -> Result<(), String> {
        tts::Format::parse(&self.default_format).map_err(|e| format!("speech.default_format: {e}"))?;
        if self.cache_mb > 1024 * 1024 {
            return Err(format!("speech.cache_mb is {}; at most 1048576 (1 TiB)", self.cache_mb));
        }
        if self.cache_ttl_seconds > 365 * 24 * 3600 {
            return Err(format!("speech.cache_ttl_seconds is {}; at most a year (31536000)", self.cache_ttl_seconds));
        }
        if !(1..=7 * 24 * 3600).contains(&self.audio_url_ttl_seconds) {
            return Err(format!(
                "speech.audio_url_ttl_seconds is {}; use 1 to 604800 (a week): Twilio fetches a message's audio when the call is answered",
                self.audio_url_ttl_seconds
            ));
        }
        if !(1..=64 * 1024).contains(&self.audio_url_max_mb) {
            return Err(format!("speech.audio_url_max_mb is {}; use 1 to 65536", self.audio_url_max_mb));
        }
        let r = &self.resilience;
        if r.failures_to_open == 0 || r.successes_to_close == 0 {
            return Err("speech.resilience: failures_to_open and successes_to_close must be at least 1".into());
        }
        if r.max_retries > 10 {
            return Err(format!("speech.resilience.max_retries is {}; at most 10", r.max_retries));
        }
        let day = 24 * 3600 * 1000;
        if r.open_ms > day || r.max_backoff_ms > day || r.deadline_ms > day || r.backoff_ms > r.max_backoff_ms {
            return Err(
                "speech.resilience: times are at most a day (in ms), and backoff_ms at most max_backoff_ms".into()
            );
        }
        Ok(())
    }
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
            audio_url_ttl_seconds: 3600,
            audio_url_max_mb: 256,
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
    /// Compliance checkers and carriers, in load order; the calling service picks one of each.
    pub checkers: Vec<Arc<LoadedComponent>>,
    pub carriers: Vec<Arc<LoadedComponent>>,
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
        let checkers = components.iter().filter(|c| c.is_compliance_checker()).cloned().collect();
        let carriers = components.iter().filter(|c| c.is_carrier()).cloned().collect();
        Self { tts, classifier, checkers, carriers, speech: Arc::new(settings.clone()) }
    }
}

/// The role services, shared by every connection.
pub struct Roles {
    pub speech: Arc<tts::Speech>,
    pub telephony: telephony::Telephony,
    /// Where the outside world reaches this host.
    pub public: Arc<public::PublicUrl>,
}

impl Roles {
    pub fn new(
        speech: &SpeechSettings,
        calling: &telephony::CallingSettings,
        store: Arc<dyn crate::store::KeyValue>,
    ) -> Self {
        let public = Arc::new(public::PublicUrl::new(calling.public_base()));
        Self {
            speech: Arc::new(tts::Speech::new(speech)),
            telephony: telephony::Telephony::new(calling.clone(), store, public.clone()),
            public,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonsense_settings_say_what_to_change() {
        assert!(SpeechSettings::default().check().is_ok());
        let bad = |f: fn(&mut SpeechSettings)| {
            let mut s = SpeechSettings::default();
            f(&mut s);
            s.check().unwrap_err()
        };
        assert!(bad(|s| s.default_format = "flac".into()).contains("default_format"));
        assert!(bad(|s| s.cache_ttl_seconds = u64::MAX).contains("cache_ttl_seconds"));
        assert!(bad(|s| s.cache_mb = u64::MAX).contains("cache_mb"));
        assert!(bad(|s| s.resilience.failures_to_open = 0).contains("failures_to_open"));
        assert!(bad(|s| s.resilience.backoff_ms = 10_000).contains("backoff_ms"));
    }
}
