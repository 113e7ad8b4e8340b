//! Switchboard: a host that serves WebAssembly components as MCP tools.
//!
//! Layers, top to bottom (data flows down, never up):
//! [`transport`] (MCP over stdio and HTTP, webhooks, audio) -> [`catalog`] (the one tool
//! table and its dispatch) -> [`roles`] (speech, classification, calling: what the host
//! composes from components) -> [`runtime`] (wasmtime: engine, instances, limits, typed role
//! calls) -> [`capabilities`] (the host side of each import) -> components. Plain data beside
//! them: [`config`], [`policy`], [`contracts`] (the role WIT's bindings), [`media`], [`store`].
//! [`host`] assembles the pieces; [`operator`] serves the operator tools.
//!
//! `host/ARCHITECTURE.md` draws the flows of a `tools/call`, a webhook and a hot reload, and
//! says where each kind of change goes.

pub mod builtin;
pub mod capabilities;
pub mod catalog;
pub mod check;
pub mod config;
pub mod contracts;
pub mod host;
pub mod logging;
pub mod media;
pub mod metrics;
pub mod oci;
pub mod operator;
pub mod policy;
pub mod roles;
pub mod runtime;
pub mod scaffold;
pub mod store;
mod tls;
pub mod transport;
pub mod watch;
