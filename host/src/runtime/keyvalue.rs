//! The host side of `wasi:keyvalue` (store, atomics, batch), backed by the host's durable
//! store. A component whose policy says `keyvalue = true` reads and writes its own namespace
//! (its name); any other gets `access-denied`. Bucket identifiers name buckets inside it
//! (`""` is the bucket `default`).

use super::state::CallState;
use crate::store::{KeyValue, StoreError};
use std::sync::Arc;
use wasmtime::component::{HasSelf, Linker, Resource};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit/deps/wasi-keyvalue",
        world: "wasi:keyvalue/imports",
        imports: { default: trappable },
        with: {
            "wasi:keyvalue/store.bucket": super::Bucket,
        },
        trappable_error_type: {
            "wasi:keyvalue/store.error" => super::KvError,
        },
    });
}

use bindings::wasi::keyvalue::{atomics, batch, store};

/// An open bucket of the calling component.
pub struct Bucket {
    name: String,
}

/// What a component may reach: the store, and the namespace that is its own.
#[derive(Clone)]
pub struct KvGrant {
    pub store: Arc<dyn KeyValue>,
    pub namespace: String,
}

#[doc(hidden)]
pub enum KvError {
    AccessDenied,
    Other(String),
}

impl From<StoreError> for KvError {
    fn from(e: StoreError) -> Self {
        Self::Other(e.to_string())
    }
}

impl From<wasmtime::component::ResourceTableError> for KvError {
    fn from(e: wasmtime::component::ResourceTableError) -> Self {
        Self::Other(e.to_string())
    }
}

pub(super) fn add_to_linker(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    store::add_to_linker::<CallState, HasSelf<CallState>>(linker, |s| s)?;
    atomics::add_to_linker::<CallState, HasSelf<CallState>>(linker, |s| s)?;
    batch::add_to_linker::<CallState, HasSelf<CallState>>(linker, |s| s)
}

impl CallState {
    /// The grant and the bucket behind a handle.
    fn bucket(&self, bucket: &Resource<Bucket>) -> Result<(KvGrant, String), KvError> {
        let grant = self.kv.clone().ok_or(KvError::AccessDenied)?;
        let name = self.table.get(bucket)?.name.clone();
        Ok((grant, name))
    }
}

impl store::Host for CallState {
    fn open(&mut self, identifier: String) -> Result<Resource<Bucket>, KvError> {
        if self.kv.is_none() {
            return Err(KvError::AccessDenied);
        }
        let name = if identifier.is_empty() { "default".to_owned() } else { identifier };
        Ok(self.table.push(Bucket { name })?)
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
        let (g, b) = self.bucket(&bucket)?;
        Ok(g.store.get(&g.namespace, &b, &key)?)
    }

    fn set(&mut self, bucket: Resource<Bucket>, key: String, value: Vec<u8>) -> Result<(), KvError> {
        let (g, b) = self.bucket(&bucket)?;
        Ok(g.store.set(&g.namespace, &b, &key, &value)?)
    }

    fn delete(&mut self, bucket: Resource<Bucket>, key: String) -> Result<(), KvError> {
        let (g, b) = self.bucket(&bucket)?;
        Ok(g.store.delete(&g.namespace, &b, &key)?)
    }

    fn exists(&mut self, bucket: Resource<Bucket>, key: String) -> Result<bool, KvError> {
        let (g, b) = self.bucket(&bucket)?;
        Ok(g.store.exists(&g.namespace, &b, &key)?)
    }

    fn list_keys(&mut self, bucket: Resource<Bucket>, cursor: Option<u64>) -> Result<store::KeyResponse, KvError> {
        let (g, b) = self.bucket(&bucket)?;
        let page = g.store.list_keys(&g.namespace, &b, cursor)?;
        Ok(store::KeyResponse { keys: page.keys, cursor: page.cursor })
    }

    fn drop(&mut self, bucket: Resource<Bucket>) -> wasmtime::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

impl atomics::Host for CallState {
    fn increment(&mut self, bucket: Resource<Bucket>, key: String, delta: u64) -> Result<u64, KvError> {
        let (g, b) = self.bucket(&bucket)?;
        Ok(g.store.increment(&g.namespace, &b, &key, delta)?)
    }
}

impl batch::Host for CallState {
    fn get_many(
        &mut self,
        bucket: Resource<Bucket>,
        keys: Vec<String>,
    ) -> Result<Vec<Option<(String, Vec<u8>)>>, KvError> {
        let (g, b) = self.bucket(&bucket)?;
        let values = g.store.get_many(&g.namespace, &b, &keys)?;
        Ok(keys.into_iter().zip(values).map(|(k, v)| v.map(|v| (k, v))).collect())
    }

    fn set_many(&mut self, bucket: Resource<Bucket>, key_values: Vec<(String, Vec<u8>)>) -> Result<(), KvError> {
        let (g, b) = self.bucket(&bucket)?;
        Ok(g.store.set_many(&g.namespace, &b, &key_values)?)
    }

    fn delete_many(&mut self, bucket: Resource<Bucket>, keys: Vec<String>) -> Result<(), KvError> {
        let (g, b) = self.bucket(&bucket)?;
        Ok(g.store.delete_many(&g.namespace, &b, &keys)?)
    }
}
