//! `wasi:keyvalue@0.2.0-draft2`: store, atomics (increment and compare-and-swap) and batch.
//!
//! `cas.new` reads the key; `swap` writes only if the key still holds what was read, as one
//! conditional write of the store ([`crate::store::KeyValue::compare_and_swap`]), and answers
//! `cas-failed` with a fresh handle on the value it found instead, for the guest to retry.

use super::{Bucket, Cas, Found, KvError};
use super::{Kv, KvState, KvView};
use wasmtime::component::{Linker, Resource};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit/deps/wasi-keyvalue",
        world: "wasi:keyvalue/imports",
        imports: { default: async | trappable },
        with: {
            "wasi:keyvalue/store.bucket": crate::capabilities::keyvalue::Bucket,
            "wasi:keyvalue/atomics.cas": crate::capabilities::keyvalue::Cas,
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

fn error(err: KvError) -> store::Error {
    match err {
        KvError::AccessDenied => store::Error::AccessDenied,
        KvError::Other(message) => store::Error::Other(message),
    }
}

impl store::Host for KvView<'_> {
    async fn open(&mut self, identifier: String) -> Result<Resource<Bucket>, KvError> {
        self.open_bucket(identifier)
    }

    fn convert_error(&mut self, err: KvError) -> wasmtime::Result<store::Error> {
        Ok(error(err))
    }
}

shared_host!(store, batch);

/// This revision's cursor is a string: the decimal position of the next page.
type Cursor = String;

fn from_cursor(c: Cursor) -> Result<u64, KvError> {
    c.parse::<u64>()
        .map_err(|_| KvError::Other(format!("cursor {c:?} is not one list-keys gave: pass its cursor back unchanged")))
}

fn to_cursor(n: u64) -> Cursor {
    n.to_string()
}

impl atomics::Host for KvView<'_> {
    async fn increment(&mut self, bucket: Resource<Bucket>, key: String, delta: i64) -> Result<i64, KvError> {
        self.kv_increment(&bucket, &key, delta).await
    }

    async fn swap(&mut self, cas: Resource<Cas>, value: Vec<u8>) -> wasmtime::Result<Result<(), atomics::CasError>> {
        Ok(match self.cas_swap(cas, value).await {
            Ok(None) => Ok(()),
            Ok(Some(fresh)) => Err(atomics::CasError::CasFailed(fresh)),
            Err(e) => Err(atomics::CasError::StoreError(error(e))),
        })
    }
}

impl atomics::HostCas for KvView<'_> {
    async fn new(&mut self, bucket: Resource<Bucket>, key: String) -> Result<Resource<Cas>, KvError> {
        self.cas_begin(&bucket, key).await
    }

    async fn current(&mut self, cas: Resource<Cas>) -> Result<Option<Vec<u8>>, KvError> {
        Ok(self.table.get(&cas)?.current.clone())
    }

    async fn drop(&mut self, cas: Resource<Cas>) -> wasmtime::Result<()> {
        self.table.delete(cas)?;
        Ok(())
    }
}
