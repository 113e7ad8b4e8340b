//! The wire format of ElevenLabs agents, for the typed subset this component exposes.
//!
//! An agent's settings live in a nested `conversation_config`:
//! `{"name", "tags", "conversation_config": {"agent": {"first_message", "language", "prompt":
//! {"prompt", "llm", "temperature"}}, "tts": {"voice_id", "model_id"}}}`. Creating sends it to
//! `POST /v1/convai/agents/create`; updating sends only the changed parts to
//! `PATCH /v1/convai/agents/{id}`, which merges them into the agent.

use crate::catalog;
use crate::errors::{ApiError, Kind};
use crate::exports::switchboard::tts_elevenlabs::agents::{Agent, AgentPage, AgentSettings, AgentSummary, Model};
use crate::url;
use serde_json::{Map, Value, json};

/// ElevenLabs speaks non-English agents only with a v2.5 model; an agent switched to another
/// language gets this one (its default, Flash v2, is English only).
pub const MULTILINGUAL_AGENT_MODEL: &str = "eleven_flash_v2_5";
/// The most tags kept, and the longest tag.
const MAX_TAGS: usize = 50;
const MAX_TAG_LEN: usize = 100;

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(Kind::InvalidRequest, message)
}

/// The request body for creating (`creating`) or updating an agent. Creating needs a name;
/// updating needs at least one change.
pub fn settings_body(settings: &AgentSettings, creating: bool) -> Result<Value, ApiError> {
    let text = |v: &Option<String>| v.as_deref().map(str::trim).map(str::to_owned);
    let mut body = Map::new();
    match text(&settings.name) {
        Some(name) if name.is_empty() => return Err(invalid("name must not be empty")),
        Some(name) => {
            body.insert("name".into(), name.into());
        }
        None if creating => return Err(invalid("give the agent a name")),
        None => {}
    }
    if let Some(tags) = &settings.tags {
        body.insert("tags".into(), check_tags(tags)?.into());
    }

    let mut agent = Map::new();
    if let Some(first) = text(&settings.first_message) {
        agent.insert("first_message".into(), first.into());
    }
    let mut tts = Map::new();
    if let Some(tag) = text(&settings.language) {
        let code = catalog::language_code(&tag)
            .ok_or_else(|| invalid(format!("language `{tag}` is not an ISO 639-1 code such as `en` or `es`")))?;
        if code != "en" {
            tts.insert("model_id".into(), MULTILINGUAL_AGENT_MODEL.into());
        }
        agent.insert("language".into(), code.into());
    }
    let mut prompt = Map::new();
    if let Some(system) = &settings.system_prompt {
        prompt.insert("prompt".into(), system.clone().into());
    }
    match text(&settings.llm) {
        Some(llm) if llm.is_empty() => return Err(invalid("llm must not be empty")),
        Some(llm) => {
            prompt.insert("llm".into(), llm.into());
        }
        None => {}
    }
    if let Some(t) = settings.temperature {
        if !(t.is_finite() && (0.0..=2.0).contains(&t)) {
            return Err(invalid(format!("temperature must be between 0 and 2; got {t}")));
        }
        // Two decimals keep f32 noise off the wire.
        prompt.insert("temperature".into(), json!((f64::from(t) * 100.0).round() / 100.0));
    }
    if !prompt.is_empty() {
        agent.insert("prompt".into(), prompt.into());
    }
    if let Some(voice) = text(&settings.voice_id) {
        if !url::is_id(&voice) {
            return Err(invalid(format!("voice_id `{voice}` is not an ElevenLabs voice id")));
        }
        tts.insert("voice_id".into(), voice.into());
    }

    let mut config = Map::new();
    if !agent.is_empty() {
        config.insert("agent".into(), agent.into());
    }
    if !tts.is_empty() {
        config.insert("tts".into(), tts.into());
    }
    // Creation requires a conversation_config, even an empty one.
    if creating || !config.is_empty() {
        body.insert("conversation_config".into(), config.into());
    }
    if !creating && body.is_empty() {
        return Err(invalid("nothing to change: give at least one setting"));
    }
    Ok(body.into())
}

fn check_tags(tags: &[String]) -> Result<Vec<String>, ApiError> {
    if tags.len() > MAX_TAGS {
        return Err(invalid(format!("at most {MAX_TAGS} tags; got {}", tags.len())));
    }
    let mut out: Vec<String> = Vec::new();
    for tag in tags.iter().map(|t| t.trim()) {
        if tag.is_empty() || tag.chars().count() > MAX_TAG_LEN {
            return Err(invalid(format!("each tag must have 1 to {MAX_TAG_LEN} characters")));
        }
        if !out.iter().any(|t| t == tag) {
            out.push(tag.to_string());
        }
    }
    Ok(out)
}

fn str_at(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer).and_then(Value::as_str).map(str::to_owned)
}

fn tags_at(v: &Value, pointer: &str) -> Vec<String> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The typed agent out of `GET /v1/convai/agents/{id}` (or `PATCH`'s answer).
pub fn parse_agent(v: &Value) -> Result<Agent, ApiError> {
    let agent_id = str_at(v, "/agent_id")
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ApiError::new(Kind::Internal, "ElevenLabs described an agent without an agent_id"))?;
    Ok(Agent {
        name: str_at(v, "/name").unwrap_or_default(),
        created_at_unix_secs: v
            .pointer("/metadata/created_at_unix_secs")
            .or_else(|| v.pointer("/created_at_unix_secs"))
            .and_then(Value::as_i64),
        first_message: str_at(v, "/conversation_config/agent/first_message"),
        system_prompt: str_at(v, "/conversation_config/agent/prompt/prompt"),
        language: str_at(v, "/conversation_config/agent/language"),
        voice_id: str_at(v, "/conversation_config/tts/voice_id"),
        llm: str_at(v, "/conversation_config/agent/prompt/llm"),
        temperature: v
            .pointer("/conversation_config/agent/prompt/temperature")
            .and_then(Value::as_f64)
            .map(|t| t as f32),
        tags: tags_at(v, "/tags"),
        agent_id,
    })
}

/// What a just-created agent is, from what was sent, should reading it back fail: the agent
/// exists, and an error would make a caller create it again.
pub fn agent_from_body(agent_id: String, body: &Value) -> Agent {
    let mut v = body.clone();
    if let Some(map) = v.as_object_mut() {
        map.insert("agent_id".into(), agent_id.clone().into());
    }
    parse_agent(&v).unwrap_or(Agent {
        agent_id,
        name: String::new(),
        created_at_unix_secs: None,
        first_message: None,
        system_prompt: None,
        language: None,
        voice_id: None,
        llm: None,
        temperature: None,
        tags: Vec::new(),
    })
}

/// One page of `GET /v1/convai/agents`. The cursor is kept only while `has_more` says there is
/// more (ElevenLabs may send one on the last page too).
pub fn parse_page(v: &Value) -> AgentPage {
    let agents = v
        .get("agents")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|a| {
                    Some(AgentSummary {
                        agent_id: str_at(a, "/agent_id").filter(|id| !id.is_empty())?,
                        name: str_at(a, "/name").unwrap_or_default(),
                        tags: tags_at(a, "/tags"),
                        created_at_unix_secs: a.get("created_at_unix_secs").and_then(Value::as_i64),
                        last_call_time_unix_secs: a.get("last_call_time_unix_secs").and_then(Value::as_i64),
                        archived: a.get("archived").and_then(Value::as_bool).unwrap_or(false),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let has_more = v.get("has_more").and_then(Value::as_bool).unwrap_or(false);
    let next_cursor = str_at(v, "/next_cursor").filter(|c| has_more && !c.is_empty());
    AgentPage { agents, has_more: next_cursor.is_some(), next_cursor }
}

/// One model of `GET /v1/models`; `None` for one that cannot do text to speech or has no id.
pub fn model_from(v: &Value) -> Option<Model> {
    if v.get("can_do_text_to_speech").and_then(Value::as_bool) == Some(false) {
        return None;
    }
    let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let model_id = text("model_id");
    if model_id.is_empty() {
        return None;
    }
    let max = ["maximum_text_length_per_request", "max_characters_request_subscribed_user"]
        .iter()
        .find_map(|k| v.get(*k).and_then(Value::as_u64))
        .unwrap_or(0);
    let languages = v
        .get("languages")
        .and_then(Value::as_array)
        .map(|ls| ls.iter().filter_map(|l| l.get("language_id").and_then(Value::as_str).map(str::to_string)).collect())
        .unwrap_or_default();
    Some(Model {
        model_id,
        name: text("name"),
        description: text("description"),
        max_characters: u32::try_from(max).unwrap_or(u32::MAX),
        languages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> AgentSettings {
        AgentSettings {
            name: None,
            first_message: None,
            system_prompt: None,
            language: None,
            voice_id: None,
            llm: None,
            temperature: None,
            tags: None,
        }
    }

    #[test]
    fn create_body_nests_the_settings() {
        let s = AgentSettings {
            name: Some(" Reminders ".into()),
            first_message: Some("Hi, this is Ada.".into()),
            system_prompt: Some("You confirm appointments.".into()),
            language: Some("es-MX".into()),
            voice_id: Some("21m00Tcm4TlvDq8ikWAM".into()),
            llm: Some("gpt-4o-mini".into()),
            temperature: Some(0.3),
            tags: Some(vec!["calls".into(), " calls ".into(), "es".into()]),
        };
        let body = settings_body(&s, true).expect("valid");
        assert_eq!(
            body,
            json!({
                "name": "Reminders",
                "tags": ["calls", "es"],
                "conversation_config": {
                    "agent": {"first_message": "Hi, this is Ada.", "language": "es",
                              "prompt": {"prompt": "You confirm appointments.", "llm": "gpt-4o-mini", "temperature": 0.3}},
                    "tts": {"voice_id": "21m00Tcm4TlvDq8ikWAM", "model_id": "eleven_flash_v2_5"},
                },
            })
        );
        let minimal = AgentSettings { name: Some("A".into()), ..settings() };
        assert_eq!(settings_body(&minimal, true).ok(), Some(json!({"name": "A", "conversation_config": {}})));
    }

    #[test]
    fn update_body_has_only_the_changes() {
        let s = AgentSettings { temperature: Some(1.0), ..settings() };
        assert_eq!(
            settings_body(&s, false).ok(),
            Some(json!({"conversation_config": {"agent": {"prompt": {"temperature": 1.0}}}}))
        );
        let s = AgentSettings { language: Some("en".into()), ..settings() };
        assert_eq!(settings_body(&s, false).ok(), Some(json!({"conversation_config": {"agent": {"language": "en"}}})));
    }

    #[test]
    fn refuses_bad_settings() {
        let msg = |s: AgentSettings, creating| settings_body(&s, creating).err().map(|e| e.message).unwrap_or_default();
        assert!(msg(settings(), true).contains("name"));
        assert!(msg(settings(), false).contains("nothing to change"));
        assert!(msg(AgentSettings { name: Some(" ".into()), ..settings() }, false).contains("empty"));
        assert!(msg(AgentSettings { temperature: Some(f32::NAN), ..settings() }, false).contains("temperature"));
        assert!(msg(AgentSettings { temperature: Some(2.5), ..settings() }, false).contains("temperature"));
        assert!(msg(AgentSettings { language: Some("xx-".into()), ..settings() }, false).contains("ISO 639-1"));
        assert!(msg(AgentSettings { voice_id: Some("a/b".into()), ..settings() }, false).contains("voice id"));
        assert!(msg(AgentSettings { tags: Some(vec!["".into()]), ..settings() }, false).contains("tag"));
        assert!(msg(AgentSettings { tags: Some(vec!["t".into(); 51]), ..settings() }, false).contains("50"));
        assert!(msg(AgentSettings { llm: Some("".into()), ..settings() }, false).contains("llm"));
    }

    #[test]
    fn parses_agents_and_pages() {
        let v = json!({
            "agent_id": "agent_1", "name": "Reminders", "tags": ["calls", 3],
            "metadata": {"created_at_unix_secs": 1716153600},
            "conversation_config": {"agent": {"first_message": "Hi", "language": "en",
                "prompt": {"prompt": "Be brief.", "llm": "gemini-2.0-flash", "temperature": 0.5}},
                "tts": {"voice_id": "v1"}},
        });
        let a = parse_agent(&v).expect("valid");
        assert_eq!(
            (a.agent_id.as_str(), a.name.as_str(), a.created_at_unix_secs),
            ("agent_1", "Reminders", Some(1716153600))
        );
        assert_eq!((a.first_message.as_deref(), a.system_prompt.as_deref()), (Some("Hi"), Some("Be brief.")));
        assert_eq!(
            (a.language.as_deref(), a.voice_id.as_deref(), a.llm.as_deref()),
            (Some("en"), Some("v1"), Some("gemini-2.0-flash"))
        );
        assert_eq!((a.temperature, a.tags), (Some(0.5), vec!["calls".to_string()]));
        assert!(parse_agent(&json!({"name": "x"})).is_err());
        let fallback = agent_from_body("agent_2".into(), &json!({"name": "B", "conversation_config": {}}));
        assert_eq!((fallback.agent_id.as_str(), fallback.name.as_str()), ("agent_2", "B"));

        let page = parse_page(&json!({
            "agents": [{"agent_id": "a1", "name": "One", "tags": [], "created_at_unix_secs": 5, "archived": true},
                       {"name": "no id"}],
            "has_more": true, "next_cursor": "c2"}));
        assert_eq!(page.agents.len(), 1);
        assert!(page.agents[0].archived && page.agents[0].last_call_time_unix_secs.is_none());
        assert_eq!((page.next_cursor.as_deref(), page.has_more), (Some("c2"), true));
        let last = parse_page(&json!({"agents": [], "has_more": false, "next_cursor": "123"}));
        assert_eq!((last.next_cursor, last.has_more), (None, false));
        assert!(parse_page(&json!(null)).agents.is_empty());
    }
}

#[cfg(test)]
mod model_tests {
    use super::*;

    #[test]
    fn models_are_read_and_non_tts_ones_left_out() {
        let tts = serde_json::json!({"model_id": "eleven_v3", "name": "v3", "can_do_text_to_speech": true,
            "maximum_text_length_per_request": 3000, "languages": [{"language_id": "en"}, {"language_id": "es"}]});
        let m = model_from(&tts).unwrap();
        assert_eq!((m.model_id.as_str(), m.max_characters, m.languages.len()), ("eleven_v3", 3000, 2));
        assert!(model_from(&serde_json::json!({"model_id": "sts", "can_do_text_to_speech": false})).is_none());
        assert!(model_from(&serde_json::json!({"name": "no id"})).is_none());
    }
}
