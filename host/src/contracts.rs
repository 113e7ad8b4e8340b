//! The project's WIT contracts as Rust types: bindings generated once from `wit/` for the
//! roles the host understands (speech, classification, compliance, telephony) and the
//! host's own imports (the audio sink, progress). The runtime
//! calls these interfaces, the capabilities serve their imports, and the roles work with
//! their types; everyone takes them from here.

mod generated {
    pub mod tts {
        wasmtime::component::bindgen!({
            path: "../wit/tts",
            world: "tts-provider",
            imports: { default: async },
            exports: { default: async },
        });
    }
    pub mod classifier {
        wasmtime::component::bindgen!({
            path: "../wit/classifier",
            world: "classifier",
            exports: { default: async },
        });
    }
    pub mod compliance {
        wasmtime::component::bindgen!({
            path: "../wit/compliance",
            world: "compliance-checker",
            exports: { default: async },
        });
    }
    pub mod telephony {
        wasmtime::component::bindgen!({
            path: "../wit/telephony",
            world: "telephony-carrier",
            exports: { default: async },
        });
    }
    pub mod progress {
        wasmtime::component::bindgen!({
            path: "../wit/progress",
            world: "reporter",
        });
    }
    pub mod logging {
        wasmtime::component::bindgen!({
            path: "../wit/deps/wasi-logging",
            world: "imports",
        });
    }
}

/// `switchboard:tts`: a provider's exports, its types, and the host's `sink`.
pub mod tts {
    pub const PROVIDER: &str = "switchboard:tts/provider@0.1.0";
    pub use super::generated::tts::exports::switchboard::tts::provider as api;
    pub use super::generated::tts::switchboard::tts::sink;
    pub use super::generated::tts::switchboard::tts::types;
    pub use types::{
        Gender, Label, ProviderInfo, RateLimit, SynthesisInfo, SynthesisRequest, TextSpan, TtsError, Voice,
        VoiceFilter, VoiceSettings,
    };
}

/// `switchboard:classifier/classify`.
pub mod classifier {
    pub const CLASSIFY: &str = "switchboard:classifier/classify@0.1.0";
    pub use super::generated::classifier::exports::switchboard::classifier::classify as api;
    pub use api::{
        Analysis, EmotionScore, Intent, IntentLabel, Intonation, Pacing, PersonalData, PersonalDataKind, QualityReport,
        Sentence, SentenceKind, Sentiment, TextSpan as ClassifiedSpan,
    };
}

/// `switchboard:compliance/checker`.
pub mod compliance {
    pub const CHECKER: &str = "switchboard:compliance/checker@0.1.0";
    pub use super::generated::compliance::exports::switchboard::compliance::checker as api;
    pub use api::{
        CallPurpose, CallRequest, ClaimResult, ComplianceError, ConsentRecord, Decision, DncEntry, LocalTime, Reason,
    };
}

/// `switchboard:telephony/carrier`.
pub mod telephony {
    pub const CARRIER: &str = "switchboard:telephony/carrier@0.1.0";
    pub use super::generated::telephony::exports::switchboard::telephony::carrier as api;
    pub use api::{
        ApiError, CallEvent, CallFilter, CallInfo, CallScript, CallStatus, CalleeInput, CarrierError, Conversation,
        EventKind, Gather, PlaceCallRequest, RecordingInfo, Step, Turn, WebhookRequest, WebhookResponse,
    };
}

/// `switchboard:progress/progress`: a component's reports on the call in flight.
pub mod progress {
    pub use super::generated::progress::switchboard::progress::progress;
}

/// `wasi:logging/logging@0.1.0-draft`: a component's log records.
pub mod logging {
    pub use super::generated::logging::wasi::logging::logging;
}

/// The role interfaces: their functions are the host's to call, never derived tools.
pub const ROLE_INTERFACES: [&str; 4] = [tts::PROVIDER, classifier::CLASSIFY, compliance::CHECKER, telephony::CARRIER];

/// The WIT sources of the role contracts, for their doc comments.
pub const ROLE_WIT: [&str; 4] = [
    include_str!("../../wit/tts/tts.wit"),
    include_str!("../../wit/classifier/classifier.wit"),
    include_str!("../../wit/compliance/compliance.wit"),
    include_str!("../../wit/telephony/telephony.wit"),
];
