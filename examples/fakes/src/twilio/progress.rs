//! How a placed call goes on by itself, like a real one: `queued`, then after a step each
//! `initiated`, `ringing`, and the scripted [`Outcome`]. An answered call fetches its `Url`
//! (when it has one), carries out that TwiML or its inline `Twiml` ([`super::gather`]),
//! talks, and completes. The REST API can end a call at any point; the
//! progress then finds the call elsewhere and stops.

use super::gather;
use super::state::Shared;
use super::store::CallStatus;
use std::sync::Arc;
use std::time::Duration;

/// How a call to a number ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Answered; hung up by the callee after `talk` (status `completed`).
    Completed { talk: Duration },
    /// `busy` after ringing.
    Busy,
    /// `no-answer` after ringing.
    NoAnswer,
    /// `failed` after ringing.
    Failed,
    /// Answered, and in progress until ended through the REST API (or
    /// [`super::FakeTwilio::hang_up`]).
    Hold,
}

/// Runs a call's progress in the background, `step` between changes.
pub fn spawn(shared: Arc<Shared>, sid: String, outcome: Outcome, step: Duration) {
    let task = tokio::spawn(run(shared.clone(), sid, outcome, step));
    shared.keep_task(task);
}

async fn run(shared: Arc<Shared>, sid: String, outcome: Outcome, step: Duration) {
    use CallStatus::*;
    tokio::time::sleep(step).await;
    if shared.advance(&sid, &[Queued], Initiated).is_none() {
        return;
    }
    tokio::time::sleep(step).await;
    if shared.advance(&sid, &[Initiated], Ringing).is_none() {
        return;
    }
    tokio::time::sleep(step).await;
    let talk = match outcome {
        Outcome::Busy | Outcome::NoAnswer | Outcome::Failed => {
            let end = match outcome {
                Outcome::Busy => Busy,
                Outcome::NoAnswer => NoAnswer,
                _ => Failed,
            };
            shared.advance(&sid, &[Ringing], end);
            return;
        }
        Outcome::Completed { talk } => Some(talk),
        Outcome::Hold => None,
    };
    if shared.advance(&sid, &[Ringing], InProgress).is_none() {
        return;
    }
    let document = match shared.fetch_twiml(&sid) {
        Some(reply) => match reply.await {
            Ok(delivery) if delivery.succeeded() => {
                shared.set_fetched_twiml(&sid, delivery.body.clone());
                let url = shared.call(&sid).and_then(|c| c.url).map(|hook| hook.url);
                Some((url, delivery.body))
            }
            // Twilio plays "an application error has occurred" and hangs up.
            _ => {
                shared.advance(&sid, &[InProgress], Completed);
                return;
            }
        },
        None => shared.call(&sid).and_then(|c| c.twiml).map(|twiml| (None, twiml)),
    };
    if let Some((url, twiml)) = document
        && gather::carry_out(&shared, &sid, url.as_deref(), &twiml).await
    {
        return;
    }
    if let Some(talk) = talk {
        tokio::time::sleep(talk).await;
        shared.advance(&sid, &[InProgress], Completed);
    }
}
