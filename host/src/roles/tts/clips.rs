//! Synthesized audio served by URL (`/audio/{id}` on the HTTP listener): what Twilio's
//! `<Play>` fetches during a message call, and what `speak` links to instead of (or beside)
//! inline audio.
//!
//! An id is 192 random bits, so the URL is a capability: whoever holds it may fetch the audio
//! (Twilio cannot send our bearer token), nobody can guess one. A clip lives for the
//! configured time, after which it is gone (404), and the clips kept in memory together are
//! capped in bytes (the oldest give way). A clip can be read while it is being made: readers
//! get each chunk as the provider pushes it.

use crate::media::{Codec, Format};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::sync::watch;

/// Random bytes in an id.
const ID_BYTES: usize = 24;
/// What an entry costs beyond its audio, for the byte cap.
const OVERHEAD: usize = 256;

/// Where a clip's making stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Bytes so far; `restarts` counts the times the audio began again (a provider failed
    /// after its first chunk and another took over), so a reader can tell its bytes are stale.
    Making { len: usize, restarts: u32 },
    /// Finished: the whole audio is there.
    Done { len: usize },
    /// Nothing more will come; the reason says why (never the text).
    Failed(String),
}

/// One clip.
pub struct Clip {
    pub format: Format,
    pub mime: String,
    /// When it stops being served.
    pub expires: SystemTime,
    bytes: Mutex<Vec<u8>>,
    progress: watch::Sender<Progress>,
}

impl Clip {
    /// The bytes from `from` on, as they are now, and the progress they belong to.
    pub fn read(&self, from: usize) -> (Vec<u8>, Progress) {
        // The lock orders this read against writers: bytes and progress agree.
        let bytes = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        let progress = self.progress.borrow().clone();
        (bytes.get(from..).map(<[u8]>::to_vec).unwrap_or_default(), progress)
    }

    /// Waits until the clip has more than `len` bytes, is done, or failed.
    pub async fn wait_past(&self, len: usize, restarts: u32) -> Progress {
        let mut rx = self.progress.subscribe();
        let seen = rx
            .wait_for(|p| match p {
                Progress::Making { len: now, restarts: r } => *now > len || *r != restarts,
                _ => true,
            })
            .await;
        match seen {
            Ok(p) => p.clone(),
            Err(_) => Progress::Failed("the audio was dropped".into()),
        }
    }

    /// Waits until the clip is done or failed.
    pub async fn finished(&self) -> Progress {
        let mut rx = self.progress.subscribe();
        match rx.wait_for(|p| !matches!(p, Progress::Making { .. })).await {
            Ok(p) => p.clone(),
            Err(_) => Progress::Failed("the audio was dropped".into()),
        }
    }

    /// The seconds left to live, for `Cache-Control`.
    pub fn max_age(&self) -> u64 {
        self.expires.duration_since(SystemTime::now()).unwrap_or_default().as_secs()
    }

    /// A streamed WAV's header as served before the length is known: sizes 0xFFFFFFFF.
    pub fn streaming_header(&self, head: &mut [u8]) {
        if self.format.codec == Codec::Wav && head.len() >= 44 && &head[0..4] == b"RIFF" {
            head[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
            if &head[36..40] == b"data" {
                head[40..44].copy_from_slice(&u32::MAX.to_le_bytes());
            }
        }
    }
}

/// Writes a clip while its audio is made. Dropping it unfinished fails the clip.
pub struct ClipWriter {
    clip: Arc<Clip>,
    clips: Clips,
    id: String,
    finished: bool,
}

impl ClipWriter {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Appends a chunk as the provider pushed it.
    pub fn push(&self, chunk: &[u8]) {
        let mut bytes = self.clip.bytes.lock().unwrap_or_else(|e| e.into_inner());
        bytes.extend_from_slice(chunk);
        let len = bytes.len();
        self.clip.progress.send_modify(|p| {
            if let Progress::Making { len: l, .. } = p {
                *l = len;
            }
        });
    }

    /// Starts over: the bytes so far were from an attempt that failed.
    pub fn restart(&self) {
        let mut bytes = self.clip.bytes.lock().unwrap_or_else(|e| e.into_inner());
        if bytes.is_empty() {
            return;
        }
        bytes.clear();
        self.clip.progress.send_modify(|p| {
            if let Progress::Making { len, restarts } = p {
                *len = 0;
                *restarts += 1;
            }
        });
    }

    /// The whole audio (its WAV header now carrying the real sizes): the clip is done, and
    /// counts toward the byte cap at its full size.
    pub fn finish(mut self, audio: &[u8]) {
        {
            let mut bytes = self.clip.bytes.lock().unwrap_or_else(|e| e.into_inner());
            bytes.clear();
            bytes.extend_from_slice(audio);
            self.clip.progress.send_replace(Progress::Done { len: audio.len() });
        }
        self.finished = true;
        // Weighed again now that its size is known; the oldest give way to the cap now.
        self.clips.cache.insert(self.id.clone(), self.clip.clone());
        self.clips.cache.run_pending_tasks();
    }

    /// Nothing will come: readers get `reason`.
    pub fn fail(mut self, reason: String) {
        self.finished = true;
        self.clip.progress.send_replace(Progress::Failed(reason));
    }
}

impl Drop for ClipWriter {
    fn drop(&mut self) {
        if !self.finished {
            self.clip.progress.send_replace(Progress::Failed("the synthesis stopped before it finished".into()));
        }
    }
}

/// The clips this host serves.
#[derive(Clone)]
pub struct Clips {
    cache: moka::sync::Cache<String, Arc<Clip>>,
    ttl: Duration,
}

impl Clips {
    pub fn new(max_bytes: u64, ttl: Duration) -> Self {
        let cache = moka::sync::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|_: &String, clip: &Arc<Clip>| {
                let len = clip.bytes.lock().map(|b| b.len()).unwrap_or(0);
                u32::try_from(len + OVERHEAD).unwrap_or(u32::MAX)
            })
            .time_to_live(ttl)
            // The oldest give way: a new clip is the one a call is about to fetch.
            .eviction_policy(moka::policy::EvictionPolicy::lru())
            .build();
        Self { cache, ttl }
    }

    /// A new clip of `format`, being made.
    pub fn create(&self, format: Format) -> ClipWriter {
        let id = new_id();
        let clip = Arc::new(Clip {
            format,
            mime: format.mime_type(),
            expires: SystemTime::now() + self.ttl,
            bytes: Mutex::new(Vec::new()),
            progress: watch::Sender::new(Progress::Making { len: 0, restarts: 0 }),
        });
        self.cache.insert(id.clone(), clip.clone());
        ClipWriter { clip, clips: self.clone(), id, finished: false }
    }

    /// A finished clip of `audio`.
    pub fn publish(&self, format: Format, audio: &[u8]) -> String {
        let writer = self.create(format);
        let id = writer.id.clone();
        writer.finish(audio);
        id
    }

    /// The clip of `id`, unless it is unknown or expired.
    pub fn get(&self, id: &str) -> Option<Arc<Clip>> {
        if id.len() != ID_BYTES * 2 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.cache.get(id)
    }

    /// Clips held, and their bytes, for `get_server_status`.
    pub fn stats(&self) -> serde_json::Value {
        self.cache.run_pending_tasks();
        serde_json::json!({
            "clips": self.cache.entry_count(),
            "bytes": self.cache.weighted_size(),
            "ttl_seconds": self.ttl.as_secs(),
        })
    }
}

/// 192 bits from the operating system's CSPRNG, as hex.
fn new_id() -> String {
    let mut bytes = [0u8; ID_BYTES];
    // The OS generator failing is no state to serve audio URLs in.
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav() -> Format {
        Format::parse("wav_16000").unwrap()
    }

    #[tokio::test]
    async fn readers_follow_a_clip_as_it_is_made() {
        let clips = Clips::new(1 << 20, Duration::from_secs(60));
        let writer = clips.create(wav());
        let clip = clips.get(writer.id()).unwrap();
        let id = writer.id().to_owned();
        assert_eq!(id.len(), 48);
        assert_eq!(clip.read(0), (vec![], Progress::Making { len: 0, restarts: 0 }));
        let reader = tokio::spawn({
            let clip = clip.clone();
            async move { clip.wait_past(0, 0).await }
        });
        writer.push(b"abc");
        assert_eq!(reader.await.unwrap(), Progress::Making { len: 3, restarts: 0 });
        writer.restart();
        assert_eq!(clip.read(0).1, Progress::Making { len: 0, restarts: 1 });
        writer.push(b"xy");
        writer.finish(b"xyz");
        assert_eq!(clip.read(1), (b"yz".to_vec(), Progress::Done { len: 3 }));
        assert!(clips.get("0").is_none() && clips.get(&"f".repeat(48)).is_none());
    }

    #[tokio::test]
    async fn a_writer_dropped_unfinished_fails_its_clip() {
        let clips = Clips::new(1 << 20, Duration::from_secs(60));
        let writer = clips.create(wav());
        let clip = clips.get(writer.id()).unwrap();
        drop(writer);
        assert!(matches!(clip.finished().await, Progress::Failed(_)));
    }

    #[test]
    fn clips_expire_and_the_byte_cap_holds() {
        let clips = Clips::new(10_000, Duration::from_millis(50));
        let id = clips.publish(wav(), &[0; 100]);
        assert!(clips.get(&id).is_some());
        std::thread::sleep(Duration::from_millis(80));
        assert!(clips.get(&id).is_none(), "expired");
        let clips = Clips::new(10_000, Duration::from_secs(60));
        let ids: Vec<String> = (0..20).map(|_| clips.publish(wav(), &[0; 1000])).collect();
        clips.cache.run_pending_tasks();
        let kept = ids.iter().filter(|id| clips.get(id).is_some()).count();
        assert!(kept <= 8, "{kept} clips of 1,256 bytes kept under a 10,000-byte cap");
    }
}
