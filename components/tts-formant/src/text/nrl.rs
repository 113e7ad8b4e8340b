//! The NRL letter-to-sound rule engine (the rules themselves are in `nrl_rules.rs`).
//!
//! The word is scanned left to right. At each letter the rules for that letter are tried in
//! order; the first whose match string is at this position and whose left and right contexts
//! fit the surrounding letters gives the phonemes, and the scan moves past the match. Contexts
//! are matched as in the report: the left context right to left from the letter before the
//! match, the right context left to right from the letter after it, outside the word counting
//! as a boundary.

use super::nrl_rules::{ADDITIONS, RULES, Rule};
use crate::phoneme::Phoneme;

/// A phoneme from the rules, with the letter that produced it, for stress assignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RulePhone {
    pub phoneme: Phoneme,
    /// The report's schwa: a vowel that never takes stress.
    pub reduced: bool,
    /// Index in the word of the letter that produced it: the first letter of the rule's
    /// match, or for a vowel the first vowel letter of the match.
    pub letter: usize,
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'A' | b'E' | b'I' | b'O' | b'U' | b'y')
}

fn is_consonant(c: u8) -> bool {
    c.is_ascii_uppercase() && !is_vowel(c)
}

fn is_voiced(c: u8) -> bool {
    matches!(c, b'B' | b'D' | b'V' | b'G' | b'J' | b'L' | b'M' | b'N' | b'R' | b'W' | b'Z')
}

fn is_front(c: u8) -> bool {
    matches!(c, b'E' | b'I' | b'Y' | b'y')
}

/// The word padded with boundaries: anything outside it reads as a space.
///
/// Context classes see a Y after a consonant as the vowel it spells ("style", "type"): the
/// report counts Y as a consonant everywhere, which makes the silent-e rules miss such words.
/// `at` therefore returns `y` (lower case, neither vowel nor consonant to the literal
/// patterns) for a vowel Y, and [`is_vowel`] accepts it.
struct Padded<'a>(&'a [u8]);

impl Padded<'_> {
    fn at(&self, i: isize) -> u8 {
        let get = |i: isize| usize::try_from(i).ok().and_then(|i| self.0.get(i)).copied().unwrap_or(b' ');
        let c = get(i);
        let after_consonant = |p: u8| p.is_ascii_uppercase() && !is_vowel(p) && p != b'Y';
        if c == b'Y' && after_consonant(get(i - 1)) { b'y' } else { c }
    }
}

/// Whether `pattern` fits the letters before position `pos`, read right to left.
fn left_match(pattern: &[u8], w: &Padded, pos: usize) -> bool {
    let mut t = pos as isize - 1;
    for &p in pattern.iter().rev() {
        match p {
            b' ' => {
                if w.at(t).is_ascii_alphabetic() {
                    return false;
                }
                t -= 1;
            }
            b'#' => {
                if !is_vowel(w.at(t)) {
                    return false;
                }
                while is_vowel(w.at(t)) {
                    t -= 1;
                }
            }
            b':' => {
                while is_consonant(w.at(t)) {
                    t -= 1;
                }
            }
            b'*' => {
                if !is_consonant(w.at(t)) {
                    return false;
                }
                while is_consonant(w.at(t)) {
                    t -= 1;
                }
            }
            b'^' | b'.' | b'+' => {
                let c = w.at(t);
                let ok = match p {
                    b'^' => is_consonant(c),
                    b'.' => is_voiced(c),
                    _ => is_front(c),
                };
                if !ok {
                    return false;
                }
                t -= 1;
            }
            b'&' => {
                if w.at(t) == b'H' && matches!(w.at(t - 1), b'C' | b'S') {
                    t -= 2;
                } else if matches!(w.at(t), b'S' | b'C' | b'G' | b'Z' | b'X' | b'J') {
                    t -= 1;
                } else {
                    return false;
                }
            }
            b'@' => {
                if w.at(t) == b'H' && matches!(w.at(t - 1), b'T' | b'C' | b'S') {
                    t -= 2;
                } else if matches!(w.at(t), b'T' | b'S' | b'R' | b'D' | b'L' | b'Z' | b'N' | b'J') {
                    t -= 1;
                } else {
                    return false;
                }
            }
            b'%' => return false,
            literal => {
                if w.at(t).to_ascii_uppercase() != literal {
                    return false;
                }
                t -= 1;
            }
        }
    }
    true
}

/// Whether `pattern` fits the letters from position `pos` on, read left to right.
fn right_match(pattern: &[u8], w: &Padded, pos: usize) -> bool {
    let mut t = pos as isize;
    for &p in pattern {
        match p {
            b' ' => {
                if w.at(t).is_ascii_alphabetic() {
                    return false;
                }
                t += 1;
            }
            b'#' => {
                if !is_vowel(w.at(t)) {
                    return false;
                }
                while is_vowel(w.at(t)) {
                    t += 1;
                }
            }
            b':' => {
                while is_consonant(w.at(t)) {
                    t += 1;
                }
            }
            b'*' => {
                if !is_consonant(w.at(t)) {
                    return false;
                }
                while is_consonant(w.at(t)) {
                    t += 1;
                }
            }
            b'^' | b'.' | b'+' => {
                let c = w.at(t);
                let ok = match p {
                    b'^' => is_consonant(c),
                    b'.' => is_voiced(c),
                    _ => is_front(c),
                };
                if !ok {
                    return false;
                }
                t += 1;
            }
            b'%' => {
                // ER, E, ES, ED, ING, ELY.
                if w.at(t) == b'E' {
                    t += 1;
                    if w.at(t) == b'L' {
                        if w.at(t + 1) == b'Y' {
                            t += 2;
                        }
                    } else if matches!(w.at(t), b'R' | b'S' | b'D') {
                        t += 1;
                    }
                } else if w.at(t) == b'I' && w.at(t + 1) == b'N' && w.at(t + 2) == b'G' {
                    t += 3;
                } else {
                    return false;
                }
            }
            b'&' => {
                if matches!(w.at(t), b'C' | b'S') && w.at(t + 1) == b'H' {
                    t += 2;
                } else if matches!(w.at(t), b'S' | b'C' | b'G' | b'Z' | b'X' | b'J') {
                    t += 1;
                } else {
                    return false;
                }
            }
            b'@' => {
                if matches!(w.at(t), b'T' | b'C' | b'S') && w.at(t + 1) == b'H' {
                    t += 2;
                } else if matches!(w.at(t), b'T' | b'S' | b'R' | b'D' | b'L' | b'Z' | b'N' | b'J') {
                    t += 1;
                } else {
                    return false;
                }
            }
            literal => {
                if w.at(t).to_ascii_uppercase() != literal {
                    return false;
                }
                t += 1;
            }
        }
    }
    true
}

/// An ARPAbet symbol of a rule's output; `AX` is the reduced `AH`.
pub(crate) fn symbol(s: &str) -> Option<(Phoneme, bool)> {
    if s == "AX" {
        return Some((Phoneme::AH, true));
    }
    Phoneme::parse(s).map(|p| (p, false))
}

fn rule_fits(rule: &Rule, w: &Padded, i: usize) -> bool {
    let mid = rule.mid.as_bytes();
    w.0.get(i..i + mid.len()) == Some(mid)
        && left_match(rule.left.as_bytes(), w, i)
        && right_match(rule.right.as_bytes(), w, i + mid.len())
}

/// The phonemes the rules give for `word` (letters and apostrophes; anything else ignored).
///
/// One deviation from the report: the same consonant twice in a row is said once ("rabbit"
/// has one /b/, "exceed" one /s/). The report leaves most doubled letters to the catch-all
/// rules, which would say both.
pub(crate) fn translate(word: &str) -> Vec<RulePhone> {
    let letters: Vec<u8> =
        word.bytes().filter(|b| b.is_ascii_alphabetic() || *b == b'\'').map(|b| b.to_ascii_uppercase()).collect();
    let w = Padded(&letters);
    let mut out = Vec::new();
    let mut i = 0;
    while i < letters.len() {
        let c = letters[i];
        let rules = if c.is_ascii_uppercase() { RULES[usize::from(c - b'A')] } else { &[] };
        let addition = ADDITIONS.iter().filter(|rule| rule.mid.as_bytes()[0] == c);
        match addition.chain(rules).find(|rule| rule_fits(rule, &w, i)) {
            Some(rule) => {
                // A vowel is credited to the first vowel letter of the match ("TED" -> the E),
                // so that stress rules can tell which syllable of the spelling it is.
                let vowel_letter = rule.mid.bytes().position(|b| is_vowel(b) || b == b'Y').map_or(i, |k| i + k);
                for (phoneme, reduced) in rule.out.split_whitespace().filter_map(symbol) {
                    let letter = if phoneme.is_vowel() { vowel_letter } else { i };
                    let doubled = out.last().is_some_and(|p: &RulePhone| p.phoneme == phoneme && !phoneme.is_vowel());
                    if !doubled {
                        out.push(RulePhone { phoneme, reduced, letter });
                    }
                }
                i += rule.mid.len();
            }
            None => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arpabet(word: &str) -> String {
        translate(word).iter().map(|p| if p.reduced { "AX" } else { p.phoneme.symbol() }).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn every_rule_output_is_arpabet() {
        for (letter, rules) in RULES.iter().enumerate() {
            for rule in *rules {
                assert_eq!(
                    rule.mid.as_bytes()[0],
                    b'A' + letter as u8,
                    "rule {} filed under the wrong letter",
                    rule.mid
                );
                for s in rule.out.split_whitespace() {
                    assert!(symbol(s).is_some(), "{s} in rule for {}", rule.mid);
                }
            }
            let last = rules.last().expect("every letter has rules");
            assert!(last.left.is_empty() && last.right.is_empty() && last.mid.len() == 1, "catch-all last");
        }
    }

    #[test]
    fn additions_are_arpabet() {
        for rule in ADDITIONS {
            assert!(rule.out.split_whitespace().all(|s| symbol(s).is_some()), "{}", rule.mid);
        }
        assert_eq!(arpabet("match"), "M AE CH");
        assert_eq!(arpabet("bridge"), "B R IH JH");
        assert_eq!(arpabet("gratify"), "G R AE T IH F AY");
    }

    #[test]
    fn translates_regular_words() {
        assert_eq!(arpabet("blimp"), "B L IH M P");
        assert_eq!(arpabet("strand"), "S T R AE N D");
        assert_eq!(arpabet("fantastic"), "F AE N T AE S T IH K");
        assert_eq!(arpabet("make"), "M EY K");
        assert_eq!(arpabet("nation"), "N EY SH AX N");
        assert_eq!(arpabet("phone"), "F OW N");
        assert_eq!(arpabet("knight"), "N AY T");
        assert_eq!(arpabet("church"), "CH ER CH");
        assert_eq!(arpabet("cats"), "K AE T S");
        assert_eq!(arpabet("dogs"), "D AA G Z");
        assert_eq!(arpabet("wanted"), "W AE N T IH D");
        assert_eq!(arpabet("style"), "S T AY L");
        assert_eq!(arpabet("happy"), "HH AE P IY");
    }

    #[test]
    fn odd_input_does_not_panic() {
        assert!(translate("").is_empty());
        assert!(translate("'''").is_empty());
        let long = "ab".repeat(500);
        assert!(!translate(&long).is_empty());
    }
}
