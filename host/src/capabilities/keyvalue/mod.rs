//! `wasi:keyvalue`, backed by the host's durable store. A component whose
//! policy says `keyvalue = true` reads and writes its own namespace (its name); any other gets
//! `access-denied`. Bucket identifiers name buckets inside it (`""` is the bucket `default`).
//!
//! Two revisions are served side by side, over the same buckets:
//! * [`draft2`], `wasi:keyvalue@0.2.0-draft2` (store, atomics with compare-and-swap, batch):
//!   the current one, and what Spin serves;
//! * [`draft`], `wasi:keyvalue@0.2.0-draft` (store, atomics with increment only, batch): what
//!   `wasmtime-wasi-keyvalue` serves, kept so that components built against it still load.

/// The `bucket` methods and `batch` functions both revisions share, for the generated
/// modules `$store` and `$batch`.
macro_rules! shared_host {
    ($store:ident, $batch:ident) => {
        impl $store::HostBucket for KvView<'_> {
            async fn get(&mut self, bucket: Resource<Bucket>, key: String) -> Result<Option<Vec<u8>>, KvError> {
                self.kv_get(&bucket, &key).await
            }

            async fn set(&mut self, bucket: Resource<Bucket>, key: String, value: Vec<u8>) -> Result<(), KvError> {
                self.kv_set(&bucket, &key, &value).await
            }

            async fn delete(&mut self, bucket: Resource<Bucket>, key: String) -> Result<(), KvError> {
                self.kv_delete(&bucket, &key).await
            }

            async fn exists(&mut self, bucket: Resource<Bucket>, key: String) -> Result<bool, KvError> {
                self.kv_exists(&bucket, &key).await
            }

            async fn list_keys(
                &mut self,
                bucket: Resource<Bucket>,
                cursor: Option<Cursor>,
            ) -> Result<$store::KeyResponse, KvError> {
                let (keys, cursor) = self.kv_list(&bucket, cursor.map(from_cursor).transpose()?).await?;
                Ok($store::KeyResponse { keys, cursor: cursor.map(to_cursor) })
            }

            async fn drop(&mut self, bucket: Resource<Bucket>) -> wasmtime::Result<()> {
                self.table.delete(bucket)?;
                Ok(())
            }
        }

        impl $batch::Host for KvView<'_> {
            async fn get_many(&mut self, bucket: Resource<Bucket>, keys: Vec<String>) -> Result<Found, KvError> {
                self.kv_get_many(&bucket, keys).await
            }

            async fn set_many(
                &mut self,
                bucket: Resource<Bucket>,
                pairs: Vec<(String, Vec<u8>)>,
            ) -> Result<(), KvError> {
                self.kv_set_many(&bucket, &pairs).await
            }

            async fn delete_many(&mut self, bucket: Resource<Bucket>, keys: Vec<String>) -> Result<(), KvError> {
                self.kv_delete_many(&bucket, &keys).await
            }
        }
    };
}

mod draft;
mod draft2;

use crate::store::{KeyValue, StoreError};
use std::sync::Arc;
use wasmtime::component::{HasData, Linker, Resource, ResourceTable};

/// An open bucket of the calling component.
pub struct Bucket {
    name: String,
}

/// A compare-and-swap in progress: the key, and the value read when it began.
pub struct Cas {
    bucket: String,
    key: String,
    current: Option<Vec<u8>>,
}

/// What `get-many` answers: each key's value, when it has one, with the key.
pub(super) type Found = Vec<Option<(String, Vec<u8>)>>;

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

/// A call's key-value grant: none when its policy does not say `keyvalue = true`.
pub struct KvCtx {
    grant: Option<KvGrant>,
}

impl KvCtx {
    pub fn new(grant: Option<KvGrant>) -> Self {
        Self { grant }
    }
}

/// What the host traits work on: the grant, and the call's resource table (buckets, CAS
/// handles).
pub struct KvView<'a> {
    kv: &'a KvCtx,
    table: &'a mut ResourceTable,
}

impl<'a> KvView<'a> {
    pub fn new(kv: &'a KvCtx, table: &'a mut ResourceTable) -> Self {
        Self { kv, table }
    }
}

/// The state that holds a [`KvCtx`].
pub trait KvState: Send {
    fn kv(&mut self) -> KvView<'_>;
}

/// The `HasData` of both revisions' generated `add_to_linker`s.
struct Kv;

impl HasData for Kv {
    type Data<'a> = KvView<'a>;
}

pub fn add_to_linker<T: KvState + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    draft::add_to_linker::<T>(linker)?;
    draft2::add_to_linker::<T>(linker)
}

impl KvView<'_> {
    /// Opens a bucket of the calling component, if its policy grants it state.
    fn open_bucket(&mut self, identifier: String) -> Result<Resource<Bucket>, KvError> {
        if self.kv.grant.is_none() {
            return Err(KvError::AccessDenied);
        }
        let name = if identifier.is_empty() { "default".to_owned() } else { identifier };
        Ok(self.table.push(Bucket { name })?)
    }

    /// The grant and the bucket behind a handle.
    fn bucket(&self, bucket: &Resource<Bucket>) -> Result<(KvGrant, String), KvError> {
        let grant = self.kv.grant.clone().ok_or(KvError::AccessDenied)?;
        let name = self.table.get(bucket)?.name.clone();
        Ok((grant, name))
    }

    async fn kv_get(&mut self, bucket: &Resource<Bucket>, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        let (g, b) = self.bucket(bucket)?;
        Ok(g.store.get(&g.namespace, &b, key).await?)
    }

    async fn kv_set(&mut self, bucket: &Resource<Bucket>, key: &str, value: &[u8]) -> Result<(), KvError> {
        let (g, b) = self.bucket(bucket)?;
        Ok(g.store.set(&g.namespace, &b, key, value).await?)
    }

    async fn kv_delete(&mut self, bucket: &Resource<Bucket>, key: &str) -> Result<(), KvError> {
        let (g, b) = self.bucket(bucket)?;
        Ok(g.store.delete(&g.namespace, &b, key).await?)
    }

    async fn kv_exists(&mut self, bucket: &Resource<Bucket>, key: &str) -> Result<bool, KvError> {
        let (g, b) = self.bucket(bucket)?;
        Ok(g.store.exists(&g.namespace, &b, key).await?)
    }

    /// A page of keys from position `cursor` on, and where the next page starts.
    async fn kv_list(
        &mut self,
        bucket: &Resource<Bucket>,
        cursor: Option<u64>,
    ) -> Result<(Vec<String>, Option<u64>), KvError> {
        let (g, b) = self.bucket(bucket)?;
        let page = g.store.list_keys(&g.namespace, &b, cursor).await?;
        Ok((page.keys, page.cursor))
    }

    async fn kv_increment(&mut self, bucket: &Resource<Bucket>, key: &str, delta: i64) -> Result<i64, KvError> {
        let (g, b) = self.bucket(bucket)?;
        Ok(g.store.increment(&g.namespace, &b, key, delta).await?)
    }

    async fn kv_get_many(&mut self, bucket: &Resource<Bucket>, keys: Vec<String>) -> Result<Found, KvError> {
        let (g, b) = self.bucket(bucket)?;
        let values = g.store.get_many(&g.namespace, &b, &keys).await?;
        Ok(keys.into_iter().zip(values).map(|(k, v)| v.map(|v| (k, v))).collect())
    }

    async fn kv_set_many(&mut self, bucket: &Resource<Bucket>, pairs: &[(String, Vec<u8>)]) -> Result<(), KvError> {
        let (g, b) = self.bucket(bucket)?;
        Ok(g.store.set_many(&g.namespace, &b, pairs).await?)
    }

    async fn kv_delete_many(&mut self, bucket: &Resource<Bucket>, keys: &[String]) -> Result<(), KvError> {
        let (g, b) = self.bucket(bucket)?;
        Ok(g.store.delete_many(&g.namespace, &b, keys).await?)
    }

    /// Starts a compare-and-swap of `key`: reads what is there now.
    async fn cas_begin(&mut self, bucket: &Resource<Bucket>, key: String) -> Result<Resource<Cas>, KvError> {
        let (g, b) = self.bucket(bucket)?;
        let current = g.store.get(&g.namespace, &b, &key).await?;
        Ok(self.table.push(Cas { bucket: b, key, current })?)
    }

    /// Finishes a compare-and-swap: `Ok(None)` when it wrote, `Ok(Some(fresh))` with a new
    /// handle on the value found instead when another write came first.
    async fn cas_swap(&mut self, cas: Resource<Cas>, value: Vec<u8>) -> Result<Option<Resource<Cas>>, KvError> {
        let cas = self.table.delete(cas)?;
        let g = self.kv.grant.clone().ok_or(KvError::AccessDenied)?;
        if g.store.compare_and_swap(&g.namespace, &cas.bucket, &cas.key, cas.current.as_deref(), &value).await? {
            return Ok(None);
        }
        let current = g.store.get(&g.namespace, &cas.bucket, &cas.key).await?;
        Ok(Some(self.table.push(Cas { bucket: cas.bucket, key: cas.key, current })?))
    }
}
