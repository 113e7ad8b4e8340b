//! What a call's record keeps beyond its status: the plan of a message call, what the callee
//! pressed or said, an opt-out with its evidence, and a voice agent's conversation.

use crate::contracts::telephony::{CalleeInput, Conversation};
use serde::{Deserialize, Serialize};

/// What a message call plays.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MessagePlan {
    /// The message, with the identification and the opt-out offer before it and the
    /// call-back number after it, as the callee hears it (`/audio/{id}`).
    pub audio_url: String,
    /// What the callee hears after opting out.
    pub confirmation_url: String,
    /// The key that opts out.
    pub opt_out_key: String,
    /// Where the carrier reports what the callee pressed or said.
    pub gather_url: String,
}

/// How the callee opted out.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    /// Pressed the opt-out key.
    Key,
    /// Said so, and the classifier heard an opt-out.
    Speech,
    /// Said so to the voice agent (the transcript, classified after the call).
    Agent,
}

impl Via {
    /// How the checker is told the consent was revoked (its `means`).
    pub fn means(self) -> &'static str {
        match self {
            Via::Key => "opt-out-key-on-call",
            Via::Speech | Via::Agent => "said-stop-on-call",
        }
    }

    /// Who added the number to the internal list (its `source`).
    pub fn source(self) -> &'static str {
        match self {
            Via::Key => "opt-out-key",
            Via::Speech => "opt-out-speech",
            Via::Agent => "opt-out-agent",
        }
    }
}

/// An opt-out heard on a call, and what became of it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OptOut {
    pub at: i64,
    pub via: Via,
    /// The keys pressed, or the words said.
    pub evidence: String,
    /// The checker that recorded it.
    pub checker: String,
    /// Whether the checker recorded the consent revocation and the do-not-call entry.
    pub consent_revoked: bool,
    pub dnc_added: bool,
    /// Why one of them was not recorded: the operator must then record it by hand (the
    /// log says so too); nothing is dropped silently.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// One thing the callee did while the carrier listened.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Heard {
    pub at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digits: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speech: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// The classifier's reading of the speech (`opt-out`, `interested` ...), when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
}

impl Heard {
    pub fn new(at: i64, input: &CalleeInput) -> Self {
        Self {
            at,
            digits: input.digits.clone(),
            speech: input.speech.clone(),
            confidence: input.confidence,
            intent: None,
        }
    }
}

/// A voice agent's conversation, as the call's record keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ConversationRecord {
    pub id: String,
    pub agent_id: String,
    pub transcript: Vec<TurnRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_successful: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TurnRecord {
    pub role: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_seconds: Option<u32>,
}

impl From<&Conversation> for ConversationRecord {
    fn from(c: &Conversation) -> Self {
        Self {
            id: c.id.clone(),
            agent_id: c.agent_id.clone(),
            transcript: c
                .transcript
                .iter()
                .map(|t| TurnRecord { role: t.role.clone(), message: t.message.clone(), at_seconds: t.at_seconds })
                .collect(),
            summary: c.summary.clone(),
            call_successful: c.call_successful.clone(),
            duration_seconds: c.duration_seconds,
        }
    }
}

/// Whether the keys pressed include the opt-out key.
pub fn pressed(digits: Option<&str>, key: &str) -> bool {
    digits.is_some_and(|d| !key.is_empty() && d.contains(key))
}

/// The callee's own words of a conversation (what an opt-out could be said in).
pub fn callee_turns(conversation: &Conversation) -> impl Iterator<Item = &str> {
    conversation
        .transcript
        .iter()
        .filter(|t| t.role.eq_ignore_ascii_case("user"))
        .map(|t| t.message.trim())
        .filter(|m| !m.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_opt_out_key_is_found_among_the_keys_pressed() {
        assert!(pressed(Some("9"), "9"));
        assert!(pressed(Some("19#"), "9"));
        assert!(!pressed(Some("1"), "9"));
        assert!(!pressed(None, "9"));
        assert!(!pressed(Some("9"), ""));
    }
}
