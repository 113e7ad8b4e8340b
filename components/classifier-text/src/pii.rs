//! Personal data in text: phone numbers, e-mail addresses, payment card numbers, US SSNs.
//!
//! Numbers are found as runs of digit groups joined by short separators (" ", "-", ".", up to
//! three of them, e.g. " - ") with optional parentheses and a leading "+", not glued to letters or
//! digits on either side. Within a run, the longest qualifying sequence of groups is taken from
//! the left, so "in 2024 call 555 123 4567" still finds the phone number:
//!
//! - SSN: `ddd-dd-dddd` with hyphens, excluding area 000, 666 and 900–999, group 00 and serial
//!   0000, which the SSA never issues;
//! - card: 13 to 19 digits, as one group, in fours (the last group shorter), or in Amex/Diners
//!   4-6-5 / 4-6-4 grouping, separated by single spaces or hyphens, not starting with 0, passing
//!   the Luhn check;
//! - phone: "+" and 8 to 15 digits (E.164, any grouping); or the US forms `(ddd) ddd-dddd`,
//!   `ddd-ddd-dddd`, `ddd.ddd.dddd`, `ddd ddd dddd`, each optionally after a country code `1`;
//!   or 10 or 11 (leading 1) digits written together, whose area code cannot start with 0 or 1.
//!
//! E-mail: `local@domain.tld` with the usual ASCII characters, a dotted domain and an alphabetic
//! top-level domain of two letters or more. Numbers inside an address are not reported again.

use std::ops::Range;

/// Kinds of personal data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A telephone number.
    Phone,
    /// An e-mail address.
    Email,
    /// A payment card number that passes the Luhn check.
    Card,
    /// A US Social Security number.
    Ssn,
}

/// Personal data and its byte range in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// What it is.
    pub kind: Kind,
    /// Where it is, in bytes.
    pub range: Range<usize>,
}

/// All personal data in `text`, in text order.
pub fn find(text: &str) -> Vec<Found> {
    let emails = emails(text);
    let mut out: Vec<Found> = numbers(text)
        .into_iter()
        .filter(|n| !emails.iter().any(|e| n.range.start < e.range.end && e.range.start < n.range.end))
        .collect();
    out.extend(emails);
    out.sort_by_key(|f| (f.range.start, f.range.end));
    out
}

fn is_local_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

/// E-mail addresses.
fn emails(text: &str) -> Vec<Found> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for (at, _) in text.match_indices('@') {
        let mut start = at;
        while start > 0 && is_local_char(b[start - 1]) {
            start -= 1;
        }
        // A local part may not start with a dot; "see.a@b.com" hardly matters, ".a@b.com" does.
        while start < at && b[start] == b'.' {
            start += 1;
        }
        let mut end = at + 1;
        while end < b.len() && is_domain_char(b[end]) {
            end += 1;
        }
        // The sentence's full stop is not part of the domain.
        while end > at + 1 && matches!(b[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let local = &text[start..at];
        let domain = &text[at + 1..end];
        if valid_local(local) && valid_domain(domain) {
            out.push(Found { kind: Kind::Email, range: start..end });
        }
    }
    out
}

fn valid_local(local: &str) -> bool {
    !local.is_empty() && !local.ends_with('.') && !local.contains("..")
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let Some(tld) = labels.last() else { return false };
    labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
        && tld.len() >= 2
        && tld.bytes().all(|c| c.is_ascii_alphabetic())
}

/// A group of digits within a run.
#[derive(Clone, Debug)]
struct Group {
    /// Byte range of the digits.
    digits: Range<usize>,
    /// Byte offset of a "(" just before the digits.
    open: Option<usize>,
    /// Byte offset just after a ")" closing it.
    close: Option<usize>,
    /// The separator between the previous group and this one (")" included), empty for the first.
    sep: String,
}

impl Group {
    fn len(&self) -> usize {
        self.digits.len()
    }

    fn start(&self) -> usize {
        self.open.unwrap_or(self.digits.start)
    }

    fn end(&self) -> usize {
        self.close.unwrap_or(self.digits.end)
    }

    fn parenthesised(&self) -> bool {
        self.open.is_some() || self.close.is_some()
    }
}

/// True when the character before byte `at` (if any) is a letter or digit.
fn alnum_before(text: &str, at: usize) -> bool {
    text.get(..at).and_then(|s| s.chars().next_back()).is_some_and(char::is_alphanumeric)
}

/// True when the character at byte `at` (if any) is a letter or digit.
fn alnum_at(text: &str, at: usize) -> bool {
    text.get(at..).and_then(|s| s.chars().next()).is_some_and(char::is_alphanumeric)
}

/// Phone, card and SSN numbers.
fn numbers(text: &str) -> Vec<Found> {
    let b = text.as_bytes();
    let digit_at = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts = digit_at(i) || (matches!(b[i], b'+' | b'(') && digit_at(i + 1));
        if !starts {
            i += 1;
            continue;
        }
        if alnum_before(text, i) {
            // Part of a word or a longer number: skip the digits so the scan stays linear.
            i += 1;
            while digit_at(i) {
                i += 1;
            }
            continue;
        }
        let plus = b[i] == b'+';
        let plus_at = i;
        if plus {
            i += 1;
        }
        let (groups, end) = run(b, i);
        i = end.max(i + 1);
        evaluate(text, &groups, plus.then_some(plus_at), &mut out);
    }
    out
}

/// Reads a run of digit groups starting at byte `i`; returns the groups and the byte after them.
fn run(b: &[u8], mut i: usize) -> (Vec<Group>, usize) {
    let digit_at = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut groups: Vec<Group> = Vec::new();
    let mut sep = String::new();
    loop {
        let open = (b.get(i) == Some(&b'(') && digit_at(i + 1)).then_some(i);
        let ds = if open.is_some() { i + 1 } else { i };
        if !digit_at(ds) {
            break;
        }
        let mut de = ds;
        while digit_at(de) {
            de += 1;
        }
        let close = (open.is_some() && b.get(de) == Some(&b')')).then_some(de + 1);
        let end = close.unwrap_or(de);
        groups.push(Group { digits: ds..de, open, close, sep: std::mem::take(&mut sep) });
        i = end;
        let sep_start = i;
        while i < b.len() && i - sep_start < 3 && matches!(b[i], b' ' | b'-' | b'.') {
            i += 1;
        }
        let next = digit_at(i) || (b.get(i) == Some(&b'(') && digit_at(i + 1));
        if next && (i > sep_start || close.is_some()) {
            if close.is_some() {
                sep.push(')');
            }
            sep.extend(b[sep_start..i].iter().map(|&c| c as char));
        } else {
            i = sep_start;
            break;
        }
    }
    let end = groups.last().map_or(i, Group::end);
    (groups, end)
}

/// Finds the personal numbers among a run's groups, longest first from the left.
fn evaluate(text: &str, groups: &[Group], plus_at: Option<usize>, out: &mut Vec<Found>) {
    let mut s = 0;
    while s < groups.len() {
        let mut best: Option<(usize, Kind)> = None;
        let mut digits = 0;
        for e in s..groups.len().min(s + 6) {
            digits += groups[e].len();
            if digits > 19 {
                break;
            }
            // A number ending at the run's last group must not run into a word.
            if e + 1 == groups.len() && alnum_at(text, groups[e].end()) {
                continue;
            }
            let plus = if s == 0 { plus_at.is_some() } else { false };
            if let Some(kind) = classify(text, &groups[s..=e], plus) {
                best = Some((e, kind));
            }
        }
        match best {
            Some((e, kind)) => {
                let start = if s == 0 { plus_at.unwrap_or(groups[s].start()) } else { groups[s].start() };
                out.push(Found { kind, range: start..groups[e].end() });
                s = e + 1;
            }
            None => s += 1,
        }
    }
}

/// What a sequence of groups is, if personal.
fn classify(text: &str, groups: &[Group], plus: bool) -> Option<Kind> {
    let digits: String = groups.iter().filter_map(|g| text.get(g.digits.clone())).collect();
    let lens: Vec<usize> = groups.iter().map(Group::len).collect();
    let seps: Vec<&str> = groups.iter().skip(1).map(|g| g.sep.as_str()).collect();
    let first = digits.as_bytes().first().copied().unwrap_or(b'0');
    if plus {
        return ((8..=15).contains(&digits.len()) && first != b'0').then_some(Kind::Phone);
    }
    let any_paren = groups.iter().any(Group::parenthesised);
    if !any_paren && lens == [3, 2, 4] && seps.iter().all(|&s| s == "-") && valid_ssn(&digits) {
        return Some(Kind::Ssn);
    }
    if !any_paren && card_grouping(&lens) && seps.iter().all(|&s| s == " " || s == "-") {
        if first != b'0' && luhn(&digits) {
            return Some(Kind::Card);
        }
        return None;
    }
    us_phone(&digits, &lens, &seps, groups).then_some(Kind::Phone)
}

/// Groupings a card number is written in.
fn card_grouping(lens: &[usize]) -> bool {
    let total: usize = lens.iter().sum();
    if !(13..=19).contains(&total) {
        return false;
    }
    match lens {
        [_] => true,
        [4, 6, 5] | [4, 6, 4] => true,
        [init @ .., last] => init.iter().all(|&l| l == 4) && (1..=4).contains(last),
        [] => false,
    }
}

/// The Luhn checksum of a string of ASCII digits.
fn luhn(digits: &str) -> bool {
    let mut sum = 0u32;
    for (k, c) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(c.wrapping_sub(b'0'));
        if k % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

/// Area, group and serial numbers the SSA issues.
fn valid_ssn(digits: &str) -> bool {
    let (area, rest) = digits.split_at(3.min(digits.len()));
    let (group, serial) = rest.split_at(2.min(rest.len()));
    area != "000" && area != "666" && !area.starts_with('9') && group != "00" && serial != "0000"
}

/// US phone forms (see the module documentation).
fn us_phone(digits: &str, lens: &[usize], seps: &[&str], groups: &[Group]) -> bool {
    let area_ok = |area: &str| !area.starts_with(['0', '1']);
    // Only an area code may be parenthesised.
    let paren_ok = |area_index: usize| {
        groups
            .iter()
            .enumerate()
            .all(|(k, g)| if k == area_index { g.open.is_some() == g.close.is_some() } else { !g.parenthesised() })
    };
    let sep_ok = |s: &str| matches!(s, "-" | "." | " " | ")" | ") " | ")-" | ")." | " - ");
    match lens {
        [10] => area_ok(digits) && !groups[0].parenthesised(),
        [11] => digits.starts_with('1') && area_ok(&digits[1..]) && !groups[0].parenthesised(),
        [3, 3, 4] => paren_ok(0) && seps.iter().all(|s| sep_ok(s)),
        [1, 3, 3, 4] => digits.starts_with('1') && paren_ok(1) && seps.iter().all(|s| sep_ok(s)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(Kind, &str)> {
        find(text).into_iter().map(|f| (f.kind, &text[f.range])).collect()
    }

    #[test]
    fn pii_table() {
        use Kind::*;
        let table: &[(&str, &[(Kind, &str)])] = &[
            ("Call (555) 123-4567 now", &[(Phone, "(555) 123-4567")]),
            ("Call 555-123-4567.", &[(Phone, "555-123-4567")]),
            ("or 555.123.4567 or 555 123 4567", &[(Phone, "555.123.4567"), (Phone, "555 123 4567")]),
            ("dial 1-800-555-0199", &[(Phone, "1-800-555-0199")]),
            ("dial 18005550199 or 2125550199", &[(Phone, "18005550199"), (Phone, "2125550199")]),
            ("ring +44 20 7946 0958 today", &[(Phone, "+44 20 7946 0958")]),
            ("ring +14155552671", &[(Phone, "+14155552671")]),
            ("in 2024 call 555 123 4567", &[(Phone, "555 123 4567")]),
            ("order 1234567890", &[]),
            ("ZIP 12345 and 555-1234", &[]),
            ("Mail jane.doe+x@mail.example.com.", &[(Email, "jane.doe+x@mail.example.com")]),
            ("not@mail or a@b.c or @x.com", &[]),
            ("card 4111 1111 1111 1111 ok", &[(Card, "4111 1111 1111 1111")]),
            ("card 4111-1111-1111-1111", &[(Card, "4111-1111-1111-1111")]),
            ("card 378282246310005", &[(Card, "378282246310005")]),
            ("bad 4111 1111 1111 1112", &[]),
            ("ssn 123-45-6789", &[(Ssn, "123-45-6789")]),
            ("ssn 666-45-6789 000-12-3456 900-12-3456 123-00-4567 123-45-0000", &[]),
            ("date 2024-01-15 ip 192.168.1.1 pi 3.14159", &[]),
            ("abc5551234567 5551234567xyz", &[]),
            ("ＡＢ 555-123-4567", &[(Phone, "555-123-4567")]),
            ("5551234567@example.com", &[(Email, "5551234567@example.com")]),
        ];
        for (text, expected) in table {
            assert_eq!(found(text), *expected, "personal data in {text:?}");
        }
    }

    #[test]
    fn luhn_checks() {
        assert!(luhn("4111111111111111"));
        assert!(luhn("79927398713"));
        assert!(!luhn("79927398710"));
    }

    #[test]
    fn long_digit_runs_stay_linear_and_safe() {
        let text = "1 ".repeat(50_000) + &"9".repeat(50_000) + "+(";
        let _ = find(&text);
    }
}
