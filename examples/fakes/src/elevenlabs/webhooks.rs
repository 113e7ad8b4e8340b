//! Post-call webhooks, as ElevenLabs sends them when a conversation ends: a
//! `post_call_transcription` JSON body ([`post_call_transcription`]), signed in the
//! `ElevenLabs-Signature` header as `t=<unix>,v0=<hex HMAC-SHA256 of "<t>.<body>">`
//! ([`sign_webhook`]), POSTed to the workspace's webhook URL ([`send_webhook`]).

use super::convai::{CallDirection, RegisteredCall};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The header the signature goes in.
pub const SIGNATURE_HEADER: &str = "ElevenLabs-Signature";
/// How long a webhook's answer is waited for.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(15);

/// Who spoke a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Agent,
    /// The person on the phone.
    User,
}

impl Role {
    /// `agent` or `user`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::User => "user",
        }
    }
}

/// One turn of the transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub role: Role,
    pub message: String,
    /// Seconds into the call.
    pub time_in_call_secs: u32,
}

impl Turn {
    pub fn agent(message: impl Into<String>, time_in_call_secs: u32) -> Self {
        Self { role: Role::Agent, message: message.into(), time_in_call_secs }
    }

    pub fn user(message: impl Into<String>, time_in_call_secs: u32) -> Self {
        Self { role: Role::User, message: message.into(), time_in_call_secs }
    }
}

/// `analysis.call_successful`: the platform's verdict on the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Success,
    Failure,
    Unknown,
}

impl Verdict {
    /// `success`, `failure` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Unknown => "unknown",
        }
    }
}

fn unix(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The `post_call_transcription` body ElevenLabs sends when the conversation of `call` ends,
/// for the Twilio call `call_sid`: the transcript, the summary and the verdict, the call's
/// metadata (start, duration: the last turn's time, the phone call), and its dynamic
/// variables with the `system__` ones ElevenLabs adds.
pub fn post_call_transcription(
    call: &RegisteredCall,
    call_sid: &str,
    transcript: &[Turn],
    summary: &str,
    verdict: Verdict,
) -> Value {
    let duration = transcript.iter().map(|t| t.time_in_call_secs).max().unwrap_or(0);
    let turns: Vec<Value> = transcript
        .iter()
        .map(|t| {
            json!({
                "role": t.role.as_str(),
                "message": t.message,
                "time_in_call_secs": t.time_in_call_secs,
                "tool_calls": [],
                "tool_results": [],
                "feedback": null,
            })
        })
        .collect();
    // The agent's number is the caller of an outbound call and the callee of an inbound one.
    let (agent_number, external_number) = match call.direction {
        CallDirection::Outbound => (&call.from_number, &call.to_number),
        CallDirection::Inbound => (&call.to_number, &call.from_number),
    };
    let mut variables: Map<String, Value> = call.dynamic_variables.clone();
    for (name, value) in [
        ("system__agent_id", json!(call.agent_id)),
        ("system__conversation_id", json!(call.conversation_id)),
        ("system__caller_id", json!(call.from_number)),
        ("system__called_number", json!(call.to_number)),
        ("system__call_sid", json!(call_sid)),
        ("system__call_duration_secs", json!(duration)),
    ] {
        variables.insert(name.to_string(), value);
    }
    json!({
        "type": "post_call_transcription",
        "event_timestamp": unix(SystemTime::now()),
        "data": {
            "agent_id": call.agent_id,
            "conversation_id": call.conversation_id,
            "status": "done",
            "transcript": turns,
            "metadata": {
                "start_time_unix_secs": unix(call.registered_at),
                "call_duration_secs": duration,
                "cost": duration.saturating_mul(10),
                "termination_reason": "Call ended by remote party",
                "phone_call": {
                    "type": "twilio",
                    "direction": call.direction.as_str(),
                    "agent_number": agent_number,
                    "external_number": external_number,
                    "call_sid": call_sid,
                },
            },
            "analysis": {
                "evaluation_criteria_results": {},
                "data_collection_results": {},
                "call_successful": verdict.as_str(),
                "transcript_summary": summary,
            },
            "conversation_initiation_client_data": {
                "conversation_config_override": {},
                "dynamic_variables": variables,
            },
        },
    })
}

/// The `ElevenLabs-Signature` value for `body` sent at `timestamp` (unix seconds):
/// `t=<timestamp>,v0=<hex of HMAC-SHA256 under secret of "<timestamp>.<body>">`.
pub fn sign_webhook(secret: &str, timestamp: u64, body: &str) -> String {
    // HMAC takes a key of any length; the error arm cannot happen.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    let mut out = format!("t={timestamp},v0=");
    for byte in mac.finalize().into_bytes() {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// One webhook as sent, and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookDelivery {
    pub url: String,
    /// The `ElevenLabs-Signature` sent, if any.
    pub signature: Option<String>,
    /// The body sent.
    pub body: String,
    /// The receiver's HTTP status; none when it could not be reached or did not answer in time.
    pub status: Option<u16>,
    /// The receiver's answer.
    pub response: String,
    /// Why there is no status.
    pub error: Option<String>,
}

impl WebhookDelivery {
    /// Whether the receiver answered 2xx.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// POSTs `body` (JSON) to `url`, signed with `secret` at the current time.
pub async fn send_webhook(url: &str, secret: &str, body: &str) -> WebhookDelivery {
    let signature = sign_webhook(secret, unix(SystemTime::now()), body);
    send_webhook_with(url, Some(&signature), body).await
}

/// POSTs `body` (JSON) to `url` with this `ElevenLabs-Signature` (or none): to test a
/// receiver's check with a stale, a wrong or a missing signature.
pub async fn send_webhook_with(url: &str, signature: Option<&str>, body: &str) -> WebhookDelivery {
    let mut delivery = WebhookDelivery {
        url: url.to_string(),
        signature: signature.map(str::to_string),
        body: body.to_string(),
        status: None,
        response: String::new(),
        error: None,
    };
    let client = match crate::http_client().timeout(WEBHOOK_TIMEOUT).no_proxy().build() {
        Ok(client) => client,
        Err(e) => {
            delivery.error = Some(e.to_string());
            return delivery;
        }
    };
    let mut request = client.post(url).header("Content-Type", "application/json").body(body.to_string());
    if let Some(signature) = signature {
        request = request.header(SIGNATURE_HEADER, signature);
    }
    match request.send().await {
        Ok(response) => {
            delivery.status = Some(response.status().as_u16());
            match response.bytes().await {
                Ok(bytes) => delivery.response = String::from_utf8_lossy(&bytes).into_owned(),
                Err(e) => delivery.error = Some(e.to_string()),
            }
        }
        Err(e) => delivery.error = Some(e.to_string()),
    }
    delivery
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_like_elevenlabs() {
        // Computed independently (Python hmac, and openssl): printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
        assert_eq!(
            sign_webhook("secret", 1_700_000_000, r#"{"a":1}"#),
            "t=1700000000,v0=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
        assert_ne!(sign_webhook("secret", 1, "x"), sign_webhook("secret", 2, "x"));
        assert_ne!(sign_webhook("secret", 1, "x"), sign_webhook("other", 1, "x"));
    }

    #[test]
    fn a_post_call_body_names_the_call() {
        let call = RegisteredCall {
            conversation_id: "conv_1".into(),
            agent_id: "agent_1".into(),
            from_number: "+15005550006".into(),
            to_number: "+14155551212".into(),
            direction: CallDirection::Outbound,
            dynamic_variables: [("name".to_string(), json!("Ada"))].into_iter().collect(),
            registered_at: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        };
        let turns = [Turn::agent("Hello Ada", 0), Turn::user("Stop calling me", 4)];
        let body = post_call_transcription(&call, "CA1", &turns, "The callee opted out.", Verdict::Failure);
        assert_eq!(body["type"], "post_call_transcription");
        let data = &body["data"];
        assert_eq!((data["agent_id"].clone(), data["status"].clone()), (json!("agent_1"), json!("done")));
        assert_eq!(data["transcript"][1]["role"], "user");
        assert_eq!(data["transcript"][1]["time_in_call_secs"], 4);
        assert_eq!(data["metadata"]["call_duration_secs"], 4);
        assert_eq!(data["metadata"]["start_time_unix_secs"], 1_700_000_000u64);
        assert_eq!(data["metadata"]["phone_call"]["call_sid"], "CA1");
        assert_eq!(data["metadata"]["phone_call"]["external_number"], "+14155551212");
        assert_eq!(data["analysis"]["call_successful"], "failure");
        assert_eq!(data["conversation_initiation_client_data"]["dynamic_variables"]["name"], "Ada");
        assert_eq!(data["conversation_initiation_client_data"]["dynamic_variables"]["system__call_sid"], "CA1");
    }
}
