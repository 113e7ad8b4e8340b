//! Words a voice should stress.
//!
//! Rules, each giving the span of the stressed word (or marked phrase):
//! - a word in capitals ("NOW", "DON'T"; two letters or more) in a text that is not all capitals
//!   and a sentence that is not shouted (three or more words, all in capitals), unless it is a
//!   common acronym ("FBI", "OK"), which capitals merely spell;
//! - a word or phrase between `*`/`**` or `_`/`__` markers, the markers excluded; a marker opens
//!   only at the start of a word and closes at the end of one, so `snake_case` and `2 * 3` are
//!   not marked;
//! - the head an intensifier modifies: "really important" stresses "important", skipping further
//!   intensifiers and articles ("so very important", "such a shame"), but not a function word
//!   ("so I called");
//! - the contrast in "not X but Y": Y, the first content word after "but" ("not only X but also Y"
//!   gives Y);
//! - "never", "must" and "only" themselves.
//!
//! Overlapping spans are merged; spans are returned in text order.

use crate::text::{self, Word};
use std::ops::Range;

/// Acronyms and initialisms: written in capitals by convention, not for stress.
const ACRONYMS: &[&str] = &[
    "ok", "us", "usa", "uk", "eu", "un", "tv", "am", "pm", "id", "pin", "faq", "fbi", "cia", "irs", "ceo", "cfo",
    "cto", "atm", "sms", "url", "pdf", "diy", "fyi", "eta", "nyc", "la", "dc", "nasa", "ai", "it", "hr", "pr", "vip",
    "gps", "usb", "api", "html", "ps", "rsvp", "asap", "dnc", "tcpa", "fcc", "ssn", "apr", "llc", "inc", "gmt", "est",
    "pst", "cst", "mst", "edt", "pdt", "ny", "ca", "tx", "fl", "dr", "mr", "mrs", "ms", "mba", "phd", "md", "rn", "ip",
    "pc", "ram", "cpu", "dvd", "cd", "ac", "dj", "ad", "bc", "ufo", "nba", "nfl", "mlb", "nhl",
];

/// Pronouns, determiners, prepositions, conjunctions and auxiliaries: never the stressed head.
const FUNCTION_WORDS: &[&str] = &[
    "i", "me", "my", "you", "your", "he", "him", "his", "she", "her", "it", "its", "we", "us", "our", "they", "them",
    "their", "this", "that", "these", "those", "the", "a", "an", "and", "or", "but", "if", "because", "as", "so",
    "than", "then", "to", "of", "in", "on", "at", "for", "with", "by", "from", "about", "into", "is", "are", "was",
    "were", "be", "been", "being", "am", "do", "does", "did", "have", "has", "had", "will", "would", "can", "could",
    "should", "may", "might", "must", "shall", "not", "there", "here", "what", "which", "who", "when", "where", "why",
    "how", "i'm", "you're", "it's", "that's", "we're", "they're", "i've", "i'll", "i'd",
];

/// Words skipped after "but" in "not X but Y" before the contrasted word.
const CONTRAST_SKIP: &[&str] = &[
    "also", "rather", "instead", "a", "an", "the", "only", "just", "because", "for", "to", "in", "on", "at", "it",
    "is", "was", "are", "by", "of", "with", "from", "about", "my", "your", "our", "their", "his", "her", "its", "this",
    "that", "we", "they", "you", "i", "he", "she",
];

/// Words stressed for themselves.
const STRESSED: &[&str] = &["never", "must", "only"];

/// Emphasis spans of one sentence, as byte ranges of `sentence`.
///
/// `words` are the sentence's words (offsets into `sentence`) with their normalised forms;
/// `mixed_case` tells whether the whole text has lower-case letters, without which capitals are
/// shouting rather than stress.
pub fn spans(sentence: &str, words: &[(Word, String)], mixed_case: bool) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    // A sentence of three or more words all in capitals is shouted, not stressed word by word.
    let lettered: Vec<&Word> =
        words.iter().map(|(w, _)| w).filter(|w| w.text.chars().any(char::is_alphabetic)).collect();
    let shouted = lettered.len() >= 3 && lettered.iter().all(|w| text::is_all_caps(w.text));
    if mixed_case && !shouted {
        for (w, lower) in words {
            if text::is_all_caps(w.text) && !ACRONYMS.contains(&lower.as_str()) {
                out.push(w.start..w.end);
            }
        }
    }
    out.extend(marked(sentence));
    out.extend(intensified(sentence, words));
    out.extend(contrasted(words));
    for (w, lower) in words {
        if STRESSED.contains(&lower.as_str()) {
            out.push(w.start..w.end);
        }
    }
    merge(out)
}

/// Sorts ranges and merges those that overlap.
fn merge(mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    spans.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for r in spans {
        match out.last_mut() {
            Some(last) if r.start < last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// How far, in characters, a closing marker is looked for: emphasis is a word or a phrase, and
/// the bound keeps a text full of stray asterisks linear.
const MARKER_REACH: usize = 200;

/// Text between `*…*`, `**…**`, `_…_` or `__…__` markers.
fn marked(sentence: &str) -> Vec<Range<usize>> {
    let chars: Vec<(usize, char)> = sentence.char_indices().collect();
    let n = chars.len();
    let byte = |i: usize| chars.get(i).map_or(sentence.len(), |&(b, _)| b);
    let run_len = |from: usize, c: char| chars[from..].iter().take_while(|&&(_, d)| d == c).count();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let c = chars[i].1;
        if c != '*' && c != '_' {
            i += 1;
            continue;
        }
        let len = run_len(i, c);
        let open_end = i + len;
        let opens = (i == 0 || !text::is_word_char(chars[i - 1].1))
            && chars.get(open_end).is_some_and(|&(_, d)| !d.is_whitespace());
        if !opens {
            i = open_end;
            continue;
        }
        let mut j = open_end;
        let mut close = None;
        while j < n && j - open_end < MARKER_REACH && chars[j].1 != '\n' {
            if chars[j].1 != c {
                j += 1;
                continue;
            }
            let m = run_len(j, c);
            let closes = m == len
                && !chars[j - 1].1.is_whitespace()
                && chars.get(j + m).is_none_or(|&(_, d)| !text::is_word_char(d));
            if closes {
                close = Some(j);
                break;
            }
            j += m;
        }
        match close {
            Some(j) => {
                out.push(byte(open_end)..byte(j));
                i = j + len;
            }
            None => i = open_end,
        }
    }
    out
}

/// True when only white space (or emphasis markers) separates words `a` and `a + 1`: a comma
/// breaks the link between an intensifier and what follows.
fn adjacent(sentence: &str, words: &[(Word, String)], a: usize) -> bool {
    match (words.get(a), words.get(a + 1)) {
        (Some((x, _)), Some((y, _))) => sentence
            .get(x.end..y.start)
            .is_some_and(|gap| gap.chars().all(|c| c.is_whitespace() || c == '*' || c == '_')),
        _ => false,
    }
}

/// Heads of intensifiers.
fn intensified(sentence: &str, words: &[(Word, String)]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if !text::is_intensifier(&words[i].1) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < words.len()
            && adjacent(sentence, words, j - 1)
            && (text::is_intensifier(&words[j].1) || matches!(words[j].1.as_str(), "a" | "an"))
        {
            j += 1;
        }
        if j < words.len() && adjacent(sentence, words, j - 1) {
            let (head, lower) = &words[j];
            if !FUNCTION_WORDS.contains(&lower.as_str()) && head.text.chars().any(char::is_alphabetic) {
                out.push(head.start..head.end);
            }
        }
        // The chain of intensifiers shares one head: resuming after it keeps a text of nothing
        // but "very very very …" linear.
        i = j.max(i + 1);
    }
    out
}

/// Y in "not X but Y".
fn contrasted(words: &[(Word, String)]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for (a, (_, w)) in words.iter().enumerate() {
        if !(w == "not" || w.ends_with("n't")) {
            continue;
        }
        // "but" within eight words, with something between.
        let Some(b) = (a + 2..words.len().min(a + 10)).find(|&b| words[b].1 == "but") else { continue };
        if let Some((head, _)) = words[b + 1..].iter().take(6).find(|(_, w)| !CONTRAST_SKIP.contains(&w.as_str())) {
            out.push(head.start..head.end);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentences::words_of;

    fn stressed(sentence: &str) -> Vec<&str> {
        let words = words_of(sentence);
        spans(sentence, &words, true).into_iter().map(|r| &sentence[r]).collect()
    }

    #[test]
    fn emphasis_table() {
        let table: &[(&str, &[&str])] = &[
            ("This is REALLY important.", &["REALLY", "important"]),
            ("Call the FBI now.", &[]),
            ("I said *today*, not tomorrow.", &["today"]),
            ("Read the **fine print** first.", &["fine print"]),
            ("It is _very_ good.", &["very", "good"]),
            ("Use my_var_name and 2 * 3 * 4.", &[]),
            ("It is extremely urgent.", &["urgent"]),
            ("That is so very important.", &["important"]),
            ("What a day, so I called.", &[]),
            ("It's not Monday but Tuesday.", &["Tuesday"]),
            ("Not only cheap but also fast.", &["only", "fast"]),
            ("You must never share it.", &["must", "never"]),
            ("Thank you very much.", &["much"]),
            ("Such a shame.", &["shame"]),
            ("Really, it works.", &[]),
        ];
        for (s, expected) in table {
            assert_eq!(stressed(s), *expected, "emphasis in {s:?}");
        }
    }

    #[test]
    fn all_caps_text_has_no_capital_emphasis() {
        let s = "CALL ME NOW";
        assert!(spans(s, &words_of(s), false).is_empty());
        // A shouted sentence in mixed-case text: no word stands out.
        assert!(spans(s, &words_of(s), true).is_empty());
        assert_eq!(spans("STOP NOW", &words_of("STOP NOW"), true).len(), 2);
    }

    #[test]
    fn unclosed_markers_are_ignored() {
        for s in ["*never closed", "**", "*", "_ _", "**a*", "*a**b*"] {
            let words = words_of(s);
            for r in spans(s, &words, true) {
                assert!(s.get(r.clone()).is_some(), "{s:?} {r:?}");
            }
        }
    }
}
