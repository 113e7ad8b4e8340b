//! Where the outside world reaches this host: the operator's `[calling] public_url`, else the
//! address the HTTP listener bound. Carriers call back there, check their signatures against
//! it, and fetch audio from it (`/audio/{id}`).

use std::net::SocketAddr;
use std::sync::OnceLock;

pub struct PublicUrl {
    /// Without a trailing slash.
    configured: Option<String>,
    /// The address `--http` listens on, once it does.
    listening: OnceLock<SocketAddr>,
}

impl PublicUrl {
    pub fn new(configured: Option<&str>) -> Self {
        Self { configured: configured.map(|u| u.trim_end_matches('/').to_owned()), listening: OnceLock::new() }
    }

    /// Tells where the HTTP transport listens: the default public URL.
    pub fn set_listening(&self, addr: SocketAddr) {
        let _ = self.listening.set(addr);
    }

    /// The base URL (`https://calls.example.com`), when there is one.
    pub fn base(&self) -> Option<String> {
        self.configured.clone().or_else(|| self.listening.get().map(|addr| format!("http://{addr}")))
    }

    /// The URL a request was sent to, as its sender signed it: the public URL (or, without
    /// one, `http://` and the `Host` the request named) plus the path and query.
    pub fn of_request(&self, host_header: Option<&str>, path_and_query: &str) -> String {
        match (&self.configured, host_header) {
            (Some(base), _) => format!("{base}{path_and_query}"),
            (None, Some(host)) => format!("http://{host}{path_and_query}"),
            (None, None) => match self.listening.get() {
                Some(addr) => format!("http://{addr}{path_and_query}"),
                None => path_and_query.to_owned(),
            },
        }
    }

    /// The URL of the audio clip `id`.
    pub fn audio(&self, id: &str) -> Option<String> {
        self.base().map(|base| format!("{base}/audio/{id}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configured_url_wins_over_the_listener() {
        let url = PublicUrl::new(Some("https://calls.example.com/"));
        url.set_listening("127.0.0.1:8080".parse().unwrap());
        assert_eq!(url.base().as_deref(), Some("https://calls.example.com"));
        assert_eq!(url.of_request(Some("evil.example"), "/webhooks/x?a=1"), "https://calls.example.com/webhooks/x?a=1");
        let local = PublicUrl::new(None);
        assert_eq!(local.base(), None);
        assert_eq!(local.of_request(Some("127.0.0.1:9"), "/w"), "http://127.0.0.1:9/w");
        local.set_listening("127.0.0.1:8080".parse().unwrap());
        assert_eq!(local.audio("ab").as_deref(), Some("http://127.0.0.1:8080/audio/ab"));
    }
}
