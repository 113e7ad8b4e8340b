//! Readings of numbers in context: times, dates, ordinals, percentages, decades, years,
//! ranges, identifiers and quantities with units. Phone numbers are in `phone.rs`, money in
//! `currency.rs`.

use super::abbrev;
use super::normalize::Normalizer;
use super::numbers::{self, cardinal, digits, is_number, ordinal, year};
use super::token::{Kind, Punct};

/// `a.m.`, `AM`, `pm`: the letters to say.
fn meridiem(s: &str) -> Option<&'static str> {
    let letters: String = s.chars().filter(|c| *c != '.').collect::<String>().to_ascii_lowercase();
    match letters.as_str() {
        "am" => Some("am"),
        "pm" => Some("pm"),
        _ => None,
    }
}

/// `s` made only of ASCII digits, `n` of them.
fn digits_len(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// A time of day as written: `9:30`, `9:30am`, `9am`, `10:30:15`.
struct Clock {
    hour: u64,
    minute: Option<u64>,
    second: Option<u64>,
    ampm: Option<&'static str>,
}

impl Clock {
    fn parse(s: &str) -> Option<Clock> {
        let split = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
        let (clock, suffix) = s.split_at(split);
        let ampm = if suffix.is_empty() { None } else { Some(meridiem(suffix)?) };
        let field = |p: &str, max: u64, widths: &[usize]| {
            (widths.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| numbers::value(p))
                .flatten()
                .filter(|v| *v <= max)
        };
        let parts: Vec<&str> = clock.split(':').collect();
        let (hour, minute, second) = match parts.as_slice() {
            [h] => (field(h, 12, &[1, 2]).filter(|h| *h > 0)?, None, None),
            [h, m] => (field(h, 24, &[1, 2])?, Some(field(m, 59, &[2])?), None),
            [h, m, sec] => (field(h, 24, &[1, 2])?, Some(field(m, 59, &[2])?), Some(field(sec, 59, &[2])?)),
            _ => return None,
        };
        Some(Clock { hour, minute, second, ampm })
    }

    fn has_minutes(&self) -> bool {
        self.minute.is_some()
    }
}

/// A day of the month, `14` or `14th`.
fn day_number(s: &str) -> Option<u64> {
    let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, suffix) = s.split_at(digits_end);
    if num.is_empty() || num.len() > 2 || !(suffix.is_empty() || is_ordinal_suffix(suffix)) {
        return None;
    }
    numbers::value(num).filter(|d| (1..=31).contains(d))
}

fn is_ordinal_suffix(s: &str) -> bool {
    matches!(s.to_ascii_lowercase().as_str(), "st" | "nd" | "rd" | "th")
}

/// A four-digit year from 1000 to 2999, as written in a date.
fn year_number(s: &str) -> Option<u64> {
    if !digits_len(s, 4) {
        return None;
    }
    numbers::value(s).filter(|y| (1000..=2999).contains(y))
}

fn valid_date(month: u64, day: u64) -> bool {
    const DAYS: [u64; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    (1..=12).contains(&month) && day >= 1 && day <= DAYS[(month - 1) as usize]
}

/// Words before a four-digit number that say it is a year.
const YEAR_CONTEXT: &[&str] = &[
    "in", "since", "by", "from", "until", "till", "to", "of", "year", "circa", "before", "after", "during", "around",
    "early", "late", "mid", "spring", "summer", "autumn", "fall", "winter", "class", "between", "and", "through",
];

/// Words after which a number of four digits or more is an identifier, read digit by digit.
const IDENTIFIER_CONTEXT: &[&str] = &[
    "number",
    "no",
    "account",
    "acct",
    "order",
    "confirmation",
    "reference",
    "ref",
    "ticket",
    "case",
    "id",
    "pin",
    "code",
    "extension",
    "ext",
    "zip",
    "policy",
    "claim",
    "member",
    "routing",
    "card",
    "invoice",
    "tracking",
    "flight",
    "room",
    "unit",
    "apartment",
    "apt",
    "suite",
    "ste",
    "model",
    "serial",
    "ending",
    "ends",
    "digits",
    "last",
];

/// Words that may stand between an identifier word and its number ("account number is 1234").
const LINKING: &[&str] = &["is", "was", "of", "be", "are", "your", "my", "the", "a", "new", "in", "with", "four"];

impl Normalizer<'_> {
    /// `9:30am`, `9:30 a.m.`, `10:05`, `12:00 pm`, `14:00`, `9am`, `9 pm`, `10:30:15`, and
    /// ranges of them: `10am-2pm`, `10:30-4:30`.
    pub(super) fn time(&mut self, i: usize) -> Option<usize> {
        let s = self.text_at(i)?;
        if let Some((a, b)) = s.split_once('-') {
            let (first, second) = (Clock::parse(a)?, Clock::parse(b)?);
            if !(first.has_minutes() || first.ampm.is_some()) || !(second.has_minutes() || second.ampm.is_some()) {
                return None;
            }
            self.say_clock(&first);
            self.say("to");
            self.say_clock(&second);
            return Some(1);
        }
        let mut clock = Clock::parse(s)?;
        let mut used = 1;
        if clock.ampm.is_none()
            && let Some(m) = self.text_at(i + 1).and_then(meridiem)
        {
            clock.ampm = Some(m);
            used = 2;
        }
        if !clock.has_minutes() && clock.ampm.is_none() {
            return None;
        }
        self.set_span(i, i + used - 1);
        self.say_clock(&clock);
        Some(used)
    }

    fn say_clock(&mut self, clock: &Clock) {
        let hour = clock.hour;
        self.say_all(&cardinal(hour));
        if let Some(min) = clock.minute {
            match min {
                0 if clock.ampm.is_some() => {}
                0 if hour > 12 || hour == 0 => self.say("hundred"),
                0 => self.say("o'clock"),
                1..=9 => {
                    self.say("oh");
                    self.say(numbers::small(min));
                }
                _ => self.say_all(&cardinal(min)),
            }
        }
        if let Some(sec) = clock.second {
            self.say("and");
            self.say_all(&cardinal(sec));
            self.say(if sec == 1 { "second" } else { "seconds" });
        }
        if let Some(m) = clock.ampm {
            self.spell(m, false);
        }
    }

    fn say_date(&mut self, month: u64, day: u64, year_of: Option<u64>) {
        self.say(abbrev::month_name(month).unwrap_or("month"));
        self.say_all(&ordinal(day));
        if let Some(y) = year_of {
            self.pause();
            self.say_all(&year(y));
        }
    }

    /// `3/14`, `3/14/2025`, `14/3/25`, `2025-03-14`, and the fractions `1/2`, `3/4`, `x/y`.
    pub(super) fn date(&mut self, i: usize) -> Option<usize> {
        let s = self.text_at(i)?;
        let sep = if s.contains('/') { '/' } else { '-' };
        let parts: Vec<&str> = s.split(sep).collect();
        if parts.len() < 2 || !parts.iter().all(|p| (1..=4).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        let v: Vec<u64> = parts.iter().filter_map(|p| numbers::value(p)).collect();
        match (sep, parts.len()) {
            ('-', 3) if parts[0].len() == 4 && parts[1].len() == 2 && parts[2].len() == 2 && valid_date(v[1], v[2]) => {
                self.say_date(v[1], v[2], Some(v[0]));
            }
            ('/', 3) if parts[0].len() == 4 && valid_date(v[1], v[2]) => self.say_date(v[1], v[2], Some(v[0])),
            ('/', 3) => {
                let y = match parts[2].len() {
                    4 => v[2],
                    2 if v[2] < 50 => 2000 + v[2],
                    2 => 1900 + v[2],
                    _ => return None,
                };
                if valid_date(v[0], v[1]) {
                    self.say_date(v[0], v[1], Some(y));
                } else if valid_date(v[1], v[0]) {
                    self.say_date(v[1], v[0], Some(y));
                } else {
                    return None;
                }
            }
            ('/', 2) => {
                let fraction = match (v[0], v[1]) {
                    (24, 7) => Some("twenty four seven"),
                    (1, 2) => Some("one half"),
                    (1, 3) => Some("one third"),
                    (2, 3) => Some("two thirds"),
                    (1, 4) => Some("one quarter"),
                    (3, 4) => Some("three quarters"),
                    _ => None,
                };
                let short = parts[0].len() <= 2 && parts[1].len() <= 2;
                if let Some(words) = fraction {
                    self.say(words);
                } else if short && valid_date(v[0], v[1]) {
                    self.say_date(v[0], v[1], None);
                } else if short && valid_date(v[1], v[0]) {
                    self.say_date(v[1], v[0], None);
                } else {
                    self.say_all(&cardinal(v[0]));
                    self.say("over");
                    self.say_all(&cardinal(v[1]));
                }
            }
            _ => return None,
        }
        Some(1)
    }

    /// `March 14`, `Mar. 14th, 2025`, `March 2025`.
    pub(super) fn month_day(&mut self, i: usize) -> Option<usize> {
        let month = abbrev::month_number(self.text_at(i)?)?;
        let next = self.text_at(i + 1)?;
        if let Some(y) = year_number(next) {
            self.set_span(i, i + 1);
            self.say(abbrev::month_name(month)?);
            self.say_all(&year(y));
            return Some(2);
        }
        let day = day_number(next).filter(|&d| valid_date(month, d))?;
        let (year_of, used) = if let Some(y) = self.text_at(i + 2).and_then(year_number) {
            (Some(y), 3)
        } else if let Some(y) = self.text_at(i + 3).and_then(year_number).filter(|_| self.punct_at(i + 2, Punct::Comma))
        {
            (Some(y), 4)
        } else {
            (None, 2)
        };
        self.set_span(i, i + used - 1);
        self.say_date(month, day, year_of);
        Some(used)
    }

    /// `14 March`, `14th March 2025`: "the fourteenth of March".
    pub(super) fn day_month(&mut self, i: usize) -> Option<usize> {
        let day = day_number(self.text_at(i)?)?;
        let month = abbrev::month_number(self.text_at(i + 1)?).filter(|&m| valid_date(m, day))?;
        let year_of = self.text_at(i + 2).and_then(year_number);
        let used = if year_of.is_some() { 3 } else { 2 };
        self.set_span(i, i + used - 1);
        self.say("the");
        self.say_all(&ordinal(day));
        self.say("of");
        self.say(abbrev::month_name(month)?);
        if let Some(y) = year_of {
            self.pause();
            self.say_all(&year(y));
        }
        Some(used)
    }

    fn year_context(&self, i: usize) -> bool {
        let prev = i.checked_sub(1).and_then(|j| self.text_at(j));
        let next = self.text_at(i + 1).map(|t| t.replace('.', ""));
        prev.is_some_and(|p| {
            YEAR_CONTEXT.contains(&p.to_ascii_lowercase().as_str()) || abbrev::month_number(p).is_some()
        }) || next.is_some_and(|n| ["AD", "BC", "BCE", "CE"].contains(&n.as_str()))
    }

    /// Ordinals, percentages, decades, years, ranges, quantities with units, plain numbers.
    pub(super) fn numeric(&mut self, i: usize) -> Option<usize> {
        let s = self.text_at(i)?;
        let digits_end = s.find(|c: char| !(c.is_ascii_digit() || c == ',')).unwrap_or(s.len());
        let (lead, tail) = s.split_at(digits_end);
        if !lead.is_empty() && is_ordinal_suffix(tail) {
            let n = numbers::strip_separators(lead).and_then(|p| numbers::value(&p))?;
            self.say_all(&ordinal(n));
            return Some(1);
        }
        if let Some(words) = decade(s) {
            self.say_all(&words.iter().map(String::as_str).collect::<Vec<_>>());
            return Some(1);
        }
        if let Some(num) = s.strip_suffix('%').filter(|n| is_number(n)) {
            self.say_all(&numbers::number(num)?);
            self.say("percent");
            return Some(1);
        }
        if is_number(s) && self.text_at(i + 1) == Some("%") {
            self.set_span(i, i + 1);
            self.say_all(&numbers::number(s)?);
            self.say("percent");
            return Some(2);
        }
        if let Some((a, b)) = s.split_once('-').filter(|(a, b)| !a.is_empty() && is_number(a) && is_number(b)) {
            let as_year = |x: &str| year_number(x).filter(|y| (1100..=2099).contains(y)).map(year);
            let both_years = as_year(a).is_some() && as_year(b).is_some();
            for (k, part) in [a, b].into_iter().enumerate() {
                // "50-50" is a split, not a range.
                if k == 1 && a != b {
                    self.say("to");
                }
                let words = if both_years { as_year(part) } else { numbers::number(part) };
                self.say_all(&words?);
            }
            return Some(1);
        }
        if let Some(y) = year_number(s).filter(|y| (1100..=2099).contains(y) && self.year_context(i)) {
            self.say_all(&year(y));
            return Some(1);
        }
        if let Some((num, unit)) = split_unit(s) {
            let singular = num == "1";
            let unit_words = abbrev::unit(unit, singular)?;
            self.say_all(&numbers::number(num)?);
            self.say(unit_words);
            return Some(1);
        }
        if s.len() >= 4 && s.bytes().all(|b| b.is_ascii_digit()) && self.identifier_context(i) {
            self.say_all(&digits(s));
            return Some(1);
        }
        if is_number(s) {
            let next_unit = self.text_at(i + 1).and_then(|u| abbrev::unit(u, s == "1"));
            self.say_all(&numbers::number(s)?);
            if let Some(unit) = next_unit {
                self.set_span(i, i + 1);
                self.say(unit);
                return Some(2);
            }
            return Some(1);
        }
        if let Some(rest) = s.strip_prefix('#').filter(|r| is_number(r)) {
            self.say("number");
            let long = rest.len() >= 4 && rest.bytes().all(|b| b.is_ascii_digit());
            self.say_all(&if long { digits(rest) } else { numbers::number(rest)? });
            return Some(1);
        }
        // Versions and addresses: 1.2.3, 192.168.1.1.
        let parts: Vec<&str> = s.split('.').collect();
        if parts.len() >= 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
            for (k, part) in parts.iter().enumerate() {
                if k > 0 {
                    self.say("dot");
                }
                self.say_all(&numbers::integer(part)?);
            }
            return Some(1);
        }
        None
    }

    /// Whether the number at `i` follows a word that makes it an identifier ("account 12345"),
    /// read digit by digit.
    fn identifier_context(&self, i: usize) -> bool {
        let s = self.text_at(i).unwrap_or("");
        // Ten digits or more without separators is a phone or account number, unless it is
        // a round number ("5000000000").
        if s.len() >= 10 && !s.ends_with("000") {
            return true;
        }
        // The words before, across a colon or dash ("PIN: 1234").
        let before = self.toks[..i.min(self.toks.len())]
            .iter()
            .rev()
            .filter(|t| !matches!(t.kind, Kind::Punct(Punct::Colon | Punct::Dash | Punct::Quote)))
            .map_while(|t| t.text().map(|p| p.trim_end_matches('.').to_ascii_lowercase()));
        for prev in before.take(3) {
            if IDENTIFIER_CONTEXT.contains(&prev.as_str()) {
                return true;
            }
            // "account number is 1234", "your PIN: 1234".
            if !LINKING.contains(&prev.as_str()) {
                return false;
            }
        }
        false
    }
}

/// `100km`, `5ft`, `72°F`: the number and the unit.
fn split_unit(s: &str) -> Option<(&str, &str)> {
    let end = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).filter(|&e| e > 0)?;
    let (num, unit) = s.split_at(end);
    (is_number(num) && !unit.is_empty()).then_some((num, unit))
}

/// `1990s` -> nineteen nineties, `'90s` and `90s` -> nineties, `2000s` -> two thousands.
fn decade(s: &str) -> Option<Vec<String>> {
    let body = s.strip_prefix('\'').unwrap_or(s).strip_suffix('s').or_else(|| s.strip_suffix("'s"))?;
    let body = body.strip_prefix('\'').unwrap_or(body).strip_suffix('\'').unwrap_or(body);
    let n = numbers::value(body)?;
    let words: Vec<&str> = match body.len() {
        2 if n % 10 == 0 && n >= 10 => cardinal(n),
        4 if n % 10 == 0 && (1000..=2999).contains(&n) => year(n),
        _ => return None,
    };
    let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    if let Some(last) = out.last_mut() {
        *last = numbers::plural(last);
    }
    Some(out)
}
