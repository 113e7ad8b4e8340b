//! `POST /v1/convai/twilio/register-call`: an agent on a call placed from the caller's own
//! Twilio number. ElevenLabs takes `{agent_id, from_number, to_number, direction,
//! conversation_initiation_client_data}` and answers the TwiML to hand back to Twilio's voice
//! webhook as it is: a `<Connect><Stream>` to the conversation's socket, with the
//! conversation id as a stream parameter. Every registration is recorded
//! ([`RegisteredCall`]).

use super::agents;
use super::errors::{invalid_item, unprocessable};
use super::state::{Shared, lock};
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::time::SystemTime;

/// Which way the call goes, as the agent sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallDirection {
    /// The callee called the agent's number (ElevenLabs' default).
    Inbound,
    /// The agent's side placed the call.
    Outbound,
}

impl CallDirection {
    /// `inbound` or `outbound`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbound => "inbound",
            Self::Outbound => "outbound",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Self::Inbound, Self::Outbound].into_iter().find(|d| d.as_str() == name)
    }
}

/// One accepted `register-call`.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisteredCall {
    /// `conv_` and 24 hex digits: the conversation the TwiML connects to.
    pub conversation_id: String,
    pub agent_id: String,
    pub from_number: String,
    pub to_number: String,
    pub direction: CallDirection,
    /// `conversation_initiation_client_data.dynamic_variables`, as given (empty when none).
    pub dynamic_variables: Map<String, Value>,
    /// When it was registered.
    pub registered_at: SystemTime,
}

impl RegisteredCall {
    /// The conversation socket the TwiML points Twilio's stream at.
    pub fn stream_url(&self, authority: &str) -> String {
        format!("wss://{authority}/v1/convai/conversation/twilio?conversation_id={}", self.conversation_id)
    }

    /// The answer ElevenLabs gives: TwiML connecting the call to the conversation.
    pub fn twiml(&self, authority: &str) -> String {
        let (url, id) = (escape(&self.stream_url(authority)), escape(&self.conversation_id));
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="{url}"><Parameter name="conversation_id" value="{id}"/></Stream></Connect></Response>"#
        )
    }
}

/// Escapes text for an XML attribute value.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether `number` is E.164: `+`, then 2 to 15 digits, the first not 0 (as the fake Twilio
/// checks numbers).
fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
    })
}

/// A register-call body that passed validation.
#[derive(Debug, Clone, PartialEq)]
struct Registration {
    agent_id: String,
    from_number: String,
    to_number: String,
    direction: CallDirection,
    dynamic_variables: Map<String, Value>,
}

/// A required string field; a problem is added when it is missing or not a string.
fn required_string(map: &Map<String, Value>, field: &str, problems: &mut Vec<Value>) -> Option<String> {
    match map.get(field) {
        None | Some(Value::Null) => {
            problems.push(invalid_item(&["body", field], "Field required", "missing"));
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            problems.push(invalid_item(&["body", field], "Input should be a valid string", "string_type"));
            None
        }
    }
}

/// A required E.164 number.
fn phone_number(map: &Map<String, Value>, field: &str, problems: &mut Vec<Value>) -> Option<String> {
    let number = required_string(map, field, problems)?;
    if is_e164(&number) {
        Some(number)
    } else {
        let msg = format!("Value error, {number:?} is not a valid phone number in E.164 format (e.g. +14155550123)");
        problems.push(invalid_item(&["body", field], &msg, "value_error"));
        None
    }
}

/// `conversation_initiation_client_data.dynamic_variables`: an object of strings, numbers and
/// booleans.
fn dynamic_variables(map: &Map<String, Value>, problems: &mut Vec<Value>) -> Map<String, Value> {
    const DATA: &str = "conversation_initiation_client_data";
    let data = match map.get(DATA) {
        None | Some(Value::Null) => return Map::new(),
        Some(Value::Object(data)) => data,
        Some(_) => {
            problems.push(invalid_item(&["body", DATA], "Input should be a valid dictionary", "dict_type"));
            return Map::new();
        }
    };
    let variables = match data.get("dynamic_variables") {
        None | Some(Value::Null) => return Map::new(),
        Some(Value::Object(variables)) => variables,
        Some(_) => {
            let loc = ["body", DATA, "dynamic_variables"];
            problems.push(invalid_item(&loc, "Input should be a valid dictionary", "dict_type"));
            return Map::new();
        }
    };
    for (name, value) in variables {
        if !matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
            let loc = ["body", DATA, "dynamic_variables", name.as_str()];
            problems.push(invalid_item(&loc, "Input should be a valid string, number or boolean", "union_type"));
        }
    }
    variables.clone()
}

/// Checks a register-call body; the problems are the 422's `detail` items.
fn check(body: &[u8]) -> Result<Registration, Vec<Value>> {
    let json: Value =
        serde_json::from_slice(body).map_err(|_| vec![invalid_item(&["body"], "JSON decode error", "json_invalid")])?;
    let Value::Object(map) = json else {
        return Err(vec![invalid_item(&["body"], "Input should be a valid dictionary", "dict_type")]);
    };
    let mut problems = Vec::new();
    let agent_id = required_string(&map, "agent_id", &mut problems);
    let from_number = phone_number(&map, "from_number", &mut problems);
    let to_number = phone_number(&map, "to_number", &mut problems);
    let direction = match map.get("direction") {
        None | Some(Value::Null) => Some(CallDirection::Inbound),
        Some(Value::String(d)) if CallDirection::parse(d).is_some() => CallDirection::parse(d),
        Some(_) => {
            problems.push(invalid_item(&["body", "direction"], "Input should be 'inbound' or 'outbound'", "enum"));
            None
        }
    };
    let dynamic_variables = dynamic_variables(&map, &mut problems);
    match (agent_id, from_number, to_number, direction) {
        (Some(agent_id), Some(from_number), Some(to_number), Some(direction)) if problems.is_empty() => {
            Ok(Registration { agent_id, from_number, to_number, direction, dynamic_variables })
        }
        _ => Err(problems),
    }
}

/// `conv_` and 24 hex digits, unique by the serial.
fn conversation_id(shared: &Shared) -> String {
    let serial = shared.next_serial();
    let scrambled = RandomState::new().hash_one(serial);
    format!("conv_{scrambled:016x}{:08x}", serial as u32)
}

/// `POST /v1/convai/twilio/register-call`: 200 `text/xml` TwiML, after the first-byte latency.
pub async fn register_call(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let registration = match check(&body) {
        Ok(r) => r,
        Err(problems) => return unprocessable(problems),
    };
    if !agents::exists(&shared, &registration.agent_id) {
        return agents::not_found(&registration.agent_id);
    }
    let latency = shared.knobs().first_byte_latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let call = RegisteredCall {
        conversation_id: conversation_id(&shared),
        agent_id: registration.agent_id,
        from_number: registration.from_number,
        to_number: registration.to_number,
        direction: registration.direction,
        dynamic_variables: registration.dynamic_variables,
        registered_at: SystemTime::now(),
    };
    let authority = lock(&shared.authority).clone();
    let twiml = call.twiml(&authority);
    lock(&shared.calls).push(call);
    let mut response = (StatusCode::OK, Body::from(twiml)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locs(problems: &[Value]) -> Vec<String> {
        problems.iter().map(|p| p["loc"].to_string()).collect()
    }

    #[test]
    fn bodies_are_checked_field_by_field() {
        let ok =
            check(br#"{"agent_id":"agent_1","from_number":"+15005550006","to_number":"+14155551212"}"#).expect("valid");
        assert_eq!((ok.direction, ok.dynamic_variables.len()), (CallDirection::Inbound, 0));
        let full = br#"{"agent_id":"a","from_number":"+15005550006","to_number":"+14155551212","direction":"outbound",
            "conversation_initiation_client_data":{"dynamic_variables":{"name":"Ada","visits":3,"vip":true}}}"#;
        let full = check(full).expect("valid");
        assert_eq!(full.direction, CallDirection::Outbound);
        assert_eq!(full.dynamic_variables["visits"], 3);

        let problems =
            check(br#"{"from_number":"14155551212","to_number":7,"direction":"sideways"}"#).expect_err("invalid");
        assert_eq!(
            locs(&problems),
            [
                r#"["body","agent_id"]"#,
                r#"["body","from_number"]"#,
                r#"["body","to_number"]"#,
                r#"["body","direction"]"#
            ]
        );
        assert_eq!(problems[0]["type"], "missing");
        assert_eq!(problems[1]["type"], "value_error");
        assert_eq!(problems[2]["type"], "string_type");
        let nested = br#"{"agent_id":"a","from_number":"+15005550006","to_number":"+14155551212",
            "conversation_initiation_client_data":{"dynamic_variables":{"list":[1],"ok":"x"}}}"#;
        let problems = check(nested).expect_err("invalid");
        assert_eq!(locs(&problems), [r#"["body","conversation_initiation_client_data","dynamic_variables","list"]"#]);
        let not_object = br#"{"agent_id":"a","from_number":"+15005550006","to_number":"+14155551212",
            "conversation_initiation_client_data":[]}"#;
        assert_eq!(check(not_object).expect_err("invalid")[0]["type"], "dict_type");
        assert_eq!(check(b"{").expect_err("invalid")[0]["type"], "json_invalid");
        assert_eq!(check(b"[]").expect_err("invalid")[0]["type"], "dict_type");
    }

    #[test]
    fn twiml_connects_the_stream() {
        let call = RegisteredCall {
            conversation_id: "conv_0123456789abcdef01234567".into(),
            agent_id: "agent_1".into(),
            from_number: "+15005550006".into(),
            to_number: "+14155551212".into(),
            direction: CallDirection::Outbound,
            dynamic_variables: Map::new(),
            registered_at: SystemTime::now(),
        };
        assert_eq!(
            call.twiml("127.0.0.1:9"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Connect><Stream \
             url=\"wss://127.0.0.1:9/v1/convai/conversation/twilio?conversation_id=conv_0123456789abcdef01234567\">\
             <Parameter name=\"conversation_id\" value=\"conv_0123456789abcdef01234567\"/></Stream></Connect></Response>"
        );
        assert_eq!(escape(r#"a&b<"'>"#), "a&amp;b&lt;&quot;&apos;&gt;");
    }

    #[test]
    fn conversation_ids_are_unique_hex() {
        let s = Shared::default();
        let (a, b) = (conversation_id(&s), conversation_id(&s));
        assert_ne!(a, b);
        assert!(a.len() == 29 && a[5..].bytes().all(|c| c.is_ascii_hexdigit()), "{a}");
    }
}
