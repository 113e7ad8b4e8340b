//! The speech cache: finished audio in memory only (what users say and hear is never
//! written to disk), bounded in bytes, with a time to live. Concurrent identical requests
//! share one synthesis; hits and misses are counted for `get_server_status`.

use moka::future::Cache;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Everything that changes the audio. Text is normalised first (trimmed, runs of white
/// space made one space), so that texts differing only in spacing share an entry. The
/// settings are the caller's: those the classifier chooses follow from the text and the
/// classifier's version, so a hit needs no classification.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    /// The provider component's load, so a new version (or policy) never serves the old
    /// one's audio.
    pub provider: String,
    /// The classifier component's load, when it shapes the speech.
    pub classifier: Option<String>,
    pub voice: String,
    pub model: Option<String>,
    pub language: Option<String>,
    pub format: String,
    /// The caller's voice settings (as bits, to be hashable).
    pub settings: [Option<u32>; 4],
    pub context_aware: bool,
    /// Whether text with personal data is refused: such a request never shares an entry
    /// with one that speaks it.
    pub refuse_personal_data: bool,
    pub text: String,
}

/// What an entry costs to keep, in bytes.
pub trait Weight {
    fn weight(&self) -> usize;
}

pub struct SpeechCache<V> {
    cache: Cache<Key, Arc<V>>,
    capacity: u64,
    ttl: Duration,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// Counters and sizes for `get_server_status`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CacheStats {
    pub entries: u64,
    pub bytes: u64,
    pub capacity_bytes: u64,
    pub ttl_seconds: u64,
    pub hits: u64,
    pub misses: u64,
}

impl<V: Weight + Send + Sync + 'static> SpeechCache<V> {
    pub fn new(capacity_bytes: u64, ttl: Duration) -> Self {
        let cache = Cache::builder()
            .max_capacity(capacity_bytes)
            .weigher(|key: &Key, value: &Arc<V>| {
                let size = value.weight() + key.text.len() + std::mem::size_of::<Key>();
                u32::try_from(size).unwrap_or(u32::MAX)
            })
            .time_to_live(ttl)
            .build();
        Self { cache, capacity: capacity_bytes, ttl, hits: AtomicU64::new(0), misses: AtomicU64::new(0) }
    }

    /// The audio for `key`: cached, or made by `synthesize` (once, however many callers ask
    /// at the same time). Returns whether it came from the cache. Failures are not cached.
    pub async fn get_or_synthesize<E, F>(&self, key: Key, synthesize: F) -> Result<(Arc<V>, bool), Arc<E>>
    where
        E: Send + Sync + 'static,
        F: Future<Output = Result<Arc<V>, E>>,
    {
        if self.capacity == 0 {
            self.misses.fetch_add(1, Ordering::Relaxed);
            return synthesize.await.map(|a| (a, false)).map_err(Arc::new);
        }
        let ran = AtomicBool::new(false);
        let audio = self
            .cache
            .try_get_with(key, async {
                ran.store(true, Ordering::Relaxed);
                synthesize.await
            })
            .await?;
        // A caller that waited on another's synthesis shares its result: that is a hit.
        let fresh = ran.load(Ordering::Relaxed);
        let counter = if fresh { &self.misses } else { &self.hits };
        counter.fetch_add(1, Ordering::Relaxed);
        Ok((audio, !fresh))
    }

    /// Drops the entry for `key`, if any.
    pub async fn forget(&self, key: &Key) {
        self.cache.invalidate(key).await;
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats {
            entries: self.cache.entry_count(),
            bytes: self.cache.weighted_size(),
            capacity_bytes: self.capacity,
            ttl_seconds: self.ttl.as_secs(),
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

/// Trimmed, with every run of white space made one space.
pub fn normalise_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> Key {
        Key {
            provider: "p".into(),
            classifier: None,
            voice: "v".into(),
            model: None,
            language: None,
            format: "wav_16000".into(),
            settings: [None; 4],
            context_aware: true,
            refuse_personal_data: false,
            text: normalise_text(text),
        }
    }

    #[derive(Debug)]
    struct Bytes(Vec<u8>);

    impl Weight for Bytes {
        fn weight(&self) -> usize {
            self.0.len()
        }
    }

    fn audio(n: usize) -> Arc<Bytes> {
        Arc::new(Bytes(vec![0; n]))
    }

    #[tokio::test]
    async fn concurrent_identical_requests_share_one_synthesis() {
        let cache = SpeechCache::<Bytes>::new(1 << 20, Duration::from_secs(60));
        let runs = AtomicU64::new(0);
        let synth = || async {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok::<_, String>(audio(10))
        };
        let (a, b) = tokio::join!(
            cache.get_or_synthesize(key("hello  world"), synth()),
            cache.get_or_synthesize(key(" hello world "), synth())
        );
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert!(Arc::ptr_eq(&a.unwrap().0, &b.unwrap().0));
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.misses), (1, 1));
    }

    #[tokio::test]
    async fn failures_are_not_cached_and_size_is_bounded() {
        let cache = SpeechCache::<Bytes>::new(64 * 1024, Duration::from_secs(60));
        let failed = cache.get_or_synthesize(key("a"), async { Err::<Arc<Bytes>, _>("down") }).await;
        assert_eq!(*failed.unwrap_err(), "down");
        let (_, cached) = cache.get_or_synthesize(key("a"), async { Ok::<_, String>(audio(10)) }).await.unwrap();
        assert!(!cached);
        for n in 0..20 {
            let _ = cache.get_or_synthesize(key(&format!("t{n}")), async { Ok::<_, String>(audio(16 * 1024)) }).await;
        }
        cache.cache.run_pending_tasks().await;
        assert!(cache.stats().bytes <= 64 * 1024, "{:?}", cache.stats());
    }
}
