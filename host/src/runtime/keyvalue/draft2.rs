//! `wasi:keyvalue@0.2.0-draft2`: store, atomics (increment and compare-and-swap) and batch.
//!
//! `cas.new` reads the key; `swap` writes only if the key still holds what was read, as one
//! conditional write of the store ([`crate::store::KeyValue::compare_and_swap`]), and answers
//! `cas-failed` with a fresh handle on the value it found instead, for the guest to retry.

use super::{Bucket, Cas, Found, KvError};
use crate::runtime::state::CallState;
use wasmtime::component::{HasSelf, Linker, Resource};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit/deps/wasi-keyvalue",
        world: "wasi:keyvalue/imports",
        imports: { default: trappable },
        with: {
            "wasi:keyvalue/store.bucket": crate::runtime::keyvalue::Bucket,
            "wasi:keyvalue/atomics.cas": crate::runtime::keyvalue::Cas,
        },
        trappable_error_type: {
            "wasi:keyvalue/store.error" => crate::runtime::keyvalue::KvError,
        },
    });
}

use bindings::wasi::keyvalue::{atomics, batch, store};

pub(super) fn add_to_linker(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    store::add_to_linker::<CallState, HasSelf<CallState>>(linker, |s| s)?;
    atomics::add_to_linker::<CallState, HasSelf<CallState>>(linker, |s| s)?;
    batch::add_to_linker::<CallState, HasSelf<CallState>>(linker, |s| s)
}

fn error(err: KvError) -> store::Error {
    match err {
        KvError::AccessDenied => store::Error::AccessDenied,
        KvError::Other(message) => store::Error::Other(message),
    }
}

impl store::Host for CallState {
    fn open(&mut self, identifier: String) -> Result<Resource<Bucket>, KvError> {
        self.open_bucket(identifier)
    }

    fn convert_error(&mut self, err: KvError) -> wasmtime::Result<store::Error> {
        Ok(error(err))
    }
}

impl store::HostBucket for CallState {
    fn get(&mut self, bucket: Resource<Bucket>, key: String) -> Result<Option<Vec<u8>>, KvError> {
        self.kv_get(&bucket, &key)
    }

    fn set(&mut self, bucket: Resource<Bucket>, key: String, value: Vec<u8>) -> Result<(), KvError> {
        self.kv_set(&bucket, &key, &value)
    }

    fn delete(&mut self, bucket: Resource<Bucket>, key: String) -> Result<(), KvError> {
        self.kv_delete(&bucket, &key)
    }

    fn exists(&mut self, bucket: Resource<Bucket>, key: String) -> Result<bool, KvError> {
        self.kv_exists(&bucket, &key)
    }

    /// This revision's cursor is a string: the decimal position of the next page.
    fn list_keys(&mut self, bucket: Resource<Bucket>, cursor: Option<String>) -> Result<store::KeyResponse, KvError> {
        let position = cursor
            .map(|c| {
                c.parse::<u64>().map_err(|_| {
                    KvError::Other(format!("cursor {c:?} is not one list-keys gave: pass its cursor back unchanged"))
                })
            })
            .transpose()?;
        let (keys, next) = self.kv_list(&bucket, position)?;
        Ok(store::KeyResponse { keys, cursor: next.map(|n| n.to_string()) })
    }

    fn drop(&mut self, bucket: Resource<Bucket>) -> wasmtime::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

impl atomics::Host for CallState {
    fn increment(&mut self, bucket: Resource<Bucket>, key: String, delta: i64) -> Result<i64, KvError> {
        self.kv_increment(&bucket, &key, delta)
    }

    fn swap(&mut self, cas: Resource<Cas>, value: Vec<u8>) -> wasmtime::Result<Result<(), atomics::CasError>> {
        Ok(match self.cas_swap(cas, value) {
            Ok(None) => Ok(()),
            Ok(Some(fresh)) => Err(atomics::CasError::CasFailed(fresh)),
            Err(e) => Err(atomics::CasError::StoreError(error(e))),
        })
    }
}

impl atomics::HostCas for CallState {
    fn new(&mut self, bucket: Resource<Bucket>, key: String) -> Result<Resource<Cas>, KvError> {
        self.cas_begin(&bucket, key)
    }

    fn current(&mut self, cas: Resource<Cas>) -> Result<Option<Vec<u8>>, KvError> {
        Ok(self.table.get(&cas)?.current.clone())
    }

    fn drop(&mut self, cas: Resource<Cas>) -> wasmtime::Result<()> {
        self.table.delete(cas)?;
        Ok(())
    }
}

impl batch::Host for CallState {
    fn get_many(&mut self, bucket: Resource<Bucket>, keys: Vec<String>) -> Result<Found, KvError> {
        self.kv_get_many(&bucket, keys)
    }

    fn set_many(&mut self, bucket: Resource<Bucket>, key_values: Vec<(String, Vec<u8>)>) -> Result<(), KvError> {
        self.kv_set_many(&bucket, &key_values)
    }

    fn delete_many(&mut self, bucket: Resource<Bucket>, keys: Vec<String>) -> Result<(), KvError> {
        self.kv_delete_many(&bucket, &keys)
    }
}
