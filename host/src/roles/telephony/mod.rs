//! The calling role: outbound calls placed only after the compliance checker allows them,
//! through the active carrier, with the host's own record of each call whose status follows the
//! carrier's signed webhooks through a state machine.
//!
//! `initiate` = reserve (decide and hold the attempt, atomically), claim, place, then confirm
//! (or release, when the call was not placed), and link the call to its lead. A refusal
//! places nothing and is already in the checker's audit trail.

pub mod book;
mod calls;
pub mod heard;
pub mod message;
pub mod record;
mod webhook;
pub mod wording;

pub use crate::config::CallingSettings;
pub use message::Message;
pub use webhook::Inbound;

use crate::contracts::compliance::{CallPurpose, CallRequest, ComplianceError, Decision};
use crate::contracts::telephony::{CarrierError, PlaceCallRequest};
use crate::roles::Routes;
use crate::roles::public::PublicUrl;
use crate::roles::tts::{SpeakError, Speech};
use crate::runtime::{CallError, LoadedComponent, Runtime, progress};
use book::{Book, BookError};
use heard::MessagePlan;
use record::{CallRecord, Clearance, Status, Step};
use std::sync::Arc;

/// The steps `initiate` reports as progress: allowed, ready, placing, placed.
pub const PLACING_STEPS: f64 = 4.0;

/// The built-in components, preferred when the config names none.
const BUILTIN_CARRIER: &str = "telephony_twilio";
const BUILTIN_CHECKER: &str = "compliance_tcpa";

/// Why a calling request could not be served. A compliance refusal is not one of these: it is
/// an answer ([`Initiation::Blocked`]).
#[derive(Debug, thiserror::Error)]
pub enum CallingError {
    #[error("no compliance checker is loaded, and no call is placed without one: load compliance_tcpa{}", named(.0))]
    NoChecker(Option<String>),
    #[error("no telephone carrier is loaded: load telephony_twilio{}", named(.0))]
    NoCarrier(Option<String>),
    #[error(
        "the carrier has no way to reach this host's webhooks: serve with `--http <addr>` or set [calling] public_url"
    )]
    NoPublicUrl,
    #[error("{0}")]
    Message(String),
    #[error("the message cannot be spoken: {0}")]
    Speech(SpeakError),
    #[error("the compliance checker `{component}` did not answer: {error}")]
    CheckerFailed { component: String, error: CallError },
    #[error("the compliance checker refused the request: {}", crate::roles::telephony::wording::compliance(.0))]
    Compliance(ComplianceError),
    #[error("the carrier `{component}` did not answer: {error}")]
    CarrierFailed { component: String, error: CallError },
    #[error("{}", crate::roles::telephony::wording::carrier(.0))]
    Carrier(CarrierError),
    #[error("this host placed no call {0} (see list_calls)")]
    UnknownCall(String),
    #[error("call {sid} was placed by `{carrier}`, which is not loaded now")]
    CarrierGone { sid: String, carrier: String },
    #[error("call {sid} was placed, but the host could not save its record: {error}")]
    Unsaved { sid: String, error: BookError },
    #[error("the call records could not be read or written: {0}")]
    Book(#[from] BookError),
}

fn named(name: &Option<String>) -> String {
    name.as_ref().map(|n| format!(" (the config names `{n}`, which is not loaded)")).unwrap_or_default()
}

/// A call the agent asked for.
#[derive(Debug, Clone)]
pub struct InitiateRequest {
    pub phone_number: String,
    pub lead_id: String,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub purpose: CallPurpose,
    pub artificial_voice: Option<bool>,
    pub consent_scope: Option<String>,
    pub record: Option<bool>,
    pub machine_detection: Option<String>,
    pub instructions_url: Option<String>,
    /// Our own voice on the call, instead of a voice agent or `instructions_url`.
    pub message: Option<Message>,
}

/// What `initiate` did.
pub enum Initiation {
    /// The checker said no: nothing was placed.
    Blocked { decision: Decision, checker: String },
    /// The call is placed and recorded.
    Placed { record: Box<CallRecord>, decision: Decision, warnings: Vec<String> },
}

pub struct Telephony {
    settings: CallingSettings,
    book: Book,
    /// Where the carrier reaches this host.
    public: Arc<PublicUrl>,
}

impl Telephony {
    pub fn new(settings: CallingSettings, store: Arc<dyn crate::store::KeyValue>, public: Arc<PublicUrl>) -> Self {
        Self { settings, book: Book::new(store), public }
    }

    pub fn settings(&self) -> &CallingSettings {
        &self.settings
    }

    /// The checker that serves: the configured one, else the built-in, else the first loaded.
    pub fn checker<'a>(&self, checkers: &'a [Arc<LoadedComponent>]) -> Result<&'a Arc<LoadedComponent>, CallingError> {
        pick(checkers, self.settings.checker.as_deref(), BUILTIN_CHECKER)
            .ok_or_else(|| CallingError::NoChecker(self.settings.checker.clone()))
    }

    /// The carrier that serves, chosen the same way.
    pub fn carrier<'a>(&self, carriers: &'a [Arc<LoadedComponent>]) -> Result<&'a Arc<LoadedComponent>, CallingError> {
        pick(carriers, self.settings.carrier.as_deref(), BUILTIN_CARRIER)
            .ok_or_else(|| CallingError::NoCarrier(self.settings.carrier.clone()))
    }

    /// Where the carrier reaches the host: the configured public URL, else the HTTP listener.
    fn callback_base(&self) -> Result<String, CallingError> {
        self.public.base().ok_or(CallingError::NoPublicUrl)
    }

    /// The URL a webhook was sent to, as the carrier signed it.
    pub fn signed_url(&self, host_header: Option<&str>, path_and_query: &str) -> String {
        self.public.of_request(host_header, path_and_query)
    }

    /// Places a call only through a reservation: the checker decides and holds the attempt in
    /// one atomic step (so parallel requests cannot all take the last slot), the host claims it
    /// just before the carrier request goes out (a revocation since the decision stops the
    /// call there), then confirms it with the call's id, or releases it when the call was not
    /// placed. The record is linked to the lead.
    pub async fn initiate(
        &self,
        speech: &Arc<Speech>,
        routes: &Routes,
        runtime: &Arc<Runtime>,
        request: InitiateRequest,
    ) -> Result<Initiation, CallingError> {
        let checker = self.checker(&routes.checkers)?;
        let carrier = self.carrier(&routes.carriers)?;
        // Checked before the decision, so that a call that cannot be placed is not audited as
        // one that was allowed.
        let hooks = format!("{}/webhooks/{}", self.callback_base()?, carrier.name);
        // This tool reports its own steps (see PLACING_STEPS); the voice it calls stays quiet.
        let message = match &request.message {
            Some(m) => Some(progress::muted(message::prepare(speech, runtime, routes, &self.settings, m)).await?),
            None => None,
        };
        let ask = CallRequest {
            phone_number: request.phone_number.clone(),
            at: None,
            artificial_voice: request.artificial_voice.unwrap_or(self.settings.artificial_voice),
            purpose: request.purpose,
            subject: request.subject.clone(),
            consent_scope: request.consent_scope.clone(),
            lead_id: Some(request.lead_id.clone()),
        };
        let checker_failed = |error| CallingError::CheckerFailed { component: checker.name.clone(), error };
        let decision = runtime
            .compliance_reserve(checker, ask)
            .await
            .map_err(checker_failed)?
            .map_err(CallingError::Compliance)?;
        let reservation = match (&decision.allowed, &decision.reservation) {
            (true, Some(reservation)) => reservation.clone(),
            (true, None) => {
                return Err(CallingError::Compliance(ComplianceError::InvalidInput(format!(
                    "`{}` allowed the call but held no reservation for it, so it is not placed",
                    checker.name
                ))));
            }
            (false, _) => {
                tracing::info!(checker = %checker.name, audit = %decision.audit_id, reasons = decision.reasons.len(), "call blocked by compliance");
                return Ok(Initiation::Blocked { decision, checker: checker.name.clone() });
            }
        };
        let held = Held { runtime, checker, reservation: &reservation };
        progress::report(1.0, Some(PLACING_STEPS), || format!("`{}` allows the call", checker.name));

        // Our own voice: the audio starts being made now, while the call is placed and rings.
        let plan = match message {
            Some((voice_routes, full, confirm)) => {
                let started = async {
                    let (audio, _) = speech.start_clip(runtime, &voice_routes, full).await?;
                    let (confirmation, _) = speech.start_clip(runtime, &voice_routes, confirm).await?;
                    Ok::<_, SpeakError>((audio, confirmation))
                };
                match progress::muted(started).await {
                    Ok((audio, confirmation)) => Some(MessagePlan {
                        audio_url: self.public.audio(&audio).ok_or(CallingError::NoPublicUrl)?,
                        confirmation_url: self.public.audio(&confirmation).ok_or(CallingError::NoPublicUrl)?,
                        opt_out_key: self.settings.opt_out_key.clone(),
                        gather_url: format!("{hooks}/gather"),
                    }),
                    Err(e) => {
                        held.release(&format!("the message could not be spoken: {}", e.kind())).await;
                        return Err(CallingError::Speech(e));
                    }
                }
            }
            None => None,
        };
        let (instructions_url, script) = match (&plan, &request.instructions_url) {
            (Some(plan), _) => (None, Some(message::script(plan))),
            (None, Some(url)) => (Some(url.clone()), None),
            (None, None) => (Some(voice_url(&hooks, &request.lead_id, request.subject.as_deref())), None),
        };

        let place = PlaceCallRequest {
            to: request.phone_number.clone(),
            from: request.from.clone(),
            instructions_url,
            instructions: None,
            script,
            status_callback: Some(format!("{hooks}/status")),
            status_events: self.settings.status_events.clone(),
            record: request.record.unwrap_or(self.settings.record),
            recording_status_callback: Some(format!("{hooks}/recording")),
            machine_detection: request.machine_detection.clone().or_else(|| self.settings.machine_detection.clone()),
            timeout_seconds: Some(self.settings.ring_timeout_seconds),
        };

        progress::report(2.0, Some(PLACING_STEPS), || "ready to place the call".into());
        // The last point at which the call can be stopped.
        let claim = match runtime.compliance_claim(checker, &reservation).await {
            Ok(Ok(claim)) => claim,
            Ok(Err(e)) => {
                held.release(&format!("the claim failed: {}", crate::roles::telephony::wording::compliance(&e))).await;
                return Err(CallingError::Compliance(e));
            }
            Err(e) => {
                held.release(&format!("the claim failed: {e}")).await;
                return Err(checker_failed(e));
            }
        };
        if !claim.granted {
            tracing::info!(checker = %checker.name, audit = %claim.audit_id, "reservation withdrawn before the call went out");
            let withdrawn = Decision {
                audit_id: claim.audit_id,
                allowed: false,
                reasons: claim.reasons,
                reservation: None,
                ..decision
            };
            return Ok(Initiation::Blocked { decision: withdrawn, checker: checker.name.clone() });
        }

        progress::report(3.0, Some(PLACING_STEPS), || format!("placing the call through `{}`", carrier.name));
        let info = match runtime.carrier_place_call(carrier, place).await {
            Ok(Ok(info)) => info,
            Ok(Err(e)) => {
                held.release(&format!(
                    "the carrier refused the call: {}",
                    crate::roles::telephony::wording::carrier(&e)
                ))
                .await;
                return Err(CallingError::Carrier(e));
            }
            Err(e) => {
                held.release(&format!("the carrier did not answer: {e}")).await;
                return Err(carrier_failed(carrier)(e));
            }
        };
        let now = unix_now();
        tracing::info!(carrier = %carrier.name, call = %info.sid, audit = %decision.audit_id, "call placed");

        let mut warnings = Vec::new();
        let problem = match runtime.compliance_confirm(checker, &reservation, &info.sid).await {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(crate::roles::telephony::wording::compliance(&e)),
            Err(e) => Some(e.to_string()),
        };
        if let Some(problem) = problem {
            tracing::error!(checker = %checker.name, call = %info.sid, error = %problem, "could not confirm the attempt");
            warnings.push(format!(
                "the call is placed and its attempt counted, but `{}` could not note the call id ({problem})",
                checker.name
            ));
        }
        let status = Status::from(info.status);
        let record = CallRecord {
            call_sid: info.sid.clone(),
            carrier: carrier.name.clone(),
            lead_id: Some(request.lead_id),
            to: info.to,
            from: info.from,
            status,
            subject: request.subject,
            created_at: now,
            updated_at: now,
            duration_seconds: None,
            answered_by: None,
            error_code: None,
            compliance: Clearance {
                audit_id: decision.audit_id.clone(),
                checker: checker.name.clone(),
                checked_at: decision.checked_at,
            },
            recordings: Vec::new(),
            history: vec![Step { status, at: now, source: "carrier".into(), sequence: None }],
            refused_updates: 0,
            message: plan,
            heard: Vec::new(),
            opt_out: None,
            conversation: None,
        };
        let record = self
            .book
            .insert(record, now)
            .await
            .map_err(|error| CallingError::Unsaved { sid: info.sid.clone(), error })?;
        progress::report(PLACING_STEPS, Some(PLACING_STEPS), || {
            format!("call {} placed: {}", info.sid, status.as_str())
        });
        Ok(Initiation::Placed { record: Box::new(record), decision, warnings })
    }
}

/// A reservation the host holds while it places a call.
struct Held<'a> {
    runtime: &'a Runtime,
    checker: &'a LoadedComponent,
    reservation: &'a str,
}

impl Held<'_> {
    /// Gives the slot back: the call was not placed. A release that fails leaves the attempt
    /// counted (the safe side), and says so in the log.
    async fn release(&self, why: &str) {
        let outcome = self.runtime.compliance_release(self.checker, self.reservation, why).await;
        let problem = match outcome {
            Ok(Ok(())) => return,
            Ok(Err(e)) => crate::roles::telephony::wording::compliance(&e),
            Err(e) => e.to_string(),
        };
        tracing::warn!(checker = %self.checker.name, reservation = self.reservation, error = %problem, "could not release a reservation: its attempt stays counted");
    }
}

fn pick<'a>(list: &'a [Arc<LoadedComponent>], named: Option<&str>, builtin: &str) -> Option<&'a Arc<LoadedComponent>> {
    match named {
        Some(name) => list.iter().find(|c| c.name == name),
        None => list.iter().find(|c| c.name == builtin).or_else(|| list.first()),
    }
}

/// Wraps a runtime failure of `carrier`.
fn carrier_failed(carrier: &LoadedComponent) -> impl FnOnce(CallError) -> CallingError + '_ {
    move |error| CallingError::CarrierFailed { component: carrier.name.clone(), error }
}

/// The voice-agent webhook's URL, with what the agent's dynamic variables need in its
/// (signed) query.
fn voice_url(hooks: &str, lead_id: &str, subject: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("lead_id", lead_id);
    if let Some(subject) = subject.filter(|s| !s.trim().is_empty()) {
        query.append_pair("subject", subject);
    }
    format!("{hooks}/voice?{}", query.finish())
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
