//! `wasi:http/outgoing-handler`, through an egress hook: a request goes out only to a host
//! (and port) the policy's `allowed_hosts` lists; any other is refused, remembered for the
//! error message and the log, and never sent.

use crate::policy::{HostPattern, Policy};
use std::sync::Arc;
use wasmtime::component::{Linker, ResourceTable};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView};

/// A call's outbound HTTP: the wasi-http context and the allowlist hook.
pub struct Egress {
    ctx: WasiHttpCtx,
    hook: OutboundHttp,
}

impl Egress {
    pub fn new(policy: &Policy) -> Self {
        Self {
            ctx: WasiHttpCtx::new(),
            hook: OutboundHttp { allowed: policy.allowed_hosts.clone().into(), denied: Vec::new() },
        }
    }

    /// The view wasi-http's host traits work on.
    pub fn view<'a>(&'a mut self, table: &'a mut ResourceTable) -> WasiHttpCtxView<'a> {
        WasiHttpCtxView { hooks: &mut self.hook, table, ctx: &mut self.ctx }
    }

    /// Destinations refused during this call.
    pub fn denied(&self) -> &[String] {
        &self.hook.denied
    }
}

/// Only wasi-http's own interfaces: WASI's are the `wasi` capability's.
pub fn add_to_linker<T: wasmtime_wasi_http::WasiHttpView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(linker)
}

/// The `wasi:http` outbound hook: requests go out only to the policy's allowed hosts.
struct OutboundHttp {
    allowed: Arc<[HostPattern]>,
    /// Destinations refused during this call, for the error message and the log.
    denied: Vec<String>,
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
