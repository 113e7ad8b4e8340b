//! A carrier's webhooks, once the carrier checked their signature and read them: status and
//! recording news through the call's state machine; what the callee pressed or said during a
//! message call, where an opt-out is honoured at once; and a voice agent's conversation,
//! attached to the call and read for an opt-out too.
//!
//! An opt-out revokes the number's consent and puts it on the internal do-not-call list
//! through the compliance checker, both with the evidence (call id, keys or words, time), so
//! that the next decision on the number refuses it and says why.

use super::heard::{self, ConversationRecord, Heard, OptOut, Via};
use super::record::{Applied, CallRecord, Recording, Status, Update};
use super::{Telephony, book::Outcome, message, unix_now};
use crate::contracts::classifier::IntentLabel;
use crate::contracts::telephony::{CallEvent, CalleeInput, Conversation, EventKind, WebhookRequest, WebhookResponse};
use crate::roles::Routes;
use crate::runtime::{CallError, LoadedComponent, Runtime};
use serde_json::json;

/// A webhook as it reached `/webhooks/<carrier>/<path>`.
pub struct Inbound {
    pub method: String,
    /// The `Host` header, for the URL the sender signed when no public URL is configured.
    pub host: Option<String>,
    pub path_and_query: String,
    /// The path below `/webhooks/<carrier>/`.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Telephony {
    /// A carrier's webhook: the carrier checks the signature (against the URL the sender
    /// signed) and reads it; genuine news goes through the state machine. A refused
    /// (impossible) move still answers 2xx, so that the carrier does not send it again; a
    /// record that cannot be saved answers 500, so it does.
    pub async fn webhook(
        &self,
        runtime: &Runtime,
        routes: &Routes,
        carrier: &LoadedComponent,
        inbound: Inbound,
    ) -> Result<WebhookResponse, CallError> {
        let request = WebhookRequest {
            url: self.signed_url(inbound.host.as_deref(), &inbound.path_and_query),
            method: inbound.method,
            path: inbound.path,
            headers: inbound.headers,
            body: inbound.body,
        };
        let mut response = runtime.carrier_handle_webhook(carrier, request).await?;
        let Some(event) = response.event.take() else {
            if response.status == 403 || response.status == 401 {
                tracing::warn!(carrier = %carrier.name, "refused a webhook with a missing or wrong signature");
            }
            return Ok(response);
        };
        match event.kind {
            EventKind::Input => return self.heard(runtime, routes, carrier, event, response).await,
            EventKind::Conversation => return Ok(self.conversation(runtime, routes, event, response).await),
            EventKind::Status | EventKind::Recording | EventKind::Answer => {}
        }
        let sid = event.call_sid.clone();
        if let Err(e) = self.note(&sid, update_of(event)).await {
            tracing::error!(call = %sid, error = %e, "could not save a webhook's news");
            return Ok(unsaved());
        }
        Ok(response)
    }

    /// Applies news to a call's record, logging what it did.
    async fn note(&self, sid: &str, update: Update) -> Result<(), super::book::BookError> {
        match self.book.update(sid, update, unix_now()).await? {
            (Outcome::Applied(Applied::Refused { from, to }), _) => {
                tracing::info!(call = %sid, from = from.as_str(), to = to.as_str(), "refused an impossible status change (out of order or late)");
            }
            (Outcome::Applied(Applied::Changed { from, to }), _) => {
                tracing::info!(call = %sid, from = from.as_str(), to = to.as_str(), "call status changed");
            }
            (Outcome::Applied(Applied::Unchanged), _) => {}
            (Outcome::Early, _) => tracing::debug!(call = %sid, "news of a call not saved yet: kept for it"),
        }
        Ok(())
    }

    /// What the callee pressed or said during a message call. The opt-out key, or words the
    /// classifier hears as an opt-out, opt out; anything else plays the message again.
    async fn heard(
        &self,
        runtime: &Runtime,
        routes: &Routes,
        carrier: &LoadedComponent,
        event: CallEvent,
        default: WebhookResponse,
    ) -> Result<WebhookResponse, CallError> {
        let sid = event.call_sid.clone();
        let Some(input) = event.input else { return Ok(default) };
        let record = match self.book.get(&sid).await {
            Ok(Some(record)) => record,
            Ok(None) => {
                tracing::warn!(call = %sid, "input for a call this host has no record of");
                return Ok(default);
            }
            Err(e) => {
                tracing::error!(call = %sid, error = %e, "could not read a call's record");
                return Ok(unsaved());
            }
        };
        let Some(plan) = record.message.clone() else { return Ok(default) };
        let mut heard = Heard::new(unix_now(), &input);
        let via = if heard::pressed(input.digits.as_deref(), &plan.opt_out_key) {
            Some(Via::Key)
        } else {
            match speech_intent(runtime, routes, input.speech.as_deref()).await {
                Some(label) => {
                    heard.intent = Some(intent_name(label).to_owned());
                    (label == IntentLabel::OptOut).then_some(Via::Speech)
                }
                None => None,
            }
        };
        let opt_out = match via {
            Some(via) => Some(self.honour(runtime, routes, &record, via, evidence(&input)).await),
            None => None,
        };
        let honoured = opt_out.is_some();
        let update = Update { source: "webhook".into(), heard: Some(heard), opt_out, ..Update::default() };
        if let Err(e) = self.note(&sid, update).await {
            tracing::error!(call = %sid, error = %e, "could not save what the callee did");
        }
        let next = if honoured { message::confirmed(&plan) } else { message::script(&plan) };
        runtime.carrier_answer(carrier, next).await
    }

    /// A voice agent's conversation: attached to the call, and read for an opt-out.
    async fn conversation(
        &self,
        runtime: &Runtime,
        routes: &Routes,
        event: CallEvent,
        response: WebhookResponse,
    ) -> WebhookResponse {
        let sid = event.call_sid.clone();
        let Some(conversation) = event.conversation else { return response };
        let record = match self.book.get(&sid).await {
            Ok(Some(record)) => record,
            Ok(None) => {
                tracing::warn!(call = %sid, conversation = %conversation.id, "a conversation of a call this host has no record of");
                return response;
            }
            Err(e) => {
                tracing::error!(call = %sid, error = %e, "could not read a call's record");
                return unsaved();
            }
        };
        let opt_out = match said_stop(runtime, routes, &conversation).await {
            Some(words) => {
                let evidence = json!({ "conversation_id": conversation.id, "said": words }).to_string();
                Some(self.honour(runtime, routes, &record, Via::Agent, evidence).await)
            }
            None => None,
        };
        let update = Update {
            source: "webhook".into(),
            conversation: Some(ConversationRecord::from(&conversation)),
            opt_out,
            ..Update::default()
        };
        if let Err(e) = self.note(&sid, update).await {
            tracing::error!(call = %sid, error = %e, "could not save a call's conversation");
            return unsaved();
        }
        tracing::info!(call = %sid, conversation = %conversation.id, turns = conversation.transcript.len(), "conversation attached to the call");
        response
    }

    /// Honours an opt-out heard on `record`'s call: the number's consent is revoked and it
    /// goes on the internal do-not-call list, both with the evidence.
    async fn honour(
        &self,
        runtime: &Runtime,
        routes: &Routes,
        record: &CallRecord,
        via: Via,
        evidence: String,
    ) -> OptOut {
        let at = unix_now();
        let number = record.to.as_str();
        // The checker that cleared the call, else the one serving now.
        let checker = routes
            .checkers
            .iter()
            .find(|c| c.name == record.compliance.checker)
            .cloned()
            .or_else(|| self.checker(&routes.checkers).ok().cloned());
        let mut opt_out = OptOut {
            at,
            via,
            evidence: evidence.clone(),
            checker: checker.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
            consent_revoked: false,
            dnc_added: false,
            problems: Vec::new(),
        };
        let Some(checker) = checker else {
            opt_out.problems.push("no compliance checker is loaded to record the opt-out".into());
            tracing::error!(call = %record.call_sid, "an opt-out was heard but no checker is loaded: record it by hand");
            return opt_out;
        };
        let note = json!({ "call_sid": record.call_sid, "via": via, "evidence": evidence, "at": at }).to_string();
        match runtime.compliance_revoke_consent(&checker, number, via.means(), Some(&note)).await {
            Ok(Ok(_)) => opt_out.consent_revoked = true,
            Ok(Err(e)) => opt_out.problems.push(crate::roles::telephony::wording::compliance(&e)),
            Err(e) => opt_out.problems.push(e.to_string()),
        }
        let reason = format!("opted out on call {} ({})", record.call_sid, via_words(via));
        match runtime.compliance_add_to_dnc(&checker, number, Some(&reason), Some(via.source())).await {
            Ok(Ok(_)) => opt_out.dnc_added = true,
            Ok(Err(e)) => opt_out.problems.push(crate::roles::telephony::wording::compliance(&e)),
            Err(e) => opt_out.problems.push(e.to_string()),
        }
        if opt_out.problems.is_empty() {
            tracing::info!(call = %record.call_sid, via = via.source(), "opt-out honoured: consent revoked, number on the internal do-not-call list");
        } else {
            tracing::error!(call = %record.call_sid, problems = ?opt_out.problems, "an opt-out could not be fully recorded: record it by hand");
        }
        opt_out
    }
}

fn via_words(via: Via) -> &'static str {
    match via {
        Via::Key => "pressed the opt-out key",
        Via::Speech => "said so",
        Via::Agent => "said so to the voice agent",
    }
}

/// The keys or words of an input, as evidence.
fn evidence(input: &CalleeInput) -> String {
    json!({ "digits": input.digits, "speech": input.speech, "confidence": input.confidence }).to_string()
}

/// The classifier's reading of words the callee said, when there are words and a classifier.
async fn speech_intent(runtime: &Runtime, routes: &Routes, speech: Option<&str>) -> Option<IntentLabel> {
    let words = speech.map(str::trim).filter(|w| !w.is_empty())?;
    let Some(classifier) = &routes.classifier else {
        tracing::warn!("the callee spoke but no classifier is loaded to hear an opt-out in it");
        return None;
    };
    match runtime.classify_intent(classifier, words).await {
        Ok(intent) => Some(intent.label),
        Err(e) => {
            tracing::warn!(error = %e, "the classifier could not read what the callee said");
            None
        }
    }
}

/// The first thing the callee said to the agent that the classifier hears as an opt-out.
async fn said_stop(runtime: &Runtime, routes: &Routes, conversation: &Conversation) -> Option<String> {
    for words in heard::callee_turns(conversation) {
        if speech_intent(runtime, routes, Some(words)).await == Some(IntentLabel::OptOut) {
            return Some(words.to_owned());
        }
    }
    None
}

fn intent_name(label: IntentLabel) -> &'static str {
    match label {
        IntentLabel::Interested => "interested",
        IntentLabel::NotInterested => "not-interested",
        IntentLabel::CallBackLater => "call-back-later",
        IntentLabel::WrongNumber => "wrong-number",
        IntentLabel::OptOut => "opt-out",
        IntentLabel::Unknown => "unknown",
    }
}

/// The answer when the host could not save what a webhook said: the carrier sends it again.
fn unsaved() -> WebhookResponse {
    WebhookResponse {
        status: 500,
        content_type: "text/plain".into(),
        body: "the host could not save this update; send it again\n".into(),
        event: None,
    }
}

fn update_of(event: CallEvent) -> Update {
    let recording = match (event.kind, event.recording_sid) {
        (EventKind::Recording, Some(sid)) => Some(Recording {
            sid,
            status: event.recording_status.unwrap_or_else(|| "unknown".into()),
            url: event.recording_url,
            duration_seconds: event.duration_seconds,
        }),
        _ => None,
    };
    let is_status = event.kind == EventKind::Status;
    Update {
        status: event.status.map(Status::from),
        source: "webhook".into(),
        sequence: event.sequence,
        duration_seconds: if is_status { event.duration_seconds } else { None },
        answered_by: event.answered_by,
        error_code: event.error_code,
        recording,
        ..Update::default()
    }
}
