//! From a word to its phones: the exceptions dictionary first, then words built from
//! dictionary words, then the NRL letter-to-sound rules with stress placed by `stress.rs`.

use super::normalize::{Say, Spoken};
use super::{lexicon, morph, nrl, stress};
use crate::phoneme::{Phone, Phoneme, Stress};

/// Words longer than this are read in pieces: no English word needs more, and it keeps the
/// rules' context scans short on pathological input.
const MAX_RULE_LETTERS: usize = 24;

/// The names of the letters, for spelling.
const LETTERS: [&str; 26] = [
    "EY1",
    "B IY1",
    "S IY1",
    "D IY1",
    "IY1",
    "EH1 F",
    "JH IY1",
    "EY1 CH",
    "AY1",
    "JH EY1",
    "K EY1",
    "EH1 L",
    "EH1 M",
    "EH1 N",
    "OW1",
    "P IY1",
    "K Y UW1",
    "AA1 R",
    "EH1 S",
    "T IY1",
    "Y UW1",
    "V IY1",
    "D AH1 B AH0 L Y UW0",
    "EH1 K S",
    "W AY1",
    "Z IY1",
];

pub(crate) use lexicon::is_acronym_word;

/// Longer words are not looked up at all: no dictionary word is that long, and it bounds the
/// recursion of possessives and contractions on pathological input.
const MAX_LOOKUP_LETTERS: usize = 40;

/// True when the lower-case word is in the dictionary or built from dictionary words.
pub(crate) fn is_known(w: &str) -> bool {
    if w.len() > MAX_LOOKUP_LETTERS {
        return false;
    }
    if lexicon::contains(w) {
        return true;
    }
    match w.strip_suffix("'s") {
        Some(base) => is_known(base),
        None => !w.contains('\'') && morph::derive(w, 2).is_some(),
    }
}

/// The phones of a lower-case word.
pub(crate) fn word(w: &str) -> Vec<Phone> {
    let w: String =
        w.chars().filter(|c| c.is_ascii_alphabetic() || *c == '\'').collect::<String>().to_ascii_lowercase();
    let w = w.trim_matches('\'');
    if w.is_empty() {
        return Vec::new();
    }
    if w.len() > MAX_LOOKUP_LETTERS {
        return by_rules(w);
    }
    lexicon::lookup(w).or_else(|| morph::derive(w, 2)).unwrap_or_else(|| match w.strip_prefix("mc") {
        // "McDonald": the prefix is a weak syllable before the stressed name.
        Some(rest) if rest.len() >= 3 => {
            let mut p = vec![
                Phone { phoneme: Phoneme::M, stress: Stress::Unstressed },
                Phone { phoneme: Phoneme::AH, stress: Stress::Unstressed },
                Phone { phoneme: Phoneme::K, stress: Stress::Unstressed },
            ];
            p.extend(word(rest));
            p
        }
        _ => by_rules(w),
    })
}

/// The letter-to-sound rules and the stress heuristics.
fn by_rules(w: &str) -> Vec<Phone> {
    let letters: Vec<u8> = w.bytes().filter(u8::is_ascii_alphabetic).collect();
    let mut out = Vec::new();
    for piece in letters.chunks(MAX_RULE_LETTERS) {
        let piece = String::from_utf8_lossy(piece);
        out.extend(stress::assign(&piece, &nrl::translate(&piece)));
    }
    out
}

/// The name of a letter, its vowel stressed as given.
pub(crate) fn letter(c: char, stress: Stress) -> Vec<Phone> {
    let index = usize::from((c.to_ascii_lowercase() as u8).wrapping_sub(b'a'));
    let mut phones = LETTERS.get(index).and_then(|p| lexicon::parse(p)).unwrap_or_default();
    for p in phones.iter_mut().filter(|p| p.stress == Stress::Primary) {
        p.stress = stress;
    }
    phones
}

/// The phones of a word to say; an emphasised word without a main stress gets one.
pub(crate) fn spoken(s: &Spoken, emphasis: bool) -> Vec<Phone> {
    let mut phones = match s.say {
        Say::Letter { last, plural } => {
            let c = s.display.chars().next().unwrap_or('a');
            let mut p = letter(c, if last { Stress::Primary } else { Stress::Secondary });
            if plural {
                let ending = morph::s_ending(p.last().map(|p| p.phoneme));
                p.extend(ending);
            }
            p
        }
        Say::Word => word(&s.display),
    };
    if emphasis
        && !phones.iter().any(|p| p.stress == Stress::Primary)
        && let Some(v) = phones.iter_mut().find(|p| p.phoneme.is_vowel())
    {
        v.stress = Stress::Primary;
    }
    phones
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_have_names() {
        for c in 'a'..='z' {
            assert!(letter(c, Stress::Primary).iter().any(|p| p.stress == Stress::Primary), "{c}");
        }
        assert_eq!(letter('w', Stress::Secondary)[1].stress, Stress::Secondary);
        assert!(letter('?', Stress::Primary).is_empty());
    }

    #[test]
    fn every_word_gets_phones() {
        for w in ["blimp", "strand", "fantastic", "xylophone", "supercalifragilisticexpialidocious", "'", "zzzz"] {
            let p = word(w);
            if w != "'" {
                assert!(!p.is_empty(), "{w}");
            }
        }
        assert!(word("strand").iter().any(|p| p.phoneme == Phoneme::AE && p.stress == Stress::Primary));
        assert!(is_known("appointments"));
        assert!(is_known("john's"));
        assert!(!is_known("zzzz"));
    }
}
