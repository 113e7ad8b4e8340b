//! The runtime layer: the one place that talks to wasmtime.
//!
//! A component is compiled once (or loaded from the precompiled cache), linked against the
//! host's imports into a cached `InstancePre`, and every call gets a fresh `Store` and
//! instance with its policy's deadline, memory cap and grants. Whatever the guest does, the
//! call ends in a value or a [`CallError`], and the host keeps serving.

mod cache;
pub mod docs;
mod engine;
pub mod hints;
mod incoming;
/// Progress reports of the call in flight, for the transport to forward.
pub mod progress {
    pub use crate::capabilities::progress::{Progress, Reports, muted, report, scope};
}
/// Log records of the call in flight, for the transport to forward.
pub mod logging {
    pub use crate::capabilities::logging::{Record, Records, scope};
    pub use crate::contracts::logging::logging::Level;
}
pub mod roles;
mod state;
#[cfg(test)]
mod tests;
pub mod types;
pub mod values;

pub use cache::digest;
pub use engine::{EPOCH_TICK, EngineSettings};
pub use incoming::IncomingError;
pub use types::{ExportedFunc, Param, Skipped, Surface, WitType};

/// What a component binary imports and exports, read without compiling it.
pub fn inspect(bytes: &[u8]) -> anyhow::Result<Surface> {
    read_surface(bytes).0
}

/// The surface of a component, and the problems with its WIT docs.
fn read_surface(bytes: &[u8]) -> (anyhow::Result<Surface>, Vec<String>) {
    let (doc_index, doc_problems) = docs::DocIndex::from_component(bytes);
    (types::surface(bytes, &doc_index), doc_problems)
}
pub use values::ArgError;

/// What loading reads from a component's bytes before it compiles them, which needs no
/// engine: so a start can do it while the engine sets up.
pub struct Inspection {
    /// Hex SHA-256 of the bytes.
    digest: String,
    surface: Result<Surface, String>,
    doc_problems: Vec<String>,
}

impl Inspection {
    pub fn of(bytes: &[u8]) -> Self {
        let (surface, doc_problems) = read_surface(bytes);
        Self { digest: cache::digest(bytes), surface: surface.map_err(|e| format!("{e:#}")), doc_problems }
    }
}

use crate::policy::Policy;
use serde_json::{Map, Value};
use state::CallState;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use wasmtime::component::{Component, ComponentExportIndex, Instance, InstancePre, Linker, Val};
use wasmtime::{Engine, Store, Trap, UpdateDeadline};
use wasmtime_wasi_config::WasiConfigVariables;

/// The interface whose import needs outbound hosts in the policy.
const OUTGOING_HTTP: &str = "wasi:http/outgoing-handler";
/// The export that makes a component a webhook handler.
const INCOMING_HTTP: &str = "wasi:http/incoming-handler";

pub struct Runtime {
    engine: Engine,
    /// The durable store behind `wasi:keyvalue`, for components granted it.
    kv: Option<Arc<dyn crate::store::KeyValue>>,
    linker: Linker<CallState>,
    cache: cache::ArtifactCache,
    host_slots: Arc<Semaphore>,
    _ticker: engine::EpochTicker,
}

/// A component ready to serve calls.
pub struct LoadedComponent {
    pub name: String,
    /// Hex SHA-256 of the component's bytes.
    pub digest: String,
    /// Unique to this load: a component loaded again (a new policy, say) gets a new one, so
    /// what was learned from the old load (provider info, cached audio) is not reused.
    pub load_id: u64,
    /// Where it came from: a file path, or `builtin`.
    pub source: String,
    pub policy: Policy,
    pub surface: Surface,
    /// Problems with the embedded WIT docs (the component still loads).
    pub doc_problems: Vec<String>,
    pre: InstancePre<CallState>,
    exports: Vec<ComponentExportIndex>,
    config: Arc<WasiConfigVariables>,
    slots: Arc<Semaphore>,
    /// Calls waiting for a slot.
    queued: AtomicU32,
    /// The role interfaces it exports, resolved for typed calls.
    roles: roles::RoleExports,
    /// Set when the component exports `wasi:http/incoming-handler` (webhooks).
    proxy: Option<wasmtime_wasi_http::p2::bindings::ProxyPre<CallState>>,
}

/// Decrements a counter when dropped.
struct Leave<'a>(&'a AtomicU32);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{origin}: not a valid component: {message}")]
    Compile { origin: String, message: String },
    #[error("{origin}: {message}")]
    Policy { origin: String, message: String },
    #[error("{origin}: cannot be linked: {message}")]
    Link { origin: String, message: String },
}

/// Why a call produced no value. Each is reported to the agent as a tool error.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    #[error("invalid arguments: {0}")]
    InvalidArguments(#[from] ArgError),
    #[error(
        "busy: {in_flight} calls to `{component}` are already running (its limit) and the queue is full; try again shortly"
    )]
    Busy { component: String, in_flight: u32 },
    #[error("stopped at its deadline: the call did not finish within {} ms", .timeout.as_millis())]
    DeadlineExceeded { timeout: Duration },
    #[error("ran out of memory: {detail}")]
    MemoryExhausted { detail: String },
    #[error("exhausted its call stack (unbounded recursion?)")]
    StackOverflow,
    #[error("crashed: {trap}{}", guest_said(.output))]
    Trap { trap: String, output: String },
    #[error("could not start: {0}")]
    Instantiate(String),
    #[error("returned {size} bytes, more than the {limit} its policy allows (max_result_kib); ask for less")]
    ResultTooLarge { size: u64, limit: u64 },
    #[error("not started: {0}")]
    Withdrawn(String),
}

impl CallError {
    /// A short, fixed label for logs and metrics. The message itself may quote arguments
    /// or guest output, which stay out of the logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidArguments(_) => "invalid_arguments",
            Self::Busy { .. } => "busy",
            Self::DeadlineExceeded { .. } => "deadline",
            Self::MemoryExhausted { .. } => "memory",
            Self::StackOverflow => "stack_overflow",
            Self::Trap { .. } => "trap",
            Self::Instantiate(_) => "instantiate",
            Self::ResultTooLarge { .. } => "result_too_large",
            Self::Withdrawn(_) => "withdrawn",
        }
    }
}

fn guest_said(output: &str) -> String {
    // A Rust panic prints its message on stderr; the last lines say what went wrong.
    let tail: Vec<&str> = output.lines().rev().filter(|l| !l.trim().is_empty()).take(3).collect();
    if tail.is_empty() {
        String::new()
    } else {
        let text: Vec<&str> = tail.into_iter().rev().collect();
        format!("; the component said: {}", text.join(" / "))
    }
}

/// What running an instance cost, besides its result.
#[derive(Debug, Clone, Default)]
pub struct CallStats {
    /// Outbound destinations the policy refused during the call.
    pub denied_hosts: Vec<String>,
    pub instantiate_time: Duration,
    /// The largest linear memory the instance grew to, in bytes.
    pub memory_peak: u64,
}

/// The outcome of a call that returned.
#[derive(Debug)]
pub struct CallOutput {
    /// The function's result as JSON, `None` for a function without a result.
    pub value: Option<Value>,
    /// Outbound destinations the policy refused during the call.
    pub denied_hosts: Vec<String>,
    pub instantiate_time: Duration,
    /// The largest linear memory the instance grew to, in bytes.
    pub memory_peak: u64,
}

impl Runtime {
    pub fn new(settings: &EngineSettings, cache_dir: Option<PathBuf>) -> wasmtime::Result<Self> {
        let engine = engine::build(settings)?;
        let mut linker = Linker::new(&engine);
        crate::capabilities::add_to_linker(&mut linker)?;
        Ok(Self {
            cache: cache::ArtifactCache::new(&engine, cache_dir),
            host_slots: Arc::new(Semaphore::new(settings.max_instances as usize)),
            _ticker: engine::EpochTicker::start(&engine),
            engine,
            linker,
            kv: None,
        })
    }

    /// Serves `wasi:keyvalue` from `store` to the components whose policy grants it.
    pub fn with_store(mut self, store: Arc<dyn crate::store::KeyValue>) -> Self {
        self.kv = Some(store);
        self
    }

    /// Compiles, checks and links a component. Nothing of it runs yet.
    pub fn load(&self, name: &str, bytes: &[u8], policy: Policy, source: &str) -> Result<LoadedComponent, LoadError> {
        self.load_inspected(name, bytes, Inspection::of(bytes), policy, source)
    }

    /// [`Runtime::load`], with what was read from `bytes` beforehand.
    pub fn load_inspected(
        &self,
        name: &str,
        bytes: &[u8],
        inspection: Inspection,
        policy: Policy,
        source: &str,
    ) -> Result<LoadedComponent, LoadError> {
        let compile = |message: String| LoadError::Compile { origin: source.to_owned(), message };
        if name.starts_with('@') {
            // The key-value namespace is the component's name; `@...` ones are the host's own.
            let message = format!("the name `{name}` is reserved (names starting with @ are the host's); rename it");
            return Err(LoadError::Policy { origin: source.to_owned(), message });
        }
        let Inspection { digest, surface, mut doc_problems } = inspection;
        let surface = surface.map_err(compile)?;
        doc_problems.extend(surface.doc_problems.iter().cloned());

        if policy.allowed_hosts.is_empty()
            && let Some(import) = surface.imports.iter().find(|i| i.starts_with(OUTGOING_HTTP))
        {
            return Err(LoadError::Policy {
                origin: source.to_owned(),
                message: format!(
                    "imports `{import}` but its policy allows no outbound host; \
                     list the hosts it may reach in `allowed_hosts`"
                ),
            });
        }

        let component = self.cache.load(&self.engine, bytes, &digest).map_err(|e| compile(format!("{e:#}")))?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| LoadError::Link { origin: source.to_owned(), message: format!("{e:#}") })?;
        let proxy = surface
            .exports
            .iter()
            .any(|e| e.starts_with(INCOMING_HTTP))
            .then(|| wasmtime_wasi_http::p2::bindings::ProxyPre::new(pre.clone()))
            .transpose()
            .map_err(|e| LoadError::Link { origin: source.to_owned(), message: format!("{e:#}") })?;
        let roles = roles::RoleExports::resolve(&surface.exports, &pre)
            .map_err(|e| LoadError::Link { origin: source.to_owned(), message: format!("{e:#}") })?;
        let exports = surface
            .functions
            .iter()
            .map(|f| export_index(&component, f))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| compile("an exported function could not be found by name".into()))?;
        let config = Arc::new(policy.config.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect());
        Ok(LoadedComponent {
            name: name.to_owned(),
            digest,
            load_id: {
                static NEXT: AtomicU64 = AtomicU64::new(1);
                NEXT.fetch_add(1, Ordering::Relaxed)
            },
            source: source.to_owned(),
            slots: Arc::new(Semaphore::new(policy.max_concurrent as usize)),
            queued: AtomicU32::new(0),
            proxy,
            roles,
            policy,
            surface,
            doc_problems,
            pre,
            exports,
            config,
        })
    }

    /// Calls function `index` of `component` with JSON arguments, in a fresh instance.
    pub async fn call(
        &self,
        component: &LoadedComponent,
        index: usize,
        args: Option<&Map<String, Value>>,
    ) -> Result<CallOutput, CallError> {
        let func = &component.surface.functions[index];
        // Validation happens before any instance exists.
        let params = values::args_to_vals(&func.params, args)?;
        let export = &component.exports[index];
        let result_count = usize::from(func.result.is_some());
        let (results, stats) = self
            .in_instance(component, None, move |mut store, instance| async move {
                let Some(f) = instance.get_func(&mut store, export) else {
                    return (store, Err(wasmtime::format_err!("export `{}` is missing", func.name)));
                };
                let mut results = vec![Val::Bool(false); result_count];
                let outcome = f.call_async(&mut store, &params, &mut results).await;
                (store, outcome.map(|()| results))
            })
            .await?;
        let size: u64 = results.iter().map(values::size_of).sum();
        if size > component.policy.max_result_bytes {
            return Err(CallError::ResultTooLarge { size, limit: component.policy.max_result_bytes });
        }
        Ok(CallOutput {
            value: func.result.as_ref().zip(results.first()).map(|(ty, v)| values::to_json(ty, v)),
            denied_hosts: stats.denied_hosts,
            instantiate_time: stats.instantiate_time,
            memory_peak: stats.memory_peak,
        })
    }

    /// Runs `body` against a fresh instance of `component`, within the component's slots,
    /// deadline and memory cap. `body` owns the store while it runs and hands it back with
    /// its outcome, so that a failure can be explained from what the store saw. `sink`
    /// receives the audio a TTS provider pushes, until the call ends.
    pub(crate) async fn in_instance<R, F, Fut>(
        &self,
        component: &LoadedComponent,
        sink: Option<tokio::sync::mpsc::Sender<Vec<u8>>>,
        body: F,
    ) -> Result<(R, CallStats), CallError>
    where
        F: FnOnce(Store<CallState>, Instance) -> Fut,
        Fut: Future<Output = (Store<CallState>, wasmtime::Result<R>)>,
    {
        self.in_instance_admitted(component, sink, &|| true, body).await
    }

    /// [`Self::in_instance`], asking `admit` once the call has its slot, before an instance
    /// exists: a call that waited for its turn while its provider's circuit breaker opened is
    /// withdrawn, not run.
    pub(crate) async fn in_instance_admitted<R, F, Fut>(
        &self,
        component: &LoadedComponent,
        sink: Option<tokio::sync::mpsc::Sender<Vec<u8>>>,
        admit: &(dyn Fn() -> bool + Sync),
        body: F,
    ) -> Result<(R, CallStats), CallError>
    where
        F: FnOnce(Store<CallState>, Instance) -> Fut,
        Fut: Future<Output = (Store<CallState>, wasmtime::Result<R>)>,
    {
        let timeout = component.policy.timeout;
        let deadline = Instant::now() + timeout;
        let _slots = self.acquire_slots(component, deadline).await?;
        if !admit() {
            return Err(CallError::Withdrawn(format!(
                "`{}`'s circuit breaker opened while this call waited for its turn",
                component.name
            )));
        }
        if Instant::now() >= deadline {
            // It waited its whole time for a slot: that is a busy host, not a slow guest.
            let in_flight = component.policy.max_concurrent;
            return Err(CallError::Busy { component: component.name.clone(), in_flight });
        }
        let mut store = self.new_store(component, deadline, sink);
        let run = async move {
            let started = Instant::now();
            let instance = match component.pre.instantiate_async(&mut store).await {
                Ok(instance) => instance,
                Err(e) => return Err(classify(e, true, store.data(), timeout)),
            };
            let instantiate_time = started.elapsed();
            let (store, outcome) = body(store, instance).await;
            let state = store.data();
            // A guest that failed after the sink refused its audio failed because of that.
            if let Some(size) = state.sink.overflow() {
                return Err(CallError::ResultTooLarge { size, limit: component.policy.max_result_bytes });
            }
            let value = outcome.map_err(|e| classify(e, false, state, timeout))?;
            let output = state.output();
            if !output.is_empty() {
                tracing::debug!(component = %component.name, bytes = output.len(), "guest wrote output");
            }
            let stats = CallStats {
                denied_hosts: state.http.denied().to_vec(),
                instantiate_time,
                memory_peak: state.limiter.peak as u64,
            };
            Ok((value, stats))
        };
        // Epoch interruption stops a guest that computes; this stops one that waits.
        match tokio::time::timeout_at((deadline + 2 * EPOCH_TICK).into(), run).await {
            Err(_elapsed) => Err(CallError::DeadlineExceeded { timeout }),
            Ok(outcome) => outcome,
        }
    }
}

impl Runtime {
    /// A slot of the component's and one of the host's, or a clear "busy": at most
    /// `max_queued` calls wait for a component slot, each until its deadline.
    async fn acquire_slots(
        &self,
        component: &LoadedComponent,
        deadline: Instant,
    ) -> Result<(OwnedSemaphorePermit, OwnedSemaphorePermit), CallError> {
        let busy = || CallError::Busy { component: component.name.clone(), in_flight: component.policy.max_concurrent };
        let slot = match component.slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                let queued = component.queued.fetch_add(1, Ordering::AcqRel);
                let _leave = Leave(&component.queued);
                if queued >= component.policy.max_queued {
                    return Err(busy());
                }
                tokio::time::timeout_at(deadline.into(), component.slots.clone().acquire_owned())
                    .await
                    .map_err(|_| busy())?
                    .map_err(|_| busy())?
            }
        };
        let host_slot = tokio::time::timeout_at(deadline.into(), self.host_slots.clone().acquire_owned())
            .await
            .map_err(|_| busy())?
            .map_err(|_| busy())?;
        Ok((slot, host_slot))
    }

    /// A fresh store with the component's grants, memory cap and deadline.
    fn new_store(
        &self,
        component: &LoadedComponent,
        deadline: Instant,
        audio: Option<tokio::sync::mpsc::Sender<Vec<u8>>>,
    ) -> Store<CallState> {
        let kv = match (&self.kv, component.policy.keyvalue) {
            (Some(store), true) => {
                Some(crate::capabilities::keyvalue::KvGrant { store: store.clone(), namespace: component.name.clone() })
            }
            _ => None,
        };
        let state = CallState::new(&component.policy, component.config.clone(), kv, audio);
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |mut ctx| {
            if Instant::now() >= deadline {
                ctx.data_mut().deadline_hit = true;
                Err(Trap::Interrupt.into())
            } else {
                // Let other calls run between ticks of a busy guest. Tokio's own yield lets
                // the IO driver run first, so a request (or the cancellation of this call)
                // that arrives while a guest computes is read within a tick; a plain
                // self-wake would wait for the driver's turn, up to 61 ticks away.
                Ok(UpdateDeadline::YieldCustom(1, Box::pin(tokio::task::yield_now())))
            }
        });
        store
    }
}

fn export_index(component: &Component, f: &ExportedFunc) -> Option<ComponentExportIndex> {
    match &f.interface {
        Some(iface) => {
            let parent = component.get_export_index(None, iface.as_str())?;
            component.get_export_index(Some(&parent), f.name.as_str())
        }
        None => component.get_export_index(None, f.name.as_str()),
    }
}

/// Turns a failed call into the error the agent sees.
fn classify(error: wasmtime::Error, instantiating: bool, state: &CallState, timeout: Duration) -> CallError {
    if state.deadline_hit {
        return CallError::DeadlineExceeded { timeout };
    }
    if let Some(detail) = &state.limiter.hit {
        return CallError::MemoryExhausted { detail: detail.clone() };
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::StackOverflow) => CallError::StackOverflow,
        Some(trap) => CallError::Trap { trap: trap.to_string(), output: state.output() },
        None if instantiating => CallError::Instantiate(format!("{error:#}")),
        None => CallError::Trap { trap: format!("{error:#}"), output: state.output() },
    }
}
