//! The shared store: PostgreSQL, for several hosts that must decide from the same state.
//!
//! One table, `kv`, keyed by namespace, bucket and key, as in the embedded store. Every
//! operation is one statement or one transaction, so what one host commits the next read on
//! any host sees. `compare_and_swap` is a single conditional `UPDATE` (or `INSERT ... ON
//! CONFLICT DO NOTHING` for an absent key): PostgreSQL's row lock makes it atomic against
//! every writer on every host. `increment` is one `INSERT ... ON CONFLICT DO UPDATE` (the
//! row lock held only for that statement), so concurrent increments from many hosts all
//! count; a value that is not a plain number goes the careful way, which says what is wrong.
//! Statements are prepared once per pooled connection, so each operation is one round trip.
//!
//! The schema is versioned in `switchboard_schema` and migrated at start under an advisory
//! lock, so hosts starting together migrate once. Connections come from a pool; a database
//! that is down makes operations fail with [`StoreError::Backend`] naming it, and the next
//! operation after it is back succeeds, with no restart.

use super::{KeyPage, KeyValue, StoreError};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::sync::Arc;
use tokio::sync::OnceCell;
use tokio_postgres::config::SslMode;

/// Keys a `list_keys` page holds at most (as the embedded store).
const PAGE: i64 = 1000;

/// Connections one host keeps open at most.
const POOL_SIZE: usize = 16;

/// The schema, one step a version; a step runs once, in order, in one transaction.
const MIGRATIONS: &[&str] = &["CREATE TABLE kv (
        namespace TEXT NOT NULL,
        bucket TEXT NOT NULL,
        key TEXT NOT NULL,
        value BYTEA NOT NULL,
        PRIMARY KEY (namespace, bucket, key)
    )"];

/// An arbitrary, fixed key for the advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x5357_4254_4348;

pub struct PostgresStore {
    pool: Pool,
    /// Where the database is, without credentials, for messages.
    target: String,
    migrated: OnceCell<()>,
}

impl PostgresStore {
    /// A store on the database at `url` (`postgres://user@host:port/db?sslmode=...`), with
    /// `password` when the URL carries none. Connects lazily: nothing fails here but a
    /// malformed URL.
    pub fn new(url: &str, password: Option<&str>) -> Result<Arc<Self>, StoreError> {
        let fail = |message: String| StoreError::Open { path: redact(url), message };
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| fail(format!("not a PostgreSQL URL: {e}")))?;
        if let (Some(password), None) = (password, config.get_password()) {
            config.password(password);
        }
        let target = describe(&config);
        let manager_config = ManagerConfig { recycling_method: RecyclingMethod::Fast };
        let manager = match config.get_ssl_mode() {
            SslMode::Disable => Manager::from_config(config, tokio_postgres::NoTls, manager_config),
            _ => Manager::from_config(config, tls(), manager_config),
        };
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .create_timeout(Some(std::time::Duration::from_secs(5)))
            .wait_timeout(Some(std::time::Duration::from_secs(10)))
            .build()
            .map_err(|e| fail(e.to_string()))?;
        Ok(Arc::new(Self { pool, target, migrated: OnceCell::new() }))
    }

    /// Applies the migrations this host knows and the database lacks. Idempotent, and safe
    /// when several hosts start at once.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.migrated
            .get_or_try_init(|| async {
                let mut client = self.pool.get().await.map_err(|e| self.unavailable(e))?;
                let tx = client.transaction().await.map_err(|e| self.failed(e))?;
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(|e| self.failed(e))?;
                tx.batch_execute("CREATE TABLE IF NOT EXISTS switchboard_schema (version INTEGER PRIMARY KEY)")
                    .await
                    .map_err(|e| self.failed(e))?;
                let row = tx
                    .query_one("SELECT COALESCE(MAX(version), 0) FROM switchboard_schema", &[])
                    .await
                    .map_err(|e| self.failed(e))?;
                let current: i32 = row.get(0);
                let known = i32::try_from(MIGRATIONS.len()).unwrap_or(i32::MAX);
                if current > known {
                    return Err(StoreError::Backend(format!(
                        "the database at {} has schema version {current}, newer than this host's {known}: upgrade the host",
                        self.target
                    )));
                }
                for (version, step) in (current + 1..).zip(&MIGRATIONS[current as usize..]) {
                    tx.batch_execute(step).await.map_err(|e| self.failed(e))?;
                    tx.execute("INSERT INTO switchboard_schema (version) VALUES ($1)", &[&version])
                        .await
                        .map_err(|e| self.failed(e))?;
                    tracing::info!(version, target = %self.target, "state store schema migrated");
                }
                tx.commit().await.map_err(|e| self.failed(e))
            })
            .await
            .copied()
    }

    /// A pooled connection to a migrated database.
    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.migrate().await?;
        self.pool.get().await.map_err(|e| self.unavailable(e))
    }

    fn unavailable(&self, e: deadpool_postgres::PoolError) -> StoreError {
        StoreError::Backend(format!("cannot reach the PostgreSQL state store at {}: {e}", self.target))
    }

    fn failed(&self, e: tokio_postgres::Error) -> StoreError {
        let why = match e.as_db_error() {
            Some(db) => db.message().to_owned(),
            None => e.to_string(),
        };
        StoreError::Backend(format!("the PostgreSQL state store at {} failed: {why}", self.target))
    }
}

/// The statements, each prepared once per pooled connection.
mod sql {
    pub const GET: &str = "SELECT value FROM kv WHERE namespace = $1 AND bucket = $2 AND key = $3";
    pub const SET: &str = "INSERT INTO kv (namespace, bucket, key, value) VALUES ($1, $2, $3, $4)
        ON CONFLICT (namespace, bucket, key) DO UPDATE SET value = excluded.value";
    pub const DELETE: &str = "DELETE FROM kv WHERE namespace = $1 AND bucket = $2 AND key = $3";
    pub const LIST: &str = "SELECT key FROM kv WHERE namespace = $1 AND bucket = $2
        ORDER BY key COLLATE \"C\" LIMIT $3 OFFSET $4";
    /// Adds `$4` in one statement when the stored value is a plain decimal whose sum fits an
    /// i64 (an absent key counts from 0); otherwise changes nothing and returns no row, and
    /// the careful path below says why.
    pub const INCREMENT: &str = r"INSERT INTO kv AS t (namespace, bucket, key, value)
        VALUES ($1, $2, $3, convert_to($4::bigint::text, 'UTF8'))
        ON CONFLICT (namespace, bucket, key) DO UPDATE
        SET value = convert_to((encode(t.value, 'escape')::numeric + $4::bigint)::text, 'UTF8')
        WHERE CASE WHEN encode(t.value, 'escape') ~ '^\s*[+-]?[0-9]{1,19}\s*$'
            THEN encode(t.value, 'escape')::numeric + $4::bigint
                BETWEEN -9223372036854775808 AND 9223372036854775807
            ELSE false END
        RETURNING value";
    pub const ENSURE: &str = "INSERT INTO kv (namespace, bucket, key, value) VALUES ($1, $2, $3, '0')
        ON CONFLICT (namespace, bucket, key) DO NOTHING";
    pub const LOCK: &str = "SELECT value FROM kv WHERE namespace = $1 AND bucket = $2 AND key = $3 FOR UPDATE";
    pub const UPDATE: &str = "UPDATE kv SET value = $4 WHERE namespace = $1 AND bucket = $2 AND key = $3";
    pub const SWAP: &str = "UPDATE kv SET value = $4 WHERE namespace = $1 AND bucket = $2 AND key = $3 AND value = $5";
    pub const CREATE: &str = "INSERT INTO kv (namespace, bucket, key, value) VALUES ($1, $2, $3, $4)
        ON CONFLICT (namespace, bucket, key) DO NOTHING";
    /// Each key looked up on its own through the primary key: `key = ANY($3)` lets a plan
    /// made while the table was small (cached by the connection until the table is next
    /// analysed) scan the whole bucket for every read, which `cargo bench --bench cluster`
    /// showed costing 30 ms a decision at 10^5 entries. The `LIMIT` keeps the lookup a
    /// nested loop, whatever the statistics say.
    pub const GET_MANY: &str = "SELECT k.key, v.value FROM UNNEST($3::text[]) AS k(key)
        CROSS JOIN LATERAL (SELECT value FROM kv
            WHERE namespace = $1 AND bucket = $2 AND key = k.key LIMIT 1) AS v";
    pub const SET_MANY: &str = "INSERT INTO kv (namespace, bucket, key, value)
        SELECT $1, $2, k, v FROM UNNEST($3::text[], $4::bytea[]) AS t(k, v)
        ON CONFLICT (namespace, bucket, key) DO UPDATE SET value = excluded.value";
}

type Params<'a> = [&'a (dyn tokio_postgres::types::ToSql + Sync)];

impl PostgresStore {
    /// Runs one statement on a pooled connection: one round trip once the connection has
    /// prepared it.
    async fn query(&self, statement: &str, params: &Params<'_>) -> Result<Vec<tokio_postgres::Row>, StoreError> {
        let client = self.client().await?;
        let prepared = client.prepare_cached(statement).await.map_err(|e| self.failed(e))?;
        client.query(&prepared, params).await.map_err(|e| self.failed(e))
    }

    async fn execute(&self, statement: &str, params: &Params<'_>) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let prepared = client.prepare_cached(statement).await.map_err(|e| self.failed(e))?;
        client.execute(&prepared, params).await.map_err(|e| self.failed(e))
    }

    /// The careful increment, for a value the one-statement path would not touch: locks the
    /// row (made to exist first, so two first increments cannot both start from nothing),
    /// parses it as the embedded store does, and says exactly what is wrong with it.
    async fn increment_locked(&self, ns: &str, bucket: &str, key: &str, delta: i64) -> Result<i64, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(|e| self.failed(e))?;
        let (ensure, lock, update) = (
            tx.prepare_cached(sql::ENSURE).await.map_err(|e| self.failed(e))?,
            tx.prepare_cached(sql::LOCK).await.map_err(|e| self.failed(e))?,
            tx.prepare_cached(sql::UPDATE).await.map_err(|e| self.failed(e))?,
        );
        tx.execute(&ensure, &[&ns, &bucket, &key]).await.map_err(|e| self.failed(e))?;
        let row = tx.query_one(&lock, &[&ns, &bucket, &key]).await.map_err(|e| self.failed(e))?;
        let bytes: Vec<u8> = row.get(0);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let now =
            text.trim().parse::<i64>().map_err(|_| StoreError::NotANumber { key: key.to_owned(), value: text })?;
        let next = now.checked_add(delta).ok_or_else(|| StoreError::Overflow { key: key.to_owned() })?;
        tx.execute(&update, &[&ns, &bucket, &key, &next.to_string().into_bytes()]).await.map_err(|e| self.failed(e))?;
        tx.commit().await.map_err(|e| self.failed(e))?;
        Ok(next)
    }
}

#[async_trait::async_trait]
impl KeyValue for PostgresStore {
    async fn get(&self, ns: &str, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let rows = self.query(sql::GET, &[&ns, &bucket, &key]).await?;
        Ok(rows.first().map(|r| r.get(0)))
    }

    async fn set(&self, ns: &str, bucket: &str, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.execute(sql::SET, &[&ns, &bucket, &key, &value]).await.map(drop)
    }

    async fn delete(&self, ns: &str, bucket: &str, key: &str) -> Result<(), StoreError> {
        self.execute(sql::DELETE, &[&ns, &bucket, &key]).await.map(drop)
    }

    async fn exists(&self, ns: &str, bucket: &str, key: &str) -> Result<bool, StoreError> {
        Ok(self.get(ns, bucket, key).await?.is_some())
    }

    async fn list_keys(&self, ns: &str, bucket: &str, cursor: Option<u64>) -> Result<KeyPage, StoreError> {
        let offset = i64::try_from(cursor.unwrap_or(0)).unwrap_or(i64::MAX);
        let rows = self.query(sql::LIST, &[&ns, &bucket, &(PAGE + 1), &offset]).await?;
        let mut keys: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        let more = keys.len() as i64 > PAGE;
        keys.truncate(PAGE as usize);
        Ok(KeyPage { cursor: more.then(|| (offset + PAGE) as u64), keys })
    }

    async fn increment(&self, ns: &str, bucket: &str, key: &str, delta: i64) -> Result<i64, StoreError> {
        // The audit sequence is incremented by every decision on every host: one statement
        // holds its row lock for the shortest time.
        let rows = self.query(sql::INCREMENT, &[&ns, &bucket, &key, &delta]).await?;
        let parsed = rows.first().map(|r| String::from_utf8_lossy(r.get::<_, &[u8]>(0)).parse::<i64>());
        match parsed {
            Some(Ok(next)) => Ok(next),
            _ => self.increment_locked(ns, bucket, key, delta).await,
        }
    }

    async fn compare_and_swap(
        &self,
        ns: &str,
        bucket: &str,
        key: &str,
        expected: Option<&[u8]>,
        value: &[u8],
    ) -> Result<bool, StoreError> {
        let changed = match expected {
            Some(old) => self.execute(sql::SWAP, &[&ns, &bucket, &key, &value, &old]).await?,
            None => self.execute(sql::CREATE, &[&ns, &bucket, &key, &value]).await?,
        };
        Ok(changed == 1)
    }

    async fn get_many(&self, ns: &str, bucket: &str, keys: &[String]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        let rows = self.query(sql::GET_MANY, &[&ns, &bucket, &keys]).await?;
        let found: std::collections::HashMap<String, Vec<u8>> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        Ok(keys.iter().map(|k| found.get(k).cloned()).collect())
    }

    async fn set_many(&self, ns: &str, bucket: &str, pairs: &[(String, Vec<u8>)]) -> Result<(), StoreError> {
        // One statement (atomic on its own, one round trip). A key given twice keeps its last
        // value, as a write after a write would; the statement may touch a row only once.
        let mut last = std::collections::HashMap::with_capacity(pairs.len());
        for (i, (key, _)) in pairs.iter().enumerate() {
            last.insert(key.as_str(), i);
        }
        let (keys, values): (Vec<&str>, Vec<&[u8]>) = pairs
            .iter()
            .enumerate()
            .filter(|(i, (key, _))| last[key.as_str()] == *i)
            .map(|(_, (key, value))| (key.as_str(), value.as_slice()))
            .unzip();
        self.execute(sql::SET_MANY, &[&ns, &bucket, &keys, &values]).await.map(drop)
    }

    async fn delete_many(&self, ns: &str, bucket: &str, keys: &[String]) -> Result<(), StoreError> {
        // One delete a key (by the primary key, for the reason given at `GET_MANY`), sent
        // together on one connection, in one transaction.
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(|e| self.failed(e))?;
        let delete = tx.prepare_cached(sql::DELETE).await.map_err(|e| self.failed(e))?;
        let deletes = keys.iter().map(|key| {
            let (tx, delete) = (&tx, &delete);
            async move { tx.execute(delete, &[&ns, &bucket, key]).await }
        });
        futures::future::try_join_all(deletes).await.map_err(|e| self.failed(e))?;
        tx.commit().await.map_err(|e| self.failed(e))
    }
}

/// TLS for `sslmode=prefer` or `require`, checked against the Mozilla roots (webpki-roots).
fn tls() -> tokio_postgres_rustls::MakeRustlsConnect {
    tokio_postgres_rustls::MakeRustlsConnect::new(crate::tls::client_config())
}

/// `user@host:port/db`, for messages: never the password.
fn describe(config: &tokio_postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{}@{host}:{port}/{}",
        config.get_user().unwrap_or("?"),
        config.get_dbname().unwrap_or(config.get_user().unwrap_or("?"))
    )
}

/// A URL with any password replaced, for an error about the URL itself.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
