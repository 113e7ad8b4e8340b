//! MCP logging: a client that sends `logging/setLevel` gets the host's per-call events as
//! `notifications/message` at that level and above. Before it asks, nothing is sent.
//!
//! An event names the tool, its outcome, how long it took and the request's correlation id
//! (the same one the host's own log lines carry): never arguments, results or secrets, so
//! the words a user asked to speak never reach a log this way either.
//!
//! A component's own `wasi:logging` records during a call (see `capabilities::logging`)
//! follow at the same level, with the tool's name as the logger, before the call's reply.
//!
//! rmcp marks MCP logging deprecated (SEP-2577 drops it from a future revision); the
//! revisions clients speak today have it, so it is served, and only here.
#![allow(deprecated)]

use crate::runtime::logging::{Level, Record, Records};
use rmcp::RoleServer;
use rmcp::model::{LoggingLevel, LoggingMessageNotificationParam};
use rmcp::service::Peer;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Records a component may be ahead of its client by; more are dropped.
const BACKLOG: usize = 256;
/// How long a finished call's reply waits for its component's last records.
const FLUSH: Duration = Duration::from_secs(1);

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

    fn wants(&self, level: LoggingLevel) -> bool {
        let wanted = *self.level.lock().unwrap_or_else(|e| e.into_inner());
        wanted.is_some_and(|wanted| rank(level) >= rank(wanted))
    }

    /// Sends the `wasi:logging` records of a call of `tool` to the client, if it asked for
    /// log messages at all.
    pub fn forward_records(
        self: &std::sync::Arc<Self>,
        peer: &Peer<RoleServer>,
        tool: &str,
    ) -> Option<RecordForwarder> {
        self.level.lock().unwrap_or_else(|e| e.into_inner()).as_ref()?;
        let (records, mut rx) = mpsc::channel::<Record>(BACKLOG);
        let (log, peer, tool) = (self.clone(), peer.clone(), tool.to_owned());
        let task = tokio::spawn(async move {
            while let Some(record) = rx.recv().await {
                let level = mcp_level(record.level);
                if !log.wants(level) {
                    continue;
                }
                let data = serde_json::json!({ "context": record.context, "message": record.message });
                let message = LoggingMessageNotificationParam::new(level, data).with_logger(tool.clone());
                if peer.notify_logging_message(message).await.is_err() {
                    return; // the client is gone
                }
            }
        });
        Some(RecordForwarder { records, task })
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
        // Boxed: the notification's state is not carried by every call that awaits this.
        if let Err(e) = Box::pin(peer.notify_logging_message(message)).await {
            tracing::debug!(error = %e, "could not send a log message to the client");
        }
    }
}

/// One call's records on their way to the client.
pub struct RecordForwarder {
    records: Records,
    task: JoinHandle<()>,
}

impl RecordForwarder {
    pub fn records(&self) -> Records {
        self.records.clone()
    }

    /// The call is over: sends what is left, then returns.
    pub async fn finish(self) {
        drop(self.records);
        let _ = tokio::time::timeout(FLUSH, self.task).await;
    }
}

fn mcp_level(level: Level) -> LoggingLevel {
    match level {
        Level::Trace | Level::Debug => LoggingLevel::Debug,
        Level::Info => LoggingLevel::Info,
        Level::Warn => LoggingLevel::Warning,
        Level::Error => LoggingLevel::Error,
        Level::Critical => LoggingLevel::Critical,
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
