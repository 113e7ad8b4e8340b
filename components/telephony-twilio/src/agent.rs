//! An ElevenLabs agent on a call placed from the account's own Twilio number, the way ElevenLabs
//! documents it: when the call connects, Twilio asks the `voice` webhook what to do, and the
//! webhook registers the call with ElevenLabs (`POST {elevenlabs_base_url}/v1/convai/twilio/
//! register-call`, header `xi-api-key`), which answers the TwiML that connects the call to the
//! agent. That TwiML goes back to Twilio as it is.
//!
//! Twilio waits 15 s for the webhook's whole answer, so the request has a budget
//! (`agent_timeout_ms`, 5 s unless configured) split between connecting, the first byte and the
//! gaps between bytes. When ElevenLabs fails (an error status, an answer that is not TwiML, no
//! answer in time) the caller hears an apology and the call is hung up: Twilio never gets a 5xx,
//! which would make it play its "application error" message.
//!
//! The request body and the reading of the answer are pure functions; the HTTP is
//! [`crate::http::register_call`].

use crate::config::ElevenLabsAgent;
use serde::Serialize;
use std::time::Duration;

/// The path of ElevenLabs' register-call endpoint, below `elevenlabs_base_url`.
pub const REGISTER_CALL_PATH: &str = "/v1/convai/twilio/register-call";

/// What the register-call request says about the call, from the `voice` webhook's (verified)
/// parameters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallParams<'a> {
    /// Twilio's `From`: the account's number, the caller ID of the outbound call.
    pub from: &'a str,
    /// Twilio's `To`: the callee.
    pub to: &'a str,
    /// Twilio's `CallSid`, passed to the agent as the dynamic variable `call_id` (and coming back
    /// in the post-call webhook).
    pub call_sid: Option<&'a str>,
    /// The host's `lead_id` and `subject` from the webhook URL's query.
    pub lead_id: Option<&'a str>,
    pub subject: Option<&'a str>,
}

#[derive(Serialize)]
struct RegisterCall<'a> {
    agent_id: &'a str,
    from_number: &'a str,
    to_number: &'a str,
    direction: &'static str,
    conversation_initiation_client_data: ClientData<'a>,
}

#[derive(Serialize)]
struct ClientData<'a> {
    dynamic_variables: DynamicVariables<'a>,
}

#[derive(Serialize)]
struct DynamicVariables<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    call_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lead_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
}

/// The JSON body of the register-call request: `agent_id`, `from_number`, `to_number`,
/// `direction: "outbound"` and the dynamic variables `call_id`, `lead_id` and `subject` (each
/// left out when absent).
pub fn register_call_body(agent: &ElevenLabsAgent, call: &CallParams<'_>) -> String {
    let body = RegisterCall {
        agent_id: &agent.agent_id,
        from_number: call.from,
        to_number: call.to,
        direction: "outbound",
        conversation_initiation_client_data: ClientData {
            dynamic_variables: DynamicVariables {
                call_id: call.call_sid,
                lead_id: call.lead_id,
                subject: call.subject,
            },
        },
    };
    // Plain strings and a fixed shape: serialising cannot fail.
    serde_json::to_string(&body).unwrap_or_default()
}

/// The timeouts of the register-call request, out of the budget `total`: to connect (2/5), to
/// the first byte of the answer (2/5) and between its chunks (1/5). They add up to `total`.
pub fn timeouts(total: Duration) -> (Duration, Duration, Duration) {
    let connect = total * 2 / 5;
    let first_byte = total * 2 / 5;
    (connect, first_byte, total.saturating_sub(connect + first_byte))
}

/// ElevenLabs' answer to the register-call request, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// The TwiML to answer Twilio with, from ElevenLabs' answer (or why there was none): a 2xx
/// whose body is UTF-8 TwiML (it has a `<Response` element), as it is. Anything else is the
/// reason, which never quotes the key.
pub fn twiml_from(reply: Result<Reply, String>) -> Result<String, String> {
    let reply = reply?;
    if !(200..300).contains(&reply.status) {
        return Err(format!("ElevenLabs answered {} to register-call", reply.status));
    }
    let body = String::from_utf8(reply.body).map_err(|_| "ElevenLabs' register-call answer is not text".to_string())?;
    if !body.contains("<Response") {
        let kind = reply.content_type.as_deref().unwrap_or("no content type");
        return Err(format!("ElevenLabs' register-call answer is not TwiML ({kind})"));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn agent() -> ElevenLabsAgent {
        ElevenLabsAgent {
            agent_id: "agent_01jz".into(),
            base_url: "https://api.elevenlabs.io".into(),
            api_key: "sk_secret".into(),
            timeout: Duration::from_millis(5000),
        }
    }

    const SID: &str = "CA0123456789abcdef0123456789abcdef";

    #[test]
    fn the_register_call_body() {
        let call = CallParams {
            from: "+12125551234",
            to: "+13035550123",
            call_sid: Some(SID),
            lead_id: Some("lead-42"),
            subject: Some("solar \"panels\""),
        };
        let body = register_call_body(&agent(), &call);
        assert_eq!(
            body,
            format!(
                r#"{{"agent_id":"agent_01jz","from_number":"+12125551234","to_number":"+13035550123","direction":"outbound","conversation_initiation_client_data":{{"dynamic_variables":{{"call_id":"{SID}","lead_id":"lead-42","subject":"solar \"panels\""}}}}}}"#
            )
        );
        assert!(!body.contains("sk_secret"));
        // Absent variables are left out.
        let call = CallParams { lead_id: None, subject: None, ..call };
        let body: Value = serde_json::from_str(&register_call_body(&agent(), &call)).unwrap();
        assert_eq!(body["conversation_initiation_client_data"], json!({"dynamic_variables": {"call_id": SID}}));
        let call = CallParams { call_sid: None, ..call };
        let body: Value = serde_json::from_str(&register_call_body(&agent(), &call)).unwrap();
        assert_eq!(body["conversation_initiation_client_data"], json!({"dynamic_variables": {}}));
    }

    #[test]
    fn timeouts_fit_the_budget() {
        let (c, f, b) = timeouts(Duration::from_millis(5000));
        assert_eq!((c, f, b), (Duration::from_millis(2000), Duration::from_millis(2000), Duration::from_millis(1000)));
        for ms in [100, 101, 12000] {
            let total = Duration::from_millis(ms);
            let (c, f, b) = timeouts(total);
            assert_eq!(c + f + b, total);
            assert!(!c.is_zero() && !f.is_zero() && !b.is_zero());
        }
        assert!(timeouts(Duration::from_millis(12000)).0 * 5 / 2 < Duration::from_secs(15));
    }

    fn reply(status: u16, content_type: &str, body: &str) -> Result<Reply, String> {
        Ok(Reply { status, content_type: Some(content_type.into()), body: body.as_bytes().to_vec() })
    }

    const TWIML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response><Connect><Stream url="wss://api.elevenlabs.io/v1/convai/conversation/twilio?token=t&amp;x=1"/></Connect></Response>"#;

    #[test]
    fn twiml_passes_through_as_it_is() {
        assert_eq!(twiml_from(reply(200, "text/xml", TWIML)).as_deref(), Ok(TWIML));
        assert_eq!(twiml_from(reply(200, "application/xml; charset=utf-8", TWIML)).as_deref(), Ok(TWIML));
        let bare = Ok(Reply { status: 201, content_type: None, body: b"<Response/>".to_vec() });
        assert_eq!(twiml_from(bare).as_deref(), Ok("<Response/>"));
    }

    #[test]
    fn failures_say_why_without_the_key() {
        let cases = [
            (reply(401, "application/json", r#"{"detail":{"status":"invalid_api_key"}}"#), "401"),
            (reply(422, "application/json", r#"{"detail":[{"msg":"field required"}]}"#), "422"),
            (reply(500, "text/plain", "oops"), "500"),
            (reply(200, "application/json", r#"{"ok":true}"#), "not TwiML (application/json)"),
            (reply(200, "text/xml", ""), "not TwiML"),
            (Ok(Reply { status: 200, content_type: None, body: vec![0xff, 0xfe] }), "not text"),
            (Err("cannot reach ElevenLabs at https://api.elevenlabs.io: no answer came in time".into()), "in time"),
        ];
        for (r, expected) in cases {
            let e = twiml_from(r).unwrap_err();
            assert!(e.contains(expected) && !e.contains("sk_"), "{e} / {expected}");
        }
    }
}
