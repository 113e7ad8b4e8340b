//! `notifications/progress` for a `tools/call` whose request carried a `progressToken`:
//! the components' reports during the call (see `capabilities::progress`), sent to the
//! client as they come, the latest one when they come faster than it takes them, and all
//! of them before the call's reply.

use crate::runtime::progress::Progress;
use futures::future::BoxFuture;
use rmcp::RoleServer;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::Peer;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

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

/// The progress of one call, sent to its client from the call's own task. Most calls report
/// nothing, and for them nothing is set up but a channel: no task, no timer.
pub struct Forwarder {
    peer: Peer<RoleServer>,
    token: ProgressToken,
}

impl Forwarder {
    /// The reports of one call go to `peer`, under `token`.
    pub fn new(peer: Peer<RoleServer>, token: ProgressToken) -> Self {
        Self { peer, token }
    }

    /// Runs `call` with its components reporting here, passing the reports on while it
    /// runs. When it is over, what is left is sent (for at most [`FLUSH`]) before its
    /// result is returned, so no report comes after the reply.
    pub async fn run<F: Future>(self, call: F) -> F::Output {
        let (tx, mut rx) = watch::channel::<Option<Progress>>(None);
        let mut call = std::pin::pin!(crate::runtime::progress::scope(Arc::new(tx), call));
        // Until the first report, the call runs beside a wait on the channel alone.
        let output = tokio::select! {
            biased;
            output = &mut call => Some(output),
            _ = rx.changed() => {
                rx.mark_changed(); // the sending loop starts with this report
                None
            }
        };
        if let Some(output) = output {
            // Still unsent: a report made in the poll that finished the call.
            if rx.borrow().has_changed() {
                let _ = tokio::time::timeout(FLUSH, self.send(rx)).await;
            }
            return output;
        }
        // Boxed (by `send`): the state of a notification on its way is not carried by every call.
        let mut send = self.send(rx);
        let output = tokio::select! {
            biased;
            output = &mut call => output,
            () = &mut send => return call.await, // the client is gone
        };
        let _ = tokio::time::timeout(FLUSH, send).await;
        output
    }

    /// Sends the reports as they grow, until the call and every reporter in it are gone.
    fn send(self, mut rx: watch::Receiver<Option<Progress>>) -> BoxFuture<'static, ()> {
        let Self { peer, token } = self;
        Box::pin(async move {
            let mut sent = None;
            while let Some(report) = next_growing(&mut rx, &mut sent).await {
                let mut param = ProgressNotificationParam::new(token.clone(), report.done);
                param.total = report.total;
                param.message = report.message;
                if peer.notify_progress(param).await.is_err() {
                    return; // the client is gone
                }
            }
        })
    }
}
