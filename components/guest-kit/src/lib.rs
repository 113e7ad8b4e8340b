//! The scaffolding every Switchboard guest component would otherwise write again: reading its
//! `wasi:config` values ([`config`]), reading a bounded HTTP body and saying why a request got
//! no answer ([`http`]), quoting a service's text in a message ([`text`]), and reading a
//! `Retry-After` header ([`retry`]).
//!
//! It holds no component's domain: a component keeps its own errors, wording and types, and
//! uses these for the parts that are the same everywhere.

pub mod config;
pub mod http;
pub mod retry;
pub mod text;
