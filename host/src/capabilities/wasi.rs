//! WASI 0.2 itself, granting nothing by default: stdout and stderr are captured (stdout is
//! the MCP channel in stdio mode), no files, no environment, no sockets or name lookups;
//! clocks and random are there, the wall clock shifted by the policy's `clock_offset_seconds`
//! (so that time rules can be rehearsed at another hour).

use crate::policy::Policy;
use wasmtime::component::Linker;
use wasmtime_wasi::WasiCtx;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;

/// How much of a guest's stdout/stderr is kept for error messages and logs.
const OUTPUT_CAPTURE: usize = 16 * 1024;

/// A call's WASI context, and the pipe its output goes to.
pub fn context(policy: &Policy) -> (WasiCtx, MemoryOutputPipe) {
    let output = MemoryOutputPipe::new(OUTPUT_CAPTURE);
    let wasi = WasiCtx::builder()
        .stdout(output.clone())
        .stderr(output.clone())
        // Raw sockets are never granted; outbound HTTP goes through the `http` capability.
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .socket_addr_check(|_, _| Box::pin(async { false }))
        .wall_clock(ShiftedClock(policy.clock_offset))
        .build();
    (wasi, output)
}

/// What the guest wrote to stdout and stderr, lossily decoded.
pub fn output(pipe: &MemoryOutputPipe) -> String {
    String::from_utf8_lossy(&pipe.contents()).into_owned()
}

pub fn add_to_linker<T: wasmtime_wasi::WasiView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    wasmtime_wasi::p2::add_to_linker_async(linker)
}

/// The system wall clock, shifted by a number of seconds.
struct ShiftedClock(i64);

impl wasmtime_wasi::HostWallClock for ShiftedClock {
    fn resolution(&self) -> std::time::Duration {
        std::time::Duration::from_nanos(1)
    }

    fn now(&self) -> std::time::Duration {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let shift = std::time::Duration::from_secs(self.0.unsigned_abs());
        if self.0 >= 0 { now.saturating_add(shift) } else { now.saturating_sub(shift) }
    }
}
