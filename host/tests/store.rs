//! One suite, two backends: every operation of the state store, against the embedded SQLite
//! file and against a real PostgreSQL server (started here, in a temporary directory).
//!
//! Without PostgreSQL's server binaries the PostgreSQL half says so and is skipped, unless
//! `SWITCHBOARD_REQUIRE_POSTGRES=1` (as `.ci/run` sets), which makes a missing server a failure.

use futures::future::join_all;
use std::sync::Arc;
use switchboard::store::{KeyValue, LazyStore, PostgresStore, StoreError};
use switchboard_fakes::postgres::TempPostgres;

async fn suite(store: Arc<dyn KeyValue>) {
    // Namespaces and buckets keep keys apart.
    store.set("a", "b", "k", b"1").await.unwrap();
    store.set("a", "c", "k", b"2").await.unwrap();
    store.set("z", "b", "k", b"3").await.unwrap();
    assert_eq!(store.get("a", "b", "k").await.unwrap().as_deref(), Some(&b"1"[..]));
    assert_eq!(store.get("a", "c", "k").await.unwrap().as_deref(), Some(&b"2"[..]));
    assert_eq!(store.get("z", "b", "k").await.unwrap().as_deref(), Some(&b"3"[..]));
    assert!(store.exists("a", "b", "k").await.unwrap());
    assert!(!store.exists("a", "b", "nope").await.unwrap());
    store.set("a", "b", "k", b"overwritten").await.unwrap();
    assert_eq!(store.get("a", "b", "k").await.unwrap().as_deref(), Some(&b"overwritten"[..]));
    store.delete("a", "b", "k").await.unwrap();
    assert_eq!(store.get("a", "b", "k").await.unwrap(), None);
    store.delete("a", "b", "k").await.unwrap();

    // Binary values survive as they are.
    let bytes: Vec<u8> = (0..=255).collect();
    store.set("a", "bin", "all", &bytes).await.unwrap();
    assert_eq!(store.get("a", "bin", "all").await.unwrap(), Some(bytes));

    // Keys page in order, 1,000 at a time.
    let pairs: Vec<(String, Vec<u8>)> = (0..2500).map(|i| (format!("key-{i:05}"), vec![1])).collect();
    store.set_many("a", "many", &pairs).await.unwrap();
    let mut listed = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page = store.list_keys("a", "many", cursor).await.unwrap();
        pages += 1;
        listed.extend(page.keys);
        match page.cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(listed, pairs.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>());
    let some: Vec<String> = vec!["key-00001".into(), "absent".into(), "key-02499".into()];
    assert_eq!(store.get_many("a", "many", &some).await.unwrap(), vec![Some(vec![1]), None, Some(vec![1])]);
    store.delete_many("a", "many", &some).await.unwrap();
    assert_eq!(store.get_many("a", "many", &some).await.unwrap(), vec![None, None, None]);

    // A batch that names a key twice keeps the later value, as two writes in turn would, and
    // writes over what was there.
    let twice = vec![
        ("dup".to_owned(), b"first".to_vec()),
        ("key-00002".to_owned(), vec![2]),
        ("dup".to_owned(), b"second".to_vec()),
    ];
    store.set_many("a", "many", &twice).await.unwrap();
    assert_eq!(store.get("a", "many", "dup").await.unwrap().as_deref(), Some(&b"second"[..]));
    assert_eq!(store.get("a", "many", "key-00002").await.unwrap(), Some(vec![2]));
    store.delete_many("a", "many", &["dup".to_owned()]).await.unwrap();

    // Counters: from nothing, negative deltas, refusing what is not a number or overflows.
    assert_eq!(store.increment("a", "n", "c", 5).await.unwrap(), 5);
    assert_eq!(store.increment("a", "n", "c", -7).await.unwrap(), -2);
    store.set("a", "n", "text", b"twelve").await.unwrap();
    assert!(matches!(store.increment("a", "n", "text", 1).await, Err(StoreError::NotANumber { .. })));
    store.set("a", "n", "max", i64::MAX.to_string().as_bytes()).await.unwrap();
    assert!(matches!(store.increment("a", "n", "max", 1).await, Err(StoreError::Overflow { .. })));
    assert_eq!(store.get("a", "n", "max").await.unwrap(), Some(i64::MAX.to_string().into_bytes()), "changed");
    store.set("a", "n", "min", i64::MIN.to_string().as_bytes()).await.unwrap();
    assert!(matches!(store.increment("a", "n", "min", -1).await, Err(StoreError::Overflow { .. })));
    assert_eq!(store.increment("a", "n", "min", 1).await.unwrap(), i64::MIN + 1);
    // What a person might have written by hand: a sign, spaces, a newline.
    store.set("a", "n", "typed", b" +7\n").await.unwrap();
    assert_eq!(store.increment("a", "n", "typed", 1).await.unwrap(), 8);
    store.set("a", "n", "binary", &[0xff, b'1']).await.unwrap();
    assert!(matches!(store.increment("a", "n", "binary", 1).await, Err(StoreError::NotANumber { .. })));
    store.set("a", "n", "fraction", b"1.5").await.unwrap();
    assert!(matches!(store.increment("a", "n", "fraction", 1).await, Err(StoreError::NotANumber { .. })));

    // Compare-and-swap: on an absent key, on a value, and refused when stale.
    assert!(store.compare_and_swap("a", "cas", "k", None, b"v1").await.unwrap());
    assert!(!store.compare_and_swap("a", "cas", "k", None, b"v1'").await.unwrap());
    assert!(store.compare_and_swap("a", "cas", "k", Some(b"v1"), b"v2").await.unwrap());
    assert!(!store.compare_and_swap("a", "cas", "k", Some(b"v1"), b"v3").await.unwrap());
    assert_eq!(store.get("a", "cas", "k").await.unwrap().as_deref(), Some(&b"v2"[..]));

    // Concurrent writers: every increment counts, and compare-and-swap loses no update.
    let increments = (0..200).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.increment("a", "race", "n", 1).await.unwrap() })
    });
    let mut seen: Vec<i64> = join_all(increments).await.into_iter().map(Result::unwrap).collect();
    seen.sort_unstable();
    assert_eq!(seen, (1..=200).collect::<Vec<_>>(), "each increment saw its own value");
    let swaps = (0..50).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            loop {
                let old = store.get("a", "race", "cas").await.unwrap();
                let n: u64 = old.as_deref().map_or(0, |b| std::str::from_utf8(b).unwrap().parse().unwrap());
                let next = (n + 1).to_string();
                if store.compare_and_swap("a", "race", "cas", old.as_deref(), next.as_bytes()).await.unwrap() {
                    return;
                }
            }
        })
    });
    join_all(swaps).await.into_iter().for_each(Result::unwrap);
    assert_eq!(store.get("a", "race", "cas").await.unwrap().as_deref(), Some(&b"50"[..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_store_operation_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn KeyValue> = Arc::new(LazyStore::new(dir.path().join("state.sqlite3")));
    suite(store.clone()).await;
    // What was written is on disk: a second store on the same file reads it.
    let again = LazyStore::new(dir.path().join("state.sqlite3"));
    assert_eq!(again.get("z", "b", "k").await.unwrap().as_deref(), Some(&b"3"[..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_store_operation_on_postgres_and_a_restart_is_survived() {
    let Some(mut pg) = TempPostgres::for_test() else { return };
    pg.create_database("suite").unwrap();
    let store = PostgresStore::new(&pg.url("suite"), None).unwrap();
    // Several hosts starting at once migrate once.
    let others: Vec<_> = (0..4).map(|_| PostgresStore::new(&pg.url("suite"), None).unwrap()).collect();
    join_all(others.iter().map(|s| s.migrate())).await.into_iter().for_each(Result::unwrap);
    suite(store.clone()).await;

    // The server goes away: a clear error, then the same store works again once it is back.
    pg.pause();
    let down = store.get("z", "b", "k").await.unwrap_err().to_string();
    assert!(down.contains("PostgreSQL state store"), "{down}");
    pg.resume().unwrap();
    let mut back = None;
    for _ in 0..50 {
        match store.get("z", "b", "k").await {
            Ok(v) => {
                back = v;
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    assert_eq!(back.as_deref(), Some(&b"3"[..]), "committed data survives the restart");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_url_or_an_unreachable_database_is_a_clear_error() {
    let Err(e) = PostgresStore::new("postgres://u:hunter2@[not a host", None) else {
        panic!("a malformed URL was taken")
    };
    assert!(!e.to_string().contains("hunter2"), "the password leaked: {e}");
    // Nothing listens on port 9 of the loopback.
    let store = PostgresStore::new("postgres://u@127.0.0.1:9/db", None).unwrap();
    let e = store.get("a", "b", "c").await.unwrap_err().to_string();
    assert!(e.contains("cannot reach the PostgreSQL state store at u@127.0.0.1:9/db"), "{e}");
}
