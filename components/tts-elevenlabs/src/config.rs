//! The component's configuration, granted by the host through `wasi:config/store` from the
//! operator's policy: `base_url`, `api_key` (a secret), `default_voice`, `default_model`.
//!
//! Loading never fails: a problem (no key, a malformed URL, an unknown model) is kept and
//! reported, so that `info` can still describe the provider and say why it is unavailable.

use crate::catalog::{self, Model};
use crate::errors::{ApiError, Kind};
use std::fmt;

/// Where ElevenLabs is, unless `base_url` says otherwise (tests point it at a fake).
pub const DEFAULT_BASE_URL: &str = "https://api.elevenlabs.io";
/// Rachel, a premade voice every account has.
pub const DEFAULT_VOICE: &str = "21m00Tcm4TlvDq8ikWAM";
/// The fastest model to first byte, what a phone call needs.
pub const DEFAULT_MODEL: &str = "eleven_flash_v2_5";
/// What `info().unavailable` and the errors say when there is no key.
pub const NO_KEY: &str = "no ElevenLabs API key configured: set ELEVENLABS_API_KEY";

/// The configuration in effect for one call.
#[derive(Clone)]
pub struct Config {
    /// Without a trailing slash; may carry a path prefix (a proxy).
    pub base_url: String,
    api_key: Option<String>,
    pub default_voice: String,
    pub default_model: &'static Model,
    /// The first thing wrong with the configuration other than a missing key.
    problem: Option<String>,
}

/// Never shows the key, so that a `{:?}` anywhere cannot leak it.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("default_voice", &self.default_voice)
            .field("default_model", &self.default_model.id)
            .field("problem", &self.problem)
            .finish()
    }
}

impl Config {
    /// Reads every key through `get`, which answers a value, none, or why it could not.
    pub fn load(get: impl Fn(&str) -> Result<Option<String>, String>) -> Self {
        let mut reader = guest_kit::config::Reader::new(get);
        let mut value = |key: &str| reader.value(key);
        let base_url = value("base_url");
        // The key's value is never put into a message, only whether it is there.
        let api_key = value("api_key");
        let default_voice = value("default_voice").unwrap_or_else(|| DEFAULT_VOICE.to_string());
        let default_model = value("default_model");
        let mut problems = reader.into_problems();

        let base_url = match base_url.as_deref().map(check_base_url).unwrap_or(Ok(DEFAULT_BASE_URL.to_string())) {
            Ok(url) => url,
            Err(e) => {
                problems.push(e);
                DEFAULT_BASE_URL.to_string()
            }
        };
        let fallback = catalog::model(DEFAULT_MODEL).unwrap_or(&catalog::MODELS[0]);
        let default_model = match default_model {
            None => fallback,
            Some(id) => catalog::model(&id).unwrap_or_else(|| {
                problems.push(format!(
                    "the configured default_model `{id}` is not one of: {}",
                    catalog::MODELS.iter().map(|m| m.id).collect::<Vec<_>>().join(", ")
                ));
                fallback
            }),
        };
        Self { base_url, api_key, default_voice, default_model, problem: problems.into_iter().next() }
    }

    /// Why the provider cannot serve now, or none.
    pub fn unavailable(&self) -> Option<String> {
        self.problem.clone().or_else(|| self.api_key.is_none().then(|| NO_KEY.to_string()))
    }

    /// The key to send, or the error a call gets without a usable configuration.
    pub fn api_key(&self) -> Result<&str, ApiError> {
        if let Some(problem) = &self.problem {
            return Err(ApiError::new(Kind::Unavailable, problem.clone()));
        }
        self.api_key.as_deref().ok_or_else(|| ApiError::new(Kind::Unauthorized, NO_KEY))
    }
}

/// Checks a base URL: http or https, a host, no query or fragment. Returns it without its
/// trailing slashes.
fn check_base_url(url: &str) -> Result<String, String> {
    let bad = |why: &str| Err(format!("the configured base_url `{url}` {why}"));
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return bad("is not an http:// or https:// URL");
    };
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return bad("has no host (or carries credentials)");
    }
    if url.contains(['?', '#']) || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("must not carry a query, a fragment or spaces");
    }
    Ok(url.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(pairs: &[(&str, &str)]) -> Config {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::load(|k| Ok(map.get(k).cloned()))
    }

    #[test]
    fn defaults_and_missing_key() {
        let c = load(&[]);
        assert_eq!(c.base_url, DEFAULT_BASE_URL);
        assert_eq!(c.default_voice, DEFAULT_VOICE);
        assert_eq!(c.default_model.id, DEFAULT_MODEL);
        assert_eq!(c.unavailable().as_deref(), Some(NO_KEY));
        assert!(matches!(c.api_key(), Err(e) if e.kind == Kind::Unauthorized && e.message == NO_KEY));
        // A blank key is no key.
        assert_eq!(load(&[("api_key", "  ")]).unavailable().as_deref(), Some(NO_KEY));
    }

    #[test]
    fn configured_values() {
        let c = load(&[
            ("api_key", "sk_secret_value"),
            ("base_url", "http://127.0.0.1:8123/"),
            ("default_voice", "abc"),
            ("default_model", "eleven_v3"),
        ]);
        assert_eq!(c.unavailable(), None);
        assert_eq!(c.base_url, "http://127.0.0.1:8123");
        assert_eq!((c.default_voice.as_str(), c.default_model.id), ("abc", "eleven_v3"));
        assert_eq!(c.api_key().ok(), Some("sk_secret_value"));
        assert!(!format!("{c:?}").contains("sk_secret_value"));
    }

    #[test]
    fn problems_make_it_unavailable() {
        let c = load(&[("api_key", "k"), ("base_url", "ftp://x")]);
        assert!(c.unavailable().is_some_and(|m| m.contains("not an http")));
        assert!(matches!(c.api_key(), Err(e) if e.kind == Kind::Unavailable));
        let c = load(&[("api_key", "k"), ("default_model", "nope")]);
        assert!(c.unavailable().is_some_and(|m| m.contains("nope") && m.contains("eleven_v3")));
        assert!(load(&[("base_url", "https://x.io/?a=1")]).unavailable().is_some_and(|m| m.contains("query")));
        assert!(load(&[("base_url", "https://u:p@x.io")]).unavailable().is_some_and(|m| m.contains("credentials")));
        let c = Config::load(|k| if k == "api_key" { Err("vault down".into()) } else { Ok(None) });
        assert!(c.unavailable().is_some_and(|m| m.contains("vault down") && m.contains("api_key")));
    }
}
