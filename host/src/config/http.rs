//! The `[http]` table: the Streamable HTTP listener.

use serde::Deserialize;
use std::net::SocketAddr;

/// The `[http]` table of `switchboard.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Where to listen, e.g. `127.0.0.1:8080`.
    pub listen: Option<SocketAddr>,
    /// The environment variable holding the bearer token agents must send.
    pub token_env: String,
    /// Accepted `Host` header values (host or host:port).
    pub allowed_hosts: Vec<String>,
    /// Accepted browser `Origin`s (`https://app.example.com:443`, `:*` for any port), besides
    /// the loopback origins a loopback listener always accepts; a request without an `Origin`
    /// is not a browser's and passes.
    pub allowed_origins: Vec<String>,
    /// Largest request body, in KiB.
    pub max_body_kib: usize,
    /// How long calls in flight may run on after a shutdown signal.
    pub shutdown_grace_ms: u64,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            listen: None,
            token_env: "SWITCHBOARD_HTTP_TOKEN".into(),
            allowed_hosts: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            allowed_origins: Vec::new(),
            max_body_kib: 4096,
            shutdown_grace_ms: 10_000,
        }
    }
}
