//! The data of one call's `Store`: one context of each capability (what the component's
//! policy grants it, see [`crate::capabilities`]), the resource table they share, the memory
//! limiter, and whether the deadline stopped the guest.

use crate::capabilities::config::{ConfigGrant, ConfigState};
use crate::capabilities::http::Egress;
use crate::capabilities::keyvalue::{KvCtx, KvGrant, KvState, KvView};
use crate::capabilities::logging::{Logger, LoggingState};
use crate::capabilities::progress::{ProgressState, Reporter};
use crate::capabilities::sink::{Sink, SinkState};
use crate::policy::Policy;
use std::sync::Arc;
use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, Result};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_config::WasiConfigVariables;
use wasmtime_wasi_http::{WasiHttpCtxView, WasiHttpView};

/// Table elements one instance may grow to (function tables of large guests stay far below).
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

pub struct CallState {
    pub(super) table: ResourceTable,
    wasi: WasiCtx,
    output: MemoryOutputPipe,
    pub(super) http: Egress,
    config: ConfigGrant,
    kv: KvCtx,
    pub(super) sink: Sink,
    progress: Reporter,
    logger: Logger,
    pub(super) limiter: MemoryLimiter,
    /// Set when the epoch callback stopped the guest at its deadline.
    pub(super) deadline_hit: bool,
}

impl CallState {
    /// The state of a call to a component with `policy`; `audio` is the sink of a synthesis.
    pub fn new(
        policy: &Policy,
        config: Arc<WasiConfigVariables>,
        kv: Option<KvGrant>,
        audio: Option<tokio::sync::mpsc::Sender<Vec<u8>>>,
    ) -> Self {
        let (wasi, output) = crate::capabilities::wasi::context(policy);
        Self {
            table: ResourceTable::new(),
            wasi,
            output,
            http: Egress::new(policy),
            config: ConfigGrant(config),
            kv: KvCtx::new(kv),
            sink: Sink::new(audio, policy.max_result_bytes),
            progress: Reporter::current(),
            logger: Logger::current(),
            limiter: MemoryLimiter { limit: policy.memory_bytes as usize, hit: None, peak: 0 },
            deadline_hit: false,
        }
    }

    /// What the guest wrote to stdout and stderr, lossily decoded.
    pub fn output(&self) -> String {
        crate::capabilities::wasi::output(&self.output)
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for CallState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        self.http.view(&mut self.table)
    }
}

impl ConfigState for CallState {
    fn config(&self) -> &ConfigGrant {
        &self.config
    }
}

impl KvState for CallState {
    fn kv(&mut self) -> KvView<'_> {
        KvView::new(&self.kv, &mut self.table)
    }
}

impl LoggingState for CallState {
    fn logger(&mut self) -> &mut Logger {
        &mut self.logger
    }
}

impl ProgressState for CallState {
    fn progress(&mut self) -> &mut Reporter {
        &mut self.progress
    }
}

impl SinkState for CallState {
    fn sink(&mut self) -> &mut Sink {
        &mut self.sink
    }
}

/// Caps linear memory at the policy's limit and remembers when a guest hit it.
pub struct MemoryLimiter {
    limit: usize,
    /// Set, with what happened, when the guest asked for more than its cap.
    pub(super) hit: Option<String>,
    /// The largest linear memory the instance grew to, in bytes.
    pub(super) peak: usize,
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _max: Option<usize>) -> Result<bool> {
        if desired > self.limit {
            let detail = format!(
                "the component asked for {} MiB of memory; its policy allows {} MiB",
                desired.div_ceil(1 << 20),
                self.limit >> 20
            );
            self.hit = Some(detail.clone());
            return Err(wasmtime::format_err!("{detail}"));
        }
        self.peak = self.peak.max(desired);
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _max: Option<usize>) -> Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}
