//! `wasi:keyvalue@0.2.0-draft` (store, atomics with an unsigned increment, batch), over the
//! same buckets as the current revision.

use super::{Bucket, Found, KvError};
use super::{Kv, KvState, KvView};
use wasmtime::component::{Linker, Resource};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit/deps/wasi-keyvalue-draft",
        world: "wasi:keyvalue/imports",
        imports: { default: async | trappable },
        with: {
            "wasi:keyvalue/store.bucket": crate::capabilities::keyvalue::Bucket,
        },
        trappable_error_type: {
            "wasi:keyvalue/store.error" => crate::capabilities::keyvalue::KvError,
        },
    });
}

use bindings::wasi::keyvalue::{atomics, batch, store};

pub(super) fn add_to_linker<T: KvState + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    store::add_to_linker::<T, Kv>(linker, T::kv)?;
    atomics::add_to_linker::<T, Kv>(linker, T::kv)?;
    batch::add_to_linker::<T, Kv>(linker, T::kv)
}

impl store::Host for KvView<'_> {
    async fn open(&mut self, identifier: String) -> Result<Resource<Bucket>, KvError> {
        self.open_bucket(identifier)
    }

    fn convert_error(&mut self, err: KvError) -> wasmtime::Result<store::Error> {
        Ok(match err {
            KvError::AccessDenied => store::Error::AccessDenied,
            KvError::Other(message) => store::Error::Other(message),
        })
    }
}

shared_host!(store, batch);

/// This revision's cursor is the position itself.
type Cursor = u64;

fn from_cursor(c: Cursor) -> Result<u64, KvError> {
    Ok(c)
}

fn to_cursor(n: u64) -> Cursor {
    n
}

impl atomics::Host for KvView<'_> {
    /// This revision counts in `u64`; the store keeps signed 64-bit counters.
    async fn increment(&mut self, bucket: Resource<Bucket>, key: String, delta: u64) -> Result<u64, KvError> {
        let delta = i64::try_from(delta).map_err(|_| {
            KvError::Other(format!("increment of `{key}` by {delta}: the largest delta is {}", i64::MAX))
        })?;
        let value = self.kv_increment(&bucket, &key, delta).await?;
        u64::try_from(value).map_err(|_| {
            KvError::Other(format!(
                "`{key}` holds {value}, which this (unsigned) revision of wasi:keyvalue cannot return"
            ))
        })
    }
}
