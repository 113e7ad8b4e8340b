//! Wire-compatible fakes of external APIs, served on 127.0.0.1 for tests and the demo.
//!
//! - [`elevenlabs`]: the ElevenLabs REST API (text to speech, voices, models, Conversational
//!   AI agents), for the `tts-elevenlabs` component.

pub mod elevenlabs;
