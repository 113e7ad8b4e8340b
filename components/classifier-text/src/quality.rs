//! Whether a text is fit to be spoken by a US-English voice.
//!
//! - `empty`: the text has no letter or digit of any script (only white space, punctuation,
//!   symbols or emoji), so there is nothing to say.
//! - `unpronounceable`: characters outside what a US-English voice reads, merged into contiguous
//!   spans. What it reads: printable ASCII, tab and line breaks (CR too, since CRLF line endings
//!   are ordinary text), Latin-1, Latin Extended-A/B and Latin Extended Additional (letters with
//!   diacritics are fine), spacing modifier letters, Latin ligatures, general punctuation,
//!   super- and subscripts, currency symbols, letterlike symbols and number forms. Everything else
//!   is flagged: other control characters, bidirectional overrides, private-use and unassigned
//!   code points, U+FFFD, other scripts (Greek, Cyrillic, Arabic, Hebrew, CJK, …), emoji and
//!   pictographs, arrows and other symbols. Combining marks, variation selectors and zero-width
//!   joiners take the class of the character they attach to, so "é" spelt with a combining
//!   accent passes and an emoji sequence is one span.
//! - `personal_data`: see `pii.rs`.

use crate::pii::{self, Found};
use crate::text;
use std::ops::Range;

/// The quality of a text, with byte ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Length in characters.
    pub characters: usize,
    /// Longer than the limit asked about.
    pub too_long: bool,
    /// Nothing to say.
    pub empty: bool,
    /// Byte ranges of unpronounceable characters.
    pub unpronounceable: Vec<Range<usize>>,
    /// Personal data found.
    pub personal_data: Vec<Found>,
}

/// Checks `text` for a provider that takes at most `max_characters`.
pub fn check(text: &str, max_characters: u32) -> Report {
    let characters = text.chars().count();
    Report {
        characters,
        too_long: characters > max_characters as usize,
        empty: !text.chars().any(char::is_alphanumeric),
        unpronounceable: unpronounceable(text),
        personal_data: pii::find(text),
    }
}

/// True for characters that attach to the one before them and share its fate.
fn is_attached(c: char) -> bool {
    text::is_combining_mark(c)
        || matches!(c,
            '\u{FE00}'..='\u{FE0F}'        // variation selectors
            | '\u{E0100}'..='\u{E01EF}'    // variation selectors supplement
            | '\u{200C}' | '\u{200D}'      // zero-width non-joiner, joiner
            | '\u{1F3FB}'..='\u{1F3FF}'    // skin-tone modifiers
            | '\u{E0020}'..='\u{E007F}') // emoji tag sequences
}

/// True for characters a US-English voice can read (see the module documentation).
pub fn is_pronounceable(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | ' '..='~'
        | '\u{A0}'..='\u{24F}'          // Latin-1 Supplement, Latin Extended-A and -B
        | '\u{2B0}'..='\u{2FF}'         // spacing modifier letters
        | '\u{1E00}'..='\u{1EFF}'       // Latin Extended Additional
        | '\u{2000}'..='\u{2029}'       // general punctuation, up to the bidi overrides
        | '\u{202F}'..='\u{2064}'       // general punctuation after them, to the last assigned
        | '\u{206A}'..='\u{206F}'
        | '\u{2070}'..='\u{2071}'       // superscripts and subscripts, skipping unassigned points
        | '\u{2074}'..='\u{208E}'
        | '\u{2090}'..='\u{209C}'
        | '\u{20A0}'..='\u{20C0}'       // currency symbols
        | '\u{2100}'..='\u{218B}'       // letterlike symbols, number forms
        | '\u{FB00}'..='\u{FB06}') // Latin ligatures
}

/// Byte ranges of unpronounceable characters, contiguous ones merged.
fn unpronounceable(text: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut previous_bad = false;
    for (i, c) in text.char_indices() {
        let bad = if is_attached(c) {
            // A mark with nothing to attach to cannot be read either.
            i == 0 || previous_bad
        } else {
            !is_pronounceable(c)
        };
        if bad {
            let end = i + c.len_utf8();
            match out.last_mut() {
                Some(last) if last.end == i => last.end = end,
                _ => out.push(i..end),
            }
        }
        previous_bad = bad;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged(text: &str) -> Vec<&str> {
        unpronounceable(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn unpronounceable_table() {
        let table: &[(&str, &[&str])] = &[
            ("Hello, world!\n\tOK\r\n", &[]),
            ("Café naïve résumé Đà Nẵng ½ € ™ — “quotes”", &[]),
            ("cafe\u{301} au lait", &[]),
            ("Hi 你好 there", &["你好"]),
            ("Привет and مرحبا", &["Привет", "مرحبا"]),
            ("Nice 👍🏽 job 👨‍👩‍👧!", &["👍🏽", "👨‍👩‍👧"]),
            ("bell\u{7} nul\u{0} del\u{7f}", &["\u{7}", "\u{0}", "\u{7f}"]),
            ("priv\u{E000}ate \u{F0000}", &["\u{E000}", "\u{F0000}"]),
            ("bad \u{FFFD} byte", &["\u{FFFD}"]),
            ("rtl \u{202E}override\u{202C}", &["\u{202E}", "\u{202C}"]),
            (
                "unassigned \u{378} \u{2065} \u{209F} \u{218F} and \u{50000}",
                &["\u{378}", "\u{2065}", "\u{209F}", "\u{218F}", "\u{50000}"],
            ),
            ("\u{301}lone mark", &["\u{301}"]),
            ("©\u{FE0F} fine", &[]),
            ("πr² → done", &["π", "→"]),
        ];
        for (text, expected) in table {
            assert_eq!(flagged(text), *expected, "unpronounceable in {text:?}");
        }
    }

    #[test]
    fn report_table() {
        // (text, limit, characters, too long, empty)
        let table = [
            ("", 10, 0, false, true),
            ("   \n\t", 10, 5, false, true),
            ("?!... --- ***", 100, 13, false, true),
            ("👍👍", 100, 2, false, true),
            ("Hello", 5, 5, false, false),
            ("Hello!", 5, 6, true, false),
            ("héllo wörld", 100, 11, false, false),
            ("42", 1, 2, true, false),
        ];
        for (text, limit, chars, too_long, empty) in table {
            let r = check(text, limit);
            assert_eq!((r.characters, r.too_long, r.empty), (chars, too_long, empty), "report on {text:?}");
        }
    }
}
