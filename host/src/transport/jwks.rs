//! The authorization server's signing keys (a JWKS document), fetched, cached and refreshed.
//!
//! The set is fetched on first use and again once it is older than the refresh interval. A
//! token signed with a key the cached set does not have (the issuer rotated its keys) fetches
//! the set again at once, at most once a second, one fetch for all the requests waiting on
//! it. A failed fetch keeps the set already held.

use anyhow::{Context as _, Result, bail};
use http_body_util::BodyExt as _;
use hyper::Uri;
use hyper_util::rt::TokioIo;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};

/// The soonest a token with an unknown key may fetch the set again.
const MIN_REFETCH: Duration = Duration::from_secs(1);
/// The largest JWKS document read.
const MAX_DOCUMENT: usize = 1 << 20;
/// How long one fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Jwks {
    url: String,
    uri: Uri,
    refresh: Duration,
    tls: tokio_rustls::TlsConnector,
    held: RwLock<Option<Held>>,
    /// One fetch at a time; the others wait for it and use its result.
    fetching: tokio::sync::Mutex<()>,
}

struct Held {
    keys: Arc<JwkSet>,
    fetched: Instant,
}

impl Jwks {
    pub fn new(url: String, refresh: Duration) -> Result<Self> {
        let uri: Uri = url.parse().with_context(|| format!("[http.oauth] jwks_url `{url}` is not a URL"))?;
        if !matches!(uri.scheme_str(), Some("https" | "http")) || uri.host().is_none() {
            bail!("[http.oauth] jwks_url `{url}` must be an http(s) URL");
        }
        let tls = tokio_rustls::TlsConnector::from(Arc::new(crate::tls::client_config()));
        Ok(Self { url, uri, refresh, tls, held: RwLock::new(None), fetching: tokio::sync::Mutex::new(()) })
    }

    /// The key `kid` names (or the only signing key, for a token without `kid`).
    pub async fn key(&self, kid: Option<&str>) -> Result<Option<Jwk>> {
        let (keys, age) = match self.held() {
            Some((keys, age)) if age < self.refresh => (keys, age),
            _ => (self.refetch(None).await?, Duration::ZERO),
        };
        if let Some(key) = find(&keys, kid) {
            return Ok(Some(key));
        }
        // Rotated keys: an unknown kid may be a new one.
        if age < MIN_REFETCH {
            return Ok(None);
        }
        let keys = self.refetch(Some(MIN_REFETCH)).await?;
        Ok(find(&keys, kid))
    }

    fn held(&self) -> Option<(Arc<JwkSet>, Duration)> {
        let held = self.held.read().unwrap_or_else(|e| e.into_inner());
        held.as_ref().map(|h| (h.keys.clone(), h.fetched.elapsed()))
    }

    /// Fetches the set, unless another request fetched it while this one waited (or, with
    /// `unless_younger`, less than that long ago).
    async fn refetch(&self, unless_younger: Option<Duration>) -> Result<Arc<JwkSet>> {
        let before = self.held().map(|(_, age)| age);
        let _one = self.fetching.lock().await;
        if let Some((keys, age)) = self.held() {
            let fetched_meanwhile = before.is_none_or(|before| age < before);
            if fetched_meanwhile || unless_younger.is_some_and(|min| age < min) {
                return Ok(keys);
            }
        }
        match self.fetch().await {
            Ok(keys) => {
                let keys = Arc::new(keys);
                tracing::info!(url = %self.url, keys = keys.keys.len(), "fetched the issuer's signing keys");
                *self.held.write().unwrap_or_else(|e| e.into_inner()) =
                    Some(Held { keys: keys.clone(), fetched: Instant::now() });
                Ok(keys)
            }
            Err(e) => match self.held() {
                Some((keys, _)) => {
                    tracing::warn!(url = %self.url, error = %format!("{e:#}"), "could not refresh the issuer's signing keys; keeping those held");
                    Ok(keys)
                }
                None => Err(e),
            },
        }
    }

    async fn fetch(&self) -> Result<JwkSet> {
        let body = tokio::time::timeout(FETCH_TIMEOUT, self.get())
            .await
            .map_err(|_| anyhow::anyhow!("{} did not answer within {FETCH_TIMEOUT:?}", self.url))??;
        serde_json::from_slice(&body).with_context(|| format!("{} is not a JWKS document", self.url))
    }

    /// `GET` the JWKS over one HTTP/1.1 connection (TLS for https).
    async fn get(&self) -> Result<Vec<u8>> {
        let host = self.uri.host().unwrap_or_default();
        let https = self.uri.scheme_str() == Some("https");
        let port = self.uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let tcp = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port))
            .await
            .with_context(|| format!("connecting to {host}:{port} for {}", self.url))?;
        if !https {
            return self.exchange(tcp).await;
        }
        let name = rustls::pki_types::ServerName::try_from(host.trim_matches(['[', ']']).to_owned())
            .with_context(|| format!("`{host}` is not a TLS server name"))?;
        let tls = self.tls.connect(name, tcp).await.with_context(|| format!("TLS with {host} for {}", self.url))?;
        self.exchange(tls).await
    }

    async fn exchange(&self, io: impl AsyncRead + AsyncWrite + Send + Unpin + 'static) -> Result<Vec<u8>> {
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io)).await?;
        tokio::spawn(connection);
        let authority = self.uri.authority().map(|a| a.as_str()).unwrap_or_default();
        let request = hyper::Request::get(self.uri.path_and_query().map_or("/", |p| p.as_str()))
            .header(hyper::header::HOST, authority)
            .header(hyper::header::ACCEPT, "application/json")
            .header(hyper::header::USER_AGENT, concat!("switchboard/", env!("CARGO_PKG_VERSION")))
            .body(http_body_util::Empty::<bytes::Bytes>::new())?;
        let mut response = sender.send_request(request).await.with_context(|| format!("fetching {}", self.url))?;
        if !response.status().is_success() {
            bail!("{} answered {}", self.url, response.status());
        }
        let mut body = Vec::new();
        while let Some(frame) = response.body_mut().frame().await {
            if let Ok(chunk) = frame.with_context(|| format!("reading {}", self.url))?.into_data() {
                if body.len() + chunk.len() > MAX_DOCUMENT {
                    bail!("{} sent a JWKS over {} KiB", self.url, MAX_DOCUMENT / 1024);
                }
                body.extend_from_slice(&chunk);
            }
        }
        Ok(body)
    }
}

fn find(keys: &JwkSet, kid: Option<&str>) -> Option<Jwk> {
    match kid {
        Some(kid) => keys.find(kid).cloned(),
        None if keys.keys.len() == 1 => keys.keys.first().cloned(),
        None => None,
    }
}
