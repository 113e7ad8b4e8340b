//! The audit trail: every decision and every change, appended before the call returns.
//!
//! An entry's id is a sequence number from an atomic counter, zero-padded so that ids sort;
//! entries are read back by id with `get-many`, never by listing the bucket. Each number keeps
//! its own index (a counter and the ids of its entries), so a number's trail is read without
//! the others. A crash between taking an id and writing the entry leaves a gap, which readers
//! skip.

use crate::model::{AuditEntry, AuditPage, Error, Reason};
use crate::number::Nanp;
use crate::store::{Kv, counter, decode, encode, keys};

/// Default and largest page.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;
/// Positions one `audit` call examines at most before it returns a (possibly short) page.
const SCAN_BUDGET: u64 = 20_000;
/// Entries are written in about the order of their times; `since` starts a little earlier.
const SINCE_SLACK: i64 = 3600;

/// An entry to append.
pub struct NewEntry<'a> {
    pub kind: &'static str,
    pub number: Option<&'a Nanp>,
    /// The number as shown, when there is no `number` (a service code, a foreign number).
    pub shown_number: Option<String>,
    pub allowed: Option<bool>,
    pub reasons: Vec<Reason>,
    pub detail: serde_json::Value,
}

/// An audit id: the sequence number, zero-padded to 20 digits.
pub fn format_id(seq: u64) -> String {
    format!("{seq:020}")
}

/// The place a change to a number takes in the trail, given by its ledger ([`crate::ledger`]):
/// its audit id and its position in the number's index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub id: String,
    pub position: u64,
    /// The number's 10 digits.
    pub number: String,
}

/// The stored form of an entry.
fn stored(id: &str, now: i64, entry: NewEntry<'_>) -> AuditEntry {
    AuditEntry {
        id: id.to_owned(),
        at: now,
        kind: entry.kind.to_owned(),
        phone_number: entry.number.map(Nanp::e164).or(entry.shown_number),
        allowed: entry.allowed,
        reasons: entry.reasons,
        detail: entry.detail.to_string(),
    }
}

/// Appends an entry that concerns no +1 number (a registry import, a service code), writing
/// `with` (the change it records) in the same all-or-nothing batch. Returns the entry's id.
pub fn append(kv: &dyn Kv, now: i64, entry: NewEntry<'_>, with: Vec<(String, Vec<u8>)>) -> Result<String, Error> {
    debug_assert!(entry.number.is_none(), "a number's entries take their turn from its ledger");
    let id = format_id(kv.increment(keys::AUDIT_SEQ, 1)?);
    let mut pairs = with;
    pairs.push((keys::audit(&id), encode(&stored(&id, now, entry))));
    kv.set_many(&pairs)?;
    Ok(id)
}

/// Writes the entry of a number's change in the turn its ledger gave it, with `with` (the
/// records of the change) in the same all-or-nothing batch. Returns the entry's id.
pub fn write(
    kv: &dyn Kv,
    now: i64,
    turn: &Turn,
    entry: NewEntry<'_>,
    with: Vec<(String, Vec<u8>)>,
) -> Result<String, Error> {
    let mut pairs = with;
    pairs.push((keys::audit_index(&turn.number, turn.position), turn.id.clone().into_bytes()));
    pairs.push((keys::audit(&turn.id), encode(&stored(&turn.id, now, entry))));
    kv.set_many(&pairs)?;
    Ok(turn.id.clone())
}

/// Whose trail is read.
enum Trail {
    All,
    Number(String),
}

impl Trail {
    fn cursor_prefix(&self) -> &str {
        match self {
            Trail::All => "all",
            Trail::Number(d) => d,
        }
    }

    /// The last position written (positions are 1-based).
    fn end(&self, kv: &dyn Kv) -> Result<u64, Error> {
        match self {
            Trail::All => Ok(counter(kv.get(keys::AUDIT_SEQ)?.as_deref())),
            Trail::Number(d) => Ok(crate::ledger::read(kv, d)?.index),
        }
    }

    /// The entries at positions `from..to` (none where there is a gap).
    fn load(&self, kv: &dyn Kv, from: u64, to: u64) -> Result<Vec<(u64, Option<AuditEntry>)>, Error> {
        let positions: Vec<u64> = (from..to).collect();
        let ids: Vec<Option<String>> = match self {
            Trail::All => positions.iter().map(|&p| Some(format_id(p))).collect(),
            Trail::Number(d) => {
                let index: Vec<String> = positions.iter().map(|&p| keys::audit_index(d, p)).collect();
                kv.get_many(&index)?.into_iter().map(|v| v.and_then(|v| String::from_utf8(v).ok())).collect()
            }
        };
        let wanted: Vec<String> = ids.iter().flatten().map(|id| keys::audit(id)).collect();
        let mut values = kv.get_many(&wanted)?.into_iter().zip(wanted);
        let mut out = Vec::with_capacity(positions.len());
        for (p, id) in positions.into_iter().zip(ids) {
            let entry = match id {
                Some(_) => match values.next() {
                    Some((value, key)) => decode::<AuditEntry>(&key, value.as_deref())?,
                    None => None,
                },
                None => None,
            };
            out.push((p, entry));
        }
        Ok(out)
    }

    /// The first position whose entry may be at or after `since` (binary search; entries are
    /// in about time order).
    fn seek(&self, kv: &dyn Kv, since: i64, end: u64) -> Result<u64, Error> {
        let (mut lo, mut hi) = (1u64, end + 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let probe = self.load(kv, mid, (mid + 8).min(end + 1))?;
            let at = probe.into_iter().find_map(|(_, e)| e.map(|e| e.at));
            match at {
                Some(at) if at >= since - SINCE_SLACK => hi = mid,
                _ => lo = mid + 1,
            }
        }
        Ok(lo)
    }
}

/// A page of the trail, oldest first.
pub fn page(
    kv: &dyn Kv,
    number: Option<&Nanp>,
    since: Option<i64>,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<AuditPage, Error> {
    let limit = match limit {
        None => DEFAULT_LIMIT,
        Some(0) => return Err(Error::InvalidInput("limit must be at least 1 (at most 500; default 50)".into())),
        Some(l) => l.min(MAX_LIMIT),
    } as usize;
    let trail = number.map_or(Trail::All, |n| Trail::Number(n.digits()));
    let end = trail.end(kv)?;
    let mut pos = match cursor.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => parse_cursor(c, trail.cursor_prefix())?,
        None => match since {
            Some(s) => trail.seek(kv, s, end)?,
            None => 1,
        },
    };
    let mut entries = Vec::new();
    let budget_end = pos.saturating_add(SCAN_BUDGET);
    'scan: while pos <= end && pos < budget_end && entries.len() < limit {
        let batch = ((limit - entries.len()) as u64).clamp(16, u64::from(MAX_LIMIT));
        let to = (pos + batch).min(end + 1);
        for (p, entry) in trail.load(kv, pos, to)? {
            pos = p + 1;
            if let Some(e) = entry.filter(|e| since.is_none_or(|s| e.at >= s)) {
                entries.push(e);
                if entries.len() == limit {
                    break 'scan;
                }
            }
        }
    }
    let next_cursor = (pos <= end).then(|| format!("{}:{pos}", trail.cursor_prefix()));
    Ok(AuditPage { entries, next_cursor })
}

fn parse_cursor(cursor: &str, prefix: &str) -> Result<u64, Error> {
    cursor
        .split_once(':')
        .filter(|(p, _)| *p == prefix)
        .and_then(|(_, n)| n.parse::<u64>().ok())
        .filter(|&n| n >= 1)
        .ok_or_else(|| {
            Error::InvalidInput(format!(
                "cursor `{cursor}` is not one this audit trail gave: pass the next-cursor of the previous page with \
                 the same phone-number, or none for the first page"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryKv;

    fn add(kv: &MemoryKv, at: i64, number: Option<&Nanp>) -> String {
        let entry = NewEntry {
            kind: "attempt",
            number,
            shown_number: None,
            allowed: None,
            reasons: vec![],
            detail: serde_json::json!({ "n": at }),
        };
        match number {
            None => append(kv, at, entry, vec![]).unwrap(),
            Some(n) => {
                let ((), turn) = crate::ledger::commit(kv, &n.digits(), at, |_, _| Ok(())).unwrap();
                write(kv, at, &turn, entry, vec![]).unwrap()
            }
        }
    }

    #[test]
    fn pages_oldest_first_with_gaps() {
        let kv = MemoryKv::default();
        let a = Nanp::from_digits("3035550123").unwrap();
        let b = Nanp::from_digits("3035550124").unwrap();
        for i in 0..120 {
            add(&kv, 1000 + i, Some(if i % 3 == 0 { &a } else { &b }));
        }
        // A crash between taking an id and writing: a gap.
        kv.increment(keys::AUDIT_SEQ, 1).unwrap();
        add(&kv, 2000, Some(&a));
        assert_eq!(add(&kv, 2001, None), format_id(123));

        let mut all = Vec::new();
        let mut cursor = None;
        loop {
            let p = page(&kv, None, None, cursor.as_deref(), Some(50)).unwrap();
            assert!(p.entries.len() <= 50);
            all.extend(p.entries);
            match p.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(all.len(), 122);
        assert!(all.windows(2).all(|w| w[0].id < w[1].id));

        let first = page(&kv, Some(&a), None, None, Some(10)).unwrap();
        assert_eq!(first.entries.len(), 10);
        assert!(first.entries.iter().all(|e| e.phone_number.as_deref() == Some("+13035550123")));
        let rest = page(&kv, Some(&a), None, first.next_cursor.as_deref(), Some(500)).unwrap();
        assert_eq!(rest.entries.len(), 31);
        assert_eq!(rest.next_cursor, None);

        let recent = page(&kv, None, Some(1100), None, None).unwrap();
        assert_eq!(recent.entries.first().map(|e| e.at), Some(1100));
        assert_eq!(recent.entries.len(), 22);
        let recent_a = page(&kv, Some(&a), Some(1100), None, None).unwrap();
        assert_eq!(
            recent_a.entries.iter().map(|e| e.at).collect::<Vec<_>>(),
            [1102, 1105, 1108, 1111, 1114, 1117, 2000]
        );
    }

    #[test]
    fn bad_cursor_and_limit() {
        let kv = MemoryKv::default();
        let a = Nanp::from_digits("3035550123").unwrap();
        add(&kv, 1, Some(&a));
        for c in ["x", "all:0", "3035550124:1", "all:abc"] {
            let number = c.starts_with('3').then_some(&a);
            assert!(matches!(page(&kv, number, None, Some(c), None), Err(Error::InvalidInput(_))), "{c}");
        }
        assert!(matches!(page(&kv, None, None, None, Some(0)), Err(Error::InvalidInput(_))));
        assert_eq!(page(&kv, None, None, None, Some(100_000)).unwrap().entries.len(), 1);
    }
}
