//! The host's book of calls: every call it placed, kept in the state store (namespace
//! `@host`, which no component can be named) so that a restart or a crash loses none, with an
//! index from each lead to its calls.
//!
//! Updates are compare-and-swap on the record, so two webhooks of one call never lose one
//! another's news, on one host or on several sharing a store.
//! A webhook may also beat the carrier's answer to `place-call` (the carrier sends `initiated`
//! before the host has saved the call), and may land on another host than the one placing
//! it: such news is kept where the record will be, as a pending entry that the save of the
//! call takes in, by the same compare-and-swap.

use super::record::{Applied, CallRecord, Update};
use crate::store::{KeyValue, StoreError};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

const NAMESPACE: &str = "@host";
const CALLS: &str = "calls";
const LEADS: &str = "leads";
/// How long news of a call the book does not know yet is kept for it, in seconds.
const EARLY_NEWS_TTL: i64 = 120;

#[derive(Debug, thiserror::Error)]
pub enum BookError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the stored record of call {sid} is unreadable: {message}")]
    Corrupt { sid: String, message: String },
}

/// What an update to a call did.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Applied(Applied),
    /// No such call yet: the news is kept until the call is saved.
    Early,
}

pub struct Book {
    store: Arc<dyn KeyValue>,
    /// Bumped whenever this host saves a call's record, for those who follow calls (a task
    /// waiting for a call to end). News saved by another host is seen by reading again.
    saved: tokio::sync::watch::Sender<u64>,
}

/// What the book keeps at a call's key: its record, or news of it that came first.
#[derive(Serialize)]
#[serde(untagged)]
enum Entry {
    Record(Box<CallRecord>),
    Pending { pending_news: Vec<Held> },
}

/// The stored form of [`Entry::Pending`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Pending {
    pending_news: Vec<Held>,
}

/// News held for a call not saved yet, and when it came (Unix seconds).
#[derive(Clone, Serialize, Deserialize)]
struct Held {
    received_at: i64,
    update: Update,
}

/// Which calls to list.
#[derive(Debug, Default)]
pub struct Filter {
    pub lead_id: Option<String>,
    pub status: Option<super::record::Status>,
    pub active_only: bool,
    pub limit: usize,
}

/// Read-modify-write tries before giving up: each failed try means another host (or call)
/// changed the same record in between.
const TRIES: usize = 50;

impl Book {
    pub fn new(store: Arc<dyn KeyValue>) -> Self {
        Self { store, saved: tokio::sync::watch::channel(0).0 }
    }

    /// Changes whenever this host saves a call's record.
    pub fn saves(&self) -> tokio::sync::watch::Receiver<u64> {
        self.saved.subscribe()
    }

    fn note_save(&self) {
        self.saved.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Saves a new call, applying any news of it that arrived first (on any host), and links
    /// it to its lead. Returns the record as saved.
    pub async fn insert(&self, record: CallRecord, now: i64) -> Result<CallRecord, BookError> {
        let sid = record.call_sid.clone();
        let mut saved = None;
        for _ in 0..TRIES {
            let old = self.store.get(NAMESPACE, CALLS, &sid).await?;
            let mut new = record.clone();
            if let Some(Entry::Pending { pending_news }) = old.as_deref().map(|b| decode(&sid, b)).transpose()? {
                for held in pending_news.into_iter().filter(|h| now - h.received_at <= EARLY_NEWS_TTL) {
                    let applied = new.apply(held.update, now);
                    tracing::debug!(call = %sid, ?applied, "applied news that came before the call was saved");
                }
            }
            if self.store.compare_and_swap(NAMESPACE, CALLS, &sid, old.as_deref(), &encode_record(&new)).await? {
                saved = Some(new);
                self.note_save();
                break;
            }
        }
        let record = saved.ok_or_else(|| contended(&sid))?;
        if let Some(lead) = &record.lead_id {
            // The lead's list of calls, changed by compare-and-swap: two hosts placing calls
            // for one lead at once both get theirs in.
            for _ in 0..TRIES {
                let old = self.store.get(NAMESPACE, LEADS, lead).await?;
                let mut calls: Vec<String> =
                    old.as_deref().and_then(|b| serde_json::from_slice(b).ok()).unwrap_or_default();
                if calls.contains(&record.call_sid) {
                    break;
                }
                calls.push(record.call_sid.clone());
                let bytes = serde_json::to_vec(&calls).expect("a list of strings serializes");
                if self.store.compare_and_swap(NAMESPACE, LEADS, lead, old.as_deref(), &bytes).await? {
                    break;
                }
            }
        }
        Ok(record)
    }

    /// Applies news about a call, as one compare-and-swap of its record, so that news
    /// arriving on two hosts at once are both applied. News of a call not saved yet is kept
    /// for it, for a while, where any host's save of the call finds it.
    pub async fn update(
        &self,
        sid: &str,
        update: Update,
        now: i64,
    ) -> Result<(Outcome, Option<CallRecord>), BookError> {
        for _ in 0..TRIES {
            let old = self.store.get(NAMESPACE, CALLS, sid).await?;
            let (outcome, entry) = match old.as_deref().map(|b| decode(sid, b)).transpose()? {
                Some(Entry::Record(mut record)) => {
                    // A refused update still counts against the record, so it is saved either way.
                    let applied = record.apply(update.clone(), now);
                    (Outcome::Applied(applied), Entry::Record(record))
                }
                pending => {
                    let mut pending_news = match pending {
                        Some(Entry::Pending { pending_news }) => pending_news,
                        _ => Vec::new(),
                    };
                    pending_news.retain(|h| now - h.received_at <= EARLY_NEWS_TTL);
                    pending_news.push(Held { received_at: now, update: update.clone() });
                    (Outcome::Early, Entry::Pending { pending_news })
                }
            };
            let bytes = serde_json::to_vec(&entry).expect("a book entry serializes");
            if self.store.compare_and_swap(NAMESPACE, CALLS, sid, old.as_deref(), &bytes).await? {
                self.note_save();
                return Ok((outcome, record_of(entry)));
            }
        }
        Err(contended(sid))
    }

    pub async fn get(&self, sid: &str) -> Result<Option<CallRecord>, BookError> {
        self.read(sid).await
    }

    /// Calls matching `filter`, newest first.
    pub async fn list(&self, filter: &Filter) -> Result<Vec<CallRecord>, BookError> {
        let sids: Vec<String> = match &filter.lead_id {
            Some(lead) => match self.store.get(NAMESPACE, LEADS, lead).await? {
                Some(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
                None => return Ok(Vec::new()),
            },
            None => {
                let mut all = Vec::new();
                let mut cursor = None;
                loop {
                    let page = self.store.list_keys(NAMESPACE, CALLS, cursor).await?;
                    all.extend(page.keys);
                    match page.cursor {
                        Some(next) => cursor = Some(next),
                        None => break all,
                    }
                }
            }
        };
        let mut records = Vec::new();
        for chunk in sids.chunks(500) {
            for (sid, bytes) in chunk.iter().zip(self.store.get_many(NAMESPACE, CALLS, chunk).await?) {
                let Some(record) = bytes.map(|b| decode(sid, &b)).transpose()?.and_then(record_of) else {
                    continue;
                };
                let keep = filter.status.is_none_or(|s| record.status == s)
                    && (!filter.active_only || !record.status.is_final());
                if keep {
                    records.push(record);
                }
            }
        }
        records.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.call_sid.cmp(&a.call_sid)));
        records.truncate(filter.limit);
        Ok(records)
    }

    async fn read(&self, sid: &str) -> Result<Option<CallRecord>, BookError> {
        match self.store.get(NAMESPACE, CALLS, sid).await? {
            Some(bytes) => Ok(record_of(decode(sid, &bytes)?)),
            None => Ok(None),
        }
    }
}

fn decode(sid: &str, bytes: &[u8]) -> Result<Entry, BookError> {
    match serde_json::from_slice::<CallRecord>(bytes) {
        Ok(record) => Ok(Entry::Record(Box::new(record))),
        Err(e) => match serde_json::from_slice::<Pending>(bytes) {
            Ok(Pending { pending_news }) => Ok(Entry::Pending { pending_news }),
            // The record's error says more than the pending entry's would.
            Err(_) => Err(BookError::Corrupt { sid: sid.to_owned(), message: e.to_string() }),
        },
    }
}

/// The record an entry holds: none while only news of the call is.
fn record_of(entry: Entry) -> Option<CallRecord> {
    match entry {
        Entry::Record(record) => Some(*record),
        Entry::Pending { .. } => None,
    }
}

fn encode_record(record: &CallRecord) -> Vec<u8> {
    serde_json::to_vec(record).expect("a call record serializes")
}

fn contended(sid: &str) -> BookError {
    BookError::Store(StoreError::Backend(format!(
        "call {sid} changed {TRIES} times while this news was applied; it was not applied"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roles::telephony::record::{Status, tests::record};
    use crate::store::LazyStore;

    fn ringing() -> Update {
        Update { status: Some(Status::Ringing), source: "webhook".into(), sequence: Some(1), ..Update::default() }
    }

    /// Two books on one store, as two hosts sharing a database.
    fn two_hosts() -> (tempfile::TempDir, Book, Book) {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn KeyValue> = Arc::new(LazyStore::new(dir.path().join("state.sqlite3")));
        (dir, Book::new(store.clone()), Book::new(store))
    }

    #[tokio::test]
    async fn news_that_reaches_another_host_before_the_call_is_saved_is_applied_by_the_save() {
        let (_dir, placing, receiving) = two_hosts();
        let sid = record().call_sid;
        let (outcome, record_now) = receiving.update(&sid, ringing(), 10).await.unwrap();
        assert_eq!(outcome, Outcome::Early);
        assert!(record_now.is_none());
        // Until it is saved, the call is not in the book, on either host.
        assert!(placing.get(&sid).await.unwrap().is_none());
        assert!(receiving.list(&Filter { limit: 10, ..Filter::default() }).await.unwrap().is_empty());

        let saved = placing.insert(record(), 11).await.unwrap();
        assert_eq!(saved.status, Status::Ringing, "the early news was applied");
        assert_eq!(receiving.get(&sid).await.unwrap().unwrap().status, Status::Ringing);
        let listed = receiving.list(&Filter { limit: 10, ..Filter::default() }).await.unwrap();
        assert_eq!(listed.len(), 1);

        // Later news goes to the record as usual.
        let done = Update { status: Some(Status::Completed), source: "webhook".into(), ..Update::default() };
        let (outcome, _) = receiving.update(&sid, done, 12).await.unwrap();
        assert!(matches!(outcome, Outcome::Applied(Applied::Changed { .. })), "{outcome:?}");
    }

    #[tokio::test]
    async fn news_older_than_its_time_is_not_applied() {
        let (_dir, placing, receiving) = two_hosts();
        receiving.update(&record().call_sid, ringing(), 10).await.unwrap();
        let saved = placing.insert(record(), 10 + EARLY_NEWS_TTL + 1).await.unwrap();
        assert_eq!(saved.status, Status::Initiated);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn news_racing_the_save_on_another_host_is_never_lost() {
        let (_dir, placing, receiving) = two_hosts();
        let (placing, receiving) = (Arc::new(placing), Arc::new(receiving));
        for round in 0..200 {
            let mut call = record();
            call.call_sid = format!("CA{round:032}");
            let sid = call.call_sid.clone();
            let save = tokio::spawn({
                let placing = placing.clone();
                async move { placing.insert(call, 10).await.map(drop) }
            });
            let news = tokio::spawn({
                let (receiving, sid) = (receiving.clone(), sid.clone());
                async move { receiving.update(&sid, ringing(), 10).await.map(drop) }
            });
            save.await.unwrap().unwrap();
            news.await.unwrap().unwrap();
            let status = placing.get(&sid).await.unwrap().unwrap().status;
            assert_eq!(status, Status::Ringing, "round {round}: the news was lost");
        }
    }

    #[tokio::test]
    async fn a_corrupt_entry_is_an_error_that_names_the_call() {
        let (_dir, book, _) = two_hosts();
        book.store.set(NAMESPACE, CALLS, "CA1", b"{not json").await.unwrap();
        let e = book.get("CA1").await.unwrap_err();
        assert!(e.to_string().contains("CA1"), "{e}");
    }
}
