//! `notifications/progress` for a `tools/call` whose request carried a `progressToken`:
//! the components' reports during the call (see `capabilities::progress`), sent to the
//! client as they come, the latest one when they come faster than it takes them, and all
//! of them before the call's reply.

use crate::runtime::progress::{Progress, Reports};
use rmcp::RoleServer;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::Peer;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long a finished call's reply waits for its last progress notification.
const FLUSH: Duration = Duration::from_secs(1);

pub struct Forwarder {
    reports: Reports,
    task: JoinHandle<()>,
}

impl Forwarder {
    /// Starts sending the reports of one call to `peer`, under `token`.
    pub fn start(peer: Peer<RoleServer>, token: ProgressToken) -> Self {
        let (tx, mut rx) = watch::channel::<Option<Progress>>(None);
        let task = tokio::spawn(async move {
            let mut sent: Option<f64> = None;
            loop {
                let closed = rx.changed().await.is_err();
                let latest = rx.borrow_and_update().clone();
                // Progress only grows (the spec's rule): a report not above the last is dropped.
                if let Some(report) = latest.filter(|r| sent.is_none_or(|done| r.done > done)) {
                    sent = Some(report.done);
                    let mut param = ProgressNotificationParam::new(token.clone(), report.done);
                    param.total = report.total;
                    param.message = report.message;
                    if peer.notify_progress(param).await.is_err() {
                        return; // the client is gone
                    }
                }
                if closed {
                    return;
                }
            }
        });
        Self { reports: Arc::new(tx), task }
    }

    /// Where the call's components report.
    pub fn reports(&self) -> Reports {
        self.reports.clone()
    }

    /// The call is over: sends what is left, then returns.
    pub async fn finish(self) {
        drop(self.reports);
        let _ = tokio::time::timeout(FLUSH, self.task).await;
    }
}
