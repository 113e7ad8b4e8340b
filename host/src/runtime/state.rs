//! The data of one call's `Store`: a WASI context that grants nothing, the outbound HTTP
//! hook that enforces the allowlist, the component's config, and its memory limiter.

use crate::policy::{HostPattern, Policy};
use std::sync::Arc;
use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, Result};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_config::WasiConfigVariables;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// How much of a guest's stdout/stderr is kept for error messages and logs.
const OUTPUT_CAPTURE: usize = 16 * 1024;
/// Table elements one instance may grow to (function tables of large guests stay far below).
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

pub struct CallState {
    wasi: WasiCtx,
    pub(super) table: ResourceTable,
    http: WasiHttpCtx,
    pub(super) outbound: OutboundHttp,
    pub(super) config: Arc<WasiConfigVariables>,
    pub(super) limiter: MemoryLimiter,
    pub(super) output: MemoryOutputPipe,
    /// Set when the epoch callback stopped the guest at its deadline.
    pub(super) deadline_hit: bool,
    /// The durable state the component may use, when its policy grants it.
    pub(super) kv: Option<super::keyvalue::KvGrant>,
    /// Where a TTS provider's audio goes during a synthesis; `None` for any other call.
    pub(super) sink: Option<tokio::sync::mpsc::Sender<Vec<u8>>>,
    /// Audio bytes pushed so far, and the most the policy allows (`max_result_kib`).
    pub(super) sink_bytes: u64,
    pub(super) sink_limit: u64,
    /// Set, with the size reached, when a provider pushed more audio than allowed.
    pub(super) sink_overflow: Option<u64>,
}

/// The system wall clock, shifted by the policy's `clock_offset_seconds`.
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

impl CallState {
    pub fn new(policy: &Policy, config: Arc<WasiConfigVariables>, kv: Option<super::keyvalue::KvGrant>) -> Self {
        let output = MemoryOutputPipe::new(OUTPUT_CAPTURE);
        let wasi = WasiCtx::builder()
            // stdout is the MCP channel in stdio mode: guest output is captured, never inherited.
            .stdout(output.clone())
            .stderr(output.clone())
            // Raw sockets are never granted; outbound HTTP goes through the hook below.
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .socket_addr_check(|_, _| Box::pin(async { false }))
            .wall_clock(ShiftedClock(policy.clock_offset))
            .build();
        Self {
            wasi,
            table: ResourceTable::new(),
            http: WasiHttpCtx::new(),
            outbound: OutboundHttp { allowed: policy.allowed_hosts.clone().into(), denied: Vec::new() },
            config,
            limiter: MemoryLimiter { limit: policy.memory_bytes as usize, hit: None, peak: 0 },
            output,
            deadline_hit: false,
            kv,
            sink: None,
            sink_bytes: 0,
            sink_limit: policy.max_result_bytes,
            sink_overflow: None,
        }
    }

    /// What the guest wrote to stdout and stderr, lossily decoded.
    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.output.contents()).into_owned()
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for CallState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { hooks: &mut self.outbound, table: &mut self.table, ctx: &mut self.http }
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

/// The `wasi:http` outbound hook: requests go out only to the policy's allowed hosts.
pub struct OutboundHttp {
    allowed: Arc<[HostPattern]>,
    /// Destinations refused during this call, for the error message and the log.
    pub(super) denied: Vec<String>,
}

impl OutboundHttp {
    fn allows(&self, uri: &http::Uri) -> Result<(), String> {
        let Some(host) = uri.host() else { return Err(uri.to_string()) };
        let port = uri.port_u16().unwrap_or(if uri.scheme_str() == Some("http") { 80 } else { 443 });
        if self.allowed.iter().any(|p| p.matches(host.trim_matches(['[', ']']), port)) {
            Ok(())
        } else {
            Err(format!("{host}:{port}"))
        }
    }
}

type Io = Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>;

impl wasmtime_wasi_http::WasiHttpHooks for OutboundHttp {
    fn send_request(
        &mut self,
        request: http::Request<wasmtime_wasi_http::WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        _fut: Io,
    ) -> Box<
        dyn Future<Output = Result<(http::Response<wasmtime_wasi_http::WasiBody>, Io), wasmtime_wasi_http::Error>>
            + Send,
    > {
        if let Err(destination) = self.allows(request.uri()) {
            tracing::warn!(%destination, "outbound request denied by policy");
            self.denied.push(destination);
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        Box::new(async move {
            use http_body_util::BodyExt;
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((response.map(BodyExt::boxed_unsync), Box::new(io) as Io))
        })
    }
}
