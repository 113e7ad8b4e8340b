//! The host's integration tests, one binary: each module drives the release binary (or the
//! library) the way a user would. One binary links once; 27 linked 27 times (about 30 s each
//! on two cores). Run one module with `cargo test --release --test integration <module>::`.
//!
//! `tests/properties.rs` stays a binary of its own: in this one its schema/converter agreement
//! test failed once in seven full runs (never in 460 runs alone, nor in its own binary), and
//! until that is understood it runs where it always passed.

mod audio;
mod common;

mod audio_urls;
mod bad_input;
mod calling;
mod calling_races;
mod calls;
mod cancellation;
mod check;
mod cluster;
mod components;
mod conformance;
mod curation;
mod elevenlabs;
mod fuzz;
mod hotload;
mod http;
mod keyvalue;
mod oauth;
mod oci;
mod progress;
mod protocol;
mod revisions;
mod sandbox;
mod scaffold;
mod soak;
mod speech;
mod store;
mod tasks;
mod tools;
mod workspace;
