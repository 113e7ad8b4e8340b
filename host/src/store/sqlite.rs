//! The embedded store: one SQLite file in WAL mode with `synchronous = FULL`, so that every
//! committed write is on disk before the call that made it returns.

use super::{KeyPage, StoreError};
use rusqlite::{Connection, OptionalExtension as _, params};
use std::path::Path;
use std::sync::Mutex;

/// Keys a `list_keys` page holds at most.
const PAGE: u64 = 1000;

/// One connection, in turn. (A second one for reads was measured and dropped: every commit
/// on the first made the second re-read its pages from the file.) Statements are prepared once
/// and cached: their parsing showed as a few per cent of a decision in the profile.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let fail = |message: String| StoreError::Open { path: path.display().to_string(), message };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
        }
        let conn = Connection::open(path).map_err(|e| fail(e.to_string()))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA busy_timeout = 5000;
             CREATE TABLE IF NOT EXISTS kv (
                 namespace TEXT NOT NULL,
                 bucket TEXT NOT NULL,
                 key TEXT NOT NULL,
                 value BLOB NOT NULL,
                 PRIMARY KEY (namespace, bucket, key)
             ) WITHOUT ROWID;",
        )
        .map_err(|e| fail(e.to_string()))?;
        Ok(Self { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The operations of [`KeyValue`], blocking (see [`super::LazyStore`]).
impl SqliteStore {
    pub fn get(&self, ns: &str, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn()
            .prepare_cached("SELECT value FROM kv WHERE namespace = ?1 AND bucket = ?2 AND key = ?3")
            .and_then(|mut statement| statement.query_row(params![ns, bucket, key], |r| r.get(0)).optional())
            .map_err(backend)
    }

    pub fn set(&self, ns: &str, bucket: &str, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.conn()
            .prepare_cached(
                "INSERT INTO kv (namespace, bucket, key, value) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (namespace, bucket, key) DO UPDATE SET value = excluded.value",
            )
            .and_then(|mut statement| statement.execute(params![ns, bucket, key, value]))
            .map(|_| ())
            .map_err(backend)
    }

    pub fn delete(&self, ns: &str, bucket: &str, key: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM kv WHERE namespace = ?1 AND bucket = ?2 AND key = ?3", params![ns, bucket, key])
            .map(|_| ())
            .map_err(backend)
    }

    pub fn exists(&self, ns: &str, bucket: &str, key: &str) -> Result<bool, StoreError> {
        Ok(self.get(ns, bucket, key)?.is_some())
    }

    pub fn list_keys(&self, ns: &str, bucket: &str, cursor: Option<u64>) -> Result<KeyPage, StoreError> {
        let offset = cursor.unwrap_or(0);
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT key FROM kv WHERE namespace = ?1 AND bucket = ?2 ORDER BY key LIMIT ?3 OFFSET ?4")
            .map_err(backend)?;
        let limit = i64::try_from(PAGE + 1).unwrap_or(i64::MAX);
        let offset_sql = i64::try_from(offset).unwrap_or(i64::MAX);
        let mut keys: Vec<String> = stmt
            .query_map(params![ns, bucket, limit, offset_sql], |r| r.get(0))
            .map_err(backend)?
            .collect::<Result<_, _>>()
            .map_err(backend)?;
        let more = keys.len() as u64 > PAGE;
        keys.truncate(PAGE as usize);
        Ok(KeyPage { cursor: more.then_some(offset + PAGE), keys })
    }

    pub fn increment(&self, ns: &str, bucket: &str, key: &str, delta: i64) -> Result<i64, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(backend)?;
        let current: Option<Vec<u8>> = tx
            .query_row(
                "SELECT value FROM kv WHERE namespace = ?1 AND bucket = ?2 AND key = ?3",
                params![ns, bucket, key],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)?;
        let now = match current {
            None => 0,
            Some(bytes) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                text.trim().parse::<i64>().map_err(|_| StoreError::NotANumber { key: key.to_owned(), value: text })?
            }
        };
        let next = now.checked_add(delta).ok_or_else(|| StoreError::Overflow { key: key.to_owned() })?;
        tx.execute(
            "INSERT INTO kv (namespace, bucket, key, value) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (namespace, bucket, key) DO UPDATE SET value = excluded.value",
            params![ns, bucket, key, next.to_string().into_bytes()],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(next)
    }

    pub fn compare_and_swap(
        &self,
        ns: &str,
        bucket: &str,
        key: &str,
        expected: Option<&[u8]>,
        value: &[u8],
    ) -> Result<bool, StoreError> {
        // One conditional statement: SQLite runs it under the database's write lock, so no
        // other writer comes between the comparison and the write.
        let changed = match expected {
            Some(old) => self
                .conn()
                .prepare_cached(
                    "UPDATE kv SET value = ?4 WHERE namespace = ?1 AND bucket = ?2 AND key = ?3 AND value = ?5",
                )
                .and_then(|mut statement| statement.execute(params![ns, bucket, key, value, old])),
            None => self
                .conn()
                .prepare_cached(
                    "INSERT INTO kv (namespace, bucket, key, value) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (namespace, bucket, key) DO NOTHING",
                )
                .and_then(|mut statement| statement.execute(params![ns, bucket, key, value])),
        }
        .map_err(backend)?;
        Ok(changed == 1)
    }

    pub fn get_many(&self, ns: &str, bucket: &str, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        keys.iter().map(|k| self.get(ns, bucket, k)).collect()
    }

    pub fn set_many(&self, ns: &str, bucket: &str, pairs: &[(String, Vec<u8>)]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(backend)?;
        for (key, value) in pairs {
            tx.execute(
                "INSERT INTO kv (namespace, bucket, key, value) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (namespace, bucket, key) DO UPDATE SET value = excluded.value",
                params![ns, bucket, key, value],
            )
            .map_err(backend)?;
        }
        tx.commit().map_err(backend)
    }

    pub fn delete_many(&self, ns: &str, bucket: &str, keys: &[String]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(backend)?;
        for key in keys {
            tx.execute("DELETE FROM kv WHERE namespace = ?1 AND bucket = ?2 AND key = ?3", params![ns, bucket, key])
                .map_err(backend)?;
        }
        tx.commit().map_err(backend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_and_buckets_are_separate_and_state_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite3");
        let store = SqliteStore::open(&path).unwrap();
        store.set("a", "b", "k", b"1").unwrap();
        store.set("a", "c", "k", b"2").unwrap();
        store.set("z", "b", "k", b"3").unwrap();
        assert_eq!(store.get("a", "b", "k").unwrap().as_deref(), Some(&b"1"[..]));
        assert_eq!(store.increment("a", "b", "n", 5).unwrap(), 5);
        assert_eq!(store.increment("a", "b", "n", 2).unwrap(), 7);
        assert!(matches!(store.increment("a", "b", "k", 1), Ok(2)));
        store.set("a", "b", "word", b"hello").unwrap();
        assert!(matches!(store.increment("a", "b", "word", 1), Err(StoreError::NotANumber { .. })));
        drop(store);
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.get("z", "b", "k").unwrap().as_deref(), Some(&b"3"[..]));
        assert_eq!(store.get("a", "b", "n").unwrap().as_deref(), Some(&b"7"[..]));
        store.delete_many("a", "b", &["n".into(), "word".into()]).unwrap();
        assert!(!store.exists("a", "b", "n").unwrap());
        assert_eq!(store.increment("a", "b", "n", -3).unwrap(), -3);
        assert!(matches!(store.increment("a", "b", "n", i64::MIN), Err(StoreError::Overflow { .. })));
    }

    #[test]
    fn compare_and_swap_writes_only_over_what_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
        // Absent: the first insert wins, the second finds the key taken.
        assert!(store.compare_and_swap("n", "b", "k", None, b"v1").unwrap());
        assert!(!store.compare_and_swap("n", "b", "k", None, b"other").unwrap());
        // Present: only a swap from the value now there writes.
        assert!(!store.compare_and_swap("n", "b", "k", Some(b"stale"), b"v2").unwrap());
        assert!(store.compare_and_swap("n", "b", "k", Some(b"v1"), b"v2").unwrap());
        assert_eq!(store.get("n", "b", "k").unwrap().as_deref(), Some(&b"v2"[..]));
        // Namespaces stay apart.
        assert!(store.compare_and_swap("m", "b", "k", None, b"x").unwrap());
        assert_eq!(store.get("n", "b", "k").unwrap().as_deref(), Some(&b"v2"[..]));
    }

    #[test]
    fn concurrent_swaps_lose_no_update() {
        // Eight threads each add 50 to one counter by read, then compare-and-swap, retrying
        // on conflict: every increment must land exactly once.
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(SqliteStore::open(&dir.path().join("s.db")).unwrap());
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        loop {
                            let old = store.get("n", "b", "c").unwrap();
                            let n: u64 = old.as_deref().map_or(0, |v| std::str::from_utf8(v).unwrap().parse().unwrap());
                            let next = (n + 1).to_string();
                            if store.compare_and_swap("n", "b", "c", old.as_deref(), next.as_bytes()).unwrap() {
                                break;
                            }
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(store.get("n", "b", "c").unwrap().as_deref(), Some(&b"400"[..]));
    }

    #[test]
    fn keys_come_in_pages() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
        let pairs: Vec<(String, Vec<u8>)> = (0..2500).map(|i| (format!("k{i:05}"), vec![1])).collect();
        store.set_many("n", "b", &pairs).unwrap();
        let mut all = Vec::new();
        let mut cursor = None;
        loop {
            let page = store.list_keys("n", "b", cursor).unwrap();
            all.extend(page.keys);
            match page.cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(all.len(), 2500);
        assert_eq!(all[0], "k00000");
        assert_eq!(store.get_many("n", "b", &["k00001".into(), "nope".into()]).unwrap()[1], None);
    }
}
