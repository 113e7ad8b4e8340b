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

/// The next report worth passing on: the latest, when it grew past the last one passed on
/// (progress only grows: the spec's rule); `None` once the call's reporters are gone and
/// nothing new is left.
pub(super) async fn next_growing(
    rx: &mut watch::Receiver<Option<Progress>>,
    last: &mut Option<f64>,
) -> Option<Progress> {
    loop {
        rx.changed().await.ok()?;
        let latest = rx.borrow_and_update().clone();
        if let Some(report) = latest.filter(|r| last.is_none_or(|done| r.done > done)) {
            *last = Some(report.done);
            return Some(report);
        }
    }
}

pub struct Forwarder {
    reports: Reports,
    task: JoinHandle<()>,
}

impl Forwarder {
    /// Starts sending the reports of one call to `peer`, under `token`.
    pub fn start(peer: Peer<RoleServer>, token: ProgressToken) -> Self {
        let (tx, mut rx) = watch::channel::<Option<Progress>>(None);
        let task = tokio::spawn(async move {
            let mut sent = None;
            while let Some(report) = next_growing(&mut rx, &mut sent).await {
                let mut param = ProgressNotificationParam::new(token.clone(), report.done);
                param.total = report.total;
                param.message = report.message;
                if peer.notify_progress(param).await.is_err() {
                    return; // the client is gone
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
