//! Sentence splitting, sentence kinds and intonation.
//!
//! Boundaries: a run of ".", "!", "?" or "…" (with closing quotes or brackets) followed by white
//! space or the end; a blank line between paragraphs; a line break before a list item ("- ",
//! "* ", "• ", "1. ", "2) "). A single "." is no boundary after a title or Latin abbreviation
//! ("Mr.", "Dr.", "e.g."), after an initial ("J. Smith"), or after a list number at the start of
//! a line ("1. Call"), and only a boundary after "etc.", "Inc.", "a.m." and dotted abbreviations
//! ("U.S.") when the next word is capitalised. An ellipsis is a boundary unless the next word is
//! in lower case ("I was... thinking"). A dot with no space after it (3.14, example.com,
//! a.b@c.org, 10.30) never is. Text after the last boundary that has no letters or digits (an
//! emoji after "?") stays with the sentence before it.

use crate::sentence_words::{
    AUXILIARIES, BASE_VERBS, DISCOURSE, MAYBE_FINAL, NEVER_FINAL, PRONOUNS, SUBJECTS, VERB_AFTER_NOUN, WH_WORDS,
};
use crate::text::{self, Word};
use std::ops::Range;

/// The grammatical kind of a sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Ends with "?", or has no end punctuation and opens like a question.
    Question,
    /// Ends with "!".
    Exclamation,
    /// Imperative: opens with a base-form verb or "please".
    Command,
    /// Anything else.
    Statement,
}

/// The pitch movement expected at the end of a sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intonation {
    /// Statements, commands, wh-questions.
    Falling,
    /// Yes/no questions, declarative questions included.
    Rising,
}

/// Sentence-ending punctuation.
fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '‽')
}

/// Closing quotes and brackets that may follow the end punctuation.
fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | ']' | '}' | '”' | '’' | '»')
}

/// Opening quotes and brackets that may precede the first word.
fn is_opener(c: char) -> bool {
    matches!(c, '"' | '\'' | '(' | '[' | '{' | '“' | '‘' | '«')
}

/// Splits `text` into sentences, as byte ranges trimmed of surrounding white space.
pub fn split(text: &str) -> Vec<Range<usize>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let byte = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut seg_start = 0usize;
    let mut i = 0usize;
    while i < n {
        let c = chars[i].1;
        if c == '\n' {
            let mut j = i + 1;
            while j < n && chars[j].1 != '\n' && chars[j].1.is_whitespace() {
                j += 1;
            }
            let paragraph = j < n && chars[j].1 == '\n';
            if paragraph || starts_list_item(&chars, j) {
                push(text, &mut out, seg_start..byte(i));
                seg_start = byte(j);
                i = j;
                continue;
            }
            i += 1;
            continue;
        }
        if !is_terminal(c) {
            i += 1;
            continue;
        }
        let run_start = i;
        let mut j = i;
        while j < n && is_terminal(chars[j].1) {
            j += 1;
        }
        while j < n && is_closer(chars[j].1) {
            j += 1;
        }
        let spaced = j == n || chars[j].1.is_whitespace();
        if spaced && is_boundary(&chars, run_start, j) {
            j = trailing_symbols(&chars, j);
            push(text, &mut out, seg_start..byte(j));
            seg_start = byte(j);
        }
        i = j;
    }
    push(text, &mut out, seg_start..text.len());
    out
}

/// Adds a sentence, trimmed; a piece with no letters or digits joins the sentence before it.
fn push(text: &str, out: &mut Vec<Range<usize>>, range: Range<usize>) {
    let Some(piece) = text.get(range.clone()) else { return };
    let start = range.start + (piece.len() - piece.trim_start().len());
    let end = range.start + piece.trim_end().len();
    if start >= end {
        return;
    }
    let has_word = text.get(start..end).is_some_and(|s| s.chars().any(text::is_word_char));
    match out.last_mut() {
        Some(last) if !has_word => last.end = end,
        _ => out.push(start..end),
    }
}

/// The end of the emoji or emoticons ("Really? 😊", "Great! :)") that follow end punctuation on
/// the same line: they belong to the sentence they close. `j` is just after the punctuation.
fn trailing_symbols(chars: &[(usize, char)], j: usize) -> usize {
    let mut k = j;
    while k < chars.len() && chars[k].1 != '\n' && chars[k].1.is_whitespace() {
        k += 1;
    }
    let symbol = |c: char| !c.is_whitespace() && !text::is_word_char(c) && !is_opener(c) && !is_terminal(c);
    let first = k;
    while k < chars.len() && symbol(chars[k].1) {
        k += 1;
    }
    let closed = k == chars.len() || chars[k].1.is_whitespace();
    if k > first && closed { k } else { j }
}

/// True when a list item ("- ", "* ", "• ", "12. ", "3) ") starts at character `j`.
fn starts_list_item(chars: &[(usize, char)], j: usize) -> bool {
    let at = |k: usize| chars.get(k).map(|&(_, c)| c);
    let space_at = |k: usize| at(k).is_some_and(char::is_whitespace);
    match at(j) {
        Some('-' | '*' | '•' | '·' | '–') => space_at(j + 1),
        Some(c) if c.is_ascii_digit() => {
            let mut k = j;
            while at(k).is_some_and(|c| c.is_ascii_digit()) && k - j < 3 {
                k += 1;
            }
            matches!(at(k), Some('.' | ')')) && space_at(k + 1)
        }
        _ => false,
    }
}

/// Decides whether the terminal run `run_start..end` (end punctuation plus closers) ends a
/// sentence, given that white space or the end of the text follows it.
fn is_boundary(chars: &[(usize, char)], run_start: usize, end: usize) -> bool {
    let run: String = chars[run_start..end].iter().map(|&(_, c)| c).collect();
    if run.contains(['!', '?', '‽']) {
        return true;
    }
    let next = next_word_start(chars, end);
    let periods = run.chars().filter(|&c| c == '.').count();
    if periods >= 2 || run.contains('…') {
        return !next.is_some_and(char::is_lowercase);
    }
    // A single period: look at the word before it.
    let mut k = run_start;
    while k > 0 && !chars[k - 1].1.is_whitespace() {
        k -= 1;
    }
    let token: String = chars[k..run_start].iter().map(|&(_, c)| c).skip_while(|&c| is_opener(c)).collect();
    if token.is_empty() {
        return true;
    }
    let lower = token.to_lowercase();
    let mut letters = token.chars();
    let initial = matches!((letters.next(), letters.next()), (Some(c), None) if c.is_uppercase() && c != 'I');
    if NEVER_FINAL.contains(&lower.as_str()) || initial {
        return false;
    }
    if lower == "no" && next.is_some_and(|c| c.is_ascii_digit()) {
        return false;
    }
    if MAYBE_FINAL.contains(&lower.as_str()) || (token.contains('.') && token.chars().any(char::is_alphabetic)) {
        return next.is_none_or(char::is_uppercase);
    }
    // "1." at the start of a line numbers a list item.
    if token.len() <= 3 && token.chars().all(|c| c.is_ascii_digit()) {
        let mut b = k;
        while b > 0 && chars[b - 1].1 != '\n' && chars[b - 1].1.is_whitespace() {
            b -= 1;
        }
        if b == 0 || chars[b - 1].1 == '\n' {
            return false;
        }
    }
    true
}

/// The first character of the next word after character `from`, skipping spaces and openers.
fn next_word_start(chars: &[(usize, char)], from: usize) -> Option<char> {
    chars[from.min(chars.len())..].iter().map(|&(_, c)| c).find(|&c| !c.is_whitespace() && !is_opener(c))
}

/// The end punctuation of a sentence, if any: the last "?", "!" or "." before trailing closers,
/// emoji and other symbols.
fn terminal(sentence: &str) -> Option<char> {
    for c in sentence.chars().rev() {
        if is_terminal(c) {
            // "?!" and "!?" both count as questions: scan the whole final run.
            let run: String = sentence
                .trim_end_matches(|c: char| !is_terminal(c) && !text::is_word_char(c))
                .chars()
                .rev()
                .take_while(|&c| is_terminal(c))
                .collect();
            return Some(if run.contains(['?', '‽']) {
                '?'
            } else if run.contains('!') {
                '!'
            } else {
                '.'
            });
        }
        if text::is_word_char(c) {
            return None;
        }
    }
    None
}

/// The normalised words of a sentence, without the leading discourse markers.
fn content_words<'a>(words: &'a [(Word<'a>, String)]) -> &'a [(Word<'a>, String)] {
    let skip = words.iter().take_while(|(_, w)| DISCOURSE.contains(&w.as_str())).count();
    // "So." or "Well!" alone: keep the word so the sentence still has a head.
    if skip == words.len() { words } else { &words[skip..] }
}

/// True when the words open a wh-question ("Where are you", not "What a day").
fn opens_wh_question(words: &[(Word, String)]) -> bool {
    let words = content_words(words);
    match words {
        [(_, first), rest @ ..] if WH_WORDS.contains(&first.as_str()) => {
            !rest.first().is_some_and(|(_, w)| matches!(w.as_str(), "a" | "an"))
        }
        _ => false,
    }
}

/// True when the words open a yes/no question: an auxiliary followed by a subject.
fn opens_yes_no_question(words: &[(Word, String)]) -> bool {
    let words = content_words(words);
    match words {
        [(_, aux), (subject, lower), ..] if AUXILIARIES.contains(&aux.as_str()) => {
            SUBJECTS.contains(&lower.as_str()) || subject.text.chars().next().is_some_and(char::is_uppercase)
        }
        _ => false,
    }
}

/// True when the words open an imperative.
fn opens_command(words: &[(Word, String)], terminal: Option<char>) -> bool {
    let words = content_words(words);
    let Some((_, first)) = words.first() else { return false };
    let second = words.get(1).map(|(_, w)| w.as_str());
    let third = words.get(2).map(|(_, w)| w.as_str());
    match first.as_str() {
        "please" | "kindly" => return true,
        "make" if second == Some("sure") => return true,
        "do" => return second == Some("not"),
        // Polite requests ending in "." ("Could you send it.") are commands in all but form.
        "could" | "would" | "can" | "will" if terminal == Some('.') => {
            return second == Some("you") && third.is_some();
        }
        _ => {}
    }
    if !BASE_VERBS.contains(&first.as_str()) {
        return false;
    }
    // "Be careful", "Have fun", but not "Have you …" (a question the kind rules may miss).
    if matches!(first.as_str(), "be" | "have" | "don't") && second.is_some_and(|w| PRONOUNS.contains(&w)) {
        return first == "don't";
    }
    // A verb in second or third place shows the opening word was a noun ("Call centers are …").
    ![second, third].iter().any(|w| w.is_some_and(|w| VERB_AFTER_NOUN.contains(&w)))
}

/// Normalised words of a sentence, paired with the words as written.
pub fn words_of(sentence: &str) -> Vec<(Word<'_>, String)> {
    text::words(sentence, true).into_iter().map(|w| (w, text::normalize(w.text))).collect()
}

/// The kind of a sentence.
pub fn kind(sentence: &str, words: &[(Word, String)]) -> Kind {
    let terminal = terminal(sentence);
    match terminal {
        Some('?') => Kind::Question,
        Some('!') => Kind::Exclamation,
        None if opens_wh_question(words) || opens_yes_no_question(words) => Kind::Question,
        _ if opens_command(words, terminal) => Kind::Command,
        _ => Kind::Statement,
    }
}

/// The intonation of a sentence of kind `kind`: rising for yes/no questions, falling otherwise.
pub fn intonation(kind: Kind, words: &[(Word, String)]) -> Intonation {
    if kind == Kind::Question && !opens_wh_question(words) { Intonation::Rising } else { Intonation::Falling }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        split(text).into_iter().map(|r| &text[r]).collect()
    }

    fn kind_of(s: &str) -> Kind {
        kind(s, &words_of(s))
    }

    #[test]
    fn splitting_table() {
        let table: &[(&str, &[&str])] = &[
            ("Hello there. How are you?", &["Hello there.", "How are you?"]),
            ("Wow! Great!! Really?!", &["Wow!", "Great!!", "Really?!"]),
            ("Mr. Smith met Dr. Jones at 3.14 p.m. today.", &["Mr. Smith met Dr. Jones at 3.14 p.m. today."]),
            ("We use e.g. apples. Then pears.", &["We use e.g. apples.", "Then pears."]),
            ("Visit example.com or mail a.b@c.org. Bye.", &["Visit example.com or mail a.b@c.org.", "Bye."]),
            ("It is 10.30 now. OK", &["It is 10.30 now.", "OK"]),
            ("I was... thinking. Wait... What?", &["I was... thinking.", "Wait...", "What?"]),
            ("Hmm… Yes.", &["Hmm…", "Yes."]),
            ("First para\n\nSecond para", &["First para", "Second para"]),
            ("Wrapped\nline here.", &["Wrapped\nline here."]),
            ("Items:\n- one\n- two", &["Items:", "- one", "- two"]),
            ("1. Call us.\n2. Press 5.", &["1. Call us.", "2. Press 5."]),
            ("He said \"stop.\" Then left.", &["He said \"stop.\"", "Then left."]),
            ("J. R. R. Tolkien wrote. I agree.", &["J. R. R. Tolkien wrote.", "I agree."]),
            ("The U.S. economy grew. It did.", &["The U.S. economy grew.", "It did."]),
            ("We sell apples, pears etc. and more.", &["We sell apples, pears etc. and more."]),
            ("See room No. 5 now.", &["See room No. 5 now."]),
            ("Are you coming? 😊 Yes.", &["Are you coming? 😊", "Yes."]),
            ("", &[]),
            ("   \n\n  ", &[]),
            ("...", &["..."]),
        ];
        for (text, expected) in table {
            assert_eq!(sentences(text), *expected, "splitting {text:?}");
        }
    }

    #[test]
    fn kind_table() {
        let table = [
            ("Are you there?", Kind::Question),
            ("You are coming?", Kind::Question),
            ("Where do you live", Kind::Question),
            ("Is John home", Kind::Question),
            ("What a day", Kind::Statement),
            ("This is great!", Kind::Exclamation),
            ("Call me back tomorrow.", Kind::Command),
            ("Please hold.", Kind::Command),
            ("Press 1 for sales", Kind::Command),
            ("Don't forget your keys.", Kind::Command),
            ("Make sure the door is locked.", Kind::Command),
            ("Let's go.", Kind::Command),
            ("So, remember the date.", Kind::Command),
            ("Could you send it over.", Kind::Command),
            ("Call centers are busy today.", Kind::Statement),
            ("The book was good.", Kind::Statement),
            ("Have a nice day.", Kind::Command),
            ("I will call you.", Kind::Statement),
            ("Will do.", Kind::Statement),
            ("Stop", Kind::Command),
        ];
        for (s, k) in table {
            assert_eq!(kind_of(s), k, "kind of {s:?}");
        }
    }

    #[test]
    fn intonation_table() {
        let table = [
            ("Are you coming?", Intonation::Rising),
            ("You are coming?", Intonation::Rising),
            ("Where are you?", Intonation::Falling),
            ("And how did it go?", Intonation::Falling),
            ("Is it ready", Intonation::Rising),
            ("It is ready.", Intonation::Falling),
            ("Call me!", Intonation::Falling),
        ];
        for (s, i) in table {
            let w = words_of(s);
            assert_eq!(intonation(kind(s, &w), &w), i, "intonation of {s:?}");
        }
    }
}
