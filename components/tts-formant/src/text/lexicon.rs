//! Looks words up in the exceptions dictionary (`lexicon_data.rs`) and parses ARPAbet.

use super::lexicon_data::ENTRIES;
use crate::phoneme::{Phone, Phoneme, Stress};

/// Acronyms said as words rather than spelled, when written in capitals.
const ACRONYM_WORDS: &[&str] = &[
    "nasa", "nato", "unesco", "unicef", "nafta", "opec", "aids", "scuba", "laser", "radar", "sonar", "covid", "fema",
    "osha", "hipaa", "ikea", "jpeg", "pin", "sim", "nasdaq", "fifa", "gif", "ascii", "captcha", "darpa", "swat",
    "awol", "wifi", "lego", "yolo", "asap",
];

/// True for an acronym read as a word (`NASA`), given in lower case.
pub(crate) fn is_acronym_word(lower: &str) -> bool {
    ACRONYM_WORDS.contains(&lower)
}

/// Parses `HH AH0 L OW1`: vowels carry a stress digit, consonants none. `None` if any symbol
/// is not ARPAbet.
pub(crate) fn parse(pron: &str) -> Option<Vec<Phone>> {
    pron.split_whitespace()
        .map(|sym| {
            let (base, stress) = match sym.as_bytes().last() {
                Some(b'0') => (&sym[..sym.len() - 1], Stress::Unstressed),
                Some(b'1') => (&sym[..sym.len() - 1], Stress::Primary),
                Some(b'2') => (&sym[..sym.len() - 1], Stress::Secondary),
                _ => (sym, Stress::Unstressed),
            };
            Phoneme::parse(base).map(|phoneme| Phone { phoneme, stress })
        })
        .collect()
}

/// The dictionary pronunciation of a lower-case word.
pub(crate) fn lookup(word: &str) -> Option<Vec<Phone>> {
    let i = ENTRIES.binary_search_by(|(w, _)| (*w).cmp(word)).ok()?;
    parse(ENTRIES[i].1)
}

/// True when the lower-case word is in the dictionary.
pub(crate) fn contains(word: &str) -> bool {
    ENTRIES.binary_search_by(|(w, _)| (*w).cmp(word)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_is_sorted_unique_and_parses() {
        assert!(ENTRIES.len() >= 1000, "only {} entries", ENTRIES.len());
        for pair in ENTRIES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
        }
        for (word, pron) in ENTRIES {
            assert_eq!(*word, word.to_ascii_lowercase());
            let phones = parse(pron).unwrap_or_else(|| panic!("bad pronunciation for {word}: {pron}"));
            assert!(phones.iter().any(|p| p.phoneme.is_vowel()), "{word} has no vowel");
            for (sym, phone) in pron.split_whitespace().zip(&phones) {
                let digit = sym.ends_with(['0', '1', '2']);
                assert_eq!(digit, phone.phoneme.is_vowel(), "{word}: stress digit on {sym}");
            }
        }
    }

    #[test]
    fn looks_up_with_stress() {
        let p = lookup("appointment").expect("in the dictionary");
        let text: Vec<String> = p.iter().map(|p| format!("{:?}{:?}", p.phoneme, p.stress)).collect();
        assert_eq!(text[1], "PUnstressed");
        assert!(p.iter().any(|p| p.phoneme == Phoneme::OY && p.stress == Stress::Primary));
        assert!(lookup("the").is_some_and(|p| p.iter().all(|p| p.stress == Stress::Unstressed)));
        assert!(lookup("zzzz").is_none());
        for acronym in ACRONYM_WORDS {
            assert!(contains(acronym), "{acronym} needs a pronunciation");
        }
    }
}
