//! MCP tasks (the `io.modelcontextprotocol/tasks` extension, SEP-2663, shipped with the
//! 2026-07-28 revision): a long `tools/call` from a client that declares the extension is
//! answered at once with a task handle, runs on, and the client polls `tasks/get` for its
//! state and, at the end, its result; `tasks/cancel` asks it to stop.
//!
//! rmcp's [`TaskManager`] keeps the tasks (lifecycle, TTL, cancellation signal); this adds
//! what a host serving many agents needs around it: which calls become tasks (`[tasks]` and
//! the host's own long tools), a ceiling on how many run at once (beyond it a call is answered
//! inline, which the extension allows), a task bound to the OAuth subject that created it (an
//! unguessable id is already a capability; with tokens, another subject is not shown it), and
//! the call's progress reports as the task's status message.
//!
//! The extension has no `tasks/list` and no `tasks/result` (the 2025-11-25 design it
//! replaced had both): the result is in `tasks/get`, and a listing would show one caller's
//! tasks to another. rmcp answers both with -32601, as the extension requires.

use crate::catalog::curation::matches;
use crate::config::TasksSettings;
use crate::runtime::progress::{Progress, Reports};
use rmcp::ErrorData as McpError;
use rmcp::model::{DetailedTask, Task};
use rmcp::task_manager::{TaskContext, TaskFuture, TaskManager, TaskOptions};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Who may see a task: the OAuth subject that created it (none without OAuth).
pub type Subject = Option<Arc<str>>;

pub struct Tasks {
    manager: TaskManager,
    settings: TasksSettings,
    /// Each task's subject and when it was made, dropped a while after the task's TTL.
    owners: Mutex<HashMap<String, (Subject, Instant)>>,
}

impl Tasks {
    pub fn new(settings: TasksSettings) -> Self {
        Self { manager: TaskManager::new(), settings, owners: Mutex::default() }
    }

    pub fn enabled(&self) -> bool {
        self.settings.enabled
    }

    /// Whether a call of `name` runs as a task for a client that can take one: the host's own
    /// long tools (`runs_long`) and the tools `[tasks] tools` names.
    pub fn wanted(&self, name: &str, runs_long: bool) -> bool {
        self.settings.enabled && (runs_long || self.settings.tools.iter().any(|p| matches(p, name)))
    }

    fn ttl(&self) -> Duration {
        Duration::from_secs(self.settings.ttl_seconds)
    }

    /// When a task made now should settle by: before its TTL runs out (a tenth of it, at most
    /// a minute, to spare), so that its outcome is a result and not an expiry.
    pub fn settle_by(&self) -> tokio::time::Instant {
        let ttl = self.ttl();
        tokio::time::Instant::now() + ttl - (ttl / 10).min(Duration::from_secs(60))
    }

    /// Starts `make`'s future as a task, or returns `None` when `max_running` tasks run
    /// already (the caller then answers inline).
    pub fn spawn(&self, subject: Subject, make: impl FnOnce(TaskContext) -> TaskFuture) -> Option<Task> {
        let running = self.manager.running_task_count();
        if running >= self.settings.max_running {
            tracing::warn!(running, max = self.settings.max_running, "tasks at their ceiling: answering inline");
            return None;
        }
        let options = TaskOptions::new()
            .with_ttl_ms(self.settings.ttl_seconds * 1000)
            .with_poll_interval_ms(self.settings.poll_interval_ms);
        let task = self.manager.spawn(options, make);
        let mut owners = self.owners.lock().unwrap_or_else(|e| e.into_inner());
        // rmcp keeps a finished task for one more TTL; the owner outlives that a little.
        let keep = self.ttl() * 2 + Duration::from_secs(60);
        owners.retain(|_, (_, made)| made.elapsed() < keep);
        owners.insert(task.task_id.clone(), (subject, Instant::now()));
        Some(task)
    }

    /// `tasks/get`.
    pub fn get(&self, subject: &Subject, id: &str) -> Result<DetailedTask, McpError> {
        self.own(subject, id)?;
        self.manager.get_task(id)
    }

    /// `tasks/cancel`: the task is told; how it stops is its own (see `transport::mcp`).
    pub fn cancel(&self, subject: &Subject, id: &str) -> Result<(), McpError> {
        self.own(subject, id)?;
        self.manager.cancel_task(id)
    }

    /// `tasks/update`: no task here asks its client for input, so there is nothing to deliver.
    pub fn update(&self, subject: &Subject, id: &str) -> Result<(), McpError> {
        self.own(subject, id)?;
        self.manager.update_task(id, [])
    }

    /// A task of another subject is answered as one that does not exist.
    fn own(&self, subject: &Subject, id: &str) -> Result<(), McpError> {
        let owners = self.owners.lock().unwrap_or_else(|e| e.into_inner());
        match owners.get(id) {
            Some((Some(owner), _)) if subject.as_deref() != Some(&**owner) => {
                Err(McpError::invalid_params(format!("unknown task: {id}"), None))
            }
            _ => Ok(()),
        }
    }
}

/// A task's progress reports, shown as its status message (`tasks/get` gives it).
pub struct StatusMessages {
    reports: Reports,
    task: JoinHandle<()>,
}

impl StatusMessages {
    pub fn start(context: TaskContext) -> Self {
        let (tx, mut rx) = watch::channel::<Option<Progress>>(None);
        let task = tokio::spawn(async move {
            let mut last = None;
            while let Some(report) = super::progress::next_growing(&mut rx, &mut last).await {
                context.set_status_message(status_message(&report));
            }
        });
        Self { reports: Arc::new(tx), task }
    }

    pub fn reports(&self) -> Reports {
        self.reports.clone()
    }

    /// The call is over: the last report is in the task before its result.
    pub async fn finish(self) {
        drop(self.reports);
        let _ = self.task.await;
    }
}

fn status_message(report: &Progress) -> String {
    match (&report.message, report.total) {
        (Some(message), _) => message.clone(),
        (None, Some(total)) => format!("{} of {total}", report.done),
        (None, None) => format!("{} done", report.done),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_s_long_tools_and_the_listed_ones_run_as_tasks() {
        let tasks = Tasks::new(TasksSettings { tools: vec!["batch_*".into()], ..Default::default() });
        assert!(tasks.wanted("speak", true));
        assert!(tasks.wanted("batch_translate", false));
        assert!(!tasks.wanted("hello_tool_greet", false));
        let off = Tasks::new(TasksSettings { enabled: false, ..Default::default() });
        assert!(!off.wanted("speak", true));
    }

    #[tokio::test]
    async fn a_task_is_shown_only_to_its_subject_and_the_ceiling_holds() {
        let tasks = Tasks::new(TasksSettings { max_running: 1, ..Default::default() });
        let alice: Subject = Some("alice".into());
        let slow = |_: TaskContext| -> TaskFuture {
            Box::pin(async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                Ok(rmcp::model::CallToolResult::success(vec![]))
            })
        };
        let task = tasks.spawn(alice.clone(), slow).expect("room for one");
        assert!(tasks.get(&alice, &task.task_id).is_ok());
        let err = tasks.get(&Some("mallory".into()), &task.task_id).unwrap_err();
        assert!(err.message.contains("unknown task"), "{err:?}");
        assert!(tasks.cancel(&None, &task.task_id).is_err(), "no subject is not alice either");
        assert!(tasks.spawn(None, slow).is_none(), "over the ceiling the call is answered inline");
    }

    #[test]
    fn status_messages_say_what_the_reports_say() {
        let p = |done, total, message: Option<&str>| Progress { done, total, message: message.map(str::to_owned) };
        assert_eq!(status_message(&p(1.0, Some(4.0), Some("allowed"))), "allowed");
        assert_eq!(status_message(&p(2.0, Some(4.0), None)), "2 of 4");
        assert_eq!(status_message(&p(3.0, None, None)), "3 done");
    }
}
