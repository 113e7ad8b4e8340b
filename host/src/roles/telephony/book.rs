//! The host's book of calls: every call it placed, kept in the state store (namespace
//! `@host`, which no component can be named) so that a restart or a crash loses none, with an
//! index from each lead to its calls.
//!
//! Updates are compare-and-swap on the record, so two webhooks of one call never lose one
//! another's news, on one host or on several sharing a store.
//! A webhook may also beat the carrier's answer to `place-call` (the carrier sends `initiated`
//! before the host has saved the call): such news waits, briefly, for the record to appear.

use super::record::{Applied, CallRecord, Update};
use crate::store::{KeyValue, StoreError};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const NAMESPACE: &str = "@host";
const CALLS: &str = "calls";
const LEADS: &str = "leads";
/// How long news of a call the book does not know yet is kept for it.
const EARLY_NEWS_TTL: Duration = Duration::from_secs(120);

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
    /// News of calls not saved yet; held across a save so that news cannot slip between a
    /// call's save and its early news being applied.
    early: tokio::sync::Mutex<HashMap<String, Vec<(Instant, Update)>>>,
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
        Self { store, early: tokio::sync::Mutex::new(HashMap::new()) }
    }

    /// Saves a new call, links it to its lead, and applies any news that arrived first.
    pub async fn insert(&self, mut record: CallRecord, now: i64) -> Result<CallRecord, BookError> {
        let mut early = self.early.lock().await;
        early.retain(|_, news| {
            news.retain(|(at, _)| at.elapsed() < EARLY_NEWS_TTL);
            !news.is_empty()
        });
        if let Some(news) = early.remove(&record.call_sid) {
            for (_, update) in news {
                let applied = record.apply(update, now);
                tracing::debug!(call = %record.call_sid, ?applied, "applied news that came before the call was saved");
            }
        }
        self.save(&record).await?;
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
    /// for a while.
    pub async fn update(
        &self,
        sid: &str,
        update: Update,
        now: i64,
    ) -> Result<(Outcome, Option<CallRecord>), BookError> {
        let mut early = self.early.lock().await;
        for _ in 0..TRIES {
            let Some(old) = self.store.get(NAMESPACE, CALLS, sid).await? else {
                early.entry(sid.to_owned()).or_default().push((Instant::now(), update));
                return Ok((Outcome::Early, None));
            };
            let mut record = decode(sid, &old)?;
            let applied = record.apply(update.clone(), now);
            // A refused update still counts against the record, so it is saved either way.
            let bytes = serde_json::to_vec(&record).expect("a call record serializes");
            if self.store.compare_and_swap(NAMESPACE, CALLS, sid, Some(&old), &bytes).await? {
                return Ok((Outcome::Applied(applied), Some(record)));
            }
        }
        Err(BookError::Store(StoreError::Backend(format!(
            "call {sid} changed {TRIES} times while this news was applied; it was not applied"
        ))))
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
                let Some(bytes) = bytes else { continue };
                let record = decode(sid, &bytes)?;
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
        self.store.get(NAMESPACE, CALLS, sid).await?.map(|bytes| decode(sid, &bytes)).transpose()
    }

    async fn save(&self, record: &CallRecord) -> Result<(), BookError> {
        let bytes = serde_json::to_vec(record).expect("a call record serializes");
        Ok(self.store.set(NAMESPACE, CALLS, &record.call_sid, &bytes).await?)
    }
}

fn decode(sid: &str, bytes: &[u8]) -> Result<CallRecord, BookError> {
    serde_json::from_slice(bytes).map_err(|e| BookError::Corrupt { sid: sid.to_owned(), message: e.to_string() })
}
