//! Switchboard: a host that serves WebAssembly components as MCP tools.
//!
//! Layers, top to bottom (data flows down, never up):
//! `transport` (MCP over stdio) -> `catalog` (tool list, schemas, dispatch) ->
//! `runtime` (wasmtime: engine, instances, limits, WASI grants) -> components.
//! `policy` says what one component may do; `config` is the operator's file; `host`
//! assembles the pieces.

pub mod builtin;
pub mod catalog;
pub mod config;
pub mod host;
pub mod logging;
pub mod metrics;
pub mod operator;
pub mod policy;
pub mod roles;
pub mod runtime;
pub mod store;
pub mod transport;
pub mod watch;
