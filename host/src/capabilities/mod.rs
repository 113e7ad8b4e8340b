//! The capabilities layer: the host side of every import a component may use, one module a
//! capability. Each keeps its own context (what one call is granted), a view of it for the
//! generated host traits, and an `add_to_linker`; the runtime's per-call state
//! ([`crate::runtime`]'s `CallState`) holds one context of each, built from the component's
//! policy, which decides what each grants:
//!
//! | module | imports | granted by the policy |
//! | --- | --- | --- |
//! | [`wasi`] | `wasi:cli`, `wasi:clocks`, `wasi:random`, `wasi:io`, `wasi:filesystem`, `wasi:sockets` | nothing but clocks, random and captured stdout: no files, environment or sockets; the wall clock shifted by `clock_offset_seconds` |
//! | [`http`] | `wasi:http/outgoing-handler` | `allowed_hosts` |
//! | [`config`] | `wasi:config/store` | `[config]` and `[secrets]` |
//! | [`keyvalue`] | `wasi:keyvalue` (store, atomics, batch; 0.2.0-draft and -draft2) | `keyvalue = true`: the component's own namespace |
//! | [`sink`] | `switchboard:tts/sink` | the audio of a synthesis, up to `max_result_kib` |
//! | [`logging`] | `wasi:logging/logging@0.1.0-draft` | always: records go to the host's log, and to a client that asked for log messages |
//! | [`progress`] | `switchboard:progress/progress` | always: reports reach the client only if it asked for progress |
//!
//! Adding a capability: a new module here with its context, view and `add_to_linker`, a line
//! in [`add_to_linker`], and its context in `CallState`.

/// A policy key without which a provided interface grants nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    AllowedHosts,
    Config,
    KeyValue,
}

impl Grant {
    /// How the policy file says it.
    pub fn key(self) -> &'static str {
        match self {
            Self::AllowedHosts => "allowed_hosts",
            Self::Config => "[config] or [secrets]",
            Self::KeyValue => "keyvalue = true",
        }
    }

    /// Whether `policy` gives it.
    pub fn given(self, policy: &crate::policy::Policy) -> bool {
        match self {
            Self::AllowedHosts => !policy.allowed_hosts.is_empty(),
            Self::Config => !policy.config.is_empty(),
            Self::KeyValue => policy.keyvalue,
        }
    }
}

/// The interfaces the host provides (by name prefix; wasmtime's linker decides the versions),
/// and the grant without which one does nothing: the table above, as data, for
/// `components check`.
pub const PROVIDED: &[(&str, Option<Grant>)] = &[
    ("wasi:cli/", None),
    ("wasi:clocks/", None),
    ("wasi:random/", None),
    ("wasi:io/", None),
    ("wasi:filesystem/", None),
    ("wasi:sockets/", None),
    ("wasi:http/types", None),
    ("wasi:http/outgoing-handler", Some(Grant::AllowedHosts)),
    ("wasi:config/store", Some(Grant::Config)),
    ("wasi:keyvalue/", Some(Grant::KeyValue)),
    ("wasi:logging/logging", None),
    ("switchboard:tts/sink", None),
    ("switchboard:progress/progress", None),
];

pub mod config;
pub mod http;
pub mod keyvalue;
pub mod logging;
pub mod progress;
pub mod sink;
pub mod wasi;

use wasmtime::component::Linker;
use wasmtime::error::Context as _;

/// What the per-call state must give each capability.
pub trait Grants:
    wasmtime_wasi::WasiView
    + wasmtime_wasi_http::WasiHttpView
    + config::ConfigState
    + keyvalue::KvState
    + sink::SinkState
    + progress::ProgressState
    + logging::LoggingState
{
}

impl<T> Grants for T where
    T: wasmtime_wasi::WasiView
        + wasmtime_wasi_http::WasiHttpView
        + config::ConfigState
        + keyvalue::KvState
        + sink::SinkState
        + progress::ProgressState
        + logging::LoggingState
{
}

/// `text` cut to at most `max` bytes, on a character boundary: what a guest hands the host
/// to pass on (a log record, a progress message) is bounded.
pub(crate) fn clip(mut text: String, max: usize) -> String {
    if text.len() > max {
        let cut = (0..=max).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        text.truncate(cut);
    }
    text
}

#[cfg(test)]
#[test]
fn long_text_is_clipped_on_a_character_boundary() {
    assert_eq!(clip("é".repeat(10), 5), "éé");
}

/// Links every capability; what a call may actually do is its contexts' to say.
pub fn add_to_linker<T: Grants + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    wasi::add_to_linker(linker).context("linking WASI")?;
    http::add_to_linker(linker).context("linking wasi:http")?;
    config::add_to_linker(linker).context("linking wasi:config")?;
    keyvalue::add_to_linker(linker).context("linking wasi:keyvalue")?;
    sink::add_to_linker(linker).context("linking switchboard:tts/sink")?;
    progress::add_to_linker(linker).context("linking switchboard:progress/progress")?;
    logging::add_to_linker(linker).context("linking wasi:logging")?;
    Ok(())
}
