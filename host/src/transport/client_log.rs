//! MCP logging: a client that sends `logging/setLevel` gets the host's per-call events as
//! `notifications/message` at that level and above. Before it asks, nothing is sent.
//!
//! An event names the tool, its outcome, how long it took and the request's correlation id
//! (the same one the host's own log lines carry): never arguments, results or secrets, so
//! the words a user asked to speak never reach a log this way either.
//!
//! rmcp marks MCP logging deprecated (SEP-2577 drops it from a future revision); the
//! revisions clients speak today have it, so it is served, and only here.
#![allow(deprecated)]

use rmcp::RoleServer;
use rmcp::model::{LoggingLevel, LoggingMessageNotificationParam};
use rmcp::service::Peer;
use std::sync::Mutex;
use std::time::Duration;

/// The logger name the events carry.
const LOGGER: &str = "switchboard";

/// One connection's (or session's) chosen level.
#[derive(Default)]
pub struct ClientLog {
    level: Mutex<Option<LoggingLevel>>,
}

impl ClientLog {
    pub fn set(&self, level: LoggingLevel) {
        *self.level.lock().unwrap_or_else(|e| e.into_inner()) = Some(level);
    }

    /// Tells the client a `tools/call` finished, if it asked for events of that level.
    pub async fn call_finished(
        &self,
        peer: &Peer<RoleServer>,
        tool: &str,
        outcome: &str,
        elapsed: Duration,
        correlation: &str,
    ) {
        let level = level_of(outcome);
        let Some(wanted) = *self.level.lock().unwrap_or_else(|e| e.into_inner()) else { return };
        if rank(level) < rank(wanted) {
            return;
        }
        let data = serde_json::json!({
            "event": "tools/call", "tool": tool, "outcome": outcome,
            "elapsed_ms": elapsed.as_secs_f64() * 1000.0, "correlation_id": correlation,
        });
        let message = LoggingMessageNotificationParam::new(level, data).with_logger(LOGGER);
        if let Err(e) = peer.notify_logging_message(message).await {
            tracing::debug!(error = %e, "could not send a log message to the client");
        }
    }
}

/// How severe an outcome is: a tool's own error is the agent's to handle (a notice); a
/// call the host had to stop, or could not run, is an error; a refusal for load a warning.
fn level_of(outcome: &str) -> LoggingLevel {
    match outcome {
        "ok" => LoggingLevel::Info,
        "tool_error" | "invalid_arguments" | "unknown_tool" => LoggingLevel::Notice,
        "busy" | "withdrawn" => LoggingLevel::Warning,
        _ => LoggingLevel::Error,
    }
}

/// RFC 5424's order, least severe first.
fn rank(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_map_to_levels_in_severity_order() {
        assert!(rank(level_of("ok")) < rank(level_of("tool_error")));
        assert!(rank(level_of("tool_error")) < rank(level_of("busy")));
        assert!(rank(level_of("busy")) < rank(level_of("deadline")));
        assert_eq!(level_of("trap"), LoggingLevel::Error);
    }
}
