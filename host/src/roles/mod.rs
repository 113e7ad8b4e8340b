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
use std::sync::Arc;

pub use crate::config::SpeechSettings;

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
