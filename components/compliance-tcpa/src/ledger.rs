//! A number's ledger: the one key through which every change to a number's records is ordered.
//!
//! A decision reads many keys (the registry, the lists, consent, attempts) and, when it allows
//! a call, must count the attempt in the same step, or two decisions made at once would both
//! see the last free slot. `wasi:keyvalue` has no multi-key transaction, but it has
//! compare-and-swap on one key, so every change to a number goes through its ledger:
//!
//! 1. read the ledger (a CAS handle on it);
//! 2. take the change's audit id (after the read, so ids follow the order changes land in);
//! 3. read whatever else the change depends on, and decide;
//! 4. swap in the new ledger; if another change landed since step 1, start over.
//!
//! What the rules must see at once lives in the ledger itself: the attempts that count
//! (reservations included), the latest revocation and the internal do-not-call entry. A
//! change is in force from its swap; its detailed records and audit entry are written right
//! after. A crash between the two leaves the ledger stricter than the records, never looser.

use crate::audit::{self, Turn};
use crate::config::MAX_INTERVAL_MINUTES;
use crate::frequency::{Attempt, DAY};
use crate::lists::internal_entry;
use crate::model::{DncEntry, Error, Purpose, Revocation};
use crate::store::{Kv, counter, decode, encode, keys};
use serde::{Deserialize, Serialize};

/// Tries before a change gives up with a retryable error: each failed try means another
/// change to the same number landed, so this only runs out under a storm of them.
const TRIES: usize = 200;
/// The first retry waits up to this long (microseconds); each later one up to twice as long,
/// to at most [`MAX_BACKOFF_US`].
const BACKOFF_STEP_US: u64 = 100;
const MAX_BACKOFF_US: u64 = 5_000;
/// Attempts kept at most (the rules need a day's worth; the audit trail keeps all).
const MAX_KEPT: usize = 1000;
/// Attempts read per round trip when a ledger is first made from the older attempt log.
const SEED_BATCH: u64 = 32;

/// Where an attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Allowed by a decision that holds the slot; no carrier request sent yet.
    Reserved,
    /// Its carrier request is being sent (or was, when the host stopped before it knew).
    Claimed,
    /// The call was placed.
    Placed,
}

/// An attempt that counts toward spacing and caps: counted from the moment of its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    /// The audit id of the decision that reserved it (or of the `attempt` entry).
    pub id: String,
    pub at: i64,
    pub subject: Option<String>,
    pub call_id: Option<String>,
    pub stage: Stage,
    /// What the decision was for, so that a claim checks consent the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms: Option<Terms>,
}

/// The parts of a request that consent depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub purpose: Purpose,
    pub artificial_voice: bool,
    pub consent_scope: Option<String>,
}

/// The latest revocation, with the consent-log slot it is written at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stop {
    pub slot: u64,
    pub revocation: Revocation,
}

/// A number's ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// The audit id of the last change: every change has its own, so no two values repeat.
    pub last: u64,
    /// Positions taken in the number's audit index.
    pub index: u64,
    /// The attempts that count, oldest first.
    pub attempts: Vec<Held>,
    /// The latest revocation of consent.
    pub revoked: Option<Stop>,
    /// The number's internal do-not-call entry, while it is on the list.
    pub dnc: Option<DncEntry>,
}

impl Ledger {
    /// The attempts as the frequency rules read them.
    pub fn attempts(&self) -> Vec<Attempt> {
        self.attempts
            .iter()
            .map(|h| Attempt { at: h.at, subject: h.subject.clone(), call_id: h.call_id.clone() })
            .collect()
    }

    pub fn held(&self, id: &str) -> Option<&Held> {
        self.attempts.iter().find(|h| h.id == id)
    }

    pub fn held_mut(&mut self, id: &str) -> Option<&mut Held> {
        self.attempts.iter_mut().find(|h| h.id == id)
    }

    /// Drops attempts too old for any rule to count at `now` (or a day before it), under the
    /// longest spacing an operator may set.
    fn prune(&mut self, now: i64) {
        let keep = 2 * DAY + MAX_INTERVAL_MINUTES * 60;
        self.attempts.retain(|h| h.at > now - keep);
        let excess = self.attempts.len().saturating_sub(MAX_KEPT);
        self.attempts.drain(..excess);
    }
}

/// The ledger of a number as it is now, for reading only (an absent one is made from the
/// older records, as [`commit`] would).
pub fn read(kv: &dyn Kv, d: &str) -> Result<Ledger, Error> {
    let key = keys::ledger(d);
    match decode::<Ledger>(&key, kv.get(&key)?.as_deref())? {
        Some(ledger) => Ok(ledger),
        None => seed(kv, d),
    }
}

/// Applies one change to a number's records in its turn: `change` gets the ledger as it is
/// and the change's audit turn, edits the ledger and reads what it needs; its result is
/// returned once the new ledger is in place. `change` may run more than once (each time over
/// a fresher ledger), so it must not write anything itself.
pub fn commit<T>(
    kv: &dyn Kv,
    d: &str,
    now: i64,
    mut change: impl FnMut(&mut Ledger, &Turn) -> Result<T, Error>,
) -> Result<(T, Turn), Error> {
    let key = keys::ledger(d);
    for attempt in 0..TRIES {
        let watched = kv.watch(&key)?;
        let mut ledger = match decode::<Ledger>(&key, watched.current.as_deref())? {
            Some(ledger) => ledger,
            None => seed(kv, d)?,
        };
        let id = kv.increment(keys::AUDIT_SEQ, 1)?;
        ledger.last = id;
        ledger.index += 1;
        let turn = Turn { id: audit::format_id(id), position: ledger.index, number: d.to_owned() };
        let out = change(&mut ledger, &turn)?;
        ledger.prune(now);
        if kv.swap(watched, encode(&ledger))? {
            return Ok((out, turn));
        }
        back_off(attempt, id);
    }
    Err(Error::Storage(format!(
        "too many changes to this number landed at once ({TRIES} tries); nothing was recorded, try again"
    )))
}

/// Waits a little after a lost swap, longer each time and by a different amount for each
/// change (`seed` is its audit id, unique), so that changes racing for one number spread out
/// instead of colliding again at once: with many at once (several hosts, or many workers),
/// retrying immediately can keep every one of them losing.
fn back_off(attempt: usize, seed: u64) {
    let ceiling = (BACKOFF_STEP_US << attempt.min(6)).min(MAX_BACKOFF_US);
    let jitter = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    std::thread::sleep(std::time::Duration::from_micros(jitter % (ceiling + 1)));
}

/// A ledger for a number that has none yet: its recent attempts from the older attempt log,
/// its audit index count and its internal do-not-call entry.
fn seed(kv: &dyn Kv, d: &str) -> Result<Ledger, Error> {
    let wanted = [keys::attempt_count(d), keys::audit_index_count(d), keys::internal(d)];
    let values = kv.get_many(&wanted)?;
    let attempt_count = counter(values[0].as_deref());
    let index = counter(values[1].as_deref());
    let dnc = internal_entry(&wanted[2], values[2].as_deref())?;

    // Attempts were recorded in about time order: read back from the newest while the oldest
    // read may still count.
    let mut attempts = Vec::new();
    let mut to = attempt_count;
    let mut horizon = None;
    while to >= 1 && attempts.len() < MAX_KEPT {
        let from = to.saturating_sub(SEED_BATCH) + 1;
        let batch: Vec<String> = (from..=to).map(|i| keys::attempt(d, i)).collect();
        let values = kv.get_many(&batch)?;
        for (k, v) in batch.iter().zip(&values).rev() {
            if let Some(a) = decode::<Attempt>(k, v.as_deref())? {
                horizon = horizon.max(Some(a.at));
                attempts.push(Held {
                    id: format!("log-{}", k.rsplit('/').next().unwrap_or_default()),
                    at: a.at,
                    subject: a.subject,
                    call_id: a.call_id,
                    stage: Stage::Placed,
                    terms: None,
                });
            }
        }
        let oldest = attempts.iter().map(|h| h.at).min();
        if oldest.zip(horizon).is_some_and(|(o, h)| o < h - 3 * DAY) {
            break;
        }
        to = from - 1;
    }
    attempts.reverse();
    Ok(Ledger { last: 0, index, attempts, revoked: None, dnc })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryKv;

    #[test]
    fn a_change_that_lost_the_race_runs_again_over_the_winner() {
        let kv = MemoryKv::default();
        let mut runs = 0;
        let ((), turn) = commit(&kv, "3035550123", 100, |ledger, _| {
            runs += 1;
            if runs == 1 {
                // Another change lands between this one's read and its swap.
                commit(&kv, "3035550123", 100, |l, _| {
                    l.dnc = Some(DncEntry {
                        phone_number: "+13035550123".into(),
                        added_at: 100,
                        reason: None,
                        source: "test".into(),
                    });
                    Ok(())
                })
                .unwrap();
            }
            assert_eq!(ledger.dnc.is_some(), runs > 1, "the retry sees the winner's change");
            Ok(())
        })
        .unwrap();
        assert_eq!(runs, 2);
        // The winner took id 2 and position 1; the first try's id 1 is a gap.
        assert_eq!((turn.id.as_str(), turn.position), ("00000000000000000003", 2));
        let ledger = read(&kv, "3035550123").unwrap();
        assert_eq!((ledger.last, ledger.index), (3, 2));
    }

    #[test]
    fn a_ledger_is_seeded_from_the_older_attempt_log() {
        let kv = MemoryKv::default();
        let d = "3035550123";
        for (i, at) in [(1, 10), (2, 4 * DAY), (3, 4 * DAY + 60)] {
            let a = Attempt { at, subject: None, call_id: Some(format!("c{i}")) };
            kv.set_many(&[(keys::attempt(d, i), encode(&a))]).unwrap();
        }
        kv.set_many(&[(keys::attempt_count(d), b"3".to_vec()), (keys::audit_index_count(d), b"7".to_vec())]).unwrap();
        let ledger = read(&kv, d).unwrap();
        assert_eq!(ledger.index, 7);
        assert_eq!(ledger.attempts.iter().map(|h| h.at).collect::<Vec<_>>(), [10, 4 * DAY, 4 * DAY + 60]);
        // Pruned at the first change.
        commit(&kv, d, 12 * DAY, |_, _| Ok(())).unwrap();
        assert_eq!(read(&kv, d).unwrap().attempts.len(), 2);
    }
}
