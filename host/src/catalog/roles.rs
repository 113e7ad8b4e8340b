//! The role tools: `speak`, `list_voices`, `set_default_voice`, `get_default_voice`,
//! `get_server_status` and `classify_text`. Their schemas are written here; each call is
//! parsed, handed to the role service with the catalog's routes, and rendered for MCP.

use super::router::{Handler, Route};
use super::{Called, ToolError, schema};
use crate::contracts::tts::{Gender, Voice, VoiceFilter};
use crate::roles::tts::{SpeakError, SpeakRequest, Spoken};
use crate::roles::{Roles, Routes};
use crate::runtime::{LoadedComponent, Runtime};
use base64::Engine as _;
use rmcp::model::{CallToolResult, ContentBlock as Content, Tool};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// The role tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleTool {
    Speak,
    ListVoices,
    SetDefaultVoice,
    GetDefaultVoice,
    GetServerStatus,
    ClassifyText,
}

impl RoleTool {
    pub const ALL: [RoleTool; 6] = [
        Self::Speak,
        Self::ListVoices,
        Self::SetDefaultVoice,
        Self::GetDefaultVoice,
        Self::GetServerStatus,
        Self::ClassifyText,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Speak => "speak",
            Self::ListVoices => "list_voices",
            Self::SetDefaultVoice => "set_default_voice",
            Self::GetDefaultVoice => "get_default_voice",
            Self::GetServerStatus => "get_server_status",
            Self::ClassifyText => "classify_text",
        }
    }
}

/// The role tools the routes can serve.
pub fn routes(routes: &Routes) -> Vec<Route> {
    let mut tools = Vec::new();
    let mut add = |t: RoleTool, doc: &str, input, output| {
        tools.push(Route::new(tool(t.name(), doc, input, output), Handler::Role(t)))
    };
    if !routes.tts.is_empty() {
        add(RoleTool::Speak, SPEAK_DOC, speak_input(), Some(speak_output()));
        add(RoleTool::ListVoices, LIST_VOICES_DOC, list_voices_input(), None);
        add(RoleTool::SetDefaultVoice, SET_DEFAULT_VOICE_DOC, set_default_voice_input(), None);
        add(RoleTool::GetDefaultVoice, GET_DEFAULT_VOICE_DOC, provider_only_input(), None);
    }
    if !routes.tts.is_empty() || routes.classifier.is_some() {
        add(RoleTool::GetServerStatus, GET_SERVER_STATUS_DOC, object(json!({}), &[]), None);
    }
    if let Some(classifier) = &routes.classifier {
        let output = classify_output(classifier);
        add(RoleTool::ClassifyText, CLASSIFY_TEXT_DOC, classify_input(), output);
    }
    tools
}

const SPEAK_DOC: &str = "Speaks text aloud and returns the audio (MCP audio content, base64, with its MIME type) \
plus metadata: provider, voice, format, sample rate, duration, whether it came from the cache. Numbers, dates, \
times, amounts and abbreviations are read as words. Unless `context_aware` is false, the text is classified first \
and its emotion and pacing choose the voice settings the caller left out.";
const LIST_VOICES_DOC: &str = "Lists the voices of the active text-to-speech provider (or of `provider`), \
optionally only those speaking `language` or matching `search`, and says which one is the default.";
const SET_DEFAULT_VOICE_DOC: &str = "Sets the voice `speak` uses when none is given, for the active provider (or \
`provider`). It is saved and survives a restart.";
const GET_DEFAULT_VOICE_DOC: &str = "Tells the voice `speak` uses when none is given, and whether it is the \
user's choice or the provider's default.";
const GET_SERVER_STATUS_DOC: &str = "Reports the text-to-speech providers (the active one first), the \
classifier, the speech cache (entries, bytes, hits, misses) and where preferences are kept.";
const CLASSIFY_TEXT_DOC: &str = "Classifies text: each sentence's kind (question, statement, exclamation, \
command), intonation, sentiment, emotions, words to stress and pacing; the intent of a short call utterance \
(interested, not interested, call back later, wrong number, opt-out); and a quality check before speaking \
(length, unpronounceable characters, personal data).";

pub(super) fn tool(name: &str, doc: &str, input: Map<String, Value>, output: Option<Map<String, Value>>) -> Tool {
    let mut tool = Tool::new(name.to_owned(), doc.to_owned(), Arc::new(input));
    if let Some(output) = output {
        tool = tool.with_raw_output_schema(Arc::new(output));
    }
    tool
}

pub(super) fn object(properties: Value, required: &[&str]) -> Map<String, Value> {
    let mut obj = Map::new();
    obj.insert("type".into(), json!("object"));
    obj.insert("properties".into(), properties);
    if !required.is_empty() {
        obj.insert("required".into(), json!(required));
    }
    obj.insert("additionalProperties".into(), json!(false));
    obj
}

fn unit(description: &str) -> Value {
    json!({ "type": "number", "minimum": 0.0, "maximum": 1.0, "description": description })
}

fn speak_input() -> Map<String, Value> {
    object(
        json!({
            "text": { "type": "string", "minLength": 1, "description": "What to say." },
            "voice": { "type": "string", "description": "A voice id from list_voices; default: the default voice." },
            "format": {
                "type": "string",
                "enum": crate::media::KNOWN,
                "description": "Audio format: wav_22050 (default) or wav_16000 for playback, ulaw_8000 for telephony, pcm_* for raw samples. The provider must support it (get_server_status lists what it makes)."
            },
            "model": { "type": "string", "description": "A model of the provider, when it has several." },
            "language": { "type": "string", "description": "BCP 47 language of the text, e.g. en or en-US." },
            "settings": {
                "type": "object",
                "description": "Voice settings; any left out are chosen from the text's context (or the provider's defaults).",
                "properties": {
                    "stability": unit("0 expressive to 1 steady."),
                    "similarity": unit("How closely to hold to the voice's timbre."),
                    "style": unit("0 neutral to 1 exaggerated."),
                    "speed": { "type": "number", "minimum": 0.5, "maximum": 2.0, "description": "Speaking rate, 1 normal." }
                },
                "additionalProperties": false
            },
            "context_aware": { "type": "boolean", "default": true, "description": "Choose settings and stressed words from the text's emotion and pacing." },
            "refuse_personal_data": { "type": "boolean", "description": "Refuse to speak text containing phone numbers, e-mail addresses, card numbers or SSNs (default: the operator's setting)." },
            "delivery": {
                "type": "string",
                "enum": ["inline", "link", "both"],
                "default": "inline",
                "description": "inline: the audio in the result. link: a resource_link to the host's /audio/{id} URL, returned at once; the URL streams the audio as it is made (for telephony and players). both: the finished audio inline and the link."
            }
        }),
        &["text"],
    )
}

fn speak_output() -> Map<String, Value> {
    let nullable_number = json!({ "type": ["number", "null"] });
    object(
        json!({
            "provider": {
                "type": "object",
                "properties": { "component": { "type": "string" }, "id": { "type": "string" }, "name": { "type": "string" } },
                "required": ["component", "id", "name"]
            },
            "voice": { "type": "string" },
            "model": { "type": ["string", "null"] },
            "format": { "type": "string" },
            "mime_type": { "type": "string" },
            "sample_rate": { "type": "integer" },
            "duration_ms": { "type": ["integer", "null"] },
            "bytes": { "type": "integer" },
            "characters": { "type": "integer" },
            "cached": { "type": "boolean" },
            "degraded": { "type": "boolean", "description": "True when a fallback provider stood in for the first choice." },
            "failed_attempts": {
                "type": "array",
                "description": "Providers that failed or were skipped (circuit breaker open) before this audio was made.",
                "items": { "type": "object", "properties": { "provider": { "type": "string" }, "reason": { "type": "string" } } }
            },
            "settings": {
                "type": "object",
                "properties": { "stability": nullable_number, "similarity": nullable_number, "style": nullable_number, "speed": nullable_number }
            },
            "context": { "type": ["object", "null"], "description": "What the classifier found, when it was asked." },
            "warnings": { "type": "array", "items": { "type": "string" } },
            "timing": {
                "type": "object",
                "properties": { "first_chunk_ms": nullable_number, "synthesis_ms": nullable_number, "total_ms": { "type": "number" } }
            },
            "delivery": { "type": "string", "enum": ["inline", "link", "both"] },
            "audio_url": { "type": "string", "description": "Where the audio can be fetched (GET, HEAD, Range), for link and both." },
            "expires_in_seconds": { "type": "integer", "description": "How long audio_url serves the audio." }
        }),
        &["format", "mime_type", "sample_rate", "delivery"],
    )
}

fn provider_property() -> Value {
    json!({ "type": "string", "description": "A provider id or component name (default: the active provider)." })
}

fn list_voices_input() -> Map<String, Value> {
    object(
        json!({
            "language": { "type": "string", "description": "Only voices speaking this BCP 47 language (en matches en-US)." },
            "search": { "type": "string", "description": "Only voices whose name or labels contain this." },
            "provider": provider_property()
        }),
        &[],
    )
}

fn set_default_voice_input() -> Map<String, Value> {
    object(
        json!({ "voice": { "type": "string", "description": "A voice id from list_voices." }, "provider": provider_property() }),
        &["voice"],
    )
}

fn provider_only_input() -> Map<String, Value> {
    object(json!({ "provider": provider_property() }), &[])
}

fn classify_input() -> Map<String, Value> {
    object(
        json!({
            "text": { "type": "string", "description": "The text to classify." },
            "max_characters": { "type": "integer", "minimum": 0, "maximum": u32::MAX, "description": "Length limit for the quality check (default: the active TTS provider's)." }
        }),
        &["text"],
    )
}

/// `{analysis, intent, quality}`, each as the classifier's WIT types map to JSON.
fn classify_output(classifier: &LoadedComponent) -> Option<Map<String, Value>> {
    let part = |name: &str| {
        let index = crate::roles::classifier::function(classifier, name)?;
        schema::output(&classifier.surface.functions[index]).map(Value::Object)
    };
    let [analysis, intent, quality] = crate::roles::classifier::FUNCTIONS.map(part);
    Some(object(
        json!({ "analysis": analysis?, "intent": intent?, "quality": quality? }),
        &["analysis", "intent", "quality"],
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpeakArgs {
    text: String,
    voice: Option<String>,
    format: Option<String>,
    model: Option<String>,
    language: Option<String>,
    #[serde(default)]
    settings: SettingsArgs,
    context_aware: Option<bool>,
    refuse_personal_data: Option<bool>,
    #[serde(default)]
    delivery: Delivery,
}

impl SpeakArgs {
    fn request(self) -> SpeakRequest {
        SpeakRequest {
            text: self.text,
            voice: self.voice,
            format: self.format,
            model: self.model,
            language: self.language,
            settings: crate::roles::tts::Settings {
                stability: self.settings.stability,
                similarity: self.settings.similarity,
                style: self.settings.style,
                speed: self.settings.speed,
            },
            context_aware: self.context_aware.unwrap_or(true),
            refuse_personal_data: self.refuse_personal_data,
        }
    }
}

/// How `speak` hands the audio over.
#[derive(Deserialize, Default, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Delivery {
    #[default]
    Inline,
    Link,
    Both,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SettingsArgs {
    stability: Option<f32>,
    similarity: Option<f32>,
    style: Option<f32>,
    speed: Option<f32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListVoicesArgs {
    language: Option<String>,
    search: Option<String>,
    provider: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetDefaultVoiceArgs {
    voice: String,
    provider: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderArgs {
    provider: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassifyArgs {
    text: String,
    max_characters: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoArgs {}

/// Serves a role tool.
pub async fn call(
    tool: RoleTool,
    routes: &Routes,
    roles: &Roles,
    runtime: &Arc<Runtime>,
    args: Option<&Map<String, Value>>,
) -> Called {
    let speech = &roles.speech;
    let outcome: Result<CallToolResult, ToolError> = match tool {
        RoleTool::Speak => match parse::<SpeakArgs>(args) {
            Ok(a) => {
                let delivery = a.delivery;
                let request = a.request();
                match delivery {
                    Delivery::Inline => {
                        speech.speak(runtime, routes, request).await.map(render_spoken).map_err(speak_failed)
                    }
                    Delivery::Link => link(roles, routes, runtime, request).await,
                    Delivery::Both => match speech.speak(runtime, routes, request).await {
                        Ok(spoken) => with_link(roles, spoken),
                        Err(e) => Err(speak_failed(e)),
                    },
                }
            }
            Err(e) => Err(e),
        },
        RoleTool::ListVoices => match parse::<ListVoicesArgs>(args) {
            Ok(a) => {
                let filter = VoiceFilter { language: a.language, search: a.search };
                speech
                    .list_voices(runtime, routes, a.provider.as_deref(), filter)
                    .await
                    .map(|(provider, voices, default)| {
                        let voices: Vec<Value> = voices.iter().map(|v| voice_json(v, &default)).collect();
                        structured(json!({ "provider": provider, "default_voice": default, "voices": voices }))
                    })
                    .map_err(speak_failed)
            }
            Err(e) => Err(e),
        },
        RoleTool::SetDefaultVoice => match parse::<SetDefaultVoiceArgs>(args) {
            Ok(a) => speech
                .set_default_voice(runtime, routes, a.provider.as_deref(), &a.voice)
                .await
                .map(|provider| structured(json!({ "provider": provider, "default_voice": a.voice })))
                .map_err(speak_failed),
            Err(e) => Err(e),
        },
        RoleTool::GetDefaultVoice => match parse::<ProviderArgs>(args) {
            Ok(a) => speech
                .default_voice(runtime, routes, a.provider.as_deref())
                .await
                .map(|(provider, voice, source)| {
                    structured(json!({ "provider": provider, "default_voice": voice, "source": source }))
                })
                .map_err(speak_failed),
            Err(e) => Err(e),
        },
        RoleTool::GetServerStatus => match parse::<NoArgs>(args) {
            Ok(_) => {
                let mut status = speech.status(runtime, routes).await;
                status["version"] = json!(env!("CARGO_PKG_VERSION"));
                Ok(structured(status))
            }
            Err(e) => Err(e),
        },
        RoleTool::ClassifyText => match parse::<ClassifyArgs>(args) {
            Ok(a) => classify(routes, roles, runtime, a).await,
            Err(e) => Err(e),
        },
    };
    Called::host(tool.name(), outcome)
}

pub(super) fn parse<T: serde::de::DeserializeOwned>(args: Option<&Map<String, Value>>) -> Result<T, ToolError> {
    let value = Value::Object(args.cloned().unwrap_or_default());
    serde_json::from_value(value).map_err(|e| ToolError::invalid(format!("invalid arguments: {e}")))
}

fn speak_failed(e: SpeakError) -> ToolError {
    ToolError::new(e.to_string(), e.kind())
}

pub(super) fn structured(value: Value) -> CallToolResult {
    let mut result = CallToolResult::success(vec![Content::text(value.to_string())]);
    result.structured_content = Some(value);
    result
}

fn voice_json(v: &Voice, default: &str) -> Value {
    let gender = match v.gender {
        Gender::Female => "female",
        Gender::Male => "male",
        Gender::Neutral => "neutral",
        Gender::Unknown => "unknown",
    };
    let labels: Map<String, Value> = v.labels.iter().map(|l| (l.key.clone(), json!(l.value))).collect();
    json!({
        "id": v.id,
        "name": v.name,
        "language": v.language,
        "gender": gender,
        "labels": labels,
        "preview_url": v.preview_url,
        "default": v.id == default,
    })
}

/// The answer when there is no URL the audio could be fetched at.
fn no_url() -> ToolError {
    ToolError::new(
        "there is no URL to serve the audio at: serve with `--http <addr>` (or set [calling] public_url), or ask for \
         delivery inline",
        "unavailable",
    )
}

/// `speak` as a link: the audio is made in the background into `/audio/{id}`, which streams
/// it as the provider speaks; the request is checked first, so what is wrong with it is a
/// tool error now.
async fn link(
    roles: &Roles,
    routes: &Routes,
    runtime: &Arc<Runtime>,
    request: SpeakRequest,
) -> Result<CallToolResult, ToolError> {
    // What is wrong with the request comes first; then whether it can be linked to at all.
    roles.speech.check(runtime, routes, &request).await.map_err(speak_failed)?;
    let base = roles.public.base().ok_or_else(no_url)?;
    let (id, format) = roles.speech.start_clip(runtime, routes, request).await.map_err(speak_failed)?;
    let url = format!("{base}/audio/{id}");
    let expires = roles.speech.clips().get(&id).map(|c| c.max_age()).unwrap_or_default();
    let value = json!({
        "delivery": "link",
        "audio_url": url,
        "expires_in_seconds": expires,
        "format": format.to_string(),
        "mime_type": format.mime_type(),
        "sample_rate": format.sample_rate,
    });
    let summary = format!("Speaking into {url} ({format}); it streams as it is made and serves for {expires} s.");
    let mut result = CallToolResult::success(vec![resource_link(&url, &id, format, None), Content::text(summary)]);
    result.structured_content = Some(value);
    Ok(result)
}

/// The inline result, with a link to the same audio beside it.
fn with_link(roles: &Roles, spoken: Spoken) -> Result<CallToolResult, ToolError> {
    let base = roles.public.base().ok_or_else(no_url)?;
    let id = roles.speech.clips().publish(spoken.format, &spoken.audio.bytes);
    let url = format!("{base}/audio/{id}");
    let expires = roles.speech.clips().get(&id).map(|c| c.max_age()).unwrap_or_default();
    let (format, size) = (spoken.format, spoken.audio.bytes.len() as u64);
    let mut result = render_spoken(spoken);
    result.content.insert(1, resource_link(&url, &id, format, Some(size)));
    if let Some(value) = result.structured_content.as_mut() {
        value["delivery"] = json!("both");
        value["audio_url"] = json!(url);
        value["expires_in_seconds"] = json!(expires);
    }
    Ok(result)
}

fn resource_link(url: &str, id: &str, format: crate::roles::tts::Format, size: Option<u64>) -> Content {
    let mut resource = rmcp::model::Resource::new(url, format!("speech-{}.{}", &id[..12], format.extension()));
    resource.mime_type = Some(format.mime_type());
    resource.size = size;
    resource.description =
        Some("Synthesized speech; a capability URL: anyone holding it may fetch it until it expires.".into());
    Content::resource_link(resource)
}

fn render_spoken(spoken: Spoken) -> CallToolResult {
    let audio = &spoken.audio;
    let ms = |d: std::time::Duration| (d.as_secs_f64() * 1e6).round() / 1e3;
    let metadata = json!({
        "delivery": "inline",
        "provider": audio.provider,
        "degraded": audio.degraded,
        "failed_attempts": audio.attempts.failed,
        "voice": audio.voice,
        "model": audio.model,
        "format": spoken.format.to_string(),
        "mime_type": spoken.format.mime_type(),
        "sample_rate": spoken.format.sample_rate,
        "duration_ms": audio.duration_ms,
        "bytes": audio.bytes.len(),
        "characters": audio.characters,
        "cached": spoken.cached,
        "settings": {
            "stability": audio.settings.stability,
            "similarity": audio.settings.similarity,
            "style": audio.settings.style,
            "speed": audio.settings.speed,
        },
        "context": audio.context,
        "warnings": audio.warnings,
        "timing": {
            "first_chunk_ms": spoken.first_chunk.map(ms),
            "synthesis_ms": (!spoken.cached).then(|| ms(audio.synthesis)),
            "total_ms": ms(spoken.elapsed),
        },
    });
    let seconds = audio.duration_ms.map(|d| format!("{:.1} s of ", f64::from(d) / 1000.0)).unwrap_or_default();
    let summary = format!(
        "Spoke {seconds}audio with {} voice `{}` ({}, {} bytes{}).",
        audio.provider.id,
        audio.voice,
        spoken.format,
        audio.bytes.len(),
        if spoken.cached { ", from the cache" } else { "" }
    );
    let data = base64::engine::general_purpose::STANDARD.encode(&audio.bytes);
    let mut result =
        CallToolResult::success(vec![Content::audio(data, spoken.format.mime_type()), Content::text(summary)]);
    result.structured_content = Some(metadata);
    result
}

async fn classify(
    routes: &Routes,
    roles: &Roles,
    runtime: &Runtime,
    args: ClassifyArgs,
) -> Result<CallToolResult, ToolError> {
    let Some(classifier) = &routes.classifier else {
        return Err(ToolError::new("no classifier component is loaded", "no_classifier"));
    };
    let max = match args.max_characters {
        Some(max) => max,
        None => roles.speech.max_text_length(runtime, routes).await.unwrap_or(u32::MAX),
    };
    crate::roles::classifier::classify_text(runtime, classifier, &args.text, max)
        .await
        .map(structured)
        .map_err(|e| ToolError::new(e.to_string(), e.kind()))
}
