//! The transport layer: how agents reach the catalog. Only stdio today.

mod framing;
mod mcp;
pub mod stdio;

pub use mcp::McpService;
