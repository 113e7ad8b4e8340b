//! The host's durable state: an embedded SQLite database (WAL, synchronous commits) behind the
//! [`KeyValue`] trait, which `wasi:keyvalue` serves to components, each in its own namespace.
//! A write that returned has been committed to disk: a crash right after loses nothing that
//! was acknowledged.

mod sqlite;

pub use sqlite::SqliteStore;

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
pub trait KeyValue: Send + Sync {
    fn get(&self, ns: &str, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    fn set(&self, ns: &str, bucket: &str, key: &str, value: &[u8]) -> Result<(), StoreError>;
    fn delete(&self, ns: &str, bucket: &str, key: &str) -> Result<(), StoreError>;
    fn exists(&self, ns: &str, bucket: &str, key: &str) -> Result<bool, StoreError>;
    fn list_keys(&self, ns: &str, bucket: &str, cursor: Option<u64>) -> Result<KeyPage, StoreError>;
    /// Adds `delta` (which may be negative) to the decimal number stored at `key` (0 when
    /// absent), atomically; the new value.
    fn increment(&self, ns: &str, bucket: &str, key: &str, delta: i64) -> Result<i64, StoreError>;
    /// Writes `value` at `key` only if the key still holds `expected` (`None`: only if it is
    /// absent), in one atomic step against every other writer; false, writing nothing, if not.
    fn compare_and_swap(
        &self,
        ns: &str,
        bucket: &str,
        key: &str,
        expected: Option<&[u8]>,
        value: &[u8],
    ) -> Result<bool, StoreError>;
    fn get_many(&self, ns: &str, bucket: &str, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError>;
    /// All or nothing.
    fn set_many(&self, ns: &str, bucket: &str, pairs: &[(String, Vec<u8>)]) -> Result<(), StoreError>;
    fn delete_many(&self, ns: &str, bucket: &str, keys: &[String]) -> Result<(), StoreError>;
}

/// The store at a path, opened on first use: a host whose components keep no state never
/// creates the file. An open that failed is reported on every use, never a crash.
pub struct LazyStore {
    path: std::path::PathBuf,
    cell: std::sync::OnceLock<Result<SqliteStore, StoreError>>,
}

impl LazyStore {
    pub fn new(path: std::path::PathBuf) -> Self {
        Self { path, cell: std::sync::OnceLock::new() }
    }

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

impl KeyValue for LazyStore {
    fn get(&self, ns: &str, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.store()?.get(ns, bucket, key)
    }
    fn set(&self, ns: &str, bucket: &str, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.store()?.set(ns, bucket, key, value)
    }
    fn delete(&self, ns: &str, bucket: &str, key: &str) -> Result<(), StoreError> {
        self.store()?.delete(ns, bucket, key)
    }
    fn exists(&self, ns: &str, bucket: &str, key: &str) -> Result<bool, StoreError> {
        self.store()?.exists(ns, bucket, key)
    }
    fn list_keys(&self, ns: &str, bucket: &str, cursor: Option<u64>) -> Result<KeyPage, StoreError> {
        self.store()?.list_keys(ns, bucket, cursor)
    }
    fn increment(&self, ns: &str, bucket: &str, key: &str, delta: i64) -> Result<i64, StoreError> {
        self.store()?.increment(ns, bucket, key, delta)
    }
    fn compare_and_swap(
        &self,
        ns: &str,
        bucket: &str,
        key: &str,
        expected: Option<&[u8]>,
        value: &[u8],
    ) -> Result<bool, StoreError> {
        self.store()?.compare_and_swap(ns, bucket, key, expected, value)
    }
    fn get_many(&self, ns: &str, bucket: &str, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        self.store()?.get_many(ns, bucket, keys)
    }
    fn set_many(&self, ns: &str, bucket: &str, pairs: &[(String, Vec<u8>)]) -> Result<(), StoreError> {
        self.store()?.set_many(ns, bucket, pairs)
    }
    fn delete_many(&self, ns: &str, bucket: &str, keys: &[String]) -> Result<(), StoreError> {
        self.store()?.delete_many(ns, bucket, keys)
    }
}
