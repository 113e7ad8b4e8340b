//! `wasi:config/store`: the component's `[config]` values and the `[secrets]` its policy
//! resolved from the host's environment. Secrets reach the component here and nowhere else.

use std::sync::Arc;
use wasmtime::component::Linker;
use wasmtime_wasi_config::{WasiConfig, WasiConfigVariables};

/// What a call's component is configured with.
#[derive(Clone)]
pub struct ConfigGrant(pub Arc<WasiConfigVariables>);

/// The state that holds a [`ConfigGrant`].
pub trait ConfigState {
    fn config(&self) -> &ConfigGrant;
}

pub fn add_to_linker<T: ConfigState + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    wasmtime_wasi_config::add_to_linker(linker, |s: &mut T| WasiConfig::from(&*s.config().0))
}
