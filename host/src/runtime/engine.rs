//! The wasmtime `Engine`: compilation settings, the pooling allocator, and the epoch ticker
//! that gives every call a deadline.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use wasmtime::Result;
use wasmtime::error::Context as _;
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How often the epoch advances. A guest stuck in a loop is interrupted at most one tick
/// after its deadline, and a busy guest yields to other calls every tick.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Address space the pooling allocator may reserve for linear memories (of the 128 TiB a
/// 64-bit Linux process has).
const ADDRESS_BUDGET: u64 = 24 << 40;
const DEFAULT_RESERVATION: u64 = 4 << 30;

/// Sizing of the engine, from the host's configuration.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// Instances alive at once, across all components (sizes the pooling allocator).
    pub max_instances: u32,
    /// The largest linear memory any policy may grant.
    pub max_memory_bytes: u64,
    /// Use the pooling allocator (fast instantiation); falls back to on-demand when the
    /// machine cannot reserve the pool.
    pub pooling: bool,
}

pub fn build(settings: &EngineSettings) -> Result<Engine> {
    let mut config = base_config();
    if settings.pooling {
        let n = settings.max_instances.max(1);
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(n)
            // A Rust wasip2 component has a handful of core instances (the program, shims
            // and fix-ups); leave room for larger toolchains' adapters.
            .total_core_instances(n.saturating_mul(8))
            .total_memories(n.saturating_mul(2))
            .total_tables(n.saturating_mul(4))
            .total_stacks(n)
            .max_memory_size(settings.max_memory_bytes as usize)
            .max_component_instance_size(4 << 20)
            .max_core_instance_size(4 << 20)
            // A finished call's memory is reset in place: PAGEMAP_SCAN (Linux 6.7+) finds the
            // pages the call touched, and those (up to 1 MiB) are zeroed or copied back from
            // the image and stay resident. Returning them with madvise instead flushed every
            // other core's TLB per call (an IPI each) and made the next call fault them in
            // again. Without the ioctl a resident prefix would be zeroed whole, touching
            // pages a Rust guest never uses (its stack and data lie above 1 MiB), so then
            // memory goes back with madvise as before, in batches. The price: a slot keeps
            // the pages its last call touched, so after a burst the RSS stays near the
            // burst's peak (bounded by `max_instances` slots, reused for the next calls).
            .pagemap_scan(Enabled::Auto)
            .linear_memory_keep_resident(if PoolingAllocationConfig::is_pagemap_scan_available() { 1 << 20 } else { 0 })
            .decommit_batch_size(32)
            .table_keep_resident(16 << 10);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        // Each memory slot reserves address space (4 GiB by default, for bounds checks
        // by guard pages). With many slots, shrink the reservation to fit the budget;
        // past that, wasmtime checks bounds explicitly.
        let per_slot = (ADDRESS_BUDGET / u64::from(n.saturating_mul(2))).min(DEFAULT_RESERVATION);
        if per_slot < DEFAULT_RESERVATION {
            config.memory_reservation(per_slot.max(settings.max_memory_bytes));
        }
        match Engine::new(&config) {
            Ok(engine) => return Ok(engine),
            Err(e) => {
                tracing::warn!(error = %e, "pooling allocator unavailable; using on-demand allocation");
                config = base_config();
            }
        }
    }
    Engine::new(&config).context("creating the wasmtime engine")
}

fn base_config() -> Config {
    let mut config = Config::new();
    config.wasm_component_model(true).epoch_interruption(true).max_wasm_stack(1 << 20).async_stack_size(2 << 20);
    config
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until dropped.
pub struct EpochTicker {
    stop: Arc<AtomicBool>,
}

impl EpochTicker {
    pub fn start(engine: &Engine) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let (engine, flag) = (engine.weak(), stop.clone());
        std::thread::Builder::new()
            .name("epoch-ticker".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    match engine.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            })
            .expect("spawning the epoch ticker thread");
        Self { stop }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
