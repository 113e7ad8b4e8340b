//! How fast a sentence should be spoken.
//!
//! The rule, first match wins:
//!
//! 1. **Slower** when a listener needs time:
//!    - a long sentence (more than 25 words) or a complex one (more than 15 words with two or
//!      more commas, semicolons, colons or dashes);
//!    - details to write down: three digits or more, a phone number, e-mail address, card
//!      number or SSN, a web address, a time ("3:30"), an ordinal ("21st"), a month next to a
//!      number ("May 5", "5 June"), or a street address (a number, then within three words a
//!      street type such as "Street", "Ave" or "Suite", or "P.O. Box");
//!    - an apology or sadness, which hurry would make sound insincere;
//!    - an important or legal notice ("important", "notice", "terms and conditions", "consent",
//!      "recorded", "liable", "please be advised", …).
//! 2. **Faster** for excitement, when it is the strongest emotion, and for short exclamations (six
//!    words or fewer).
//! 3. **Normal** otherwise.

use crate::emotion::Emotion;
use crate::pii;
use crate::sentences::Kind;
use crate::text::Word;

/// How fast to speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pacing {
    /// Give the listener time.
    Slower,
    /// Ordinary pace.
    Normal,
    /// Lively.
    Faster,
}

/// Months, full and abbreviated.
const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

/// Street types that follow a house number.
const STREETS: &[&str] = &[
    "street",
    "st",
    "avenue",
    "ave",
    "road",
    "rd",
    "boulevard",
    "blvd",
    "lane",
    "ln",
    "drive",
    "dr",
    "court",
    "ct",
    "way",
    "place",
    "pl",
    "suite",
    "ste",
    "apt",
    "apartment",
    "highway",
    "hwy",
    "parkway",
    "pkwy",
    "circle",
    "terrace",
    "square",
    "floor",
];

/// Words of important or legal notices.
const NOTICE_WORDS: &[&str] = &[
    "important",
    "notice",
    "legal",
    "legally",
    "disclaimer",
    "warning",
    "caution",
    "recorded",
    "consent",
    "privacy",
    "liable",
    "liability",
    "pursuant",
    "hereby",
    "agreement",
    "disclosure",
    "penalty",
    "penalties",
    "mandatory",
    "regulation",
    "regulations",
    "obligation",
    "obligated",
    "terms",
    "conditions",
    "fees",
    "apr",
    "advised",
];

/// The pacing of a sentence.
///
/// `words` are the sentence's words with their normalised forms; `emotions` its emotions,
/// strongest first.
pub fn pacing(sentence: &str, words: &[(Word, String)], kind: Kind, emotions: &[(Emotion, f32)]) -> Pacing {
    let shown = |e: Emotion| emotions.iter().any(|&(x, _)| x == e);
    if is_complex(sentence, words.len())
        || has_details(sentence, words)
        || shown(Emotion::Apology)
        || shown(Emotion::Sadness)
        || words.iter().any(|(_, w)| NOTICE_WORDS.contains(&w.as_str()))
    {
        return Pacing::Slower;
    }
    let excited = emotions.first().is_some_and(|&(e, _)| e == Emotion::Excitement);
    if excited || (kind == Kind::Exclamation && words.len() <= 6) { Pacing::Faster } else { Pacing::Normal }
}

/// Long, or moderately long with several clauses.
fn is_complex(sentence: &str, words: usize) -> bool {
    let breaks = sentence.chars().filter(|c| matches!(c, ',' | ';' | ':' | '—' | '–')).count();
    words > 25 || (words > 15 && breaks >= 2)
}

/// Numbers, dates, times, addresses and contact details.
fn has_details(sentence: &str, words: &[(Word, String)]) -> bool {
    if sentence.chars().filter(char::is_ascii_digit).count() >= 3 || !pii::find(sentence).is_empty() {
        return true;
    }
    let has_digit = |k: usize| words.get(k).is_some_and(|(w, _)| w.text.chars().any(|c| c.is_ascii_digit()));
    for (k, (w, lower)) in words.iter().enumerate() {
        if lower.starts_with("http") || lower.starts_with("www") {
            return true;
        }
        // "21st", "3rd", "5th".
        let digits = lower.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && matches!(&lower[digits..], "st" | "nd" | "rd" | "th") {
            return true;
        }
        // "3:30".
        let after = &sentence[w.end.min(sentence.len())..];
        if digits == lower.len() && after.starts_with(':') && after[1..].starts_with(|c: char| c.is_ascii_digit()) {
            return true;
        }
        if MONTHS.contains(&lower.as_str()) && (has_digit(k + 1) || (k > 0 && has_digit(k - 1))) {
            return true;
        }
        if digits == lower.len()
            && (k + 1..k + 4).any(|j| words.get(j).is_some_and(|(_, s)| STREETS.contains(&s.as_str())))
        {
            return true;
        }
        if matches!(lower.as_str(), "po" | "p.o") && words.get(k + 1).is_some_and(|(_, s)| s == "box") {
            return true;
        }
    }
    // Web addresses: a dotted word with a common top-level domain.
    sentence.split_whitespace().any(|t| {
        let t = t.trim_end_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
        [".com", ".org", ".net", ".gov", ".edu", ".io", ".us"].iter().any(|tld| t.ends_with(tld) && t.len() > tld.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emotion;
    use crate::sentences::{kind, words_of};
    use crate::sentiment::polarity_scores;

    fn pace(s: &str) -> Pacing {
        let words = words_of(s);
        let k = kind(s, &words);
        let emotions = emotion::score(s, &words, k, &polarity_scores(s));
        pacing(s, &words, k, &emotions)
    }

    #[test]
    fn pacing_table() {
        let table = [
            ("Your code is 4 8 1 9.", Pacing::Slower),
            ("Call us at 555-123-4567.", Pacing::Slower),
            ("Your appointment is on May 5 at 3:30.", Pacing::Slower),
            ("It is on the 21st.", Pacing::Slower),
            ("We are at 42 Elm Street.", Pacing::Slower),
            ("Write to jane@example.com today.", Pacing::Slower),
            ("Visit example.com for details.", Pacing::Slower),
            ("I'm so sorry for the trouble.", Pacing::Slower),
            ("We are sad to hear that.", Pacing::Slower),
            ("Important notice about your account.", Pacing::Slower),
            ("This call may be recorded.", Pacing::Slower),
            (
                "When you arrive, after parking in the north lot, please check in at the front desk and wait there \
                 until someone from our team comes out to meet you and take you back.",
                Pacing::Slower,
            ),
            ("We are so excited to see you!", Pacing::Faster),
            ("Great news!", Pacing::Faster),
            ("The weather is nice.", Pacing::Normal),
            ("I have 2 kids.", Pacing::Normal),
            ("May I help you?", Pacing::Normal),
        ];
        for (s, expected) in table {
            assert_eq!(pace(s), expected, "pacing of {s:?}");
        }
    }
}
