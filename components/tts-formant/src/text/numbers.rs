//! Numbers as words, the way an American English speaker reads them: cardinals without "and"
//! ("one hundred twenty three"), ordinals, years ("nineteen ninety nine"), decimals and
//! digit strings.

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];

const TENS: [&str; 10] = ["", "ten", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

const SCALES: [(u64, &str); 4] =
    [(1_000_000_000_000, "trillion"), (1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand")];

/// The largest number read as a cardinal (999 trillion ...); longer numbers are read digit by
/// digit, which is also how a listener would want an account or card number.
pub(crate) const MAX_CARDINAL: u64 = 999_999_999_999_999;

/// The words for 0 to 19 (`zero` for 0).
pub(crate) fn small(n: u64) -> &'static str {
    ONES.get(n as usize).copied().unwrap_or("zero")
}

fn below_thousand(n: u64, out: &mut Vec<&'static str>) {
    let (hundreds, rest) = (n / 100, n % 100);
    if hundreds > 0 {
        out.push(small(hundreds));
        out.push("hundred");
    }
    if rest >= 20 {
        out.push(TENS[(rest / 10) as usize]);
        if rest % 10 > 0 {
            out.push(small(rest % 10));
        }
    } else if rest > 0 {
        out.push(small(rest));
    }
}

/// `n` as a cardinal: 42 -> `forty two`. Beyond [`MAX_CARDINAL`], digit by digit.
pub(crate) fn cardinal(n: u64) -> Vec<&'static str> {
    if n > MAX_CARDINAL {
        return digits(&n.to_string());
    }
    if n == 0 {
        return vec!["zero"];
    }
    let mut out = Vec::new();
    let mut rest = n;
    for (scale, name) in SCALES {
        if rest >= scale {
            below_thousand(rest / scale, &mut out);
            out.push(name);
            rest %= scale;
        }
    }
    below_thousand(rest, &mut out);
    out
}

/// The ordinal form of a number word: `two` -> `second`, `twenty` -> `twentieth`.
pub(crate) fn ordinal_word(word: &str) -> &'static str {
    match word {
        "zero" => "zeroth",
        "one" => "first",
        "two" => "second",
        "three" => "third",
        "four" => "fourth",
        "five" => "fifth",
        "six" => "sixth",
        "seven" => "seventh",
        "eight" => "eighth",
        "nine" => "ninth",
        "ten" => "tenth",
        "eleven" => "eleventh",
        "twelve" => "twelfth",
        "thirteen" => "thirteenth",
        "fourteen" => "fourteenth",
        "fifteen" => "fifteenth",
        "sixteen" => "sixteenth",
        "seventeen" => "seventeenth",
        "eighteen" => "eighteenth",
        "nineteen" => "nineteenth",
        "twenty" => "twentieth",
        "thirty" => "thirtieth",
        "forty" => "fortieth",
        "fifty" => "fiftieth",
        "sixty" => "sixtieth",
        "seventy" => "seventieth",
        "eighty" => "eightieth",
        "ninety" => "ninetieth",
        "hundred" => "hundredth",
        "thousand" => "thousandth",
        "million" => "millionth",
        "billion" => "billionth",
        _ => "trillionth",
    }
}

/// `n` as an ordinal: 23 -> `twenty third`. Beyond [`MAX_CARDINAL`], digit by digit.
pub(crate) fn ordinal(n: u64) -> Vec<&'static str> {
    let mut words = cardinal(n);
    if n <= MAX_CARDINAL
        && let Some(last) = words.last_mut()
    {
        *last = ordinal_word(last);
    }
    words
}

/// `n` read as a year: 1999 -> `nineteen ninety nine`, 2005 -> `two thousand five`,
/// 2025 -> `twenty twenty five`, 1900 -> `nineteen hundred`, 1905 -> `nineteen oh five`.
pub(crate) fn year(n: u64) -> Vec<&'static str> {
    if !(1000..=9999).contains(&n) {
        return cardinal(n);
    }
    let (high, low) = (n / 100, n % 100);
    if high % 10 == 0 && low < 10 {
        return cardinal(n);
    }
    let mut out = Vec::new();
    below_thousand(high, &mut out);
    if low == 0 {
        out.push("hundred");
    } else if low < 10 {
        out.push("oh");
        out.push(small(low));
    } else {
        below_thousand(low, &mut out);
    }
    out
}

/// True for a word that [`cardinal`] or [`ordinal`] can produce.
pub(crate) fn is_number_word(word: &str) -> bool {
    ONES.contains(&word)
        || TENS[1..].contains(&word)
        || SCALES.iter().any(|(_, name)| *name == word)
        || word == "hundred"
        || ONES.iter().chain(&TENS[1..]).any(|w| ordinal_word(w) == word)
}

/// The word for one digit (`zero` for `0`); `None` for anything else.
pub(crate) fn digit_word(c: char) -> Option<&'static str> {
    c.to_digit(10).map(|d| small(u64::from(d)))
}

/// Every digit of `s` as a word, ignoring anything that is not a digit.
pub(crate) fn digits(s: &str) -> Vec<&'static str> {
    s.chars().filter_map(digit_word).collect()
}

/// The plural of a number word, for decades and the like: `ninety` -> `nineties`.
pub(crate) fn plural(word: &str) -> String {
    if let Some(stem) = word.strip_suffix('y') {
        format!("{stem}ies")
    } else if word == "six" {
        "sixes".to_string()
    } else {
        format!("{word}s")
    }
}

/// Parses digits with optional, correctly placed thousands separators ("1,234,567").
/// `None` when the separators are misplaced or the text holds anything else.
pub(crate) fn strip_separators(s: &str) -> Option<String> {
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == ',') {
        return None;
    }
    if !s.contains(',') {
        return Some(s.to_string());
    }
    let groups: Vec<&str> = s.split(',').collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
        return None;
    }
    Some(groups.concat())
}

/// The value of a plain digit string, when it fits in a `u64`.
pub(crate) fn value(digits: &str) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Reads an integer written with digits and optional thousands separators. A leading zero
/// (`007`) or a number beyond [`MAX_CARDINAL`] is read digit by digit.
pub(crate) fn integer(s: &str) -> Option<Vec<&'static str>> {
    let plain = strip_separators(s)?;
    if plain.len() > 1 && plain.starts_with('0') {
        return Some(digits(&plain));
    }
    match value(&plain) {
        Some(n) if n <= MAX_CARDINAL => Some(cardinal(n)),
        _ => Some(digits(&plain)),
    }
}

/// Reads a numeric literal: optional minus sign, integer part with optional thousands
/// separators, optional decimal part read digit by digit. `3.14` -> `three point one four`,
/// `-5` -> `minus five`, `.5` -> `point five`. `None` when `s` is not such a literal.
pub(crate) fn number(s: &str) -> Option<Vec<&'static str>> {
    let (negative, body) = match s.strip_prefix('-').or_else(|| s.strip_prefix('\u{2212}')) {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let mut out = Vec::new();
    if negative {
        out.push("minus");
    }
    if int.is_empty() {
        // ".5" is a number, "." is not.
        frac?;
    } else {
        out.extend(integer(int)?);
    }
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push("point");
        out.extend(digits(f));
    }
    Some(out)
}

/// True when `s` is a numeric literal [`number`] can read.
pub(crate) fn is_number(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit()) && number(s).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(words: Vec<&str>) -> String {
        words.join(" ")
    }

    #[test]
    fn cardinals() {
        assert_eq!(join(cardinal(0)), "zero");
        assert_eq!(join(cardinal(13)), "thirteen");
        assert_eq!(join(cardinal(42)), "forty two");
        assert_eq!(join(cardinal(100)), "one hundred");
        assert_eq!(join(cardinal(1_001)), "one thousand one");
        assert_eq!(join(cardinal(1_234_567)), "one million two hundred thirty four thousand five hundred sixty seven");
        assert_eq!(join(cardinal(3_000_000_000_000)), "three trillion");
        assert_eq!(
            join(cardinal(MAX_CARDINAL + 1)),
            "one zero zero zero zero zero zero zero zero zero zero zero zero zero zero zero"
        );
    }

    #[test]
    fn ordinals_and_years() {
        assert_eq!(join(ordinal(1)), "first");
        assert_eq!(join(ordinal(23)), "twenty third");
        assert_eq!(join(ordinal(40)), "fortieth");
        assert_eq!(join(ordinal(112)), "one hundred twelfth");
        assert_eq!(join(ordinal(1_000_000)), "one millionth");
        assert_eq!(join(year(1999)), "nineteen ninety nine");
        assert_eq!(join(year(2005)), "two thousand five");
        assert_eq!(join(year(2000)), "two thousand");
        assert_eq!(join(year(2025)), "twenty twenty five");
        assert_eq!(join(year(1900)), "nineteen hundred");
        assert_eq!(join(year(1905)), "nineteen oh five");
        assert_eq!(join(year(1066)), "ten sixty six");
    }

    #[test]
    fn literals() {
        assert_eq!(number("3.14").map(join).as_deref(), Some("three point one four"));
        assert_eq!(number("-5").map(join).as_deref(), Some("minus five"));
        assert_eq!(number(".5").map(join).as_deref(), Some("point five"));
        assert_eq!(number("1,000,000").map(join).as_deref(), Some("one million"));
        assert_eq!(number("007").map(join).as_deref(), Some("zero zero seven"));
        assert_eq!(number("1,00"), None);
        assert_eq!(number("1.2.3"), None);
        assert_eq!(number("-"), None);
        assert_eq!(plural("ninety"), "nineties");
    }
}
