//! Abbreviations, titles, units of measure, month and weekday names.

/// Only read as the abbreviation with its trailing dot (`No.`, `Co.`, `Jan.`).
const DOT: u8 = 1;
/// Only read as the abbreviation when capitalised (`Co.`, `St.`).
const CAP: u8 = 2;
/// Stands before a name, so its dot never ends a sentence (`Mr.`).
const TITLE: u8 = 4;
/// Only read as the abbreviation before a number (`No. 5`).
const NUM: u8 = 8;

/// One abbreviation: the letters as written (lower case, dots inside kept) and what is said.
struct Abbrev {
    key: &'static str,
    words: &'static str,
    flags: u8,
}

const fn a(key: &'static str, words: &'static str, flags: u8) -> Abbrev {
    Abbrev { key, words, flags }
}

static ABBREVS: &[Abbrev] = &[
    a("mr", "mister", TITLE),
    a("mrs", "missus", TITLE),
    a("ms", "miz", TITLE | CAP),
    a("dr", "doctor", TITLE | CAP),
    a("st", "saint", TITLE | CAP),
    a("prof", "professor", TITLE | CAP),
    a("sen", "senator", TITLE | CAP | DOT),
    a("rep", "representative", TITLE | CAP | DOT),
    a("gov", "governor", TITLE | CAP | DOT),
    a("gen", "general", TITLE | CAP | DOT),
    a("capt", "captain", TITLE | CAP),
    a("lt", "lieutenant", TITLE | CAP | DOT),
    a("sgt", "sergeant", TITLE | CAP),
    a("rev", "reverend", TITLE | CAP | DOT),
    a("hon", "honorable", TITLE | CAP | DOT),
    a("jr", "junior", CAP),
    a("sr", "senior", CAP),
    a("ave", "avenue", CAP),
    a("blvd", "boulevard", 0),
    a("rd", "road", CAP),
    a("ln", "lane", CAP | DOT),
    a("hwy", "highway", 0),
    a("pkwy", "parkway", 0),
    a("ct", "court", CAP | DOT),
    a("mt", "mount", CAP | DOT),
    a("ste", "suite", CAP | DOT),
    a("apt", "apartment", 0),
    a("dept", "department", 0),
    a("inc", "incorporated", CAP),
    a("ltd", "limited", CAP),
    a("corp", "corporation", CAP),
    a("co", "company", CAP | DOT),
    a("bros", "brothers", CAP | DOT),
    a("univ", "university", CAP | DOT),
    a("etc", "et cetera", 0),
    a("e.g", "for example", 0),
    a("i.e", "that is", 0),
    a("vs", "versus", 0),
    a("approx", "approximately", 0),
    a("misc", "miscellaneous", 0),
    a("no", "number", DOT | NUM),
    a("nos", "numbers", DOT | NUM),
    a("ext", "extension", 0),
    a("tel", "telephone", DOT),
    a("attn", "attention", 0),
    a("acct", "account", 0),
    a("amt", "amount", 0),
    a("appt", "appointment", 0),
    a("qty", "quantity", 0),
    a("ref", "reference", DOT),
    a("vol", "volume", DOT),
    a("fig", "figure", DOT),
    a("pp", "pages", DOT),
    a("cf", "compare", DOT),
    a("jan", "January", CAP | DOT),
    a("feb", "February", CAP | DOT),
    a("mar", "March", CAP | DOT),
    a("apr", "April", CAP | DOT),
    a("jun", "June", CAP | DOT),
    a("jul", "July", CAP | DOT),
    a("aug", "August", CAP | DOT),
    a("sep", "September", CAP | DOT),
    a("sept", "September", CAP | DOT),
    a("oct", "October", CAP | DOT),
    a("nov", "November", CAP | DOT),
    a("dec", "December", CAP | DOT),
    a("mon", "Monday", CAP | DOT),
    a("tue", "Tuesday", CAP | DOT),
    a("tues", "Tuesday", CAP | DOT),
    a("wed", "Wednesday", CAP | DOT),
    a("thu", "Thursday", CAP | DOT),
    a("thur", "Thursday", CAP | DOT),
    a("thurs", "Thursday", CAP | DOT),
    a("fri", "Friday", CAP | DOT),
    a("sat", "Saturday", CAP | DOT),
    a("sun", "Sunday", CAP | DOT),
    a("ft", "feet", DOT),
    a("lb", "pounds", 0),
    a("lbs", "pounds", 0),
    a("km", "kilometers", 0),
    a("kg", "kilograms", 0),
    a("mph", "miles per hour", 0),
];

fn find(core: &str) -> Option<&'static Abbrev> {
    let capitalised = core.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    ABBREVS.iter().find(|ab| ab.key.eq_ignore_ascii_case(core) && (ab.flags & CAP == 0 || capitalised))
}

/// What an abbreviation says, given whether it was written with a trailing dot and whether a
/// number follows. `token` is the text as written, with or without its dot.
pub(crate) fn expand(token: &str, before_number: bool) -> Option<&'static str> {
    let (core, dotted) = match token.strip_suffix('.') {
        Some(core) => (core, true),
        None => (token, false),
    };
    let ab = find(core)?;
    if ab.flags & DOT != 0 && !dotted {
        return None;
    }
    if ab.flags & NUM != 0 && !before_number {
        return None;
    }
    Some(ab.words)
}

/// True when a dot after `core` belongs to it (an abbreviation, a dotted initialism such as
/// `U.S` or `a.m`, a single initial, or a time ending in `a.m`), so it need not end a sentence.
pub(crate) fn takes_dot(core: &str) -> bool {
    if find(core).is_some() {
        return true;
    }
    // A range of abbreviations: "Mon.-Fri."
    if let Some((_, last)) = core.rsplit_once('-')
        && !last.is_empty()
        && find(last).is_some()
    {
        return true;
    }
    if core.len() == 1 && core.bytes().all(|b| b.is_ascii_alphabetic()) {
        return true;
    }
    let lower = core.to_ascii_lowercase();
    if lower.ends_with("a.m") || lower.ends_with("p.m") {
        return true;
    }
    is_dotted_initialism(core)
}

/// `U.S`, `a.m`, `Ph.D`: letters in groups of one or two separated by dots.
pub(crate) fn is_dotted_initialism(core: &str) -> bool {
    let core = core.strip_suffix('.').unwrap_or(core);
    core.contains('.')
        && core.split('.').all(|part| (1..=2).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// True for a title that stands before a name (`Mr`), whose dot never ends a sentence.
pub(crate) fn is_title(core: &str) -> bool {
    find(core).is_some_and(|ab| ab.flags & TITLE != 0)
}

/// `Dr` and `St` read as a street name part rather than a title.
pub(crate) fn street_reading(core: &str) -> Option<&'static str> {
    match core {
        "Dr" => Some("drive"),
        "St" => Some("street"),
        _ => None,
    }
}

/// True for `Dr` and `St`, which are a title before a name and a street type after one.
pub(crate) fn is_ambiguous_title(core: &str) -> bool {
    street_reading(core).is_some()
}

/// A unit of measure written after a number: (as written, singular, plural, case-sensitive).
static UNITS: &[(&str, &str, &str, bool)] = &[
    ("ft", "foot", "feet", false),
    ("yd", "yard", "yards", false),
    ("yds", "yard", "yards", false),
    ("mi", "mile", "miles", false),
    ("lb", "pound", "pounds", false),
    ("lbs", "pound", "pounds", false),
    ("oz", "ounce", "ounces", false),
    ("km", "kilometer", "kilometers", false),
    ("m", "meter", "meters", true),
    ("cm", "centimeter", "centimeters", false),
    ("mm", "millimeter", "millimeters", false),
    ("kg", "kilogram", "kilograms", false),
    ("g", "gram", "grams", true),
    ("mg", "milligram", "milligrams", false),
    ("ml", "milliliter", "milliliters", false),
    ("mph", "mile per hour", "miles per hour", false),
    ("kph", "kilometer per hour", "kilometers per hour", false),
    ("km/h", "kilometer per hour", "kilometers per hour", false),
    ("hr", "hour", "hours", false),
    ("hrs", "hour", "hours", false),
    ("min", "minute", "minutes", false),
    ("mins", "minute", "minutes", false),
    ("sec", "second", "seconds", false),
    ("secs", "second", "seconds", false),
    ("ms", "millisecond", "milliseconds", false),
    ("yr", "year", "years", false),
    ("yrs", "year", "years", false),
    ("kb", "kilobyte", "kilobytes", false),
    ("mb", "megabyte", "megabytes", false),
    ("gb", "gigabyte", "gigabytes", false),
    ("tb", "terabyte", "terabytes", false),
    ("hz", "hertz", "hertz", false),
    ("khz", "kilohertz", "kilohertz", false),
    ("mhz", "megahertz", "megahertz", false),
    ("ghz", "gigahertz", "gigahertz", false),
    ("kw", "kilowatt", "kilowatts", false),
    ("kwh", "kilowatt hour", "kilowatt hours", false),
    ("\u{b0}f", "degree Fahrenheit", "degrees Fahrenheit", false),
    ("\u{b0}c", "degree Celsius", "degrees Celsius", false),
    ("\u{b0}", "degree", "degrees", false),
    ("x", "times", "times", true),
    ("k", "thousand", "thousand", false),
];

/// The unit `token` names after a number, singular or plural.
pub(crate) fn unit(token: &str, singular: bool) -> Option<&'static str> {
    let token = token.strip_suffix('.').unwrap_or(token);
    UNITS
        .iter()
        .find(
            |&&(key, _, _, case_sensitive)| {
                if case_sensitive { key == token } else { key.eq_ignore_ascii_case(token) }
            },
        )
        .map(|&(_, one, many, _)| if singular { one } else { many })
}

/// A capitalised weekday or month name or abbreviation, with or without its dot, in full:
/// `Mon` -> `Monday`, `Sept.` -> `September`.
pub(crate) fn calendar_name(token: &str) -> Option<&'static str> {
    if let Some(m) = month_number(token) {
        return month_name(m);
    }
    let core = token.strip_suffix('.').unwrap_or(token);
    if !core.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    let day = DAYS.iter().find(|d| d.eq_ignore_ascii_case(core)).copied();
    day.or_else(|| expand(&format!("{core}."), false).filter(|w| DAYS.contains(w)))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The name of month `m` (1-12).
pub(crate) fn month_name(m: u64) -> Option<&'static str> {
    MONTHS.get((m as usize).wrapping_sub(1)).copied()
}

/// The month (1-12) a capitalised name or abbreviation names: `March`, `Mar`, `Mar.`, `Sept.`.
pub(crate) fn month_number(token: &str) -> Option<u64> {
    if !token.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
        return None;
    }
    let core = token.strip_suffix('.').unwrap_or(token);
    let lower = core.to_ascii_lowercase();
    if let Some(i) = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(&lower)) {
        return Some(i as u64 + 1);
    }
    if lower == "sept" {
        return Some(9);
    }
    if lower.len() == 3 && lower != "may" {
        return MONTHS.iter().position(|m| m[..3].eq_ignore_ascii_case(&lower)).map(|i| i as u64 + 1);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansions() {
        assert_eq!(expand("Mr.", false), Some("mister"));
        assert_eq!(expand("etc.", false), Some("et cetera"));
        assert_eq!(expand("No.", true), Some("number"));
        assert_eq!(expand("No.", false), None);
        assert_eq!(expand("no", true), None);
        assert_eq!(expand("Jan.", false), Some("January"));
        assert_eq!(expand("jan.", false), None);
        assert!(takes_dot("U.S"));
        assert!(takes_dot("e.g"));
        assert!(takes_dot("9:30a.m"));
        assert!(!takes_dot("end"));
        assert_eq!(unit("km", false), Some("kilometers"));
        assert_eq!(unit("ft", true), Some("foot"));
        assert_eq!(unit("M", false), None);
        assert_eq!(month_number("Mar."), Some(3));
        assert_eq!(month_number("May"), Some(5));
        assert_eq!(month_number("march"), None);
    }
}
