//! Wire-compatible fakes of external APIs, served on 127.0.0.1 for tests and the demo.
//!
//! - [`elevenlabs`]: the ElevenLabs REST API (text to speech, voices, models, Conversational
//!   AI agents, `register-call`, signed post-call webhooks), for the `tts-elevenlabs`
//!   component and telephony.
//! - [`twilio`]: Twilio's Voice REST API (calls that progress by themselves, signed status and
//!   recording callbacks, recordings, TwiML's `<Play>`, `<Gather>` and `<Hangup/>` carried
//!   out), for telephony components.
//!
//! And one real part that tests need started and stopped: [`postgres`], a throwaway
//! PostgreSQL cluster from the system's packages (not a fake).

pub mod elevenlabs;
pub mod postgres;
mod server;
pub mod twilio;

/// A builder of HTTP clients, for the fakes' own calls (webhooks to 127.0.0.1) and for the
/// tests that call them or the host.
///
/// Built in the host's workspace, reqwest has rustls without a provider of its own (the OCI
/// client's TLS), and then it needs a process-wide one before it builds any client, even one
/// that only speaks plain HTTP: this installs ring, as the host does.
pub fn http_client() -> reqwest::ClientBuilder {
    #[allow(deprecated)] // ring lacks post-quantum key exchange; it is the provider the host builds
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// `reqwest::get`, from a [`client`].
pub async fn get(url: impl reqwest::IntoUrl) -> reqwest::Result<reqwest::Response> {
    client().get(url).send().await
}

/// An HTTP client with reqwest's defaults (see [`http_client`]).
pub fn client() -> reqwest::Client {
    http_client().build().expect("a default reqwest client builds")
}
