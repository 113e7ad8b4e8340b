//! Nothing to use: this crate exists for its `Cargo.toml`, which lists the host's test-only
//! dependencies as normal ones so that the workspace resolves the same features for
//! `cargo build` and `cargo test`, and the test build reuses the release build's wasmtime.
