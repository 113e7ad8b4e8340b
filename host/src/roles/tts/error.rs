//! What can go wrong with a speech request, each with a message that says what to change.

use super::prefs;
use crate::contracts::tts::TtsError;
use crate::roles::chain::Failure;
use crate::roles::classifier;
use crate::roles::tts::UnknownFormat;
use crate::runtime::CallError;

#[derive(Debug, thiserror::Error)]
pub enum SpeakError {
    #[error("no text-to-speech component is loaded; load one (the built-in offline voice is `tts_formant`)")]
    NoProvider,
    #[error("no TTS provider is called `{name}`; the loaded ones are: {}", .known.join(", "))]
    UnknownProvider { name: String, known: Vec<String> },
    #[error(
        "`refuse_personal_data` is set but no classifier is loaded to look for personal data; load one (the built-in is `classifier_text`) or unset the flag"
    )]
    NoClassifier,
    #[error("no text-to-speech provider can serve now: {}", .reasons.join("; "))]
    NoneAvailable { reasons: Vec<String> },
    #[error("no provider could speak: {}", describe_failures(.failed))]
    AllFailed { failed: Vec<Failure> },
    #[error(
        "no provider spoke within the {deadline_ms} ms deadline ([speech.resilience] deadline_ms): {}",
        describe_failures(.failed)
    )]
    Deadline { deadline_ms: u64, failed: Vec<Failure> },
    #[error("`{provider}` sent {} for {} ms; cut to leave the time to the next provider", if *.started { "nothing more" } else { "no audio" }, .waited.as_millis())]
    Stalled { provider: String, waited: std::time::Duration, started: bool },
    #[error("`text` is empty: pass the words to speak")]
    EmptyText,
    #[error("the text has {chars} characters but `{provider}` takes at most {max}; split it into shorter requests")]
    TooLong { chars: usize, max: u32, provider: String },
    #[error(transparent)]
    UnknownFormat(#[from] UnknownFormat),
    #[error("`{provider}` cannot make `{format}`; it makes: {}", .supported.join(", "))]
    FormatUnsupported { format: String, provider: String, supported: Vec<String> },
    #[error("`{provider}` has no voice `{voice}`; the closest of its {total} voices: {} (list_voices shows them all)", .available.join(", "))]
    UnknownVoice { voice: String, provider: String, available: Vec<String>, total: usize },
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
            Self::NoProvider | Self::NoneAvailable { .. } => "no_provider",
            Self::AllFailed { .. } => "all_failed",
            Self::Deadline { .. } => "deadline",
            Self::Stalled { .. } => "stalled",
            Self::EmptyText | Self::TooLong { .. } | Self::Setting { .. } | Self::UnknownProvider { .. } => {
                "invalid_request"
            }
            Self::NoClassifier => "no_classifier",
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

fn describe_failures(failed: &[Failure]) -> String {
    let parts: Vec<String> = failed.iter().map(|f| format!("{}: {}", f.provider, f.reason)).collect();
    format!("{}; try again later", parts.join("; "))
}

/// Errors shared by coalesced callers arrive behind an `Arc`; each caller gets its own copy.
pub(super) fn clone_speak_error(e: &SpeakError) -> SpeakError {
    match e {
        SpeakError::Provider { provider, error } => {
            SpeakError::Provider { provider: provider.clone(), error: error.clone() }
        }
        SpeakError::Call { provider, source } => {
            SpeakError::Call { provider: provider.clone(), source: source.clone() }
        }
        SpeakError::PersonalData { kinds } => SpeakError::PersonalData { kinds: kinds.clone() },
        SpeakError::Classifier(e) => SpeakError::Classifier(e.clone()),
        SpeakError::AllFailed { failed } => SpeakError::AllFailed { failed: failed.clone() },
        SpeakError::Deadline { deadline_ms, failed } => {
            SpeakError::Deadline { deadline_ms: *deadline_ms, failed: failed.clone() }
        }
        // Only the ones above come out of a shared synthesis or look-up.
        other => SpeakError::Call { provider: "tts".into(), source: CallError::Instantiate(other.to_string()) },
    }
}
