//! Webhooks: an HTTP request handed to a component's exported `wasi:http/incoming-handler`,
//! in a fresh instance with the same deadline, memory cap and grants as a tool call.

use super::{CallError, LoadedComponent, Runtime};
use bytes::Bytes;
use http_body_util::Full;
use std::time::Instant;
use wasmtime_wasi_http::WasiHttpView as _;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;

/// Why a webhook got no response from the component.
#[derive(Debug, thiserror::Error)]
pub enum IncomingError {
    #[error("component `{0}` does not export wasi:http/incoming-handler")]
    NotAHandler(String),
    #[error(transparent)]
    Call(#[from] CallError),
    #[error("the component answered with an error: {0}")]
    Handler(String),
}

impl Runtime {
    /// Hands `request` to the component and returns its response. The response body keeps
    /// streaming from the instance until it is done or the deadline passes.
    pub async fn handle_http(
        &self,
        component: &LoadedComponent,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<HyperOutgoingBody>, IncomingError> {
        let proxy = component.proxy.clone().ok_or_else(|| IncomingError::NotAHandler(component.name.clone()))?;
        let timeout = component.policy.timeout;
        let deadline = Instant::now() + timeout;
        let slots = self.acquire_slots(component, deadline).await?;
        let mut store = self.new_store(component, deadline, None);
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let setup = |store: &mut wasmtime::Store<super::state::CallState>| -> wasmtime::Result<_> {
            let req = store.data_mut().http().new_incoming_request(Scheme::Http, request.map(Full::new))?;
            let out = store.data_mut().http().new_response_outparam(sender)?;
            Ok((req, out))
        };
        let (req, out) = setup(&mut store).map_err(|e| CallError::Instantiate(format!("{e:#}")))?;
        let name = component.name.clone();
        // The instance lives in its own task, so the body can stream after the headers.
        let task = tokio::spawn(async move {
            let _slots = slots;
            let run = async {
                let proxy = proxy.instantiate_async(&mut store).await?;
                proxy.wasi_http_incoming_handler().call_handle(&mut store, req, out).await
            };
            match tokio::time::timeout(timeout, run).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(super::classify(e, false, store.data(), timeout)),
                Err(_) => Err(CallError::DeadlineExceeded { timeout }),
            }
        });
        match receiver.await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(code)) => Err(IncomingError::Handler(format!("{code:?}"))),
            // The outparam was dropped unset: the task says why.
            Err(_) => match task.await {
                Ok(Err(e)) => Err(e.into()),
                Ok(Ok(())) => Err(IncomingError::Handler(format!("`{name}` never set a response"))),
                Err(e) => Err(IncomingError::Handler(format!("the handler task failed: {e}"))),
            },
        }
    }
}
