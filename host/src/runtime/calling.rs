//! Typed calls into the calling roles: `switchboard:compliance/checker` (may this number be
//! called now; consent and do-not-call records) and `switchboard:telephony/carrier` (place,
//! look up, end and record calls; read the carrier's signed webhooks).
//!
//! The host orchestrates these itself (a call is placed only after the checker allows it, and
//! a webhook's news goes through the host's call state machine), so it calls them through
//! bindings generated from the WIT in `wit/`, like the speech roles in [`super::roles`].

use super::{CallError, LoadedComponent, Runtime};

mod bindings {
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
}

pub(super) use bindings::compliance::exports::switchboard::compliance::checker as checker_api;
pub(super) use bindings::telephony::exports::switchboard::telephony::carrier as carrier_api;

pub use carrier_api::{
    ApiError, CallEvent, CallFilter, CallInfo, CallScript, CallStatus, CalleeInput, CarrierError, Conversation,
    EventKind, Gather, PlaceCallRequest, RecordingInfo, Step, Turn, WebhookRequest, WebhookResponse,
};
pub use checker_api::{
    CallPurpose, CallRequest, ClaimResult, ComplianceError, ConsentRecord, Decision, DncEntry, LocalTime, Reason,
};

/// The fully qualified names of the calling role interfaces.
pub const COMPLIANCE: &str = "switchboard:compliance/checker@0.1.0";
pub const CARRIER: &str = "switchboard:telephony/carrier@0.1.0";

impl LoadedComponent {
    /// Whether the component is a compliance checker.
    pub fn is_compliance_checker(&self) -> bool {
        self.roles.compliance.is_some()
    }

    /// Whether the component is a telephone carrier.
    pub fn is_carrier(&self) -> bool {
        self.roles.carrier.is_some()
    }
}

fn missing(component: &LoadedComponent, role: &str) -> CallError {
    CallError::Instantiate(format!("`{}` does not export {role}", component.name))
}

/// Runs one typed export of a role interface in a fresh instance: `$indices` names the role's
/// field in `RoleExports`, `$call` the generated method, the rest its arguments.
macro_rules! role_call {
    ($runtime:expr, $component:expr, $field:ident, $iface:expr, $call:ident $(, $arg:expr)*) => {{
        let component = $component;
        let indices = component.roles.$field.as_ref().ok_or_else(|| missing(component, $iface))?;
        let (value, _stats) = $runtime
            .in_instance(component, None, move |mut store, instance| async move {
                let outcome = match indices.load(&mut store, &instance) {
                    Ok(guest) => guest.$call(&mut store $(, $arg)*).await,
                    Err(e) => Err(e),
                };
                (store, outcome)
            })
            .await?;
        Ok(value)
    }};
}

impl Runtime {
    /// `checker.reserve`: may this call be placed now? An allowed decision holds the attempt.
    pub async fn compliance_reserve(
        &self,
        component: &LoadedComponent,
        request: CallRequest,
    ) -> Result<Result<Decision, ComplianceError>, CallError> {
        role_call!(self, component, compliance, COMPLIANCE, call_reserve, &request)
    }

    /// `checker.claim`: the carrier request is about to go out; still allowed?
    pub async fn compliance_claim(
        &self,
        component: &LoadedComponent,
        reservation: &str,
    ) -> Result<Result<ClaimResult, ComplianceError>, CallError> {
        role_call!(self, component, compliance, COMPLIANCE, call_claim, reservation)
    }

    /// `checker.confirm`: the claimed call was placed as `call_id`.
    pub async fn compliance_confirm(
        &self,
        component: &LoadedComponent,
        reservation: &str,
        call_id: &str,
    ) -> Result<Result<(), ComplianceError>, CallError> {
        role_call!(self, component, compliance, COMPLIANCE, call_confirm, reservation, call_id)
    }

    /// `checker.release`: the reserved call was not placed, because of `why`.
    pub async fn compliance_release(
        &self,
        component: &LoadedComponent,
        reservation: &str,
        why: &str,
    ) -> Result<Result<(), ComplianceError>, CallError> {
        role_call!(self, component, compliance, COMPLIANCE, call_release, reservation, why)
    }

    /// `checker.revoke-consent`: every consent of `number` is revoked, at once.
    pub async fn compliance_revoke_consent(
        &self,
        component: &LoadedComponent,
        number: &str,
        means: &str,
        note: Option<&str>,
    ) -> Result<Result<Vec<ConsentRecord>, ComplianceError>, CallError> {
        role_call!(self, component, compliance, COMPLIANCE, call_revoke_consent, number, means, note)
    }

    /// `checker.add-to-dnc`: `number` goes on the internal do-not-call list.
    pub async fn compliance_add_to_dnc(
        &self,
        component: &LoadedComponent,
        number: &str,
        reason: Option<&str>,
        source: Option<&str>,
    ) -> Result<Result<DncEntry, ComplianceError>, CallError> {
        role_call!(self, component, compliance, COMPLIANCE, call_add_to_dnc, number, reason, source)
    }

    /// `carrier.answer`: the carrier's markup for `script`, as a webhook's answer.
    pub async fn carrier_answer(
        &self,
        component: &LoadedComponent,
        script: CallScript,
    ) -> Result<WebhookResponse, CallError> {
        role_call!(self, component, carrier, CARRIER, call_answer, &script)
    }

    /// `carrier.place-call`.
    pub async fn carrier_place_call(
        &self,
        component: &LoadedComponent,
        request: PlaceCallRequest,
    ) -> Result<Result<CallInfo, CarrierError>, CallError> {
        role_call!(self, component, carrier, CARRIER, call_place_call, &request)
    }

    /// `carrier.get-call`.
    pub async fn carrier_get_call(
        &self,
        component: &LoadedComponent,
        sid: &str,
    ) -> Result<Result<CallInfo, CarrierError>, CallError> {
        role_call!(self, component, carrier, CARRIER, call_get_call, sid)
    }

    /// `carrier.end-call`.
    pub async fn carrier_end_call(
        &self,
        component: &LoadedComponent,
        sid: &str,
    ) -> Result<Result<CallInfo, CarrierError>, CallError> {
        role_call!(self, component, carrier, CARRIER, call_end_call, sid)
    }

    /// `carrier.start-recording`.
    pub async fn carrier_start_recording(
        &self,
        component: &LoadedComponent,
        sid: &str,
    ) -> Result<Result<RecordingInfo, CarrierError>, CallError> {
        role_call!(self, component, carrier, CARRIER, call_start_recording, sid)
    }

    /// `carrier.handle-webhook`: checks the signature and reads the carrier's news.
    pub async fn carrier_handle_webhook(
        &self,
        component: &LoadedComponent,
        request: WebhookRequest,
    ) -> Result<WebhookResponse, CallError> {
        role_call!(self, component, carrier, CARRIER, call_handle_webhook, &request)
    }
}

impl CallStatus {
    /// The name the carrier and the agent use (`in-progress`, `no-answer`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Initiated => "initiated",
            Self::Ringing => "ringing",
            Self::InProgress => "in-progress",
            Self::Completed => "completed",
            Self::Busy => "busy",
            Self::Failed => "failed",
            Self::NoAnswer => "no-answer",
            Self::Canceled => "canceled",
        }
    }
}

/// What a checker's error means, in words for the agent.
pub fn compliance_message(e: &ComplianceError) -> String {
    struct Words<'a>(&'a ComplianceError);
    impl std::fmt::Display for Words<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self.0 {
                ComplianceError::InvalidNumber(m) => write!(f, "invalid phone number: {m}"),
                ComplianceError::InvalidInput(m) => write!(f, "invalid input: {m}"),
                ComplianceError::Storage(m) => {
                    write!(
                        f,
                        "the compliance records could not be read or written (nothing was recorded; try again): {m}"
                    )
                }
            }
        }
    }
    Words(e).to_string()
}

/// What a carrier's error means, in words for the agent.
pub fn carrier_message(e: &CarrierError) -> String {
    struct Words<'a>(&'a CarrierError);
    impl std::fmt::Display for Words<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self.0 {
                CarrierError::InvalidNumber(m) => write!(f, "invalid phone number: {m}"),
                CarrierError::InvalidRequest(m) => write!(f, "invalid request: {m}"),
                CarrierError::Unauthorized(m) => write!(f, "the carrier refused the credentials: {m}"),
                CarrierError::NotFound(m) => write!(f, "not found: {m}"),
                CarrierError::Rejected(e) => {
                    write!(f, "the carrier refused (HTTP {}", e.status)?;
                    if let Some(code) = e.code {
                        write!(f, ", code {code}")?;
                    }
                    write!(f, "): {}", e.message)?;
                    if let Some(more) = &e.more_info {
                        write!(f, " (see {more})")?;
                    }
                    Ok(())
                }
                CarrierError::RateLimited(Some(s)) => write!(f, "the carrier is rate limiting: retry in {s} s"),
                CarrierError::RateLimited(None) => write!(f, "the carrier is rate limiting: retry shortly"),
                CarrierError::Unavailable(m) => write!(f, "the carrier is unavailable (retry later): {m}"),
            }
        }
    }
    Words(e).to_string()
}
