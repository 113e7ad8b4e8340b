//! The `[speech]` table: the TTS provider chain, the classifier, the speech cache, audio
//! served by URL, and the chain's resilience (`[speech.resilience]`).

use serde::Deserialize;
use std::path::PathBuf;

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
    pub resilience: Resilience,
    /// How long audio served by URL (`/audio/{id}`: message calls, `speak` links) stays
    /// fetchable, in seconds.
    pub audio_url_ttl_seconds: u64,
    /// Memory for audio served by URL, in MiB; the oldest clips give way.
    pub audio_url_max_mb: u64,
}

impl SpeechSettings {
    /// Checks values the types alone allow but that make no sense; says what to change.
    pub fn check(&self) -> Result<(), String> {
        crate::media::Format::parse(&self.default_format).map_err(|e| format!("speech.default_format: {e}"))?;
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
            resilience: Resilience::default(),
            audio_url_ttl_seconds: 3600,
            audio_url_max_mb: 256,
        }
    }
}

/// The `[speech.resilience]` table (and later the telephony one).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Resilience {
    /// Consecutive failures that open a provider's breaker.
    pub failures_to_open: u32,
    /// How long an open breaker stays open before it lets a trial call through, in ms.
    pub open_ms: u64,
    /// Successes in a row, while half-open, that close the breaker again.
    pub successes_to_close: u32,
    /// Retries of one provider after its first attempt.
    pub max_retries: u32,
    /// The first backoff, doubled at each retry, in ms; the actual wait is jittered.
    pub backoff_ms: u64,
    /// The longest backoff, in ms.
    pub max_backoff_ms: u64,
    /// The whole call's time, in ms: the attempt in flight is cut when it runs out, and no
    /// attempt starts after it. Each attempt may wait for its first chunk (and then between
    /// chunks) its share of what is left, the time left split evenly among the providers not
    /// yet tried, so that one that accepts and then says nothing leaves the rest of the time
    /// to the next (the last provider may use all that is left).
    pub deadline_ms: u64,
}

impl Default for Resilience {
    fn default() -> Self {
        Self {
            failures_to_open: 5,
            open_ms: 60_000,
            successes_to_close: 3,
            max_retries: 3,
            backoff_ms: 100,
            max_backoff_ms: 2_000,
            deadline_ms: 30_000,
        }
    }
}
