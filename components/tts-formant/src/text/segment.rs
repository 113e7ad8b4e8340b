//! Sentence segmentation: sentences end at `.`, `!`, `?` and ellipses, except that the dot of an
//! abbreviation ends one only when what follows starts a new sentence; and the tune of each
//! sentence, from its final punctuation and first word.

use super::abbrev;
use super::token::{Kind, Punct, Token};
use crate::phoneme::Tune;

/// How a sentence was closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    Period,
    Question,
    Exclamation,
    Ellipsis,
}

impl Ending {
    /// The mark `normalize` writes after the sentence.
    pub(crate) fn mark(self) -> &'static str {
        match self {
            Ending::Period => ".",
            Ending::Question => "?",
            Ending::Exclamation => "!",
            Ending::Ellipsis => "...",
        }
    }
}

/// The tokens of one sentence and how it ended (`None`: the text simply stopped).
pub(crate) struct RawSentence {
    pub tokens: Vec<Token>,
    pub ending: Option<Ending>,
}

fn ender(kind: &Kind) -> Option<Ending> {
    match kind {
        Kind::Punct(Punct::Period) => Some(Ending::Period),
        Kind::Punct(Punct::Question) => Some(Ending::Question),
        Kind::Punct(Punct::Exclamation) => Some(Ending::Exclamation),
        Kind::Punct(Punct::Ellipsis) => Some(Ending::Ellipsis),
        _ => None,
    }
}

/// `?` outweighs `!`, which outweighs `.`, which outweighs `...`: "Really?!" is a question.
fn merge(a: Ending, b: Ending) -> Ending {
    let rank = |e: Ending| match e {
        Ending::Question => 3,
        Ending::Exclamation => 2,
        Ending::Period => 1,
        Ending::Ellipsis => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// Splits a token stream into sentences.
pub(crate) fn split(tokens: Vec<Token>) -> Vec<RawSentence> {
    let mut out = Vec::new();
    let mut current: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if let Some(mut ending) = ender(&tokens[i].kind) {
            i += 1;
            while let Some(more) = tokens.get(i).and_then(|t| ender(&t.kind)) {
                ending = merge(ending, more);
                i += 1;
            }
            // A closing quote or bracket right after the mark belongs to this sentence.
            while tokens.get(i).is_some_and(|t| matches!(t.kind, Kind::Punct(Punct::Quote | Punct::Close))) {
                i += 1;
            }
            out.push(RawSentence { tokens: std::mem::take(&mut current), ending: Some(ending) });
            continue;
        }
        let ends = match &tokens[i].kind {
            Kind::Text(s) if s.len() > 1 && s.ends_with('.') => abbreviation_ends(&tokens, i, &current),
            _ => false,
        };
        current.push(tokens[i].clone());
        i += 1;
        if ends {
            out.push(RawSentence { tokens: std::mem::take(&mut current), ending: Some(Ending::Period) });
        }
    }
    if !current.is_empty() {
        out.push(RawSentence { tokens: current, ending: None });
    }
    out
}

/// Whether the dot of the abbreviation at `i` also ends the sentence: only when the next word
/// starts with a capital (or nothing follows), and never after a title such as `Mr.`.
fn abbreviation_ends(tokens: &[Token], i: usize, current: &[Token]) -> bool {
    let Some(core) = tokens[i].text().and_then(|s| s.strip_suffix('.')) else { return false };
    let next = tokens[i + 1..]
        .iter()
        .find(|t| !matches!(t.kind, Kind::EmphOpen | Kind::EmphClose | Kind::Punct(Punct::Quote | Punct::Close)));
    let Some(next) = next else { return true };
    let Some(next_text) = next.text() else { return false };
    if !next_text.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
        return false;
    }
    let previous: Vec<&str> = current.iter().filter_map(Token::text).collect();
    let prev_capitalised = |p: &&str| p.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    if abbrev::is_ambiguous_title(core) {
        // "Elm St. Then ..." ends; "see Dr. Smith" does not.
        return previous.len() >= 2 && previous.last().is_some_and(prev_capitalised);
    }
    if abbrev::is_title(core) {
        return false;
    }
    if abbrev::is_dotted_initialism(core) {
        // "the U.S. Army" goes on; "in the U.S. The ..." ends.
        return SENTENCE_STARTERS.contains(&next_text);
    }
    if core.len() == 1 {
        // An initial ("John F. Kennedy") unless a lower-case word came before ("got an A. Then").
        return previous.last().is_some_and(|p| p.chars().next().is_some_and(|c| c.is_ascii_lowercase()));
    }
    true
}

/// Capitalised words that usually begin a sentence rather than continue a name.
const SENTENCE_STARTERS: &[&str] = &[
    "The", "A", "An", "I", "We", "You", "He", "She", "It", "They", "This", "That", "These", "Those", "There", "Then",
    "But", "And", "So", "Or", "If", "In", "On", "At", "For", "As", "My", "Our", "Your", "His", "Her", "Their", "Its",
    "What", "When", "Where", "Why", "How", "Who", "Which", "Please", "Thank", "Thanks", "Yes", "No", "Now", "Today",
];

const WH_WORDS: &[&str] = &["who", "what", "when", "where", "why", "which", "how", "whose", "whom"];

/// Words that may come before the wh-word of a question ("And where ...", "So how ...").
const DISCOURSE: &[&str] = &["and", "but", "so", "or", "then", "well", "oh", "okay", "ok", "now", "um", "uh"];

/// The tune of a sentence from its ending and its words (lower case, as read).
pub(crate) fn tune<'a>(ending: Option<Ending>, mut words: impl Iterator<Item = &'a str>) -> Tune {
    match ending {
        Some(Ending::Question) => {
            let first = words.find(|w| !DISCOURSE.contains(w)).unwrap_or("");
            let stem = first.split('\'').next().unwrap_or(first);
            if WH_WORDS.contains(&stem) { Tune::WhQuestion } else { Tune::YesNoQuestion }
        }
        Some(Ending::Exclamation) => Tune::Exclamation,
        _ => Tune::Statement,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::token::tokenize;

    fn sentences(text: &str) -> Vec<(usize, Option<Ending>)> {
        split(tokenize(text)).into_iter().map(|s| (s.tokens.len(), s.ending)).collect()
    }

    #[test]
    fn abbreviations_do_not_end_sentences_mid_text() {
        assert_eq!(sentences("Call Mr. Smith now."), [(4, Some(Ending::Period))]);
        assert_eq!(sentences("Apples, pears, etc. are fine."), [(7, Some(Ending::Period))]);
        assert_eq!(
            sentences("Bring apples, pears, etc. Then go."),
            [(6, Some(Ending::Period)), (2, Some(Ending::Period))]
        );
        assert_eq!(sentences("It is approx. 5 miles."), [(5, Some(Ending::Period))]);
        assert_eq!(sentences("We met at 5 p.m. Then we left."), [(5, Some(Ending::Period)), (3, Some(Ending::Period))]);
        assert_eq!(
            sentences("I live on Elm St. Today is fine."),
            [(5, Some(Ending::Period)), (3, Some(Ending::Period))]
        );
        assert_eq!(sentences("Ask Dr. Jones."), [(3, Some(Ending::Period))]);
        assert_eq!(
            sentences("Really?! Yes... ok"),
            [(1, Some(Ending::Question)), (1, Some(Ending::Ellipsis)), (1, None)]
        );
    }

    #[test]
    fn tunes() {
        assert_eq!(tune(Some(Ending::Question), ["you", "are", "coming"].into_iter()), Tune::YesNoQuestion);
        assert_eq!(tune(Some(Ending::Question), ["where", "are", "you"].into_iter()), Tune::WhQuestion);
        assert_eq!(tune(Some(Ending::Question), ["and", "what's", "that"].into_iter()), Tune::WhQuestion);
        assert_eq!(tune(Some(Ending::Exclamation), ["wow"].into_iter()), Tune::Exclamation);
        assert_eq!(tune(Some(Ending::Ellipsis), ["so"].into_iter()), Tune::Statement);
        assert_eq!(tune(None, ["hi"].into_iter()), Tune::Statement);
    }
}
