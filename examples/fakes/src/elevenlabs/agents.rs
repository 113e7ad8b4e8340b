//! Conversational AI agents, kept in memory: `POST /v1/convai/agents/create`,
//! `GET|PATCH /v1/convai/agents/{agent_id}`, `GET /v1/convai/agents` (newest first, paged
//! with `cursor`, searched by name) and `GET /v1/convai/conversation/get-signed-url` (also
//! under its older name `get_signed_url`).

use super::errors::{Refusal, detail, invalid_item, json_response, unprocessable};
use super::query::Query;
use super::state::{Shared, lock};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// One stored agent: its full JSON as `GET` answers it.
#[derive(Debug, Clone)]
struct StoredAgent {
    id: String,
    created_at: i64,
    doc: Value,
}

/// The agents, in creation order.
#[derive(Debug, Default)]
pub struct AgentStore {
    agents: Vec<StoredAgent>,
}

impl AgentStore {
    /// How many agents exist.
    pub fn len(&self) -> usize {
        self.agents.len()
    }

    fn find_mut(&mut self, id: &str) -> Option<&mut StoredAgent> {
        self.agents.iter_mut().find(|a| a.id == id)
    }
}

/// What a new agent starts from (ElevenLabs' defaults, abridged).
fn defaults() -> Value {
    json!({
        "conversation_config": {
            "agent": {
                "first_message": "Hello! How can I help you today?",
                "language": "en",
                "prompt": {"prompt": "", "llm": "gemini-2.0-flash", "temperature": 0.0},
            },
            "tts": {"model_id": "eleven_flash_v2", "voice_id": "cjVigY5qzO86Huf0OWal"},
        },
        "platform_settings": {},
        "phone_numbers": [],
        "tags": [],
    })
}

/// Merges `patch` into `target`: objects key by key, anything else replaced.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                merge(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// Checks a create or update body; the error is the answer to send.
fn check_body(body: &[u8], creating: bool) -> Result<Map<String, Value>, Refusal> {
    let json: Value =
        serde_json::from_slice(body).map_err(|_| Refusal::invalid(&["body"], "JSON decode error", "json_invalid"))?;
    let Value::Object(map) = json else {
        return Err(Refusal::invalid(&["body"], "Input should be a valid dictionary", "dict_type"));
    };
    let mut problems = Vec::new();
    if creating && !map.get("conversation_config").is_some_and(Value::is_object) {
        problems.push(invalid_item(&["body", "conversation_config"], "Field required", "missing"));
    }
    if map.get("name").is_some_and(|n| !n.is_string() && !n.is_null()) {
        problems.push(invalid_item(&["body", "name"], "Input should be a valid string", "string_type"));
    }
    if map.get("tags").is_some_and(|t| !t.as_array().is_some_and(|a| a.iter().all(Value::is_string))) {
        problems.push(invalid_item(&["body", "tags"], "Input should be a valid list of strings", "list_type"));
    }
    let temperature = map.get("conversation_config").and_then(|c| c.pointer("/agent/prompt/temperature"));
    if temperature.is_some_and(|t| !t.as_f64().is_some_and(|t| (0.0..=2.0).contains(&t))) {
        problems.push(invalid_item(
            &["body", "conversation_config", "agent", "prompt", "temperature"],
            "Input should be a number between 0 and 2",
            "less_than_equal",
        ));
    }
    if problems.is_empty() { Ok(map) } else { Err(Refusal::Invalid(problems)) }
}

/// ElevenLabs speaks a non-English agent only with a v2.5 TTS model.
fn check_language(doc: &Value) -> Result<(), Refusal> {
    let language = doc.pointer("/conversation_config/agent/language").and_then(Value::as_str).unwrap_or("en");
    let model = doc.pointer("/conversation_config/tts/model_id").and_then(Value::as_str).unwrap_or("");
    if language != "en" && !model.ends_with("_v2_5") {
        return Err(Refusal::Detail(
            StatusCode::BAD_REQUEST,
            "invalid_agent_config",
            "Non-English agents must use turbo or flash v2_5.".into(),
        ));
    }
    Ok(())
}

/// ElevenLabs' answer for an agent id it does not know.
pub fn not_found(id: &str) -> Response {
    detail(StatusCode::NOT_FOUND, "agent_not_found", &format!("Agent with id {id} was not found."))
}

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Random-looking lowercase letters and digits, unique by the serial.
pub fn token(shared: &Shared, len: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let state = RandomState::new();
    let mut out = String::with_capacity(len);
    let serial = shared.next_serial();
    for i in 0..len {
        let h = state.hash_one((serial, i));
        out.push(char::from(ALPHABET[(h % ALPHABET.len() as u64) as usize]));
    }
    out
}

/// Creates an agent from a checked create body (ElevenLabs' defaults, merged with `given`);
/// its id, or the refusal of a configuration ElevenLabs would not take.
pub fn insert(shared: &Shared, given: Map<String, Value>) -> Result<String, Refusal> {
    let id = format!("agent_{}", token(shared, 26));
    let created_at = now();
    let mut doc = defaults();
    merge(&mut doc, &Value::Object(given));
    check_language(&doc)?;
    if let Some(map) = doc.as_object_mut() {
        let name = map.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        map.insert("agent_id".into(), id.clone().into());
        map.insert("name".into(), name.into());
        map.insert("metadata".into(), json!({"created_at_unix_secs": created_at, "updated_at_unix_secs": created_at}));
    }
    lock(&shared.agents).agents.push(StoredAgent { id: id.clone(), created_at, doc });
    Ok(id)
}

/// Whether an agent with this id exists.
pub fn exists(shared: &Shared, id: &str) -> bool {
    lock(&shared.agents).find_mut(id).is_some()
}

/// `POST /v1/convai/agents/create`: answers `{"agent_id": ...}`.
pub async fn create(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let created = check_body(&body, true).and_then(|given| insert(&shared, given));
    match created {
        Ok(id) => json_response(StatusCode::OK, &json!({ "agent_id": id })),
        Err(refusal) => refusal.into_response(),
    }
}

/// `GET /v1/convai/agents/{agent_id}`.
pub async fn get(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match lock(&shared.agents).find_mut(&id) {
        Some(agent) => json_response(StatusCode::OK, &agent.doc),
        None => not_found(&id),
    }
}

/// `PATCH /v1/convai/agents/{agent_id}`: merges the body into the agent, answers the agent.
pub async fn update(State(shared): State<Arc<Shared>>, Path(id): Path<String>, body: Bytes) -> Response {
    let mut given = match check_body(&body, false) {
        Ok(map) => map,
        Err(refusal) => return refusal.into_response(),
    };
    // What identifies the agent is not the caller's to change.
    for key in ["agent_id", "metadata"] {
        given.remove(key);
    }
    let mut store = lock(&shared.agents);
    let Some(agent) = store.find_mut(&id) else { return not_found(&id) };
    let mut doc = agent.doc.clone();
    merge(&mut doc, &Value::Object(given));
    if let Err(refusal) = check_language(&doc) {
        return refusal.into_response();
    }
    if let Some(meta) = doc.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("updated_at_unix_secs".into(), now().into());
    }
    agent.doc = doc.clone();
    json_response(StatusCode::OK, &doc)
}

/// `GET /v1/convai/agents?page_size=&cursor=&search=`, newest first.
pub async fn list(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let q = Query::parse(raw.as_deref());
    let page_size = match q.get("page_size").map(str::parse::<usize>) {
        None => 30,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => {
            return unprocessable(vec![invalid_item(
                &["query", "page_size"],
                "Input should be less than or equal to 100",
                "less_than_equal",
            )]);
        }
    };
    let offset = match q.get("cursor").filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => match c.strip_prefix("cur_").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => return detail(StatusCode::BAD_REQUEST, "invalid_cursor", "The cursor is invalid."),
        },
    };
    let search = q.get("search").map(str::to_lowercase).filter(|s| !s.is_empty());
    let store = lock(&shared.agents);
    let matching: Vec<&StoredAgent> = store
        .agents
        .iter()
        .rev()
        .filter(|a| {
            let name = a.doc.get("name").and_then(Value::as_str).unwrap_or_default().to_lowercase();
            search.as_ref().is_none_or(|s| name.contains(s))
        })
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(page_size)
        .map(|a| {
            json!({
                "agent_id": a.id,
                "name": a.doc.get("name").cloned().unwrap_or(Value::Null),
                "tags": a.doc.get("tags").cloned().unwrap_or(json!([])),
                "created_at_unix_secs": a.created_at,
                "access_info": {"is_creator": true, "creator_name": "Fake", "creator_email": "fake@example.com",
                                "role": "admin"},
                "archived": false,
            })
        })
        .collect();
    let next = offset + page_size;
    let has_more = next < matching.len();
    json_response(
        StatusCode::OK,
        &json!({"agents": page, "has_more": has_more, "next_cursor": has_more.then(|| format!("cur_{next}"))}),
    )
}

/// `GET /v1/convai/conversation/get-signed-url?agent_id=`: a one-time WebSocket URL.
pub async fn signed_url(State(shared): State<Arc<Shared>>, RawQuery(raw): RawQuery) -> Response {
    let q = Query::parse(raw.as_deref());
    let Some(id) = q.get("agent_id").filter(|id| !id.is_empty()) else {
        return unprocessable(vec![invalid_item(&["query", "agent_id"], "Field required", "missing")]);
    };
    if !exists(&shared, id) {
        return not_found(id);
    }
    let authority = lock(&shared.authority).clone();
    let signature = token(&shared, 40);
    let url = format!(
        "wss://{authority}/v1/convai/conversation?agent_id={}&conversation_signature={signature}",
        form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
    );
    json_response(StatusCode::OK, &json!({ "signed_url": url }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_is_deep() {
        let mut doc = json!({"a": {"b": 1, "c": 2}, "t": [1]});
        merge(&mut doc, &json!({"a": {"c": 3, "d": 4}, "t": [2, 3]}));
        assert_eq!(doc, json!({"a": {"b": 1, "c": 3, "d": 4}, "t": [2, 3]}));
    }

    #[test]
    fn bodies_are_checked() {
        assert!(check_body(br#"{"name":"A","conversation_config":{}}"#, true).is_ok());
        assert!(check_body(br#"{"name":"A"}"#, true).is_err());
        assert!(check_body(br#"{"name":"A"}"#, false).is_ok());
        assert!(check_body(br#"{"tags":[1]}"#, false).is_err());
        assert!(check_body(br#"[]"#, false).is_err());
        let hot = br#"{"conversation_config":{"agent":{"prompt":{"temperature":3}}}}"#;
        assert!(check_body(hot, false).is_err());
        let spanish =
            json!({"conversation_config": {"agent": {"language": "es"}, "tts": {"model_id": "eleven_flash_v2"}}});
        assert!(check_language(&spanish).is_err());
    }

    #[test]
    fn tokens_are_unique() {
        let s = Shared::default();
        let (a, b) = (token(&s, 26), token(&s, 26));
        assert_eq!(a.len(), 26);
        assert_ne!(a, b);
    }
}
