//! `wasi:logging/logging@0.1.0-draft`: a component's log records go to the host's log
//! (stderr through `tracing`, target `switchboard::component`, inside the call's span with
//! its correlation id) and, for a client that asked for log messages with
//! `logging/setLevel`, to the transport, which sends those at its level and above as
//! `notifications/message`.
//!
//! What a component writes is its author's choice; operators who want none of it filter the
//! target out (`RUST_LOG=info,switchboard::component=off`). A call may send at most
//! [`MAX_RECORDS`] records of at most [`MAX_MESSAGE`] bytes each; the rest are dropped.
//! As with progress (see [`super::progress`]), the transport runs the call inside
//! [`scope`], and each store made in it takes a [`Logger`] from there.

use super::clip;
use crate::contracts::logging::logging::{self, Level};
use std::future::Future;
use tokio::sync::mpsc;
use wasmtime::component::{HasSelf, Linker};

pub const MAX_RECORDS: u32 = 1000;
pub const MAX_MESSAGE: usize = 4096;

/// One record, for the client.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub level: Level,
    pub context: String,
    pub message: String,
}

/// Where a call's records go besides the host's log.
pub type Records = mpsc::Sender<Record>;

tokio::task_local! {
    static RECORDS: Records;
}

/// Runs `call` with its components' log records also going to `records`.
pub async fn scope<F: Future>(records: Records, call: F) -> F::Output {
    RECORDS.scope(records, call).await
}

/// A call's logger.
#[derive(Default)]
pub struct Logger {
    records: Option<Records>,
    written: u32,
}

impl Logger {
    /// The logger of a store made now, in this task.
    pub fn current() -> Self {
        Self { records: RECORDS.try_with(Clone::clone).ok(), written: 0 }
    }
}

/// The state that holds a [`Logger`].
pub trait LoggingState: Send {
    fn logger(&mut self) -> &mut Logger;
}

pub fn add_to_linker<T: LoggingState + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    logging::add_to_linker::<T, HasSelf<Logger>>(linker, T::logger)
}

impl logging::Host for Logger {
    fn log(&mut self, level: Level, context: String, message: String) {
        self.written += 1;
        if self.written > MAX_RECORDS {
            if self.written == MAX_RECORDS + 1 {
                tracing::warn!(target: "switchboard::component", limit = MAX_RECORDS, "the component logs too much: the rest of this call's records are dropped");
            }
            return;
        }
        let (context, message) = (clip(context, 256), clip(message, MAX_MESSAGE));
        match level {
            Level::Trace => tracing::trace!(target: "switchboard::component", %context, "{message}"),
            Level::Debug => tracing::debug!(target: "switchboard::component", %context, "{message}"),
            Level::Info => tracing::info!(target: "switchboard::component", %context, "{message}"),
            Level::Warn => tracing::warn!(target: "switchboard::component", %context, "{message}"),
            Level::Error | Level::Critical => {
                tracing::error!(target: "switchboard::component", %context, critical = matches!(level, Level::Critical), "{message}")
            }
        }
        if let Some(records) = &self.records {
            // A client slower than the component loses records, never the call its time.
            let _ = records.try_send(Record { level, context, message });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logging::Host as _;

    #[tokio::test]
    async fn records_in_a_scope_reach_it_up_to_the_limit() {
        let (tx, mut rx) = mpsc::channel(2 * MAX_RECORDS as usize);
        let mut logger = scope(tx, async { Logger::current() }).await;
        for i in 0..MAX_RECORDS + 5 {
            logger.log(Level::Info, "ctx".into(), format!("record {i}"));
        }
        logger.log(Level::Warn, "ctx".into(), "x".repeat(MAX_MESSAGE * 2));
        drop(logger);
        let mut got = Vec::new();
        while let Some(record) = rx.recv().await {
            got.push(record);
        }
        assert_eq!(got.len(), MAX_RECORDS as usize);
        assert_eq!(got[0].message, "record 0");
        let mut outside = Logger::current();
        outside.log(Level::Error, String::new(), "nowhere".into());
    }
}
