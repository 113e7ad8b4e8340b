//! The `[http]` table: the Streamable HTTP listener.

use serde::Deserialize;
use std::collections::BTreeMap;
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
    /// `[http.oauth]`: accept OAuth 2.1 access tokens from an authorization server.
    pub oauth: Option<OAuthSettings>,
}

/// The `[http.oauth]` table: Switchboard as an OAuth 2.1 resource server (the MCP
/// authorization spec), beside the static bearer token.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthSettings {
    /// This server's resource URI (RFC 8707), e.g. `https://mcp.example.com/mcp`: the `aud`
    /// every access token must name.
    pub resource: String,
    /// The authorization server: the `iss` of its tokens, named in the Protected Resource
    /// Metadata for clients to find it.
    pub issuer: String,
    /// Where the authorization server publishes its signing keys (a JWKS document).
    pub jwks_url: String,
    /// The signature algorithms accepted (asymmetric only).
    #[serde(default = "default_algorithms")]
    pub algorithms: Vec<String>,
    /// Clock skew allowed on `exp` and `nbf`.
    #[serde(default = "default_leeway")]
    pub leeway_seconds: u64,
    /// How long fetched keys are used before they are fetched again (an unknown `kid` fetches
    /// them at once).
    #[serde(default = "default_jwks_refresh")]
    pub jwks_refresh_seconds: u64,
    /// Tool name or glob (`*`, `?`) to the scope a token needs to see and call it.
    #[serde(default)]
    pub scopes: BTreeMap<String, String>,
}

fn default_algorithms() -> Vec<String> {
    ["RS256", "ES256"].map(String::from).to_vec()
}

fn default_leeway() -> u64 {
    60
}

fn default_jwks_refresh() -> u64 {
    300
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
            oauth: None,
        }
    }
}
