//! The component's configuration, granted by the host through `wasi:config/store` from the
//! operator's policy. Secrets: `account_sid`, `auth_token`, `from_number`,
//! `elevenlabs_api_key`, `elevenlabs_webhook_secret`. Values: `base_url`, `voice_stream_url`,
//! `elevenlabs_agent_id`, `elevenlabs_base_url`, `agent_timeout_ms`.
//!
//! Loading never fails: a problem (a malformed URL, a store that cannot be read) is kept and
//! reported by the call that needs the value. No secret is ever put into a message, and the
//! `Debug` output only says whether each one is set.

use crate::exports::switchboard::telephony::carrier::CarrierError;
use crate::number;
use std::fmt;
use std::time::Duration;

/// Where Twilio's REST API is, unless `base_url` says otherwise (tests point it at a fake).
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";
/// Where ElevenLabs is, unless `elevenlabs_base_url` says otherwise.
pub const DEFAULT_ELEVENLABS_BASE_URL: &str = "https://api.elevenlabs.io";

/// The environment variables the policy file takes the secrets from, named in errors.
pub const ACCOUNT_SID_ENV: &str = "TWILIO_ACCOUNT_SID";
pub const AUTH_TOKEN_ENV: &str = "TWILIO_AUTH_TOKEN";
pub const FROM_NUMBER_ENV: &str = "TWILIO_FROM_NUMBER";
pub const ELEVENLABS_KEY_ENV: &str = "ELEVENLABS_API_KEY";
pub const ELEVENLABS_WEBHOOK_SECRET_ENV: &str = "ELEVENLABS_WEBHOOK_SECRET";

/// How long the `voice` webhook's request to ElevenLabs may take in all, unless
/// `agent_timeout_ms` says otherwise, and the range it may say: Twilio waits 15 s for the
/// webhook's whole answer.
pub const DEFAULT_AGENT_TIMEOUT_MS: u32 = 5000;
pub const AGENT_TIMEOUT_RANGE_MS: std::ops::RangeInclusive<u32> = 100..=12000;

/// The configuration in effect for one call.
#[derive(Clone)]
pub struct Config {
    /// Twilio's API, without a trailing slash; may carry a path prefix (a proxy).
    pub base_url: String,
    account_sid: Option<String>,
    auth_token: Option<String>,
    /// The caller ID when a request gives none.
    pub from_number: Option<String>,
    /// A `wss://` URL Twilio streams the call's audio to (a voice agent).
    pub voice_stream_url: Option<String>,
    /// An ElevenLabs Conversational AI agent to connect answered calls to.
    pub elevenlabs_agent_id: Option<String>,
    pub elevenlabs_base_url: String,
    elevenlabs_api_key: Option<String>,
    /// The key ElevenLabs signs its post-call webhooks with (`ElevenLabs-Signature`).
    elevenlabs_webhook_secret: Option<String>,
    /// The whole budget of the `voice` webhook's request to ElevenLabs.
    pub agent_timeout: Duration,
    /// The first thing wrong with the REST settings (`base_url`, reading the store).
    problem: Option<String>,
    /// The first thing wrong with the voice-agent settings.
    voice_problem: Option<String>,
}

/// Never shows a secret, so that a `{:?}` anywhere cannot leak one.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |v: &Option<String>| if v.is_some() { "<set>" } else { "<unset>" };
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("account_sid", &set(&self.account_sid))
            .field("auth_token", &set(&self.auth_token))
            .field("from_number", &set(&self.from_number))
            .field("voice_stream_url", &self.voice_stream_url)
            .field("elevenlabs_agent_id", &self.elevenlabs_agent_id)
            .field("elevenlabs_base_url", &self.elevenlabs_base_url)
            .field("elevenlabs_api_key", &set(&self.elevenlabs_api_key))
            .field("elevenlabs_webhook_secret", &set(&self.elevenlabs_webhook_secret))
            .field("agent_timeout", &self.agent_timeout)
            .field("problem", &self.problem)
            .field("voice_problem", &self.voice_problem)
            .finish()
    }
}

/// The account credentials for one request.
pub struct Credentials<'a> {
    pub account_sid: &'a str,
    pub auth_token: &'a str,
}

/// Who answers a call that connects (the `voice` webhook).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoiceAgent {
    /// Stream the call's audio to this WebSocket URL.
    Stream(String),
    /// Register the call with this ElevenLabs agent and answer with the TwiML ElevenLabs gives.
    ElevenLabs(ElevenLabsAgent),
    /// None is configured (or it is misconfigured): say so and hang up.
    None,
}

/// An ElevenLabs agent and how to reach ElevenLabs. `Debug` hides the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ElevenLabsAgent {
    pub agent_id: String,
    pub base_url: String,
    pub api_key: String,
    /// The whole budget of a request to ElevenLabs (`agent_timeout_ms`).
    pub timeout: Duration,
}

impl fmt::Debug for ElevenLabsAgent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ElevenLabsAgent")
            .field("agent_id", &self.agent_id)
            .field("base_url", &self.base_url)
            .field("api_key", &"<set>")
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Config {
    /// Reads every key through `get`, which answers a value, none, or why it could not. A blank
    /// value counts as none.
    pub fn load(get: impl Fn(&str) -> Result<Option<String>, String>) -> Self {
        let mut reader = guest_kit::config::Reader::new(get);
        let mut value = |key: &str| reader.value(key);
        let base_url = value("base_url");
        let account_sid = value("account_sid");
        let auth_token = value("auth_token");
        let from_number = value("from_number");
        let voice_stream_url = value("voice_stream_url");
        let elevenlabs_agent_id = value("elevenlabs_agent_id");
        let elevenlabs_base_url = value("elevenlabs_base_url");
        let elevenlabs_api_key = value("elevenlabs_api_key");
        let elevenlabs_webhook_secret = value("elevenlabs_webhook_secret");
        let agent_timeout_ms = value("agent_timeout_ms");

        let mut problem = reader.into_problems().into_iter().next();
        let base_url = match check_base_url("base_url", base_url.as_deref(), DEFAULT_BASE_URL) {
            Ok(url) => url,
            Err(e) => {
                problem.get_or_insert(e);
                DEFAULT_BASE_URL.to_string()
            }
        };
        let mut voice_problem = None;
        let elevenlabs_base_url =
            match check_base_url("elevenlabs_base_url", elevenlabs_base_url.as_deref(), DEFAULT_ELEVENLABS_BASE_URL) {
                Ok(url) => url,
                Err(e) => {
                    voice_problem = Some(e);
                    DEFAULT_ELEVENLABS_BASE_URL.to_string()
                }
            };
        if let Some(url) = &voice_stream_url
            && !is_websocket_url(url)
        {
            voice_problem
                .get_or_insert(format!("the configured voice_stream_url `{url}` is not a wss:// or ws:// URL"));
        }
        if let Some(id) = &elevenlabs_agent_id
            && !is_agent_id(id)
        {
            voice_problem.get_or_insert(format!("the configured elevenlabs_agent_id `{id}` is not an agent id"));
        }
        let agent_timeout = match check_agent_timeout(agent_timeout_ms.as_deref()) {
            Ok(ms) => ms,
            Err(e) => {
                voice_problem.get_or_insert(e);
                DEFAULT_AGENT_TIMEOUT_MS
            }
        };
        Self {
            base_url,
            account_sid,
            auth_token,
            from_number,
            voice_stream_url,
            elevenlabs_agent_id,
            elevenlabs_base_url,
            elevenlabs_api_key,
            elevenlabs_webhook_secret,
            agent_timeout: Duration::from_millis(u64::from(agent_timeout)),
            problem,
            voice_problem,
        }
    }

    /// The credentials for a REST request, or the error the request gets without them: a
    /// missing or malformed secret is `unauthorized` naming the variable to set, a bad
    /// `base_url` is `unavailable`.
    pub fn credentials(&self) -> Result<Credentials<'_>, CarrierError> {
        if let Some(problem) = &self.problem {
            return Err(CarrierError::Unavailable(problem.clone()));
        }
        let account_sid = self.account_sid.as_deref().ok_or_else(|| {
            CarrierError::Unauthorized(format!("no Twilio account SID configured: set {ACCOUNT_SID_ENV}"))
        })?;
        if !number::is_sid(account_sid, "AC") {
            return Err(CarrierError::Unauthorized(format!(
                "the configured Twilio account SID is not `AC` and 32 hex digits: check {ACCOUNT_SID_ENV}"
            )));
        }
        let auth_token = self.auth_token.as_deref().ok_or_else(|| {
            CarrierError::Unauthorized(format!("no Twilio auth token configured: set {AUTH_TOKEN_ENV}"))
        })?;
        Ok(Credentials { account_sid, auth_token })
    }

    /// The key webhooks are signed with, when configured.
    pub fn auth_token(&self) -> Option<&str> {
        self.auth_token.as_deref()
    }

    /// The key ElevenLabs' post-call webhooks are signed with, when configured.
    pub fn elevenlabs_webhook_secret(&self) -> Option<&str> {
        self.elevenlabs_webhook_secret.as_deref()
    }

    /// Who answers connected calls: `voice_stream_url` first, then an ElevenLabs agent (which
    /// also needs `elevenlabs_api_key`), else none. A misconfigured agent counts as none.
    pub fn voice_agent(&self) -> VoiceAgent {
        if self.voice_problem.is_some() {
            return VoiceAgent::None;
        }
        if let Some(url) = &self.voice_stream_url {
            return VoiceAgent::Stream(url.clone());
        }
        match (&self.elevenlabs_agent_id, &self.elevenlabs_api_key) {
            (Some(agent_id), Some(api_key)) => VoiceAgent::ElevenLabs(ElevenLabsAgent {
                agent_id: agent_id.clone(),
                base_url: self.elevenlabs_base_url.clone(),
                api_key: api_key.clone(),
                timeout: self.agent_timeout,
            }),
            _ => VoiceAgent::None,
        }
    }

    /// Why the configured voice agent is not used, when one is configured but cannot be.
    pub fn voice_problem(&self) -> Option<String> {
        self.voice_problem.clone().or_else(|| {
            (self.voice_stream_url.is_none() && self.elevenlabs_agent_id.is_some() && self.elevenlabs_api_key.is_none())
                .then(|| format!("elevenlabs_agent_id is set but no ElevenLabs API key: set {ELEVENLABS_KEY_ENV}"))
        })
    }
}

/// Checks a base URL: http or https, a host, no credentials, query or fragment. Returns it
/// without its trailing slashes, or `default` when none is configured.
fn check_base_url(key: &str, url: Option<&str>, default: &str) -> Result<String, String> {
    let Some(url) = url else { return Ok(default.to_string()) };
    let bad = |why: &str| Err(format!("the configured {key} `{url}` {why}"));
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

/// The `agent_timeout_ms` in effect: the default when none is configured, else a whole number
/// of milliseconds in [`AGENT_TIMEOUT_RANGE_MS`].
fn check_agent_timeout(value: Option<&str>) -> Result<u32, String> {
    let Some(value) = value else { return Ok(DEFAULT_AGENT_TIMEOUT_MS) };
    match value.parse::<u32>() {
        Ok(ms) if AGENT_TIMEOUT_RANGE_MS.contains(&ms) => Ok(ms),
        _ => Err(format!(
            "the configured agent_timeout_ms `{value}` is not a whole number of milliseconds from {} to {} \
             (Twilio waits 15 s for the voice webhook's answer; the default is {DEFAULT_AGENT_TIMEOUT_MS})",
            AGENT_TIMEOUT_RANGE_MS.start(),
            AGENT_TIMEOUT_RANGE_MS.end()
        )),
    }
}

/// Whether `url` is a WebSocket URL with a host and nothing that breaks out of an attribute
/// (it is XML-escaped anyway).
fn is_websocket_url(url: &str) -> bool {
    let rest = url.strip_prefix("wss://").or_else(|| url.strip_prefix("ws://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// ElevenLabs agent ids: ASCII letters, digits, `-` and `_`, at most 128.
fn is_agent_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const SID: &str = "AC0123456789abcdef0123456789abcdef";

    fn load(pairs: &[(&str, &str)]) -> Config {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::load(|k| Ok(map.get(k).cloned()))
    }

    #[test]
    fn missing_secrets_name_the_variable() {
        let c = load(&[]);
        assert_eq!(
            (c.base_url.as_str(), c.elevenlabs_base_url.as_str()),
            (DEFAULT_BASE_URL, DEFAULT_ELEVENLABS_BASE_URL)
        );
        assert!(matches!(c.credentials(), Err(CarrierError::Unauthorized(m)) if m.contains("TWILIO_ACCOUNT_SID")));
        let c = load(&[("account_sid", SID), ("auth_token", "  ")]);
        assert!(matches!(c.credentials(), Err(CarrierError::Unauthorized(m)) if m.contains("TWILIO_AUTH_TOKEN")));
        let c = load(&[("account_sid", "ACnope"), ("auth_token", "t")]);
        assert!(matches!(c.credentials(), Err(CarrierError::Unauthorized(m)) if !m.contains("ACnope")));
        assert_eq!(c.auth_token(), Some("t"));
        assert_eq!(load(&[]).auth_token(), None);
    }

    #[test]
    fn configured_values_and_debug_hides_secrets() {
        let c = load(&[
            ("account_sid", SID),
            ("auth_token", "secret-token-value"),
            ("from_number", "+13035550123"),
            ("base_url", "http://127.0.0.1:9000/"),
            ("elevenlabs_api_key", "sk_secret_key"),
            ("elevenlabs_webhook_secret", "wsec_secret_value"),
        ]);
        let creds = c.credentials().ok().map(|c| (c.account_sid, c.auth_token));
        assert_eq!(creds, Some((SID, "secret-token-value")));
        assert_eq!(c.base_url, "http://127.0.0.1:9000");
        let shown = format!("{c:?}");
        for secret in ["secret-token-value", SID, "+13035550123", "sk_secret_key", "wsec_secret_value"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains(r#"elevenlabs_webhook_secret: "<set>""#), "{shown}");
        assert_eq!(c.elevenlabs_webhook_secret(), Some("wsec_secret_value"));
        assert_eq!(load(&[("elevenlabs_webhook_secret", " ")]).elevenlabs_webhook_secret(), None);
    }

    #[test]
    fn agent_timeouts() {
        let agent = |pairs: &[(&str, &str)]| {
            let mut all = vec![("elevenlabs_agent_id", "agent_1"), ("elevenlabs_api_key", "sk_k")];
            all.extend_from_slice(pairs);
            load(&all)
        };
        let c = agent(&[]);
        assert_eq!(c.agent_timeout, Duration::from_millis(5000));
        let VoiceAgent::ElevenLabs(a) = c.voice_agent() else { panic!("no ElevenLabs agent") };
        assert_eq!(a.timeout, Duration::from_millis(5000));
        for (given, ms) in [("100", 100), ("12000", 12000), (" 2500 ", 2500)] {
            let VoiceAgent::ElevenLabs(a) = agent(&[("agent_timeout_ms", given)]).voice_agent() else {
                panic!("{given}: no ElevenLabs agent")
            };
            assert_eq!(a.timeout, Duration::from_millis(ms));
        }
        for bad in ["99", "12001", "5s", "-1", "1e3"] {
            let c = agent(&[("agent_timeout_ms", bad)]);
            assert_eq!(c.voice_agent(), VoiceAgent::None, "{bad}");
            let problem = c.voice_problem().unwrap_or_default();
            assert!(problem.contains("agent_timeout_ms") && problem.contains("100 to 12000"), "{problem}");
        }
    }

    #[test]
    fn problems_are_reported_by_the_call_that_needs_them() {
        let c = load(&[("account_sid", SID), ("auth_token", "t"), ("base_url", "ftp://x")]);
        assert!(matches!(c.credentials(), Err(CarrierError::Unavailable(m)) if m.contains("not an http")));
        let c = Config::load(|k| if k == "auth_token" { Err("vault down".into()) } else { Ok(None) });
        assert!(matches!(c.credentials(), Err(CarrierError::Unavailable(m)) if m.contains("vault down")));
        assert!(check_base_url("base_url", Some("https://x.io/?a=1"), "d").is_err());
        assert!(check_base_url("base_url", Some("https://u:p@x.io"), "d").is_err());
    }

    #[test]
    fn voice_agents() {
        assert_eq!(load(&[]).voice_agent(), VoiceAgent::None);
        let c = load(&[("voice_stream_url", "wss://agent.example/stream"), ("elevenlabs_agent_id", "agent_1")]);
        assert_eq!(c.voice_agent(), VoiceAgent::Stream("wss://agent.example/stream".into()));
        let c = load(&[("elevenlabs_agent_id", "agent_1")]);
        assert_eq!(c.voice_agent(), VoiceAgent::None);
        assert!(c.voice_problem().is_some_and(|m| m.contains("ELEVENLABS_API_KEY")));
        let c = load(&[("elevenlabs_agent_id", "agent_1"), ("elevenlabs_api_key", "sk_k")]);
        assert_eq!(c.voice_problem(), None);
        let VoiceAgent::ElevenLabs(agent) = c.voice_agent() else { panic!("no ElevenLabs agent") };
        assert_eq!((agent.agent_id.as_str(), agent.base_url.as_str()), ("agent_1", DEFAULT_ELEVENLABS_BASE_URL));
        assert!(!format!("{agent:?}").contains("sk_k"));
        let c = load(&[("voice_stream_url", "https://not-a-socket")]);
        assert_eq!(c.voice_agent(), VoiceAgent::None);
        assert!(c.voice_problem().is_some_and(|m| m.contains("voice_stream_url")));
        assert_eq!(
            load(&[("elevenlabs_agent_id", "a/b"), ("elevenlabs_api_key", "k")]).voice_agent(),
            VoiceAgent::None
        );
    }
}
