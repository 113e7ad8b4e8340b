//! tts-elevenlabs: ElevenLabs as a Switchboard text-to-speech provider
//! (`switchboard:tts/provider`), plus its Conversational AI agents as tools (`agents`).
//!
//! Everything goes over `wasi:http` to the configured `base_url`, only to the hosts the
//! operator's policy allows; the key comes through `wasi:config` and goes out only in the
//! `xi-api-key` header. This file is the component glue: the WIT bindings, configuration and
//! the async runtime around each export.

pub mod agents;
pub mod catalog;
pub mod config;
pub mod errors;
pub mod http;
pub mod request;
pub mod synth;
pub mod url;
pub mod voices;
pub mod wav;

wit_bindgen::generate!({
    path: ["../../wit/deps/wasi-config", "../../wit/tts", "wit"],
    world: "switchboard:tts-elevenlabs/elevenlabs",
    // The world imports interfaces of other packages (wasi:config, switchboard:tts/sink).
    generate_all,
});

use config::Config;
use exports::switchboard::tts::provider::Guest as Provider;
use exports::switchboard::tts_elevenlabs::agents::{
    Agent, AgentError, AgentPage, AgentSettings, Guest as Agents, Model, SignedUrl,
};
use switchboard::tts::sink;
use switchboard::tts::types::{ProviderInfo, SynthesisInfo, SynthesisRequest, TtsError, Voice, VoiceFilter};
use wasi::config::store;

/// The WIT source, embedded as a custom section so that Switchboard can show its doc comments
/// as tool descriptions: the component toolchain drops them from the built `.wasm`.
#[unsafe(link_section = "switchboard-wit")]
#[used]
static WIT: [u8; include_bytes!("../wit/world.wit").len()] = *include_bytes!("../wit/world.wit");

/// The provider id the host knows this component by.
pub const PROVIDER_ID: &str = "elevenlabs";

/// The component. Natively (unit tests) nothing exports it: the WIT export names contain
/// `:` and `/`, which a native linker rejects, so `export!` is for wasm only.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct ElevenLabs;

/// The configuration granted for this call (read afresh each call: every call is a fresh
/// instance, and the operator may have changed it).
fn config() -> Config {
    Config::load(|key| {
        store::get(key).map_err(|e| match e {
            store::Error::Upstream(m) | store::Error::Io(m) => m,
        })
    })
}

/// The provider's description, given its configuration.
pub fn info(config: &Config) -> ProviderInfo {
    ProviderInfo {
        id: PROVIDER_ID.to_string(),
        name: "ElevenLabs".to_string(),
        languages: catalog::LANGUAGES_V2_5.iter().map(|l| l.to_string()).collect(),
        formats: catalog::FORMATS.iter().map(|f| f.id.to_string()).collect(),
        // The default model first: the host offers the first as the provider's best.
        models: std::iter::once(config.default_model.id)
            .chain(catalog::MODELS.iter().map(|m| m.id).filter(|id| *id != config.default_model.id))
            .map(str::to_string)
            .collect(),
        default_voice: config.default_voice.clone(),
        // The default model's limit: a request for another model is checked against its own.
        max_text_length: config.default_model.max_chars,
        offline: false,
        unavailable: config.unavailable(),
    }
}

impl Provider for ElevenLabs {
    fn info() -> ProviderInfo {
        info(&config())
    }

    fn list_voices(filter: VoiceFilter) -> Result<Vec<Voice>, TtsError> {
        let config = config();
        wstd::runtime::block_on(voices::list(&config, &filter)).map_err(errors::ApiError::into_tts)
    }

    /// Checks the request, then streams ElevenLabs' audio into the sink chunk by chunk. If the
    /// sink refuses a chunk, the download stops and the call succeeds with what was produced.
    fn synthesize(request: SynthesisRequest) -> Result<SynthesisInfo, TtsError> {
        let config = config();
        wstd::runtime::block_on(synth::synthesize(&config, &request, sink::push)).map_err(errors::ApiError::into_tts)
    }
}

impl Agents for ElevenLabs {
    fn create_agent(settings: AgentSettings) -> Result<Agent, AgentError> {
        let config = config();
        wstd::runtime::block_on(agents::create(&config, &settings)).map_err(errors::ApiError::into_agent)
    }

    fn update_agent(agent_id: String, changes: AgentSettings) -> Result<Agent, AgentError> {
        let config = config();
        wstd::runtime::block_on(agents::update(&config, &agent_id, &changes)).map_err(errors::ApiError::into_agent)
    }

    fn get_agent(agent_id: String) -> Result<Agent, AgentError> {
        let config = config();
        wstd::runtime::block_on(agents::get(&config, &agent_id)).map_err(errors::ApiError::into_agent)
    }

    fn list_agents(
        cursor: Option<String>,
        page_size: Option<u32>,
        search: Option<String>,
    ) -> Result<AgentPage, AgentError> {
        let config = config();
        wstd::runtime::block_on(agents::list(&config, cursor.as_deref(), page_size, search.as_deref()))
            .map_err(errors::ApiError::into_agent)
    }

    fn get_signed_url(agent_id: String) -> Result<SignedUrl, AgentError> {
        let config = config();
        wstd::runtime::block_on(agents::signed_url(&config, &agent_id)).map_err(errors::ApiError::into_agent)
    }

    fn list_models() -> Result<Vec<Model>, AgentError> {
        let config = config();
        wstd::runtime::block_on(agents::models(&config)).map_err(errors::ApiError::into_agent)
    }
}

#[cfg(target_arch = "wasm32")]
export!(ElevenLabs);

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Config {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::load(|k| Ok(pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone())))
    }

    #[test]
    fn info_without_a_key_is_unavailable() {
        let i = info(&config(&[]));
        assert_eq!((i.id.as_str(), i.name.as_str()), ("elevenlabs", "ElevenLabs"));
        assert_eq!(i.unavailable.as_deref(), Some("no ElevenLabs API key configured: set ELEVENLABS_API_KEY"));
        assert!(!i.offline);
        assert_eq!(i.default_voice, config::DEFAULT_VOICE);
        assert_eq!(i.max_text_length, 40_000);
        assert_eq!(i.models, ["eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_multilingual_v2", "eleven_v3"]);
        for f in ["mp3_44100_128", "mp3_22050_32", "pcm_44100", "ulaw_8000", "wav_16000", "wav_22050", "wav_24000"] {
            assert!(i.formats.iter().any(|x| x == f), "{f}");
        }
        assert!(i.languages.first().is_some_and(|l| l == "en") && i.languages.iter().any(|l| l == "fil"));
    }

    #[test]
    fn info_follows_the_configuration() {
        let i = info(&config(&[("api_key", "sk_x"), ("default_model", "eleven_v3"), ("default_voice", "v")]));
        assert_eq!(i.unavailable, None);
        assert_eq!(i.models.first().map(String::as_str), Some("eleven_v3"));
        assert_eq!(i.models.len(), 4);
        assert_eq!((i.max_text_length, i.default_voice.as_str()), (3_000, "v"));
    }
}
