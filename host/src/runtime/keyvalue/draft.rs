//! `wasi:keyvalue@0.2.0-draft` (store, atomics with an unsigned increment, batch), over the
//! same buckets as the current revision.

use super::{Bucket, Found, KvError};
use crate::runtime::state::CallState;
use wasmtime::component::{HasSelf, Linker, Resource};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit/deps/wasi-keyvalue-draft",
        world: "wasi:keyvalue/imports",
        imports: { default: trappable },
        with: {
            "wasi:keyvalue/store.bucket": crate::runtime::keyvalue::Bucket,
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

impl store::Host for CallState {
    fn open(&mut self, identifier: String) -> Result<Resource<Bucket>, KvError> {
        self.open_bucket(identifier)
    }

    fn convert_error(&mut self, err: KvError) -> wasmtime::Result<store::Error> {
        Ok(match err {
            KvError::AccessDenied => store::Error::AccessDenied,
            KvError::Other(message) => store::Error::Other(message),
        })
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

    fn list_keys(&mut self, bucket: Resource<Bucket>, cursor: Option<u64>) -> Result<store::KeyResponse, KvError> {
        let (keys, cursor) = self.kv_list(&bucket, cursor)?;
        Ok(store::KeyResponse { keys, cursor })
    }

    fn drop(&mut self, bucket: Resource<Bucket>) -> wasmtime::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

impl atomics::Host for CallState {
    /// This revision counts in `u64`; the store keeps signed 64-bit counters.
    fn increment(&mut self, bucket: Resource<Bucket>, key: String, delta: u64) -> Result<u64, KvError> {
        let delta = i64::try_from(delta).map_err(|_| {
            KvError::Other(format!("increment of `{key}` by {delta}: the largest delta is {}", i64::MAX))
        })?;
        let value = self.kv_increment(&bucket, &key, delta)?;
        u64::try_from(value).map_err(|_| {
            KvError::Other(format!(
                "`{key}` holds {value}, which this (unsigned) revision of wasi:keyvalue cannot return"
            ))
        })
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
