//! The operator's configuration, `switchboard.toml`. Every key is optional:
//!
//! ```toml
//! components_dir = "./components.d"   # .wasm files, each with an optional <stem>.toml policy
//! builtins = true                     # load the components built into the binary
//! cache_dir = "/var/cache/switchboard"  # precompiled artifacts (default: the user cache dir)
//!
//! [limits]                            # host-wide ceilings and defaults
//! max_instances = 1000                # instances alive at once (sizes the pooling allocator)
//! max_memory_mb = 1024                # the most memory any policy may grant
//! default_memory_mb = 128
//! default_timeout_ms = 10000
//! max_timeout_ms = 300000
//! default_concurrency = 64            # calls in flight per component
//! pooling = true
//!
//! [http]                              # Streamable HTTP (`serve --http` or `listen`)
//! listen = "127.0.0.1:8080"
//! token_env = "SWITCHBOARD_HTTP_TOKEN"  # agents send `Authorization: Bearer <token>`
//! allowed_hosts = ["localhost", "127.0.0.1", "::1"]
//! allowed_origins = []
//!
//! [http.oauth]                        # also accept OAuth 2.1 access tokens (JWTs)
//! resource = "https://mcp.example.com/mcp"  # this server: every token's `aud`
//! issuer = "https://auth.example.com"       # every token's `iss`
//! jwks_url = "https://auth.example.com/.well-known/jwks.json"
//! scopes = { "*" = "tools", "initiate_call*" = "calls" }  # tool or glob -> scope needed
//!
//! [tools]                             # curation: see config/tools.rs
//! exclude = ["switchboard_*"]         # hidden tools are not listed and not callable
//! rename = { hello_tool_greet = "greet" }
//!
//! [tasks]                           # long tools as MCP tasks: see config/tasks.rs
//! ttl_seconds = 3600
//!
//! [operator]
//! tools = false                       # MCP tools to list/reload/unload/load components
//!
//! [calling]                           # initiate_call_with_compliance and the call tools
//! public_url = "https://calls.example.com"  # where the carrier reaches /webhooks (default: --http's address)
//! carrier = "telephony_twilio"        # default: the built-in, else the first carrier loaded
//! checker = "compliance_tcpa"         # default: the built-in, else the first checker loaded
//! record = false                      # record every call
//! artificial_voice = true             # calls speak with an AI voice: written consent needed
//!
//! [components.hello_tool]             # a policy by component name (wins over a file beside
//! timeout_ms = 2000                   # the .wasm); `path` loads a .wasm from anywhere
//! path = "/opt/tools/hello_tool.wasm"
//! ```

mod calling;
mod http;
pub mod oci;
pub mod speech;
pub mod tasks;
pub mod tools;

pub use calling::CallingSettings;
pub use http::{HttpSettings, OAuthSettings};
pub use oci::OciSettings;
pub use speech::SpeechSettings;
pub use tasks::TasksSettings;

use crate::policy::{Limits, PolicySpec};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub components_dir: Option<PathBuf>,
    #[serde(default = "yes")]
    pub builtins: bool,
    pub cache_dir: Option<PathBuf>,
    #[serde(default)]
    pub limits: LimitsSpec,
    #[serde(default)]
    pub components: BTreeMap<String, ComponentSpec>,
    #[serde(default)]
    pub http: HttpSettings,
    #[serde(default)]
    pub operator: OperatorSettings,
    #[serde(default)]
    pub speech: SpeechSettings,
    #[serde(default)]
    pub store: StoreSettings,
    #[serde(default)]
    pub calling: CallingSettings,
    /// The operator's curation of the tool list.
    #[serde(default)]
    pub tools: tools::ToolsSettings,
    /// Which calls run as MCP tasks.
    #[serde(default)]
    pub tasks: TasksSettings,
    /// Components from OCI registries: where they are kept, and which signatures are trusted.
    #[serde(default)]
    pub oci: OciSettings,
    /// The file this came from, for messages and relative paths.
    #[serde(skip)]
    pub file: Option<PathBuf>,
    /// Compile every time (`--no-cache`).
    #[serde(skip)]
    pub no_cache: bool,
}

fn yes() -> bool {
    true
}

impl Default for Config {
    fn default() -> Self {
        Self {
            components_dir: None,
            builtins: true,
            cache_dir: None,
            limits: LimitsSpec::default(),
            components: BTreeMap::new(),
            http: Default::default(),
            operator: Default::default(),
            speech: Default::default(),
            store: Default::default(),
            calling: Default::default(),
            tools: Default::default(),
            tasks: Default::default(),
            oci: Default::default(),
            file: None,
            no_cache: false,
        }
    }
}

/// The `[store]` table: where durable state (components' `wasi:keyvalue`, call records) lives.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSettings {
    /// The SQLite file (default: `state.sqlite3` in the user's data directory).
    pub path: Option<PathBuf>,
    /// A PostgreSQL URL (`postgres://user@host:5432/db?sslmode=require`): the store that
    /// several hosts share. When set, `path` is not used.
    pub url: Option<String>,
    /// The environment variable holding the database password, for a URL without one
    /// (default: `SWITCHBOARD_STORE_PASSWORD`).
    pub password_env: Option<String>,
}

impl StoreSettings {
    /// The database password from the environment, if the operator set one.
    pub fn password(&self) -> Option<String> {
        std::env::var(self.password_env.as_deref().unwrap_or("SWITCHBOARD_STORE_PASSWORD")).ok()
    }
}

/// The `[operator]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorSettings {
    /// Serve the operator tools (list, reload, unload, load components) over MCP.
    #[serde(default)]
    pub tools: bool,
}

/// A `[components.<name>]` table: an optional `path` (a component file outside the
/// components directory) or `source` (`oci://registry/repo:tag` or `...@sha256:...`), plus the
/// component's policy, written as in a policy file. The table's key is the component's name.
#[derive(Debug, Clone, Default)]
pub struct ComponentSpec {
    pub path: Option<PathBuf>,
    pub source: Option<String>,
    pub policy: PolicySpec,
}

impl<'de> Deserialize<'de> for ComponentSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let mut table = toml::Table::deserialize(deserializer)?;
        if table.contains_key("name") {
            return Err(D::Error::custom(
                "`name` is not for a [components.<name>] table: its key is the component's name",
            ));
        }
        let path = match table.remove("path") {
            None => None,
            Some(toml::Value::String(p)) => Some(PathBuf::from(p)),
            Some(other) => return Err(D::Error::custom(format!("`path` must be a string, not {}", other.type_str()))),
        };
        let source = match table.remove("source") {
            None => None,
            Some(toml::Value::String(s)) if s.starts_with("oci://") => Some(s),
            Some(toml::Value::String(s)) => {
                return Err(D::Error::custom(format!(
                    "`source` {s:?} is not an OCI reference: write oci://registry/repository:tag (or @sha256:...)"
                )));
            }
            Some(other) => {
                return Err(D::Error::custom(format!("`source` must be a string, not {}", other.type_str())));
            }
        };
        if path.is_some() && source.is_some() {
            return Err(D::Error::custom("give a component `path` or `source`, not both"));
        }
        let policy = PolicySpec::deserialize(toml::Value::Table(table)).map_err(D::Error::custom)?;
        Ok(Self { path, source, policy })
    }
}

impl ComponentSpec {
    pub fn policy(&self) -> PolicySpec {
        self.policy.clone()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSpec {
    pub max_instances: u32,
    pub max_memory_mb: u64,
    pub default_memory_mb: u64,
    pub default_timeout_ms: u64,
    pub max_timeout_ms: u64,
    pub default_concurrency: u32,
    pub pooling: bool,
}

impl Default for LimitsSpec {
    fn default() -> Self {
        let l = Limits::default();
        Self {
            max_instances: 1000,
            max_memory_mb: l.max_memory_mb,
            default_memory_mb: l.default_memory_mb,
            default_timeout_ms: l.default_timeout.as_millis() as u64,
            max_timeout_ms: l.max_timeout.as_millis() as u64,
            default_concurrency: l.default_concurrency,
            pooling: true,
        }
    }
}

impl LimitsSpec {
    pub fn limits(&self) -> Limits {
        Limits {
            default_timeout: Duration::from_millis(self.default_timeout_ms),
            max_timeout: Duration::from_millis(self.max_timeout_ms),
            default_memory_mb: self.default_memory_mb,
            max_memory_mb: self.max_memory_mb,
            default_concurrency: self.default_concurrency,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config {}: cannot read it: {source}", .file.display())]
    Read { file: PathBuf, source: std::io::Error },
    #[error("config {}: {message}", .file.display())]
    Invalid { file: PathBuf, message: String },
}

impl Config {
    pub fn read(file: &Path) -> Result<Self, ConfigError> {
        let text =
            std::fs::read_to_string(file).map_err(|source| ConfigError::Read { file: file.to_owned(), source })?;
        let mut config: Config = toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            file: file.to_owned(),
            message: e.to_string().trim_end().replace('\n', " "),
        })?;
        let invalid = |message: &str| ConfigError::Invalid { file: file.to_owned(), message: message.into() };
        let l = &config.limits;
        if l.max_instances == 0 {
            return Err(invalid("limits.max_instances must be at least 1"));
        }
        if l.default_memory_mb > l.max_memory_mb || l.default_timeout_ms > l.max_timeout_ms {
            return Err(invalid("a default limit is above its maximum"));
        }
        config.speech.check().map_err(|m| invalid(&m))?;
        config.calling.check().map_err(|m| invalid(&m))?;
        config.tools.check().map_err(|m| invalid(&m))?;
        config.tasks.check().map_err(|m| invalid(&m))?;
        config.oci.check().map_err(|m| invalid(&m))?;
        config.speech.preferences = config.speech.preferences.map(|p| file.parent().unwrap_or(Path::new(".")).join(p));
        // Paths in the file are relative to the file.
        let base = file.parent().unwrap_or(Path::new("."));
        config.components_dir = config.components_dir.map(|d| base.join(d));
        config.cache_dir = config.cache_dir.map(|d| base.join(d));
        config.store.path = config.store.path.map(|p| base.join(p));
        config.oci.relative_to(base);
        for spec in config.components.values_mut() {
            spec.path = spec.path.take().map(|p| base.join(p));
        }
        config.file = Some(file.to_owned());
        Ok(config)
    }

    /// Where durable component state lives.
    pub fn store_path(&self) -> PathBuf {
        self.store.path.clone().unwrap_or_else(|| {
            directories::ProjectDirs::from("dev", "switchboard", "switchboard")
                .map(|d| d.data_dir().join("state.sqlite3"))
                .unwrap_or_else(|| PathBuf::from("switchboard-state.sqlite3"))
        })
    }

    /// Where precompiled artifacts go: the configured directory or the user's cache dir.
    pub fn cache_dir(&self) -> Option<PathBuf> {
        if self.no_cache {
            return None;
        }
        self.cache_dir.clone().or_else(|| {
            directories::ProjectDirs::from("dev", "switchboard", "switchboard")
                .map(|d| d.cache_dir().join("precompiled"))
        })
    }
}
