//! The host's durable state behind the [`KeyValue`] trait, which `wasi:keyvalue` serves to
//! components (each in its own namespace) and the calling role keeps its call records in.
//! Two backends:
//!
//! * [`LazyStore`], the embedded default: one SQLite file (WAL, synchronous commits), whose
//!   calls run in place;
//! * [`PostgresStore`], shared by several hosts (`[store] url = "postgres://..."`).
//!
//! Either way, a write that returned has been committed: a crash right after loses nothing
//! that was acknowledged.

mod postgres;
mod sqlite;

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
use std::sync::Arc;

/// Why a store operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("the state store at {path} cannot be opened: {message}")]
    Open { path: String, message: String },
    #[error("the state store failed: {0}")]
    Backend(String),
    #[error("`{key}` holds {value:?}, not a number to increment")]
    NotANumber { key: String, value: String },
    #[error("incrementing `{key}` would overflow")]
    Overflow { key: String },
}

/// One page of keys, and the cursor of the next page if there is one.
pub struct KeyPage {
    pub keys: Vec<String>,
    pub cursor: Option<u64>,
}

/// Key-value state by namespace (one per component) and bucket.
#[async_trait::async_trait]
pub trait KeyValue: Send + Sync {
    async fn get(&self, ns: &str, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    async fn set(&self, ns: &str, bucket: &str, key: &str, value: &[u8]) -> Result<(), StoreError>;
    async fn delete(&self, ns: &str, bucket: &str, key: &str) -> Result<(), StoreError>;
    async fn exists(&self, ns: &str, bucket: &str, key: &str) -> Result<bool, StoreError>;
    async fn list_keys(&self, ns: &str, bucket: &str, cursor: Option<u64>) -> Result<KeyPage, StoreError>;
    /// Adds `delta` (which may be negative) to the decimal number stored at `key` (0 when
    /// absent), atomically; the new value.
    async fn increment(&self, ns: &str, bucket: &str, key: &str, delta: i64) -> Result<i64, StoreError>;
    /// Writes `value` at `key` only if the key still holds `expected` (`None`: only if it is
    /// absent), in one atomic step against every other writer; false, writing nothing, if not.
    async fn compare_and_swap(
        &self,
        ns: &str,
        bucket: &str,
        key: &str,
        expected: Option<&[u8]>,
        value: &[u8],
    ) -> Result<bool, StoreError>;
    async fn get_many(&self, ns: &str, bucket: &str, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError>;
    /// All or nothing.
    async fn set_many(&self, ns: &str, bucket: &str, pairs: &[(String, Vec<u8>)]) -> Result<(), StoreError>;
    async fn delete_many(&self, ns: &str, bucket: &str, keys: &[String]) -> Result<(), StoreError>;
}

/// Where the state lives, from `[store]`: the shared database when a URL is given, else the
/// embedded file. `password` is for a URL that carries none.
pub fn open(
    url: Option<&str>,
    password: Option<&str>,
    path: std::path::PathBuf,
) -> Result<Arc<dyn KeyValue>, StoreError> {
    Ok(match url {
        Some(url) => {
            let store = PostgresStore::new(url, password)?;
            // Migrate now, so that a host tells at start whether its database is usable; a
            // database that is down is retried on first use.
            let migrating = store.clone();
            tokio::spawn(async move {
                if let Err(e) = migrating.migrate().await {
                    tracing::error!(error = %e, "state store not ready; it is tried again on first use");
                }
            });
            store
        }
        None => Arc::new(LazyStore::new(path)),
    })
}

/// The embedded store at a path, opened on first use: a host whose components keep no state
/// never creates the file. An open that failed is reported on every use, never a crash. Its
/// calls run in place on the async worker: a commit takes well under a millisecond here.
/// Sending writes to the blocking pool was measured: a decision on one number then interleaves
/// with the others at every write, and 64 callers on one number lose their compare-and-swaps to
/// one another until they give up (`cargo bench --bench calling`). Taking writes off the
/// workers needs decisions on one number to go one at a time in the host first.
pub struct LazyStore {
    path: std::path::PathBuf,
    cell: std::sync::OnceLock<Result<SqliteStore, StoreError>>,
}

impl LazyStore {
    pub fn new(path: std::path::PathBuf) -> Self {
        Self { path, cell: std::sync::OnceLock::new() }
    }

    /// The store, opened the first time.
    fn store(&self) -> Result<&SqliteStore, StoreError> {
        let opened = self.cell.get_or_init(|| {
            let store = SqliteStore::open(&self.path);
            match &store {
                Ok(_) => tracing::info!(path = %self.path.display(), "state store opened"),
                Err(e) => tracing::error!(error = %e, "state store unavailable"),
            }
            store
        });
        opened.as_ref().map_err(Clone::clone)
    }
}

#[async_trait::async_trait]
impl KeyValue for LazyStore {
    async fn get(&self, ns: &str, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.store()?.get(ns, bucket, key)
    }
    async fn set(&self, ns: &str, bucket: &str, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.store()?.set(ns, bucket, key, value)
    }
    async fn delete(&self, ns: &str, bucket: &str, key: &str) -> Result<(), StoreError> {
        self.store()?.delete(ns, bucket, key)
    }
    async fn exists(&self, ns: &str, bucket: &str, key: &str) -> Result<bool, StoreError> {
        self.store()?.exists(ns, bucket, key)
    }
    async fn list_keys(&self, ns: &str, bucket: &str, cursor: Option<u64>) -> Result<KeyPage, StoreError> {
        self.store()?.list_keys(ns, bucket, cursor)
    }
    async fn increment(&self, ns: &str, bucket: &str, key: &str, delta: i64) -> Result<i64, StoreError> {
        self.store()?.increment(ns, bucket, key, delta)
    }
    async fn compare_and_swap(
        &self,
        ns: &str,
        bucket: &str,
        key: &str,
        expected: Option<&[u8]>,
        value: &[u8],
    ) -> Result<bool, StoreError> {
        self.store()?.compare_and_swap(ns, bucket, key, expected, value)
    }
    async fn get_many(&self, ns: &str, bucket: &str, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        self.store()?.get_many(ns, bucket, keys)
    }
    async fn set_many(&self, ns: &str, bucket: &str, pairs: &[(String, Vec<u8>)]) -> Result<(), StoreError> {
        self.store()?.set_many(ns, bucket, pairs)
    }
    async fn delete_many(&self, ns: &str, bucket: &str, keys: &[String]) -> Result<(), StoreError> {
        self.store()?.delete_many(ns, bucket, keys)
    }
}
