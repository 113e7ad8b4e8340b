//! Text helpers shared by the analysers: character spans, byte-to-character offsets and word tokens.
//!
//! Everything inside the crate works on byte offsets into `&str` (cheap slicing); the contract
//! speaks characters (Unicode scalar values), so offsets are converted once, at the edge, by
//! [`CharMap`].

use std::ops::Range;

/// A half-open range of characters (Unicode scalar values) of the input text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First character.
    pub start: u32,
    /// One past the last character.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end`, in characters.
    pub fn new(start: u32, end: u32) -> Self {
        Span { start, end }
    }
}

/// Converts byte offsets of one string to character offsets.
///
/// Built once per call so that every span conversion is a binary search rather than a rescan of
/// the text (a 100k-character input would otherwise turn span conversion quadratic).
pub struct CharMap {
    /// Byte offset at which each character starts, ascending.
    starts: Vec<usize>,
}

impl CharMap {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        CharMap { starts: text.char_indices().map(|(b, _)| b).collect() }
    }

    /// The character offset of byte offset `byte`. A byte inside a multi-byte character maps to the
    /// character after it; a byte past the end maps to the character count. Never panics.
    pub fn char_at(&self, byte: usize) -> u32 {
        to_u32(self.starts.partition_point(|&b| b < byte))
    }

    /// The character span of a byte range.
    pub fn span(&self, bytes: Range<usize>) -> Span {
        Span::new(self.char_at(bytes.start), self.char_at(bytes.end))
    }
}

/// Saturating conversion for counts and offsets: a wasm32 string cannot exceed `u32::MAX` bytes,
/// so saturation is unreachable there, but it keeps the native build panic-free too.
pub fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A word of a text, with its byte range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word<'a> {
    /// The word as written.
    pub text: &'a str,
    /// Byte offset of its first character in the text it was taken from.
    pub start: usize,
    /// Byte offset one past its last character.
    pub end: usize,
}

/// True for combining marks of the blocks that decorate Latin letters (and symbols), which a
/// decomposed "café" spells with. They continue a word rather than break it.
pub fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Characters that make up words: letters and digits of any script, plus combining marks.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// Apostrophes that join contractions ("don't", "don’t").
pub fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// Splits `text` into words: runs of letters, digits and combining marks, joined across a single
/// apostrophe ("don't") and, when `join_hyphens` is set, a single hyphen ("well-known") that has
/// word characters on both sides. Offsets are relative to `text`.
pub fn words(text: &str, join_hyphens: bool) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if is_word_char(c) {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if let Some(s) = start {
            let joiner = is_apostrophe(c) || (join_hyphens && c == '-');
            let next_is_word = iter.peek().is_some_and(|&(_, n)| is_word_char(n));
            if joiner && next_is_word {
                continue;
            }
            out.push(Word { text: &text[s..i], start: s, end: i });
            start = None;
        }
    }
    if let Some(s) = start {
        out.push(Word { text: &text[s..], start: s, end: text.len() });
    }
    out
}

/// Lower-cases a word and spells its apostrophes as ASCII, so that word lists need one spelling.
pub fn normalize(word: &str) -> String {
    word.chars().map(|c| if is_apostrophe(c) { '\'' } else { c }).flat_map(char::to_lowercase).collect()
}

/// True when `word` is a negator: "not", "never", "no", and any "n't" contraction.
pub fn is_negator(word: &str) -> bool {
    matches!(
        word,
        "not" | "no" | "never" | "nothing" | "none" | "neither" | "nor" | "nobody" | "without" | "cannot" | "hardly"
    ) || word.ends_with("n't")
        || matches!(word, "dont" | "doesnt" | "didnt" | "cant" | "wont" | "isnt" | "arent" | "wasnt" | "werent")
}

/// True for degree adverbs that intensify the word they modify ("really important").
pub fn is_intensifier(word: &str) -> bool {
    matches!(
        word,
        "very"
            | "really"
            | "extremely"
            | "absolutely"
            | "so"
            | "totally"
            | "incredibly"
            | "truly"
            | "highly"
            | "completely"
            | "utterly"
            | "super"
            | "especially"
            | "particularly"
            | "deeply"
            | "terribly"
            | "awfully"
            | "seriously"
            | "remarkably"
            | "exceptionally"
            | "immensely"
            | "hugely"
            | "entirely"
            | "fully"
            | "most"
            | "such"
            | "too"
            | "quite"
            | "definitely"
            | "certainly"
            | "genuinely"
    )
}

/// True when a word is written in capitals: at least two letters, every one upper case (scripts
/// without case, such as CJK, are never "in capitals").
pub fn is_all_caps(word: &str) -> bool {
    let mut letters = 0usize;
    for c in word.chars().filter(|c| c.is_alphabetic()) {
        if !c.is_uppercase() {
            return false;
        }
        letters += 1;
    }
    letters >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_map_counts_characters_not_bytes() {
        let text = "é😀a";
        let map = CharMap::new(text);
        assert_eq!(map.char_at(0), 0);
        assert_eq!(map.char_at(2), 1);
        assert_eq!(map.char_at(6), 2);
        assert_eq!(map.char_at(7), 3);
        assert_eq!(map.char_at(100), 3);
        // A byte inside the emoji maps to the character after it.
        assert_eq!(map.char_at(3), 2);
    }

    #[test]
    fn words_keep_contractions_and_optionally_hyphens() {
        let ws: Vec<&str> = words("Don’t opt-out, café! x", false).iter().map(|w| w.text).collect();
        assert_eq!(ws, ["Don’t", "opt", "out", "café", "x"]);
        let ws: Vec<&str> = words("well-known -x- a'", true).iter().map(|w| w.text).collect();
        assert_eq!(ws, ["well-known", "x", "a"]);
    }

    #[test]
    fn words_join_combining_marks() {
        let text = "cafe\u{301} ok";
        let ws = words(text, true);
        assert_eq!(ws[0].text, "cafe\u{301}");
        assert_eq!(ws[1].start, 7);
    }

    #[test]
    fn normalize_and_negators() {
        assert_eq!(normalize("DON’T"), "don't");
        assert!(is_negator("don't"));
        assert!(is_negator("never"));
        assert!(!is_negator("note"));
    }

    #[test]
    fn caps() {
        assert!(is_all_caps("NOW"));
        assert!(is_all_caps("DON'T"));
        assert!(!is_all_caps("I"));
        assert!(!is_all_caps("Now"));
        assert!(!is_all_caps("42"));
        assert!(!is_all_caps("日本"));
    }
}
