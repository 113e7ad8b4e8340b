//! Do-not-call: the national registry as imported (parsing the file, its freshness) and the
//! internal list, and the reasons they give.

use crate::frequency::DAY;
use crate::model::{DncEntry, Reason, RegistryInfo};
use crate::number::Nanp;
use crate::zones::iso_utc;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The oldest scrub the rules accept: 31 days (47 CFR 64.1200(c)(2)(i)(D)).
pub const MAX_AGE: i64 = 31 * DAY;

/// How many rejected lines an import reports by name.
pub const REJECTED_SHOWN: usize = 20;

/// The last completed import. A number is on the registry when its key holds a generation at
/// least this one: a re-import writes its numbers under a new generation and then this record,
/// so numbers left out of it drop off without deleting a key; numbers of an import still under
/// way (or cut short) count as listed, which errs on the safe side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryMeta {
    pub generation: u64,
    pub scrubbed_at: i64,
    pub imported_at: i64,
    pub numbers: u64,
}

/// Whether a number's stored generation is listed under `meta`.
pub fn listed(stored: Option<&[u8]>, meta: Option<&RegistryMeta>) -> bool {
    let (Some(stored), Some(meta)) = (stored, meta) else { return false };
    std::str::from_utf8(stored).ok().and_then(|s| s.parse::<u64>().ok()).is_some_and(|g| g >= meta.generation)
}

/// The registry's state at `t`.
pub fn info(meta: Option<&RegistryMeta>, t: i64) -> RegistryInfo {
    match meta {
        None => RegistryInfo {
            imported: false,
            scrubbed_at: None,
            imported_at: None,
            numbers: 0,
            age_days: None,
            stale: true,
        },
        Some(m) => {
            let age = (t - m.scrubbed_at).max(0);
            RegistryInfo {
                imported: true,
                scrubbed_at: Some(m.scrubbed_at),
                imported_at: Some(m.imported_at),
                numbers: m.numbers,
                age_days: Some(u32::try_from(age / DAY).unwrap_or(u32::MAX)),
                stale: age > MAX_AGE,
            }
        }
    }
}

/// Why no call may be placed at `t` with this registry, if none may (47 CFR
/// 64.1200(c)(2)(i)(D): a seller must use a version of the registry obtained no more than 31
/// days before the call).
pub fn registry_reason(meta: Option<&RegistryMeta>, t: i64) -> Option<Reason> {
    const RULE: &str = "47 CFR 64.1200(c)(2)(i)(D)";
    match meta {
        None => Some(Reason::new(
            "dnc-registry-missing",
            RULE,
            "no national Do Not Call registry has been imported: download the numbers of your area codes from \
             telemarketing.donotcall.gov and import them with import_dnc_registry; every call is blocked until then",
        )),
        Some(m) if t - m.scrubbed_at > MAX_AGE => Some(Reason::new(
            "dnc-registry-stale",
            RULE,
            format!(
                "the national registry was downloaded {} days before this call ({}); the rules require one at most \
                 31 days old: download a fresh file from telemarketing.donotcall.gov and import it with \
                 import_dnc_registry; every call is blocked until then",
                (t - m.scrubbed_at) / DAY,
                iso_utc(m.scrubbed_at)
            ),
        )),
        Some(_) => None,
    }
}

/// The internal list blocks every call from this caller (47 CFR 64.1200(d)(3): a request not
/// to be called is honoured at once).
pub fn internal_reason(entry: &DncEntry) -> Reason {
    Reason::new(
        "internal-dnc",
        "47 CFR 64.1200(d)(3)",
        format!(
            "{} is on the internal do-not-call list since {} ({}; added by {}): no calls to it",
            entry.phone_number,
            iso_utc(entry.added_at),
            entry.reason.as_deref().unwrap_or("no reason given"),
            entry.source
        ),
    )
}

/// The national registry blocks telemarketing calls (47 CFR 64.1200(c)(2)).
pub fn national_reason(phone: &str) -> Reason {
    Reason::new(
        "national-dnc",
        "47 CFR 64.1200(c)(2)",
        format!("{phone} is on the national Do Not Call registry: no telemarketing calls to it"),
    )
}

/// A registry file, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedRegistry {
    /// Distinct numbers, in the order first seen.
    pub numbers: Vec<Nanp>,
    /// The first few rejected lines, `line N: ... (why)`.
    pub rejected: Vec<String>,
    pub rejected_count: u64,
}

/// Reads a registry file: one number a line (`3035550123`, `303,5550123`, `+13035550123`,
/// `13035550123`); blank lines and `#` comments are skipped.
pub fn parse_registry(content: &str) -> ParsedRegistry {
    let mut out = ParsedRegistry::default();
    let mut seen = HashSet::new();
    for (i, raw) in content.lines().enumerate() {
        let line = raw.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match parse_line(line) {
            Ok(n) => {
                if seen.insert(n) {
                    out.numbers.push(n);
                }
            }
            Err(why) => {
                out.rejected_count += 1;
                if out.rejected.len() < REJECTED_SHOWN {
                    let shown: String = line.chars().take(40).collect();
                    out.rejected.push(format!("line {}: `{shown}` ({why})", i + 1));
                }
            }
        }
    }
    out
}

fn parse_line(line: &str) -> Result<Nanp, String> {
    let kept: String = line.chars().filter(|c| !matches!(c, ',' | '-' | ' ' | '\t' | '(' | ')' | '.')).collect();
    let digits = kept.strip_prefix('+').unwrap_or(&kept);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("not a phone number".to_owned());
    }
    let national = match digits.len() {
        10 => digits,
        11 if digits.starts_with('1') => &digits[1..],
        n => return Err(format!("{n} digits, not 10")),
    };
    Nanp::from_digits(national)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        let file = "\u{feff}# national registry\n3035550123\n\n303,5550124\r\n+13035550125\n13035550126\n  \
                    (303) 555-0127 \n3035550123\nhello\n1035550123\n30355501\n";
        let p = parse_registry(file);
        let digits: Vec<String> = p.numbers.iter().map(Nanp::digits).collect();
        assert_eq!(digits, ["3035550123", "3035550124", "3035550125", "3035550126", "3035550127"]);
        assert_eq!(p.rejected_count, 3);
        assert!(p.rejected[0].starts_with("line 9: `hello`"), "{:?}", p.rejected);
        assert!(p.rejected[1].starts_with("line 10:") && p.rejected[1].contains("area code"), "{:?}", p.rejected);
        assert!(p.rejected[2].contains("8 digits"), "{:?}", p.rejected);
    }

    #[test]
    fn rejected_list_is_capped() {
        let file = "x\n".repeat(100);
        let p = parse_registry(&file);
        assert_eq!((p.rejected.len(), p.rejected_count), (REJECTED_SHOWN, 100));
    }

    #[test]
    fn freshness() {
        let m = RegistryMeta { generation: 2, scrubbed_at: 0, imported_at: 0, numbers: 1 };
        assert!(registry_reason(Some(&m), 30 * DAY).is_none());
        assert!(registry_reason(Some(&m), 31 * DAY).is_none());
        assert_eq!(registry_reason(Some(&m), 32 * DAY).unwrap().code, "dnc-registry-stale");
        assert_eq!(registry_reason(None, 0).unwrap().code, "dnc-registry-missing");
        let i = info(Some(&m), 32 * DAY);
        assert_eq!((i.age_days, i.stale), (Some(32), true));
        assert!(info(None, 0).stale);
    }

    #[test]
    fn generations() {
        let m = RegistryMeta { generation: 2, scrubbed_at: 0, imported_at: 0, numbers: 1 };
        assert!(listed(Some(b"2"), Some(&m)));
        assert!(listed(Some(b"3"), Some(&m)));
        assert!(!listed(Some(b"1"), Some(&m)));
        assert!(!listed(None, Some(&m)));
        assert!(!listed(Some(b"2"), None));
    }
}
