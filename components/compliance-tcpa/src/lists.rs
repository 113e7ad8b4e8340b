//! The do-not-call operations (the internal list, the national registry import) and reading
//! the audit trail.

use crate::audit::{self, NewEntry};
use crate::dnc::{self, RegistryMeta};
use crate::ledger;
use crate::model::{AuditPage, DncEntry, DncStatus, Error, ImportSummary};
use crate::number;
use crate::store::{Kv, decode, encode, keys};
use serde_json::json;

/// Numbers written per `set-many` during an import.
const IMPORT_BATCH: usize = 5000;
/// How far in the future a scrub may be dated (clock skew).
const SKEW: i64 = 300;

/// A number's entry on the internal list as kept before ledgers (which keep it now; see
/// [`crate::ledger`]).
pub(crate) fn internal_entry(key: &str, value: Option<&[u8]>) -> Result<Option<DncEntry>, Error> {
    // An empty value is a removal.
    decode(key, value.filter(|v| !v.is_empty()))
}

/// Where a number stands on both lists.
pub fn check_dnc(kv: &dyn Kv, now: i64, phone: &str) -> Result<DncStatus, Error> {
    let n = number::parse_nanp(phone)?;
    let d = n.digits();
    let wanted = [keys::REGISTRY.to_owned(), keys::national(&d)];
    let values = kv.get_many(&wanted)?;
    let meta: Option<RegistryMeta> = decode(keys::REGISTRY, values[0].as_deref())?;
    let national = dnc::listed(values[1].as_deref(), meta.as_ref());
    let internal = ledger::read(kv, &d)?.dnc;
    let registry = dnc::info(meta.as_ref(), now);
    let mut message = Vec::new();
    if internal.is_some() {
        message.push("it is on the internal do-not-call list: no calls to it".to_owned());
    }
    if national {
        message.push("it is on the national Do Not Call registry: no telemarketing calls to it".to_owned());
    }
    match (registry.imported, registry.stale) {
        (false, _) => message.push(
            "no national registry has been imported, so every call is blocked: import a fresh file from \
             telemarketing.donotcall.gov"
                .to_owned(),
        ),
        (true, true) => message.push(format!(
            "the national registry is {} days old (more than 31), so every call is blocked: import a fresh file",
            registry.age_days.unwrap_or(0)
        )),
        _ => {}
    }
    if message.is_empty() {
        message.push("it is on neither list: do-not-call does not stand in the way".to_owned());
    }
    let message = format!("{}: {}", n.e164(), message.join("; "));
    Ok(DncStatus { phone_number: n.e164(), internal, national, registry, message })
}

/// Puts a number on the internal list (kept as it was when it already is).
pub fn add_to_dnc(
    kv: &dyn Kv,
    now: i64,
    phone: &str,
    reason: Option<&str>,
    source: Option<&str>,
) -> Result<DncEntry, Error> {
    let n = number::parse_nanp(phone)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
    if reason.as_ref().is_some_and(|r| r.len() > 2000) {
        return Err(Error::InvalidInput("reason is longer than 2000 bytes: keep it short".into()));
    }
    let source = source.map(str::trim).filter(|s| !s.is_empty()).unwrap_or("operator").to_owned();
    if source.len() > 200 {
        return Err(Error::InvalidInput("source is longer than 200 bytes: name who added it in a word".into()));
    }
    let fresh = DncEntry { phone_number: n.e164(), added_at: now, reason, source };
    // In force from the ledger's swap: the next decision sees it.
    let (entry, turn) = ledger::commit(kv, &n.digits(), now, |ledger, _| {
        Ok(match &ledger.dnc {
            Some(existing) => (existing.clone(), true),
            None => {
                ledger.dnc = Some(fresh.clone());
                (fresh.clone(), false)
            }
        })
    })?;
    let (entry, already) = entry;
    let detail = json!({
        "already_listed": already,
        "reason": entry.reason,
        "source": entry.source,
        "added_at": entry.added_at,
    });
    let audit =
        NewEntry { kind: "dnc-added", number: Some(&n), shown_number: None, allowed: None, reasons: vec![], detail };
    audit::write(kv, now, &turn, audit, vec![])?;
    Ok(entry)
}

/// Takes a number off the internal list; whether it was on it.
pub fn remove_from_dnc(kv: &dyn Kv, now: i64, phone: &str, reason: &str) -> Result<bool, Error> {
    let n = number::parse_nanp(phone)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.len() > 2000 {
        return Err(Error::InvalidInput(
            "reason must say why the number may be called again (e.g. `callee asked to be called again`), in under \
             2000 bytes"
                .into(),
        ));
    }
    let (existing, turn) = ledger::commit(kv, &n.digits(), now, |ledger, _| Ok(ledger.dnc.take()))?;
    let detail = json!({ "reason": reason, "was_listed": existing.is_some(), "entry": existing });
    let audit =
        NewEntry { kind: "dnc-removed", number: Some(&n), shown_number: None, allowed: None, reasons: vec![], detail };
    audit::write(kv, now, &turn, audit, vec![])?;
    Ok(existing.is_some())
}

/// Imports the national registry, replacing the previous import.
pub fn import_dnc_registry(
    kv: &dyn Kv,
    now: i64,
    content: &str,
    downloaded_at: Option<i64>,
) -> Result<ImportSummary, Error> {
    let scrubbed_at = downloaded_at.unwrap_or(now);
    if !(0..=now + SKEW).contains(&scrubbed_at) {
        return Err(Error::InvalidInput(format!(
            "downloaded-at {scrubbed_at} is not a past time: give when the file was downloaded from \
             telemarketing.donotcall.gov, in seconds since the Unix epoch, or leave it out for now"
        )));
    }
    let parsed = dnc::parse_registry(content);
    if parsed.numbers.is_empty() {
        return Err(Error::InvalidInput(format!(
            "the file holds no valid numbers ({} lines rejected{}): give one 10-digit US number a line; the previous \
             import stays in force",
            parsed.rejected_count,
            parsed.rejected.first().map_or(String::new(), |r| format!(", first {r}"))
        )));
    }
    // A new generation: numbers of this file are written under it, and the registry record
    // switches to it last, so that a re-import needs no deletion.
    let generation = kv.increment(keys::REGISTRY_GENERATION, 1)?;
    let value = generation.to_string().into_bytes();
    for chunk in parsed.numbers.chunks(IMPORT_BATCH) {
        let pairs: Vec<(String, Vec<u8>)> =
            chunk.iter().map(|n| (keys::national(&n.digits()), value.clone())).collect();
        kv.set_many(&pairs)?;
    }
    let meta = RegistryMeta { generation, scrubbed_at, imported_at: now, numbers: parsed.numbers.len() as u64 };
    let current: Option<RegistryMeta> = decode(keys::REGISTRY, kv.get(keys::REGISTRY)?.as_deref())?;
    // Two imports at once: the newer generation wins.
    let superseded = current.as_ref().is_some_and(|c| c.generation > generation);
    let write = if superseded { vec![] } else { vec![(keys::REGISTRY.to_owned(), encode(&meta))] };
    let detail = json!({
        "generation": generation,
        "numbers": meta.numbers,
        "scrubbed_at": scrubbed_at,
        "rejected_count": parsed.rejected_count,
        "rejected": parsed.rejected,
        "superseded": superseded,
        "previous_generation": current.as_ref().map(|c| c.generation),
    });
    let audit = NewEntry {
        kind: "registry-imported",
        number: None,
        shown_number: None,
        allowed: None,
        reasons: vec![],
        detail,
    };
    audit::append(kv, now, audit, write)?;
    let in_force = if superseded { current.unwrap_or(meta.clone()) } else { meta.clone() };
    Ok(ImportSummary {
        imported: meta.numbers,
        rejected: parsed.rejected,
        rejected_count: parsed.rejected_count,
        registry: dnc::info(Some(&in_force), now),
    })
}

/// A page of the audit trail.
pub fn audit(
    kv: &dyn Kv,
    phone: Option<&str>,
    since: Option<i64>,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<AuditPage, Error> {
    let number = phone.map(number::parse_nanp).transpose()?;
    audit::page(kv, number.as_ref(), since, cursor, limit)
}
