//! The TLS client configuration of the host's own outbound connections (PostgreSQL, the
//! OAuth issuer's keys): rustls with ring, checked against the Mozilla roots (webpki-roots).
//! And the process's default provider, for the TLS users that take it (wasi:http egress, the
//! OCI registry client).

use std::sync::Arc;

/// Makes ring the process-wide rustls provider. reqwest (the OCI registry client's) takes
/// none of its own and refuses to build a client until one is installed; rustls alone
/// would pick ring, the one provider compiled in, but reqwest does not ask it to. Idempotent.
pub fn install_provider() {
    #[allow(deprecated)] // ring lacks post-quantum key exchange; it is the provider this host builds
    let _ = rustls::crypto::ring::default_provider().install_default();
}

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
