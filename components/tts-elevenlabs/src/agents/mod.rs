//! ElevenLabs Conversational AI agents through the REST API: create
//! (`POST /v1/convai/agents/create`), update (`PATCH /v1/convai/agents/{id}`), get
//! (`GET /v1/convai/agents/{id}`), list (`GET /v1/convai/agents`) and a signed conversation URL
//! (`GET /v1/convai/conversation/get-signed-url`); and the account's TTS models (`GET /v1/models`).

pub mod json;

use crate::config::Config;
use crate::errors::{ApiError, Kind};
use crate::exports::switchboard::tts_elevenlabs::agents::{Agent, AgentPage, AgentSettings, Model, SignedUrl};
use crate::http::Api;
use crate::url;
use serde_json::Value;
use wstd::http::Method;

/// Page sizes ElevenLabs accepts, and its default.
const PAGE_SIZES: std::ops::RangeInclusive<u32> = 1..=100;
const DEFAULT_PAGE_SIZE: u32 = 30;

fn not_found(id: &str) -> String {
    format!("no agent `{id}` in this ElevenLabs account; list_agents gives them")
}

/// Checks an agent id before it goes into a path.
fn checked_id(id: &str) -> Result<&str, ApiError> {
    let id = id.trim();
    if url::is_id(id) {
        Ok(id)
    } else {
        Err(ApiError::new(Kind::InvalidRequest, format!("`{id}` is not an agent id (e.g. `agent_01jz...`)")))
    }
}

fn agent_path(id: &str) -> String {
    format!("/v1/convai/agents/{}", url::encode(id))
}

pub async fn create(config: &Config, settings: &AgentSettings) -> Result<Agent, ApiError> {
    let body = json::settings_body(settings, true)?;
    let api = Api::new(config)?;
    let created: Value =
        api.json(Method::POST, "/v1/convai/agents/create", Some(&body), "the agents endpoint was not found").await?;
    let id = created
        .get("agent_id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ApiError::new(Kind::Internal, "ElevenLabs created the agent but sent no agent_id"))?
        .to_string();
    // Read it back for what ElevenLabs filled in (the creation time, defaults).
    match read(&api, &id).await {
        Ok(agent) => Ok(agent),
        Err(_) => Ok(json::agent_from_body(id, &body)),
    }
}

pub async fn update(config: &Config, id: &str, changes: &AgentSettings) -> Result<Agent, ApiError> {
    let id = checked_id(id)?;
    let body = json::settings_body(changes, false)?;
    let api = Api::new(config)?;
    let answer: Value = api.json(Method::PATCH, &agent_path(id), Some(&body), &not_found(id)).await?;
    match json::parse_agent(&answer) {
        Ok(agent) => Ok(agent),
        // An answer without the agent (a bare acknowledgement): read it back.
        Err(_) => read(&api, id).await,
    }
}

pub async fn get(config: &Config, id: &str) -> Result<Agent, ApiError> {
    let id = checked_id(id)?;
    let api = Api::new(config)?;
    read(&api, id).await
}

async fn read(api: &Api<'_>, id: &str) -> Result<Agent, ApiError> {
    let answer: Value = api.json(Method::GET, &agent_path(id), None, &not_found(id)).await?;
    json::parse_agent(&answer)
}

pub async fn list(
    config: &Config,
    cursor: Option<&str>,
    page_size: Option<u32>,
    search: Option<&str>,
) -> Result<AgentPage, ApiError> {
    let size = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    if !PAGE_SIZES.contains(&size) {
        return Err(ApiError::new(Kind::InvalidRequest, format!("page_size must be between 1 and 100; got {size}")));
    }
    let size = size.to_string();
    let path = url::with_query(
        "/v1/convai/agents",
        &[("page_size", Some(&size)), ("search", nonempty(search)), ("cursor", nonempty(cursor))],
    );
    let api = Api::new(config)?;
    let answer: Value = api.json(Method::GET, &path, None, "the agents endpoint was not found").await?;
    Ok(json::parse_page(&answer))
}

pub async fn signed_url(config: &Config, id: &str) -> Result<SignedUrl, ApiError> {
    let id = checked_id(id)?;
    let api = Api::new(config)?;
    let path = url::with_query("/v1/convai/conversation/get-signed-url", &[("agent_id", Some(id))]);
    let answer: Value = api.json(Method::GET, &path, None, &not_found(id)).await?;
    let url = answer
        .get("signed_url")
        .and_then(Value::as_str)
        .filter(|u| u.starts_with("wss://") || u.starts_with("ws://"))
        .ok_or_else(|| ApiError::new(Kind::Internal, "ElevenLabs sent no WebSocket signed_url"))?;
    Ok(SignedUrl { agent_id: id.to_string(), url: url.to_string() })
}

/// The trimmed text, or none when there is none.
fn nonempty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// The account's text-to-speech models (`GET /v1/models`), those that can do TTS only.
pub async fn models(config: &Config) -> Result<Vec<Model>, ApiError> {
    let api = Api::new(config)?;
    let answer: Value = api.json(Method::GET, "/v1/models", None, "the models endpoint was not found").await?;
    let list = answer.as_array().ok_or_else(|| {
        ApiError::new(Kind::Internal, "ElevenLabs answered /v1/models with something other than a list")
    })?;
    Ok(list.iter().filter_map(json::model_from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_before_any_request() {
        assert_eq!(checked_id(" agent_1 ").ok(), Some("agent_1"));
        assert!(checked_id("../voices").is_err() && checked_id("").is_err());
        assert_eq!(agent_path("agent_1"), "/v1/convai/agents/agent_1");
        assert!(not_found("a").contains("list_agents"));
    }
}
