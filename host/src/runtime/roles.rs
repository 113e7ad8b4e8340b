//! Typed calls into the role interfaces the host understands (`switchboard:tts/provider`,
//! `switchboard:classifier/classify`), and the host side of `switchboard:tts/sink`.
//!
//! Role components are ordinary components: they load, link and run like any other, under
//! their policy's limits. What differs is that the host calls their role exports itself,
//! through bindings generated from the WIT in `wit/`, instead of deriving tools from them.

use super::state::CallState;
use super::{CallError, CallStats, LoadedComponent, Runtime};
use wasmtime::component::{HasSelf, InstancePre, Linker};

mod bindings {
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
}

use bindings::classifier::exports::switchboard::classifier::classify as classify_api;
use bindings::tts::exports::switchboard::tts::provider as provider_api;

pub use bindings::classifier::exports::switchboard::classifier::classify::{
    Analysis, EmotionScore, Intent, IntentLabel, Intonation, Pacing, PersonalData, PersonalDataKind, QualityReport,
    Sentence, SentenceKind, Sentiment, TextSpan as ClassifiedSpan,
};
pub use bindings::tts::switchboard::tts::types::{
    Gender, Label, ProviderInfo, RateLimit, SynthesisInfo, SynthesisRequest, TextSpan, TtsError, Voice, VoiceFilter,
    VoiceSettings,
};

/// The fully qualified names of the role interfaces; their functions are not derived tools.
pub const TTS_PROVIDER: &str = "switchboard:tts/provider@0.1.0";
pub const CLASSIFIER: &str = "switchboard:classifier/classify@0.1.0";
pub const ROLE_INTERFACES: [&str; 4] = [TTS_PROVIDER, CLASSIFIER, super::calling::COMPLIANCE, super::calling::CARRIER];

/// The WIT sources of the role contracts, for their doc comments.
pub(super) const ROLE_WIT: [&str; 4] = [
    include_str!("../../../wit/tts/tts.wit"),
    include_str!("../../../wit/classifier/classifier.wit"),
    include_str!("../../../wit/compliance/compliance.wit"),
    include_str!("../../../wit/telephony/telephony.wit"),
];

/// The role exports of one component, resolved against its `InstancePre` at load time.
#[derive(Default)]
pub struct RoleExports {
    tts: Option<provider_api::GuestIndices>,
    classifier: Option<classify_api::GuestIndices>,
    pub(super) compliance: Option<super::calling::checker_api::GuestIndices>,
    pub(super) carrier: Option<super::calling::carrier_api::GuestIndices>,
}

impl RoleExports {
    /// Finds the role interfaces `exports` names. An export with a role's name but the
    /// wrong shape is an error: the component was built against another contract.
    pub(super) fn resolve(exports: &[String], pre: &InstancePre<CallState>) -> wasmtime::Result<Self> {
        let has = |name: &str| exports.iter().any(|e| e == name);
        Ok(Self {
            tts: has(TTS_PROVIDER).then(|| provider_api::GuestIndices::new(pre)).transpose()?,
            classifier: has(CLASSIFIER).then(|| classify_api::GuestIndices::new(pre)).transpose()?,
            compliance: has(super::calling::COMPLIANCE)
                .then(|| super::calling::checker_api::GuestIndices::new(pre))
                .transpose()?,
            carrier: has(super::calling::CARRIER)
                .then(|| super::calling::carrier_api::GuestIndices::new(pre))
                .transpose()?,
        })
    }
}

/// Adds the host side of `switchboard:tts/sink` to the linker.
pub(super) fn add_to_linker(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    bindings::tts::switchboard::tts::sink::add_to_linker::<CallState, HasSelf<CallState>>(linker, |s| s)
}

impl bindings::tts::switchboard::tts::sink::Host for CallState {
    async fn push(&mut self, chunk: Vec<u8>) -> Result<(), String> {
        let Some(sink) = &self.sink else {
            return Err("no synthesis is in progress: audio can only be pushed during `synthesize`".into());
        };
        self.sink_bytes += chunk.len() as u64;
        if self.sink_bytes > self.sink_limit {
            self.sink_overflow = Some(self.sink_bytes);
            return Err(format!("the audio is longer than the {} bytes the host accepts; stop", self.sink_limit));
        }
        sink.send(chunk).await.map_err(|_| "the host no longer wants this audio (the caller went away); stop".into())
    }
}

impl bindings::tts::switchboard::tts::types::Host for CallState {}

impl LoadedComponent {
    /// Whether the component is a TTS provider.
    pub fn is_tts_provider(&self) -> bool {
        self.roles.tts.is_some()
    }

    /// Whether the component is a classifier.
    pub fn is_classifier(&self) -> bool {
        self.roles.classifier.is_some()
    }
}

/// A component without the role it was asked for; the catalog never routes to one.
fn missing(component: &LoadedComponent, role: &str) -> CallError {
    CallError::Instantiate(format!("`{}` does not export {role}", component.name))
}

impl Runtime {
    /// `provider.info` of a TTS component.
    pub async fn tts_info(&self, component: &LoadedComponent) -> Result<(ProviderInfo, CallStats), CallError> {
        let indices = component.roles.tts.as_ref().ok_or_else(|| missing(component, TTS_PROVIDER))?;
        self.in_instance(component, None, move |mut store, instance| async move {
            let outcome = match indices.load(&mut store, &instance) {
                Ok(guest) => guest.call_info(&mut store).await,
                Err(e) => Err(e),
            };
            (store, outcome)
        })
        .await
    }

    /// `provider.list-voices` of a TTS component.
    pub async fn tts_list_voices(
        &self,
        component: &LoadedComponent,
        filter: VoiceFilter,
    ) -> Result<(Result<Vec<Voice>, TtsError>, CallStats), CallError> {
        let indices = component.roles.tts.as_ref().ok_or_else(|| missing(component, TTS_PROVIDER))?;
        self.in_instance(component, None, move |mut store, instance| async move {
            let outcome = match indices.load(&mut store, &instance) {
                Ok(guest) => guest.call_list_voices(&mut store, &filter).await,
                Err(e) => Err(e),
            };
            (store, outcome)
        })
        .await
    }

    /// `provider.synthesize` of a TTS component; the audio goes to `sink` as it is pushed.
    pub async fn tts_synthesize(
        &self,
        component: &LoadedComponent,
        request: SynthesisRequest,
        sink: tokio::sync::mpsc::Sender<Vec<u8>>,
        admit: &(dyn Fn() -> bool + Sync),
    ) -> Result<(Result<SynthesisInfo, TtsError>, CallStats), CallError> {
        let indices = component.roles.tts.as_ref().ok_or_else(|| missing(component, TTS_PROVIDER))?;
        self.in_instance_admitted(component, Some(sink), admit, move |mut store, instance| async move {
            let outcome = match indices.load(&mut store, &instance) {
                Ok(guest) => guest.call_synthesize(&mut store, &request).await,
                Err(e) => Err(e),
            };
            (store, outcome)
        })
        .await
    }

    /// `classify.analyze`.
    pub async fn classify_analyze(&self, component: &LoadedComponent, text: &str) -> Result<Analysis, CallError> {
        let indices = component.roles.classifier.as_ref().ok_or_else(|| missing(component, CLASSIFIER))?;
        let (analysis, _) = self
            .in_instance(component, None, move |mut store, instance| async move {
                let outcome = match indices.load(&mut store, &instance) {
                    Ok(guest) => guest.call_analyze(&mut store, text).await,
                    Err(e) => Err(e),
                };
                (store, outcome)
            })
            .await?;
        Ok(analysis)
    }

    /// `classify.classify-intent`.
    pub async fn classify_intent(&self, component: &LoadedComponent, utterance: &str) -> Result<Intent, CallError> {
        let indices = component.roles.classifier.as_ref().ok_or_else(|| missing(component, CLASSIFIER))?;
        let (intent, _) = self
            .in_instance(component, None, move |mut store, instance| async move {
                let outcome = match indices.load(&mut store, &instance) {
                    Ok(guest) => guest.call_classify_intent(&mut store, utterance).await,
                    Err(e) => Err(e),
                };
                (store, outcome)
            })
            .await?;
        Ok(intent)
    }

    /// `classify.check-quality`.
    pub async fn check_quality(
        &self,
        component: &LoadedComponent,
        text: &str,
        max_characters: u32,
    ) -> Result<QualityReport, CallError> {
        let indices = component.roles.classifier.as_ref().ok_or_else(|| missing(component, CLASSIFIER))?;
        let (report, _) = self
            .in_instance(component, None, move |mut store, instance| async move {
                let outcome = match indices.load(&mut store, &instance) {
                    Ok(guest) => guest.call_check_quality(&mut store, text, max_characters).await,
                    Err(e) => Err(e),
                };
                (store, outcome)
            })
            .await?;
        Ok(report)
    }
}
