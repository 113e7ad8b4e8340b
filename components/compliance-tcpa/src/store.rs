//! Durable state behind a small trait: `wasi:keyvalue` in the component (`kv_wasi`), a map in
//! memory for the tests. Every key lives in one bucket, so that one `get-many` reads all a
//! check needs; the key layout is here.

use crate::model::Error;

/// The operations the checker uses. Values are bytes; counters are decimal text (as
/// `wasi:keyvalue/atomics` keeps them).
pub trait Kv {
    /// The values of `keys`, in order.
    fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, Error>;
    /// Writes all pairs, all or nothing.
    fn set_many(&self, pairs: &[(String, Vec<u8>)]) -> Result<(), Error>;
    fn delete(&self, key: &str) -> Result<(), Error>;
    /// Adds `delta` to the counter at `key` (0 when absent), atomically; the new value.
    fn increment(&self, key: &str, delta: u64) -> Result<u64, Error>;
    /// Reads `key` to change it by compare-and-swap.
    fn watch(&self, key: &str) -> Result<Watched, Error>;
    /// Writes `value` where `watched` was read, only if nothing else wrote there since; false,
    /// writing nothing, when something did.
    fn swap(&self, watched: Watched, value: Vec<u8>) -> Result<bool, Error>;

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.get_many(&[key.to_owned()])?.pop().flatten())
    }
}

/// A key read for a compare-and-swap: the value found, and the store's handle on it.
pub struct Watched {
    pub key: String,
    pub current: Option<Vec<u8>>,
    /// What the store needs to finish the swap (a `wasi:keyvalue` CAS handle, say).
    pub(crate) handle: Box<dyn std::any::Any>,
}

/// The bucket all state lives in.
pub const BUCKET: &str = "tcpa";

/// Keys. `d` is a number's 10 national digits.
pub mod keys {
    /// The last completed registry import (`dnc::RegistryMeta`, JSON).
    pub const REGISTRY: &str = "registry";
    /// Counter: registry import generations.
    pub const REGISTRY_GENERATION: &str = "registry-generation";
    /// Counter: audit entries.
    pub const AUDIT_SEQ: &str = "audit-seq";

    /// A number on the national registry: the generation of the import that listed it.
    pub fn national(d: &str) -> String {
        format!("nat/{d}")
    }
    /// A number on the internal list (`DncEntry`, JSON).
    pub fn internal(d: &str) -> String {
        format!("dnc/{d}")
    }
    /// Counter: consent events of a number.
    pub fn consent_count(d: &str) -> String {
        format!("cn/{d}")
    }
    /// A consent event (`consent::Event`, JSON), 1-based.
    pub fn consent(d: &str, i: u64) -> String {
        format!("c/{d}/{i:010}")
    }
    /// Counter: attempts to a number (before ledgers; read once to seed one).
    pub fn attempt_count(d: &str) -> String {
        format!("an/{d}")
    }
    /// An attempt (`frequency::Attempt`, JSON), 1-based (before ledgers).
    pub fn attempt(d: &str, i: u64) -> String {
        format!("a/{d}/{i:010}")
    }
    /// A number's ledger (`ledger::Ledger`, JSON): the key every change to its records is
    /// ordered by.
    pub fn ledger(d: &str) -> String {
        format!("ln/{d}")
    }
    /// An audit entry by id (the zero-padded sequence number).
    pub fn audit(id: &str) -> String {
        format!("au/{id}")
    }
    /// Counter: audit entries of a number (before ledgers: a ledger keeps the count now).
    pub fn audit_index_count(d: &str) -> String {
        format!("aun/{d}")
    }
    /// The audit id of a number's `i`th entry, 1-based.
    pub fn audit_index(d: &str, i: u64) -> String {
        format!("aui/{d}/{i:010}")
    }
}

/// A counter's value as stored (absent: 0).
pub fn counter(value: Option<&[u8]>) -> u64 {
    value.and_then(|v| std::str::from_utf8(v).ok()).and_then(|s| s.trim().parse().ok()).unwrap_or(0)
}

/// A JSON value as stored; a value that does not parse is reported, never trusted.
pub fn decode<T: serde::de::DeserializeOwned>(key: &str, value: Option<&[u8]>) -> Result<Option<T>, Error> {
    value
        .map(|v| {
            serde_json::from_slice(v)
                .map_err(|e| Error::Storage(format!("the record at `{key}` is unreadable ({e}); nothing was changed")))
        })
        .transpose()
}

/// A value as JSON bytes.
pub fn encode<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// In memory, for tests: counts the calls that would cross to the host.
#[derive(Default)]
pub struct MemoryKv {
    pub map: std::cell::RefCell<std::collections::BTreeMap<String, Vec<u8>>>,
    pub calls: std::cell::Cell<usize>,
    /// When set, every write fails (to test storage errors).
    pub fail_writes: std::cell::Cell<bool>,
}

impl MemoryKv {
    fn call(&self) {
        self.calls.set(self.calls.get() + 1);
    }

    fn write_check(&self) -> Result<(), Error> {
        if self.fail_writes.get() { Err(Error::Storage("the store is failing (test)".into())) } else { Ok(()) }
    }
}

impl Kv for MemoryKv {
    fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, Error> {
        self.call();
        let map = self.map.borrow();
        Ok(keys.iter().map(|k| map.get(k).cloned()).collect())
    }

    fn set_many(&self, pairs: &[(String, Vec<u8>)]) -> Result<(), Error> {
        self.call();
        self.write_check()?;
        let mut map = self.map.borrow_mut();
        for (k, v) in pairs {
            map.insert(k.clone(), v.clone());
        }
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), Error> {
        self.call();
        self.write_check()?;
        self.map.borrow_mut().remove(key);
        Ok(())
    }

    fn increment(&self, key: &str, delta: u64) -> Result<u64, Error> {
        self.call();
        self.write_check()?;
        let mut map = self.map.borrow_mut();
        let next = counter(map.get(key).map(Vec::as_slice))
            .checked_add(delta)
            .ok_or_else(|| Error::Storage(format!("counter `{key}` would overflow")))?;
        map.insert(key.to_owned(), next.to_string().into_bytes());
        Ok(next)
    }

    fn watch(&self, key: &str) -> Result<Watched, Error> {
        self.call();
        let current = self.map.borrow().get(key).cloned();
        Ok(Watched { key: key.to_owned(), handle: Box::new(current.clone()), current })
    }

    fn swap(&self, watched: Watched, value: Vec<u8>) -> Result<bool, Error> {
        self.call();
        self.write_check()?;
        let expected =
            watched.handle.downcast::<Option<Vec<u8>>>().map_err(|_| Error::Storage("foreign handle".into()))?;
        let mut map = self.map.borrow_mut();
        if map.get(&watched.key) != (*expected).as_ref() {
            return Ok(false);
        }
        map.insert(watched.key, value);
        Ok(true)
    }
}

/// A `MemoryKv` several threads share, each operation atomic on its own (as a host's store
/// is): for tests of concurrent decisions.
#[derive(Default)]
pub struct SharedKv(pub std::sync::Mutex<MemoryKv>);

impl SharedKv {
    fn with<T>(&self, op: impl FnOnce(&MemoryKv) -> T) -> T {
        op(&self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Kv for SharedKv {
    fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, Error> {
        self.with(|kv| kv.get_many(keys))
    }
    fn set_many(&self, pairs: &[(String, Vec<u8>)]) -> Result<(), Error> {
        self.with(|kv| kv.set_many(pairs))
    }
    fn delete(&self, key: &str) -> Result<(), Error> {
        self.with(|kv| kv.delete(key))
    }
    fn increment(&self, key: &str, delta: u64) -> Result<u64, Error> {
        self.with(|kv| kv.increment(key, delta))
    }
    fn watch(&self, key: &str) -> Result<Watched, Error> {
        self.with(|kv| kv.watch(key))
    }
    fn swap(&self, watched: Watched, value: Vec<u8>) -> Result<bool, Error> {
        self.with(|kv| kv.swap(watched, value))
    }
}
