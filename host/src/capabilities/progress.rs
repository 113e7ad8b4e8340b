//! `switchboard:progress/progress`: a component reports how far the call in flight has got,
//! and the transport tells the client that asked (MCP `notifications/progress`).
//!
//! The transport runs a call that wants progress inside [`scope`]; each store made during
//! it takes a [`Reporter`] from there, so the layers between (catalog, roles, runtime) carry
//! nothing. Reports go into a `watch` channel: the latest wins, so a guest reporting in a
//! tight loop cannot flood the client or the host's memory.
//!
//! The host's own long tools (a placed call, speech) report through [`report`] into the same
//! scope; around the components they call they report alone ([`muted`]), so that two counts
//! never interleave.

use crate::contracts::progress::progress;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::watch;
use wasmtime::component::{HasSelf, Linker};

/// The most message text sent with one report.
const MAX_MESSAGE: usize = 1024;

/// One report.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub done: f64,
    pub total: Option<f64>,
    pub message: Option<String>,
}

/// Where the reports of one tool call go.
pub type Reports = Arc<watch::Sender<Option<Progress>>>;

tokio::task_local! {
    static REPORTS: Reports;
}

/// Runs `call` with its components' progress reports going to `reports`.
pub async fn scope<F: Future>(reports: Reports, call: F) -> F::Output {
    REPORTS.scope(reports, call).await
}

/// Runs `call` with the progress reports of what it calls going nowhere: for a host tool that
/// reports its own steps around a component's call.
pub async fn muted<F: Future>(call: F) -> F::Output {
    REPORTS.scope(Arc::new(watch::channel(None).0), call).await
}

/// A report from the host itself, for the call in flight in this task (if it wants them;
/// the message is made only then). The receiving end passes on only growing counts.
pub fn report(done: f64, total: Option<f64>, message: impl FnOnce() -> String) {
    let _ = REPORTS.try_with(|reports| {
        let message = Some(super::clip(message(), MAX_MESSAGE));
        reports.send_replace(Some(Progress { done, total, message }));
    });
}

/// A call's progress reporter: connected when the call runs in a [`scope`].
#[derive(Default)]
pub struct Reporter {
    reports: Option<Reports>,
    last: Option<f64>,
}

impl Reporter {
    /// The reporter of a store made now, in this task.
    pub fn current() -> Self {
        Self { reports: REPORTS.try_with(Arc::clone).ok(), last: None }
    }
}

/// The state that holds a [`Reporter`].
pub trait ProgressState: Send {
    fn progress(&mut self) -> &mut Reporter;
}

pub fn add_to_linker<T: ProgressState + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    progress::add_to_linker::<T, HasSelf<Reporter>>(linker, T::progress)
}

impl progress::Host for Reporter {
    fn report(&mut self, done: f64, total: Option<f64>, message: Option<String>) {
        let Some(reports) = &self.reports else { return };
        if !done.is_finite() || self.last.is_some_and(|last| done <= last) || total.is_some_and(|t| !t.is_finite()) {
            return;
        }
        self.last = Some(done);
        let message = message.map(|m| super::clip(m, MAX_MESSAGE));
        reports.send_replace(Some(Progress { done, total, message }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use progress::Host as _;

    #[tokio::test]
    async fn reports_in_a_scope_reach_it_and_only_growing_ones() {
        let (tx, mut rx) = watch::channel(None);
        let tx = Arc::new(tx);
        let mut reporter = scope(tx.clone(), async { Reporter::current() }).await;
        reporter.report(1.0, Some(4.0), Some("one".into()));
        assert_eq!(rx.borrow_and_update().as_ref().map(|p| p.done), Some(1.0));
        reporter.report(1.0, None, None);
        reporter.report(f64::NAN, None, None);
        assert!(!rx.has_changed().unwrap(), "a report not above the last is ignored");
        reporter.report(2.0, None, Some("é".repeat(MAX_MESSAGE)));
        let sent = rx.borrow_and_update().clone().unwrap();
        assert!(sent.message.unwrap().len() <= MAX_MESSAGE);
        // Outside a scope reports go nowhere.
        Reporter::current().report(1.0, None, None);
    }
}
