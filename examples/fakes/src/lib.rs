//! Wire-compatible fakes of external APIs, served on 127.0.0.1 for tests and the demo.
//!
//! - [`elevenlabs`]: the ElevenLabs REST API (text to speech, voices, models, Conversational
//!   AI agents), for the `tts-elevenlabs` component.
//! - [`twilio`]: Twilio's Voice REST API (calls that progress by themselves, signed status and
//!   recording callbacks, recordings), for telephony components.

pub mod elevenlabs;
mod server;
pub mod twilio;
