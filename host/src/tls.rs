//! The TLS client configuration of the host's own outbound connections (PostgreSQL, the
//! OAuth issuer's keys): rustls with ring, checked against the Mozilla roots (webpki-roots).

use std::sync::Arc;

pub fn client_config() -> rustls::ClientConfig {
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    // ring is the provider the rest of the host's TLS (wasi:http egress) already builds.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}
