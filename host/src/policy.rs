//! What one component may do. Deny by default: no filesystem, no environment, no network,
//! no sockets; the operator grants outbound hosts, config values and secrets, and sets the
//! limits. A policy is a TOML file beside the `.wasm` (`hello_tool.toml` for
//! `hello_tool.wasm`) or a `[components.<name>]` table in `switchboard.toml`:
//!
//! ```toml
//! timeout_ms = 5000            # deadline of one call
//! memory_mb = 64               # linear memory cap
//! max_concurrent = 16          # calls in flight at once
//! max_queued = 16              # calls that may wait for a slot; beyond, "busy" (0: never wait)
//! max_result_kib = 4096        # the largest result a call may return
//! webhooks = false             # route /webhooks/<name>/... to its wasi:http/incoming-handler
//! keyvalue = false             # durable wasi:keyvalue state in its own namespace
//! clock_offset_seconds = 0     # shift the wall clock it sees (rehearsals and tests of time rules)
//! allowed_hosts = ["api.elevenlabs.io", "127.0.0.1:8080", "*.example.com"]
//!
//! [config]                     # plain values, readable through wasi:config/store
//! base_url = "https://api.elevenlabs.io"
//!
//! [secrets]                    # also through wasi:config/store, taken from the host's
//! api_key = { env = "ELEVENLABS_API_KEY" }   # environment and never logged
//! ```

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A policy as written by the operator.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// Overrides the component's name (by default the file stem).
    pub name: Option<String>,
    pub timeout_ms: Option<u64>,
    pub memory_mb: Option<u64>,
    pub max_concurrent: Option<u32>,
    /// Calls that may wait for a free slot (each until its deadline); more are told "busy".
    pub max_queued: Option<u32>,
    /// Largest result a call may return, in KiB.
    pub max_result_kib: Option<u64>,
    /// Whether `/webhooks/<component>/...` requests reach the component's
    /// `wasi:http/incoming-handler`.
    #[serde(default)]
    pub webhooks: bool,
    /// Whether the component gets durable `wasi:keyvalue` state, in its own namespace.
    #[serde(default)]
    pub keyvalue: bool,
    /// Shifts the wall clock the component sees by this many seconds: to rehearse or test
    /// time rules (calling hours, holidays) at another time. Monotonic time is not shifted.
    pub clock_offset_seconds: Option<i64>,
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    #[serde(default)]
    pub config: BTreeMap<String, String>,
    #[serde(default)]
    pub secrets: BTreeMap<String, SecretSource>,
}

/// Where a secret comes from.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SecretSource {
    /// Name of the host environment variable holding the secret.
    pub env: String,
}

/// Host-wide ceilings and defaults that every policy is checked against.
#[derive(Debug, Clone)]
pub struct Limits {
    pub default_timeout: Duration,
    pub max_timeout: Duration,
    pub default_memory_mb: u64,
    pub max_memory_mb: u64,
    pub default_concurrency: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            default_timeout: Duration::from_secs(10),
            max_timeout: Duration::from_secs(300),
            default_memory_mb: 128,
            max_memory_mb: 1024,
            default_concurrency: 64,
        }
    }
}

/// A validated policy, ready for the runtime.
#[derive(Clone, PartialEq)]
pub struct Policy {
    pub timeout: Duration,
    pub memory_bytes: u64,
    pub max_concurrent: u32,
    pub max_queued: u32,
    pub max_result_bytes: u64,
    pub webhooks: bool,
    pub keyvalue: bool,
    /// Seconds added to the wall clock the component sees.
    pub clock_offset: i64,
    pub allowed_hosts: Vec<HostPattern>,
    /// Values served through `wasi:config/store`: config and resolved secrets.
    pub config: BTreeMap<String, String>,
    /// Which keys of `config` are secrets (their values are never shown).
    pub secret_keys: Vec<String>,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("timeout", &self.timeout)
            .field("memory_bytes", &self.memory_bytes)
            .field("max_concurrent", &self.max_concurrent)
            .field("max_queued", &self.max_queued)
            .field("max_result_bytes", &self.max_result_bytes)
            .field("webhooks", &self.webhooks)
            .field("keyvalue", &self.keyvalue)
            .field("clock_offset", &self.clock_offset)
            .field("allowed_hosts", &self.allowed_hosts)
            .field("config_keys", &self.config.keys().collect::<Vec<_>>())
            .field("secret_keys", &self.secret_keys)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("policy {}: cannot read it: {source}", .file.display())]
    Read { file: PathBuf, source: std::io::Error },
    #[error("policy {}: {message}", .file.display())]
    Syntax { file: PathBuf, message: String },
    #[error("policy {}: {message}", .file.display())]
    Invalid { file: PathBuf, message: String },
}

impl PolicySpec {
    /// Reads a policy file.
    pub fn read(file: &Path) -> Result<Self, PolicyError> {
        let text =
            std::fs::read_to_string(file).map_err(|source| PolicyError::Read { file: file.to_owned(), source })?;
        Self::parse(&text, file)
    }

    pub fn parse(text: &str, file: &Path) -> Result<Self, PolicyError> {
        toml::from_str(text).map_err(|e| PolicyError::Syntax {
            file: file.to_owned(),
            message: e.to_string().trim_end().replace('\n', " "),
        })
    }

    /// Checks the spec against the host's limits and resolves its secrets.
    pub fn resolve(
        &self,
        file: &Path,
        limits: &Limits,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Policy, PolicyError> {
        let invalid = |message: String| PolicyError::Invalid { file: file.to_owned(), message };
        let timeout = self.timeout_ms.map_or(limits.default_timeout, Duration::from_millis);
        if timeout.is_zero() || timeout > limits.max_timeout {
            return Err(invalid(format!(
                "timeout_ms must be between 1 and {} (the host's maximum)",
                limits.max_timeout.as_millis()
            )));
        }
        let memory_mb = self.memory_mb.unwrap_or(limits.default_memory_mb);
        if memory_mb == 0 || memory_mb > limits.max_memory_mb {
            return Err(invalid(format!(
                "memory_mb must be between 1 and {} (the host's maximum)",
                limits.max_memory_mb
            )));
        }
        let max_concurrent = self.max_concurrent.unwrap_or(limits.default_concurrency);
        if max_concurrent == 0 {
            return Err(invalid("max_concurrent must be at least 1".into()));
        }
        let max_result_kib = self.max_result_kib.unwrap_or(4096);
        if max_result_kib == 0 {
            return Err(invalid("max_result_kib must be at least 1".into()));
        }
        let allowed_hosts = self
            .allowed_hosts
            .iter()
            .map(|h| HostPattern::parse(h).map_err(|m| invalid(format!("allowed_hosts: {m}"))))
            .collect::<Result<Vec<_>, _>>()?;

        // A century either way is more than any rehearsal needs, and keeps the clock in range.
        let clock_offset = self.clock_offset_seconds.unwrap_or(0);
        if clock_offset.unsigned_abs() > 100 * 366 * 24 * 3600 {
            return Err(invalid(format!("clock_offset_seconds is {clock_offset}: at most a century either way")));
        }
        let mut config = self.config.clone();
        let mut secret_keys = Vec::new();
        for (key, source) in &self.secrets {
            if config.contains_key(key) {
                return Err(invalid(format!("`{key}` is both a config value and a secret")));
            }
            if source.env.is_empty() {
                return Err(invalid(format!("secret `{key}` names no environment variable")));
            }
            secret_keys.push(key.clone());
            match env(&source.env) {
                Some(value) if !value.is_empty() => {
                    config.insert(key.clone(), value);
                }
                _ => tracing::info!(
                    policy = %file.display(),
                    secret = %key,
                    env = %source.env,
                    "secret not set in the environment; the component will not see it"
                ),
            }
        }
        Ok(Policy {
            timeout,
            memory_bytes: memory_mb * 1024 * 1024,
            max_concurrent,
            // By default as many may wait as may run.
            max_queued: self.max_queued.unwrap_or(max_concurrent),
            max_result_bytes: max_result_kib * 1024,
            webhooks: self.webhooks,
            keyvalue: self.keyvalue,
            clock_offset,
            allowed_hosts,
            config,
            secret_keys,
        })
    }
}

/// An allowed outbound destination: `host`, `host:port` or `*.domain` (any subdomain).
/// Without a port, any port is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPattern {
    host: String,
    wildcard: bool,
    port: Option<u16>,
}

impl HostPattern {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim().to_ascii_lowercase();
        if text.contains("://") || text.contains('/') {
            return Err(format!("`{text}`: give a host name (and port), not a URL"));
        }
        let (host, port) = match text.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') || h.ends_with(']') => {
                let port = p.parse().map_err(|_| format!("`{text}`: bad port `{p}`"))?;
                (h.to_string(), Some(port))
            }
            _ => (text.clone(), None),
        };
        let (host, wildcard) = match host.strip_prefix("*.") {
            Some(rest) => (rest.to_string(), true),
            None => (host, false),
        };
        if host.is_empty() || host.contains('*') {
            return Err(format!("`{text}`: expected host, host:port or *.domain"));
        }
        Ok(Self { host, wildcard, port })
    }

    pub fn matches(&self, host: &str, port: u16) -> bool {
        let host = host.to_ascii_lowercase();
        let host_ok = if self.wildcard {
            host.strip_suffix(&self.host).is_some_and(|prefix| prefix.ends_with('.'))
        } else {
            host == self.host
        };
        host_ok && self.port.is_none_or(|p| p == port)
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.wildcard {
            write!(f, "*.")?;
        }
        write!(f, "{}", self.host)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(text: &str) -> Result<Policy, PolicyError> {
        let file = Path::new("p.toml");
        PolicySpec::parse(text, file)?.resolve(file, &Limits::default(), |k| (k == "SET").then(|| "s3cret".to_string()))
    }

    #[test]
    fn defaults_deny_everything() {
        let p = resolve("").unwrap();
        assert!(p.allowed_hosts.is_empty());
        assert!(p.config.is_empty());
        assert_eq!(p.timeout, Duration::from_secs(10));
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_file() {
        let e = resolve("timeout = 5").unwrap_err().to_string();
        assert!(e.contains("p.toml") && e.contains("unknown field"), "{e}");
        let e = resolve("memory_mb = 999999").unwrap_err().to_string();
        assert!(e.contains("memory_mb must be between"), "{e}");
        let e = resolve("allowed_hosts = [\"https://x.com/\"]").unwrap_err().to_string();
        assert!(e.contains("not a URL"), "{e}");
    }

    #[test]
    fn secrets_come_from_the_environment_and_stay_out_of_debug() {
        let p = resolve("[secrets]\nkey = { env = \"SET\" }\nmissing = { env = \"UNSET\" }").unwrap();
        assert_eq!(p.config.get("key").map(String::as_str), Some("s3cret"));
        assert!(!p.config.contains_key("missing"));
        assert!(!format!("{p:?}").contains("s3cret"));
    }

    #[test]
    fn host_patterns() {
        let exact = HostPattern::parse("API.example.com").unwrap();
        assert!(exact.matches("api.example.com", 443));
        assert!(!exact.matches("evil.com", 443));
        let port = HostPattern::parse("127.0.0.1:8080").unwrap();
        assert!(port.matches("127.0.0.1", 8080) && !port.matches("127.0.0.1", 80));
        let wild = HostPattern::parse("*.example.com").unwrap();
        assert!(wild.matches("a.example.com", 1) && !wild.matches("example.com", 1));
        assert!(!wild.matches("badexample.com", 1));
    }
}
