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
