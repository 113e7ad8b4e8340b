//! Typed calls into the role interfaces the host understands (`switchboard:tts/provider`,
//! `switchboard:classifier/classify`, `switchboard:compliance/checker`,
//! `switchboard:telephony/carrier`), through the bindings of [`crate::contracts`].
//!
//! Role components are ordinary components: they load, link and run like any other, under
//! their policy's limits. What differs is that the host calls their role exports itself
//! instead of deriving tools from them. Every typed call is [`role_call!`]: a fresh instance,
//! the generated method, the result or a [`CallError`].

use super::state::CallState;
use super::{CallError, CallStats, LoadedComponent, Runtime};
use crate::contracts::classifier::{self, Analysis, Intent, QualityReport};
use crate::contracts::compliance::{
    self, CallRequest, ClaimResult, ComplianceError, ConsentRecord, Decision, DncEntry,
};
use crate::contracts::telephony::{
    self, CallInfo, CallScript, CarrierError, PlaceCallRequest, RecordingInfo, WebhookRequest, WebhookResponse,
};
use crate::contracts::tts::{self, ProviderInfo, SynthesisInfo, SynthesisRequest, TtsError, Voice, VoiceFilter};
use wasmtime::component::InstancePre;

/// The role exports of one component, resolved against its `InstancePre` at load time.
#[derive(Default)]
pub struct RoleExports {
    tts: Option<tts::api::GuestIndices>,
    classifier: Option<classifier::api::GuestIndices>,
    compliance: Option<compliance::api::GuestIndices>,
    carrier: Option<telephony::api::GuestIndices>,
}

impl RoleExports {
    /// Finds the role interfaces `exports` names. An export with a role's name but the
    /// wrong shape is an error: the component was built against another contract.
    pub(super) fn resolve(exports: &[String], pre: &InstancePre<CallState>) -> wasmtime::Result<Self> {
        let has = |name: &str| exports.iter().any(|e| e == name);
        Ok(Self {
            tts: has(tts::PROVIDER).then(|| tts::api::GuestIndices::new(pre)).transpose()?,
            classifier: has(classifier::CLASSIFY).then(|| classifier::api::GuestIndices::new(pre)).transpose()?,
            compliance: has(compliance::CHECKER).then(|| compliance::api::GuestIndices::new(pre)).transpose()?,
            carrier: has(telephony::CARRIER).then(|| telephony::api::GuestIndices::new(pre)).transpose()?,
        })
    }
}

impl LoadedComponent {
    pub fn is_tts_provider(&self) -> bool {
        self.roles.tts.is_some()
    }

    pub fn is_classifier(&self) -> bool {
        self.roles.classifier.is_some()
    }

    pub fn is_compliance_checker(&self) -> bool {
        self.roles.compliance.is_some()
    }

    pub fn is_carrier(&self) -> bool {
        self.roles.carrier.is_some()
    }
}

/// A component without the role it was asked for; the catalog never routes to one.
fn missing(component: &LoadedComponent, role: &str) -> CallError {
    CallError::Instantiate(format!("`{}` does not export {role}", component.name))
}

/// Runs one typed export of a role interface in a fresh instance: `$field` names the role in
/// [`RoleExports`], `$call` the generated method, the rest its arguments. `sink` and `admit`
/// are those of [`Runtime::in_instance_admitted`]. The value and what the call cost.
macro_rules! role_call {
    ($runtime:expr, $component:expr, $field:ident, $iface:expr, $call:ident $(, $arg:expr)*) => {
        role_call!($runtime, $component, $field, $iface, sink: None, admit: &|| true, $call $(, $arg)*)
    };
    ($runtime:expr, $component:expr, $field:ident, $iface:expr, sink: $sink:expr, admit: $admit:expr, $call:ident $(, $arg:expr)*) => {{
        let component = $component;
        let indices = component.roles.$field.as_ref().ok_or_else(|| missing(component, $iface))?;
        $runtime
            .in_instance_admitted(component, $sink, $admit, move |mut store, instance| async move {
                let outcome = match indices.load(&mut store, &instance) {
                    Ok(guest) => guest.$call(&mut store $(, $arg)*).await,
                    Err(e) => Err(e),
                };
                (store, outcome)
            })
            .await
    }};
}

/// The value of a typed call, without its cost.
type Typed<T> = Result<T, CallError>;

impl Runtime {
    /// `provider.info` of a TTS component.
    pub async fn tts_info(&self, component: &LoadedComponent) -> Result<(ProviderInfo, CallStats), CallError> {
        role_call!(self, component, tts, tts::PROVIDER, call_info)
    }

    /// `provider.list-voices` of a TTS component.
    pub async fn tts_list_voices(
        &self,
        component: &LoadedComponent,
        filter: VoiceFilter,
    ) -> Result<(Result<Vec<Voice>, TtsError>, CallStats), CallError> {
        role_call!(self, component, tts, tts::PROVIDER, call_list_voices, &filter)
    }

    /// `provider.synthesize` of a TTS component; the audio goes to `sink` as it is pushed, and
    /// `admit` is asked once the call has its turn (see [`Runtime::in_instance_admitted`]).
    pub async fn tts_synthesize(
        &self,
        component: &LoadedComponent,
        request: SynthesisRequest,
        sink: tokio::sync::mpsc::Sender<Vec<u8>>,
        admit: &(dyn Fn() -> bool + Sync),
    ) -> Result<(Result<SynthesisInfo, TtsError>, CallStats), CallError> {
        role_call!(self, component, tts, tts::PROVIDER, sink: Some(sink), admit: admit, call_synthesize, &request)
    }

    /// `classify.analyze`.
    pub async fn classify_analyze(&self, component: &LoadedComponent, text: &str) -> Typed<Analysis> {
        role_call!(self, component, classifier, classifier::CLASSIFY, call_analyze, text).map(|(v, _)| v)
    }

    /// `classify.classify-intent`.
    pub async fn classify_intent(&self, component: &LoadedComponent, utterance: &str) -> Typed<Intent> {
        role_call!(self, component, classifier, classifier::CLASSIFY, call_classify_intent, utterance).map(|(v, _)| v)
    }

    /// `classify.check-quality`.
    pub async fn check_quality(&self, component: &LoadedComponent, text: &str, max: u32) -> Typed<QualityReport> {
        role_call!(self, component, classifier, classifier::CLASSIFY, call_check_quality, text, max).map(|(v, _)| v)
    }

    /// `checker.reserve`: may this call be placed now? An allowed decision holds the attempt.
    pub async fn compliance_reserve(
        &self,
        component: &LoadedComponent,
        request: CallRequest,
    ) -> Typed<Result<Decision, ComplianceError>> {
        role_call!(self, component, compliance, compliance::CHECKER, call_reserve, &request).map(|(v, _)| v)
    }

    /// `checker.claim`: the carrier request is about to go out; still allowed?
    pub async fn compliance_claim(
        &self,
        component: &LoadedComponent,
        reservation: &str,
    ) -> Typed<Result<ClaimResult, ComplianceError>> {
        role_call!(self, component, compliance, compliance::CHECKER, call_claim, reservation).map(|(v, _)| v)
    }

    /// `checker.confirm`: the claimed call was placed as `call_id`.
    pub async fn compliance_confirm(
        &self,
        component: &LoadedComponent,
        reservation: &str,
        call_id: &str,
    ) -> Typed<Result<(), ComplianceError>> {
        role_call!(self, component, compliance, compliance::CHECKER, call_confirm, reservation, call_id).map(|(v, _)| v)
    }

    /// `checker.release`: the reserved call was not placed, because of `why`.
    pub async fn compliance_release(
        &self,
        component: &LoadedComponent,
        reservation: &str,
        why: &str,
    ) -> Typed<Result<(), ComplianceError>> {
        role_call!(self, component, compliance, compliance::CHECKER, call_release, reservation, why).map(|(v, _)| v)
    }

    /// `checker.revoke-consent`: every consent of `number` is revoked, at once.
    pub async fn compliance_revoke_consent(
        &self,
        component: &LoadedComponent,
        number: &str,
        means: &str,
        note: Option<&str>,
    ) -> Typed<Result<Vec<ConsentRecord>, ComplianceError>> {
        role_call!(self, component, compliance, compliance::CHECKER, call_revoke_consent, number, means, note)
            .map(|(v, _)| v)
    }

    /// `checker.add-to-dnc`: `number` goes on the internal do-not-call list.
    pub async fn compliance_add_to_dnc(
        &self,
        component: &LoadedComponent,
        number: &str,
        reason: Option<&str>,
        source: Option<&str>,
    ) -> Typed<Result<DncEntry, ComplianceError>> {
        role_call!(self, component, compliance, compliance::CHECKER, call_add_to_dnc, number, reason, source)
            .map(|(v, _)| v)
    }

    /// `carrier.place-call`.
    pub async fn carrier_place_call(
        &self,
        component: &LoadedComponent,
        request: PlaceCallRequest,
    ) -> Typed<Result<CallInfo, CarrierError>> {
        role_call!(self, component, carrier, telephony::CARRIER, call_place_call, &request).map(|(v, _)| v)
    }

    /// `carrier.get-call`.
    pub async fn carrier_get_call(
        &self,
        component: &LoadedComponent,
        sid: &str,
    ) -> Typed<Result<CallInfo, CarrierError>> {
        role_call!(self, component, carrier, telephony::CARRIER, call_get_call, sid).map(|(v, _)| v)
    }

    /// `carrier.end-call`.
    pub async fn carrier_end_call(
        &self,
        component: &LoadedComponent,
        sid: &str,
    ) -> Typed<Result<CallInfo, CarrierError>> {
        role_call!(self, component, carrier, telephony::CARRIER, call_end_call, sid).map(|(v, _)| v)
    }

    /// `carrier.start-recording`.
    pub async fn carrier_start_recording(
        &self,
        component: &LoadedComponent,
        sid: &str,
    ) -> Typed<Result<RecordingInfo, CarrierError>> {
        role_call!(self, component, carrier, telephony::CARRIER, call_start_recording, sid).map(|(v, _)| v)
    }

    /// `carrier.handle-webhook`: checks the signature and reads the carrier's news.
    pub async fn carrier_handle_webhook(
        &self,
        component: &LoadedComponent,
        request: WebhookRequest,
    ) -> Typed<WebhookResponse> {
        role_call!(self, component, carrier, telephony::CARRIER, call_handle_webhook, &request).map(|(v, _)| v)
    }

    /// `carrier.answer`: the carrier's markup for `script`, as a webhook's answer.
    pub async fn carrier_answer(&self, component: &LoadedComponent, script: CallScript) -> Typed<WebhookResponse> {
        role_call!(self, component, carrier, telephony::CARRIER, call_answer, &script).map(|(v, _)| v)
    }
}
