//! The `[tasks]` table: which `tools/call`s run as MCP tasks (the `io.modelcontextprotocol/tasks`
//! extension) when the client says it can take one, and how long their outcome is kept.
//!
//! ```toml
//! [tasks]
//! enabled = true                 # offer the extension at all
//! tools = ["batch_*"]            # components' tools that run long, by served name or glob
//! ttl_seconds = 3600             # a task's outcome is kept this long after it was created
//! poll_interval_ms = 1000        # what the client is told to wait between tasks/get
//! max_running = 256              # beyond this many at once, calls are answered inline
//! ```
//!
//! The host's own long tools (`initiate_call_with_compliance`, `speak`) run as tasks without
//! being listed here, whatever name curation serves them under.

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TasksSettings {
    pub enabled: bool,
    /// More tools that run as tasks: served names or globs (`*`, `?`).
    pub tools: Vec<String>,
    pub ttl_seconds: u64,
    pub poll_interval_ms: u64,
    pub max_running: usize,
}

impl Default for TasksSettings {
    fn default() -> Self {
        Self { enabled: true, tools: Vec::new(), ttl_seconds: 3600, poll_interval_ms: 1000, max_running: 256 }
    }
}

impl TasksSettings {
    /// Checks values the types alone allow but that make no sense; says what to change.
    pub fn check(&self) -> Result<(), String> {
        if !(10..=7 * 24 * 3600).contains(&self.ttl_seconds) {
            return Err(format!("tasks.ttl_seconds is {}; use 10 to 604800 (a week)", self.ttl_seconds));
        }
        if !(50..=60_000).contains(&self.poll_interval_ms) {
            return Err(format!("tasks.poll_interval_ms is {}; use 50 to 60000", self.poll_interval_ms));
        }
        if !(1..=100_000).contains(&self.max_running) {
            return Err(format!("tasks.max_running is {}; use 1 to 100000", self.max_running));
        }
        if let Some(empty) = self.tools.iter().find(|t| t.trim().is_empty()) {
            return Err(format!("tasks.tools has an empty name ({empty:?})"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_hold_and_nonsense_is_named() {
        assert!(TasksSettings::default().check().is_ok());
        let bad = |s: TasksSettings| s.check().unwrap_err();
        assert!(bad(TasksSettings { ttl_seconds: 1, ..Default::default() }).contains("tasks.ttl_seconds"));
        assert!(bad(TasksSettings { poll_interval_ms: 0, ..Default::default() }).contains("poll_interval_ms"));
        assert!(bad(TasksSettings { max_running: 0, ..Default::default() }).contains("max_running"));
        assert!(bad(TasksSettings { tools: vec![" ".into()], ..Default::default() }).contains("empty"));
    }
}
