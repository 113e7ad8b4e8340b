//! Switchboard as an OAuth 2.1 resource server, as the MCP authorization spec asks of a
//! Streamable HTTP server (`[http.oauth]`):
//!
//! * Protected Resource Metadata (RFC 9728) at `/.well-known/oauth-protected-resource` and
//!   at the path-suffixed form for the resource's path (`.../oauth-protected-resource/mcp`),
//!   naming the authorization server and the scopes;
//! * a 401 with `WWW-Authenticate: Bearer resource_metadata="..."` for a request without a
//!   valid token (`error="invalid_token"` and why, when one was sent);
//! * access tokens are JWTs signed by a key in the issuer's JWKS ([`super::jwks`]), with
//!   `iss` the issuer, `aud` this server's resource URI (RFC 8707), `exp` in the future and
//!   `nbf` (if any) in the past; their `scope` (or `scp`) decides which tools the request
//!   may see and call ([`super::scopes`]), and a call to a tool outside them gets a 403
//!   `insufficient_scope` challenge naming the scope, so that a client can ask for it.

use super::jwks::Jwks;
use super::scopes::{Granted, ScopeRules};
use crate::config::OAuthSettings;
use anyhow::{Context as _, Result, bail, ensure};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::jwk::PublicKeyUse;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::str::FromStr as _;
use std::sync::Arc;
use std::time::Duration;

const METADATA_PATH: &str = "/.well-known/oauth-protected-resource";

pub struct ResourceServer {
    resource: String,
    issuer: String,
    /// Where the metadata is, as clients reach it: the resource's origin and path.
    metadata_url: String,
    /// This listener's paths of the metadata (the root form and the path-suffixed one).
    metadata_paths: Vec<String>,
    algorithms: Vec<Algorithm>,
    leeway: u64,
    jwks: Jwks,
    rules: Arc<ScopeRules>,
}

/// Why a request's token was not accepted.
#[derive(Debug)]
pub enum Denied {
    Missing,
    Invalid(String),
    /// The issuer's keys could not be had, so the token could not be checked.
    Unavailable(String),
}

#[derive(Deserialize)]
struct Claims {
    scope: Option<String>,
    /// Some issuers (Azure AD, Okta) send the scopes as a list.
    scp: Option<ScopeList>,
    sub: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ScopeList {
    Spaced(String),
    List(Vec<String>),
}

fn http_url(what: &str, url: &str) -> Result<Uri> {
    let uri = url.split('#').next().unwrap_or_default().parse::<Uri>().ok();
    uri.filter(|u| matches!(u.scheme_str(), Some("https" | "http")) && u.host().is_some())
        .with_context(|| format!("[http.oauth] {what} `{url}` must be an http(s) URL"))
}

impl ResourceServer {
    pub fn new(settings: &OAuthSettings) -> Result<Self> {
        let resource = http_url("resource", &settings.resource)?;
        ensure!(
            !settings.resource.contains('#'),
            "[http.oauth] resource `{}` must not have a fragment (RFC 8707)",
            settings.resource
        );
        http_url("issuer", &settings.issuer)?;
        let mut algorithms = Vec::new();
        for name in &settings.algorithms {
            let algorithm = Algorithm::from_str(name)
                .map_err(|_| anyhow::anyhow!("[http.oauth] algorithms: `{name}` is not a JWS algorithm"))?;
            if matches!(algorithm, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
                bail!(
                    "[http.oauth] algorithms: `{name}` is a shared-secret algorithm; only the issuer's public keys verify tokens here"
                );
            }
            algorithms.push(algorithm);
        }
        ensure!(!algorithms.is_empty(), "[http.oauth] algorithms is empty: no token could be accepted");
        let path = resource.path().trim_end_matches('/');
        let origin = format!(
            "{}://{}",
            resource.scheme_str().unwrap_or("https"),
            resource.authority().map_or("", |a| a.as_str())
        );
        let mut metadata_paths = vec![METADATA_PATH.to_owned()];
        if !path.is_empty() {
            metadata_paths.push(format!("{METADATA_PATH}{path}"));
        }
        let metadata_url = format!("{origin}{}", metadata_paths.last().map_or(METADATA_PATH, String::as_str));
        Ok(Self {
            resource: settings.resource.clone(),
            issuer: settings.issuer.clone(),
            metadata_url,
            metadata_paths,
            algorithms,
            leeway: settings.leeway_seconds,
            jwks: Jwks::new(settings.jwks_url.clone(), Duration::from_secs(settings.jwks_refresh_seconds))?,
            rules: Arc::new(ScopeRules::new(&settings.scopes)),
        })
    }

    /// The paths to serve [`Self::metadata`] at.
    pub fn metadata_paths(&self) -> &[String] {
        &self.metadata_paths
    }

    /// The Protected Resource Metadata document (RFC 9728).
    pub fn metadata(&self) -> Value {
        json!({
            "resource": self.resource,
            "authorization_servers": [self.issuer],
            "scopes_supported": self.rules.all(),
            "bearer_methods_supported": ["header"],
            "resource_name": "Switchboard",
        })
    }

    /// Checks an access token; its scopes if it is good.
    pub async fn verify(&self, token: &str) -> Result<Granted, Denied> {
        let invalid = |why: &str| Denied::Invalid(why.to_owned());
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("the token is not a JWT"))?;
        if !self.algorithms.contains(&header.alg) {
            return Err(Denied::Invalid(format!("tokens signed with {:?} are not accepted", header.alg)));
        }
        let jwk = match self.jwks.key(header.kid.as_deref()).await {
            Ok(Some(jwk)) => jwk,
            Ok(None) => return Err(invalid("the token is signed with a key the issuer does not publish")),
            Err(e) => return Err(Denied::Unavailable(format!("{e:#}"))),
        };
        let wrong_use = jwk.common.public_key_use.as_ref().is_some_and(|u| *u != PublicKeyUse::Signature);
        let wrong_alg = jwk.common.key_algorithm.is_some_and(|a| a.to_string() != format!("{:?}", header.alg));
        if wrong_use || wrong_alg {
            return Err(invalid("the token's key is not one for signing with its algorithm"));
        }
        let key = DecodingKey::from_jwk(&jwk)
            .map_err(|_| invalid("the issuer publishes its key in a form not understood"))?;
        let mut validation = Validation::new(header.alg);
        validation.set_audience(&[&self.resource]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "aud", "iss"]);
        validation.validate_nbf = true;
        validation.leeway = self.leeway;
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|e| {
            invalid(match e.kind() {
                ErrorKind::ExpiredSignature => "the token has expired",
                ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)",
                ErrorKind::InvalidAudience => "the token is not for this resource (aud)",
                ErrorKind::InvalidIssuer => "the token is from another issuer (iss)",
                ErrorKind::InvalidSignature => "the token's signature does not verify",
                ErrorKind::MissingRequiredClaim(_) => "the token lacks exp, aud or iss",
                _ => "the token does not verify",
            })
        })?;
        let claims = claims.claims;
        let scopes: HashSet<String> = match (claims.scope, claims.scp) {
            (Some(spaced), _) | (None, Some(ScopeList::Spaced(spaced))) => {
                spaced.split_whitespace().map(str::to_owned).collect()
            }
            (None, Some(ScopeList::List(list))) => list.into_iter().collect(),
            (None, None) => HashSet::new(),
        };
        tracing::debug!(sub = claims.sub.as_deref().unwrap_or("-"), scopes = scopes.len(), "access token accepted");
        Ok(Granted { scopes: Arc::new(scopes), rules: self.rules.clone(), subject: claims.sub.map(Arc::from) })
    }

    /// The answer to a request whose token was not accepted.
    pub fn challenge(&self, denied: &Denied) -> Response {
        let (status, params, body) = match denied {
            Denied::Missing => (StatusCode::UNAUTHORIZED, String::new(), "an access token is required".to_owned()),
            Denied::Invalid(why) => (
                StatusCode::UNAUTHORIZED,
                format!(r#", error="invalid_token", error_description="{why}""#),
                format!("invalid access token: {why}"),
            ),
            Denied::Unavailable(why) => {
                tracing::warn!(error = %why, "could not check an access token: the issuer's keys are unavailable");
                let body = "the authorization server's keys are unavailable; try again later".to_owned();
                return (StatusCode::SERVICE_UNAVAILABLE, format!("{body}\n")).into_response();
            }
        };
        tracing::info!(reason = %body, "refused a request's access token");
        self.with_challenge(status, &params, body)
    }

    /// The answer to a call of a tool needing `scope`, which the request's token lacks.
    pub fn insufficient_scope(&self, tool: &str, scope: &str) -> Response {
        let why = format!("`{tool}` needs the scope `{scope}`");
        let params = format!(r#", error="insufficient_scope", scope="{scope}", error_description="{why}""#);
        self.with_challenge(StatusCode::FORBIDDEN, &params, why)
    }

    fn with_challenge(&self, status: StatusCode, params: &str, body: String) -> Response {
        let challenge = format!(r#"Bearer resource_metadata="{}"{params}"#, self.metadata_url);
        let mut response = (status, format!("{body}\n")).into_response();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(resource: &str) -> OAuthSettings {
        toml::from_str(&format!(
            r#"resource = "{resource}"
            issuer = "https://auth.example.com"
            jwks_url = "https://auth.example.com/jwks"
            scopes = {{ "*" = "tools", "end_call" = "calls" }}"#
        ))
        .unwrap()
    }

    #[test]
    fn the_metadata_names_the_issuer_and_the_scopes_and_is_found_where_rfc_9728_says() {
        let server = ResourceServer::new(&settings("https://mcp.example.com/mcp")).unwrap();
        assert_eq!(
            server.metadata_paths(),
            ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"]
        );
        assert_eq!(server.metadata_url, "https://mcp.example.com/.well-known/oauth-protected-resource/mcp");
        let m = server.metadata();
        assert_eq!(m["resource"], "https://mcp.example.com/mcp");
        assert_eq!(m["authorization_servers"], json!(["https://auth.example.com"]));
        assert_eq!(m["scopes_supported"], json!(["calls", "tools"]));
        let root = ResourceServer::new(&settings("https://mcp.example.com")).unwrap();
        assert_eq!(root.metadata_paths(), ["/.well-known/oauth-protected-resource"]);
    }

    #[test]
    fn bad_settings_are_refused_with_the_reason() {
        let error = |s: OAuthSettings| ResourceServer::new(&s).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error(settings("mcp.example.com")).contains("must be an http(s) URL"));
        assert!(error(settings("https://mcp.example.com/mcp#x")).contains("must not have a fragment"));
        let mut hs = settings("https://mcp.example.com/mcp");
        hs.algorithms = vec!["HS256".into()];
        assert!(error(hs).contains("shared-secret"));
        let mut bogus = settings("https://mcp.example.com/mcp");
        bogus.algorithms = vec!["XS999".into()];
        assert!(error(bogus).contains("not a JWS algorithm"));
    }
}
