//! telephony-twilio: Twilio as a Switchboard telephone carrier (`switchboard:telephony/carrier`).
//!
//! Calls go over `wasi:http` to Twilio's REST API at the configured `base_url`, with the
//! account's SID and auth token (granted through `wasi:config`) in HTTP Basic auth and nowhere
//! else. Webhooks the host routes here are checked against `X-Twilio-Signature` (ElevenLabs'
//! post-call webhook against `ElevenLabs-Signature`) before anything in them is believed. This file is the component glue: the WIT bindings, the configuration and
//! the async runtime around each export; the logic lives in pure functions the unit tests call.

pub mod agent;
pub mod agent_events;
pub mod calls;
pub mod config;
pub mod errors;
pub mod http;
pub mod number;
pub mod script;
pub mod signature;
pub mod twiml;
pub mod webhooks;

wit_bindgen::generate!({
    path: ["../../wit/deps/wasi-config", "../../wit/telephony", "wit"],
    world: "switchboard:telephony-twilio/twilio",
    // The world imports and exports interfaces of other packages (wasi:config,
    // switchboard:telephony).
    generate_all,
    additional_derives: [PartialEq],
});

use config::Config;
use exports::switchboard::telephony::carrier::{
    CallFilter, CallInfo, CallScript, CarrierError, Guest as Carrier, PlaceCallRequest, RecordingInfo, WebhookRequest,
    WebhookResponse,
};
use wasi::config::store;

/// The WIT source, embedded as a custom section so that Switchboard can show its doc comments:
/// the component toolchain drops them from the built `.wasm`.
#[unsafe(link_section = "switchboard-wit")]
#[used]
static WIT: [u8; include_bytes!("../wit/world.wit").len()] = *include_bytes!("../wit/world.wit");

/// The component. Natively (unit tests) nothing exports it: the WIT export names contain
/// `:` and `/`, which a native linker rejects, so `export!` is for wasm only.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Twilio;

/// The configuration granted for this call (read afresh each call: every call is a fresh
/// instance, and the operator may have changed it).
fn config() -> Config {
    Config::load(|key| {
        store::get(key).map_err(|e| match e {
            store::Error::Upstream(m) | store::Error::Io(m) => m,
        })
    })
}

impl Carrier for Twilio {
    fn place_call(request: PlaceCallRequest) -> Result<CallInfo, CarrierError> {
        let config = config();
        wstd::runtime::block_on(calls::place(&config, &request))
    }

    fn get_call(sid: String) -> Result<CallInfo, CarrierError> {
        let config = config();
        wstd::runtime::block_on(calls::get(&config, &sid))
    }

    fn end_call(sid: String) -> Result<CallInfo, CarrierError> {
        let config = config();
        wstd::runtime::block_on(calls::end(&config, &sid))
    }

    fn start_recording(sid: String) -> Result<RecordingInfo, CarrierError> {
        let config = config();
        wstd::runtime::block_on(calls::start_recording(&config, &sid))
    }

    fn list_calls(filter: CallFilter) -> Result<Vec<CallInfo>, CarrierError> {
        let config = config();
        wstd::runtime::block_on(calls::list(&config, &filter))
    }

    /// Checks the signature and answers; only the `voice` path may go out to the network (to
    /// register the call with an ElevenLabs agent).
    fn handle_webhook(request: WebhookRequest) -> WebhookResponse {
        let config = config();
        webhooks::handle(&config, &request, |agent, body| wstd::runtime::block_on(http::register_call(agent, body)))
    }

    /// The TwiML of `script`, for the host to answer a webhook with.
    fn answer(script: CallScript) -> WebhookResponse {
        script::answer(&script)
    }
}

#[cfg(target_arch = "wasm32")]
export!(Twilio);
