//! Hot-loading: watch the components directory and reload when a `.wasm` or a policy
//! changes. Events are debounced, so a file still being copied is read once it is whole;
//! the reload compiles on this watcher's thread, never on the serving path.

use crate::host::Host;
use notify_debouncer_full::notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Quiet time after the last change before a reload.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// Keeps the directory watched while alive.
pub struct DirWatch {
    _debouncer: Debouncer<notify_debouncer_full::notify::RecommendedWatcher, RecommendedCache>,
}

/// Starts watching `dirs`: the components directory, the config file's directory (its
/// `[speech]` table takes effect without a restart) and the OCI store, when a component
/// comes from a registry.
pub fn watch(host: Arc<Host>, dirs: &[&Path]) -> anyhow::Result<DirWatch> {
    let (tx, rx) = std::sync::mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(DEBOUNCE, None, tx)?;
    for dir in dirs {
        debouncer.watch(dir, RecursiveMode::NonRecursive)?;
    }
    std::thread::Builder::new().name("component-watch".into()).spawn(move || {
        while let Ok(result) = rx.recv() {
            // Several batches may be queued: one reload covers them all.
            let mut relevant = matters(&result);
            while let Ok(more) = rx.try_recv() {
                relevant |= matters(&more);
            }
            if !relevant {
                continue;
            }
            match host.reload() {
                Ok(report) if report.changed() || !report.rejected.is_empty() => tracing::info!(
                    loaded = ?report.loaded,
                    unloaded = ?report.unloaded,
                    rejected = report.rejected.len(),
                    "components reloaded"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "reloading components failed"),
            }
        }
    })?;
    tracing::info!(dirs = ?dirs, "watching for component and config changes");
    Ok(DirWatch { _debouncer: debouncer })
}

/// The OCI store's pins (`crate::oci`): a `components pull` that moved one is a changed component.
const PINS: &str = "pins.json";

/// Whether a batch of events touches a component, a policy file or the OCI pins.
fn matters(result: &DebounceEventResult) -> bool {
    match result {
        Ok(events) => events
            .iter()
            .flat_map(|e| e.paths.iter())
            .any(|p| p.extension().is_some_and(|x| x == "wasm" || x == "toml") || p.ends_with(PINS)),
        Err(errors) => {
            for e in errors {
                tracing::warn!(error = %e, "watching the components directory");
            }
            true
        }
    }
}
