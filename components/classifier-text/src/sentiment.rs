//! VADER sentiment (Hutto & Gilbert, 2014), following vaderSentiment 3.3.2 rule for rule.
//!
//! The reference is Python; this port keeps its behaviour, quirks included, so that scores match
//! it to rounding: emoji become their descriptions, tokens are whitespace-split and stripped of
//! ASCII punctuation, each token's lexicon valence is adjusted by capitals, up to three preceding
//! boosters/dampeners, negations (scaled by `N_SCALAR`), "never so/this", "without doubt",
//! "least", special-case idioms and "kind of", then "but" shifts weight to what follows it, and
//! the sum, amplified by "!" and "?", is normalised as `x / sqrt(x² + 15)`.
//!
//! Copyright of the algorithm and lexicon: (c) 2016 C.J. Hutto, MIT licence, see
//! `data/LICENSE-VADER`.

use crate::lexicon;
use std::collections::{BTreeSet, HashMap};

/// Mean intensity increase for a booster word ("very").
const B_INCR: f64 = 0.293;
/// Mean intensity decrease for a dampener word ("slightly").
const B_DECR: f64 = -0.293;
/// Mean intensity increase for a word in capitals among words that are not.
const C_INCR: f64 = 0.733;
/// Factor a negation applies to a valence.
const N_SCALAR: f64 = -0.74;
/// Normalisation constant: approximates the maximum expected sum.
const ALPHA: f64 = 15.0;

/// VADER's scores for one text.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Scores {
    /// Proportion of the text that is positive.
    pub positive: f64,
    /// Proportion that is neutral.
    pub neutral: f64,
    /// Proportion that is negative.
    pub negative: f64,
    /// Normalised sum of valences, -1 to 1.
    pub compound: f64,
    /// How many tokens were scored. With none, the reference reports all four scores as 0.
    pub tokens: usize,
}

impl Scores {
    /// The scores with proportions that sum to 1 even when nothing was scored: the reference
    /// reports 0/0/0 for a text without tokens, which reads better as wholly neutral.
    pub fn proportional(self) -> Scores {
        if self.tokens == 0 { Scores { neutral: 1.0, ..self } } else { self }
    }
}

/// Degree adverbs and their effect; the reference's `BOOSTER_DICT`.
fn booster(word: &str) -> Option<f64> {
    Some(match word {
        "absolutely" | "amazingly" | "awfully" | "completely" | "considerable" | "considerably" | "decidedly"
        | "deeply" | "effing" | "enormous" | "enormously" | "entirely" | "especially" | "exceptional"
        | "exceptionally" | "extreme" | "extremely" | "fabulously" | "flipping" | "flippin" | "frackin"
        | "fracking" | "fricking" | "frickin" | "frigging" | "friggin" | "fully" | "fuckin" | "fucking" | "fuggin"
        | "fugging" | "greatly" | "hella" | "highly" | "hugely" | "incredible" | "incredibly" | "intensely"
        | "major" | "majorly" | "more" | "most" | "particularly" | "purely" | "quite" | "really" | "remarkably"
        | "so" | "substantially" | "thoroughly" | "total" | "totally" | "tremendous" | "tremendously" | "uber"
        | "unbelievably" | "unusually" | "utter" | "utterly" | "very" => B_INCR,
        "almost" | "barely" | "hardly" | "just enough" | "kind of" | "kinda" | "kindof" | "kind-of" | "less"
        | "little" | "marginal" | "marginally" | "occasional" | "occasionally" | "partly" | "scarce" | "scarcely"
        | "slight" | "slightly" | "somewhat" | "sort of" | "sorta" | "sortof" | "sort-of" => B_DECR,
        _ => return None,
    })
}

/// The reference's `NEGATE` list, plus any word containing "n't".
fn negated(word: &str) -> bool {
    matches!(
        word,
        "aint"
            | "arent"
            | "cannot"
            | "cant"
            | "couldnt"
            | "darent"
            | "didnt"
            | "doesnt"
            | "ain't"
            | "aren't"
            | "can't"
            | "couldn't"
            | "daren't"
            | "didn't"
            | "doesn't"
            | "dont"
            | "hadnt"
            | "hasnt"
            | "havent"
            | "isnt"
            | "mightnt"
            | "mustnt"
            | "neither"
            | "don't"
            | "hadn't"
            | "hasn't"
            | "haven't"
            | "isn't"
            | "mightn't"
            | "mustn't"
            | "neednt"
            | "needn't"
            | "never"
            | "none"
            | "nope"
            | "nor"
            | "not"
            | "nothing"
            | "nowhere"
            | "oughtnt"
            | "shant"
            | "shouldnt"
            | "uhuh"
            | "wasnt"
            | "werent"
            | "oughtn't"
            | "shan't"
            | "shouldn't"
            | "uh-uh"
            | "wasn't"
            | "weren't"
            | "without"
            | "wont"
            | "wouldnt"
            | "won't"
            | "wouldn't"
            | "rarely"
            | "seldom"
            | "despite"
    ) || word.contains("n't")
}

/// Idioms and phrases whose valence replaces the lexicon's; the reference's `SPECIAL_CASES`, split
/// into words. Its single-word key "badass" is left out: the reference compares keys with runs of
/// two or three tokens, so it can never match there.
const SPECIAL_CASES: &[(&[&str], f64)] = &[
    (&["the", "shit"], 3.0),
    (&["the", "bomb"], 3.0),
    (&["bad", "ass"], 1.5),
    (&["bus", "stop"], 0.0),
    (&["yeah", "right"], -2.0),
    (&["kiss", "of", "death"], -1.5),
    (&["to", "die", "for"], 3.0),
    (&["beating", "heart"], 3.5),
];

/// The reference's two-word entries of `BOOSTER_DICT`, split into words; all three are dampeners.
const BOOSTER_PHRASES: &[&[&str]] = &[&["just", "enough"], &["kind", "of"], &["sort", "of"]];

/// Python's `str.isspace`: Unicode white space plus the four ASCII information separators.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.isupper`: at least one cased character and no lower- or title-case one.
fn is_py_upper(word: &str) -> bool {
    let mut cased = false;
    for c in word.chars() {
        if c.is_lowercase() {
            return false;
        }
        if c.is_uppercase() {
            cased = true;
        } else if c.to_lowercase().ne(std::iter::once(c)) {
            // Title-case letters ("ǅ") are neither upper nor lower but still cased.
            return false;
        }
    }
    cased
}

/// A token of the text: byte ranges into the text and into the buffer of lower-cased tokens.
/// Ranges instead of strings keep a 100k-character input within the guest's memory budget.
#[derive(Clone, Copy)]
struct Token {
    start: u32,
    end: u32,
    lower_start: u32,
    lower_end: u32,
}

/// The tokens of one text, as the reference's `SentiText` sees them.
struct Tokens<'a> {
    text: &'a str,
    lower: String,
    tokens: Vec<Token>,
}

impl<'a> Tokens<'a> {
    /// Splits on white space and strips leading and trailing ASCII punctuation from each token,
    /// unless that would leave two characters or fewer (which keeps emoticons such as ":)").
    fn new(text: &'a str) -> Self {
        let mut lower = String::with_capacity(text.len());
        let mut tokens = Vec::new();
        let base = text.as_ptr() as usize;
        for raw in text.split(is_py_space).filter(|t| !t.is_empty()) {
            let stripped = raw.trim_matches(|c: char| c.is_ascii_punctuation());
            let token = if stripped.chars().count() <= 2 { raw } else { stripped };
            // `token` is a sub-slice of `text`, so its offset is its address difference.
            let start = token.as_ptr() as usize - base;
            let lower_start = lower.len();
            if token.is_ascii() {
                lower.extend(token.chars().map(|c| c.to_ascii_lowercase()));
            } else {
                // `str::to_lowercase` handles a final sigma as Python's `lower` does.
                lower.push_str(&token.to_lowercase());
            }
            tokens.push(Token {
                start: crate::text::to_u32(start),
                end: crate::text::to_u32(start + token.len()),
                lower_start: crate::text::to_u32(lower_start),
                lower_end: crate::text::to_u32(lower.len()),
            });
        }
        Tokens { text, lower, tokens }
    }

    fn len(&self) -> usize {
        self.tokens.len()
    }

    /// The token as written.
    fn word(&self, i: usize) -> &str {
        self.tokens.get(i).and_then(|t| self.text.get(t.start as usize..t.end as usize)).unwrap_or("")
    }

    /// The token lower-cased.
    fn lower(&self, i: usize) -> &str {
        self.tokens.get(i).and_then(|t| self.lower.get(t.lower_start as usize..t.lower_end as usize)).unwrap_or("")
    }

    /// True when the lower-cased tokens `from..from + phrase.len()` are `phrase`.
    fn seq_is(&self, from: usize, phrase: &[&str]) -> bool {
        from + phrase.len() <= self.len() && phrase.iter().enumerate().all(|(k, w)| self.lower(from + k) == *w)
    }

    /// The reference's `allcap_differential`: some, but not all, tokens are in capitals.
    fn cap_differential(&self) -> bool {
        let caps = (0..self.len()).filter(|&i| is_py_upper(self.word(i))).count();
        let differential = self.len() - caps;
        0 < differential && differential < self.len()
    }
}

/// The reference's `scalar_inc_dec`: the push a preceding booster or dampener gives a valence.
fn scalar_inc_dec(word: &str, lower: &str, valence: f64, cap_diff: bool) -> f64 {
    let Some(mut scalar) = booster(lower) else { return 0.0 };
    if valence < 0.0 {
        scalar = -scalar;
    }
    if is_py_upper(word) && cap_diff {
        if valence > 0.0 {
            scalar += C_INCR;
        } else {
            scalar -= C_INCR;
        }
    }
    scalar
}

/// Scores `text` the way `SentimentIntensityAnalyzer.polarity_scores` does.
pub fn polarity_scores(text: &str) -> Scores {
    let text = replace_emoji(text);
    let text = text.trim_matches(is_py_space);
    let tokens = Tokens::new(text);
    let cap_diff = tokens.cap_differential();
    let n = tokens.len();

    let mut sentiments = Vec::with_capacity(n);
    for i in 0..n {
        let lower = tokens.lower(i);
        // Boosters and "kind" of "kind of" modify their neighbours and score nothing themselves.
        if booster(lower).is_some() || (i + 1 < n && lower == "kind" && tokens.lower(i + 1) == "of") {
            sentiments.push(0.0);
            continue;
        }
        sentiments.push(sentiment_valence(&tokens, i, cap_diff));
    }
    but_check(&tokens, &mut sentiments);
    score_valence(&sentiments, text)
}

/// Emoji become their textual description, separated from a preceding non-space character by a
/// space (but not from the following one, exactly as the reference does).
fn replace_emoji(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev_space = true;
    for c in text.chars() {
        if let Some(description) = lexicon::emoji_description(c) {
            if !prev_space {
                out.push(' ');
            }
            out.push_str(description);
            prev_space = false;
        } else {
            out.push(c);
            prev_space = c == ' ';
        }
    }
    out
}

/// The valence of token `i` in context; the reference's `sentiment_valence`.
fn sentiment_valence(tokens: &Tokens, i: usize, cap_diff: bool) -> f64 {
    let lower = tokens.lower(i);
    let Some(base) = lexicon::valence(lower) else { return 0.0 };
    let mut valence = base;
    let n = tokens.len();

    // "no" before a rated word negates it instead of scoring itself.
    if lower == "no" && i + 1 != n && lexicon::contains(tokens.lower(i + 1)) {
        valence = 0.0;
    }
    if (i > 0 && tokens.lower(i - 1) == "no")
        || (i > 1 && tokens.lower(i - 2) == "no")
        || (i > 2 && tokens.lower(i - 3) == "no" && matches!(tokens.lower(i - 1), "or" | "nor"))
    {
        valence = base * N_SCALAR;
    }

    if is_py_upper(tokens.word(i)) && cap_diff {
        if valence > 0.0 {
            valence += C_INCR;
        } else {
            valence -= C_INCR;
        }
    }

    for start_i in 0..3 {
        // Rated words are not modifiers; only unrated ones within three tokens are.
        if i > start_i && !lexicon::contains(tokens.lower(i - (start_i + 1))) {
            let k = i - (start_i + 1);
            let mut s = scalar_inc_dec(tokens.word(k), tokens.lower(k), valence, cap_diff);
            // Modifiers further away push less.
            if start_i == 1 && s != 0.0 {
                s *= 0.95;
            }
            if start_i == 2 && s != 0.0 {
                s *= 0.9;
            }
            valence += s;
            valence = negation_check(tokens, valence, start_i, i);
            if start_i == 2 {
                valence = special_idioms_check(tokens, valence, i);
            }
        }
    }
    least_check(tokens, valence, i)
}

/// The reference's `_negation_check`, including its operator precedence at distance three, where
/// "so" or "this" just before the word amplifies whatever came before it.
fn negation_check(tokens: &Tokens, valence: f64, start_i: usize, i: usize) -> f64 {
    let w = |k: usize| tokens.lower(k);
    match start_i {
        0 if negated(w(i - 1)) => valence * N_SCALAR,
        1 => {
            if w(i - 2) == "never" && matches!(w(i - 1), "so" | "this") {
                valence * 1.25
            } else if w(i - 2) == "without" && w(i - 1) == "doubt" {
                valence
            } else if negated(w(i - 2)) {
                valence * N_SCALAR
            } else {
                valence
            }
        }
        2 => {
            if (w(i - 3) == "never" && matches!(w(i - 2), "so" | "this")) || matches!(w(i - 1), "so" | "this") {
                valence * 1.25
            } else if w(i - 3) == "without" && (w(i - 2) == "doubt" || w(i - 1) == "doubt") {
                valence
            } else if negated(w(i - 3)) {
                valence * N_SCALAR
            } else {
                valence
            }
        }
        _ => valence,
    }
}

/// The reference's `_special_idioms_check`; only called with `i >= 3`.
fn special_idioms_check(tokens: &Tokens, mut valence: f64, i: usize) -> f64 {
    // (first token, length) of onezero, twoonezero, twoone, threetwoone, threetwo, in that order.
    let before = [(i - 1, 2), (i - 2, 3), (i - 2, 2), (i - 3, 3), (i - 3, 2)];
    'seq: for (from, len) in before {
        for &(phrase, v) in SPECIAL_CASES {
            if phrase.len() == len && tokens.seq_is(from, phrase) {
                valence = v;
                break 'seq;
            }
        }
    }
    let n = tokens.len();
    // Phrases that start at the word: zeroone, then zeroonetwo.
    for (len, fits) in [(2, n - 1 > i), (3, n - 1 > i + 1)] {
        if !fits {
            continue;
        }
        if let Some(&(_, v)) = SPECIAL_CASES.iter().find(|(phrase, _)| phrase.len() == len && tokens.seq_is(i, phrase))
        {
            valence = v;
        }
    }
    // Two-word boosters and dampeners ("kind of") among the preceding tokens: threetwoone,
    // threetwo, twoone.
    for (from, len) in [(i - 3, 3), (i - 3, 2), (i - 2, 2)] {
        for phrase in BOOSTER_PHRASES {
            if phrase.len() == len && tokens.seq_is(from, phrase) {
                valence += B_DECR;
            }
        }
    }
    valence
}

/// The reference's `_least_check`: "least" before a word negates it, unless "at least" or
/// "very least".
fn least_check(tokens: &Tokens, valence: f64, i: usize) -> f64 {
    let w = |k: usize| tokens.lower(k);
    if i > 1 && !lexicon::contains(w(i - 1)) && w(i - 1) == "least" {
        if w(i - 2) != "at" && w(i - 2) != "very" {
            return valence * N_SCALAR;
        }
    } else if i > 0 && !lexicon::contains(w(i - 1)) && w(i - 1) == "least" {
        return valence * N_SCALAR;
    }
    valence
}

/// The reference's `_but_check`: sentiments before the first "but" are halved, those after it
/// weighted by 1.5.
///
/// The reference walks the list and rewrites the element at `sentiments.index(value)`, the first
/// element equal to the current value, which is not always the current element once an earlier
/// equal value exists. That is reproduced, in O(n log n) rather than the reference's O(n²), by
/// tracking the positions holding each value.
fn but_check(tokens: &Tokens, sentiments: &mut [f64]) {
    let Some(bi) = (0..tokens.len()).find(|&i| tokens.lower(i) == "but") else { return };
    let mut positions: HashMap<u64, BTreeSet<usize>> = HashMap::new();
    for (i, &s) in sentiments.iter().enumerate() {
        if s != 0.0 {
            positions.entry(s.to_bits()).or_default().insert(i);
        }
    }
    for k in 0..sentiments.len() {
        let value = sentiments[k];
        // Zero stays zero whatever it is multiplied by; skipping it changes nothing.
        if value == 0.0 {
            continue;
        }
        let Some(set) = positions.get_mut(&value.to_bits()) else { continue };
        let Some(&si) = set.first() else { continue };
        let factor = match si.cmp(&bi) {
            std::cmp::Ordering::Less => 0.5,
            std::cmp::Ordering::Greater => 1.5,
            std::cmp::Ordering::Equal => continue,
        };
        set.remove(&si);
        let updated = value * factor;
        sentiments[si] = updated;
        positions.entry(updated.to_bits()).or_default().insert(si);
    }
}

/// Emphasis from "!" (up to four) and from two or more "?".
fn punctuation_emphasis(text: &str) -> f64 {
    let ep = text.chars().filter(|&c| c == '!').count().min(4) as f64 * 0.292;
    let qm = match text.chars().filter(|&c| c == '?').count() {
        0 | 1 => 0.0,
        n @ 2..=3 => n as f64 * 0.18,
        _ => 0.96,
    };
    ep + qm
}

/// `x / sqrt(x² + alpha)`, clamped to -1..1.
pub fn normalize(score: f64) -> f64 {
    (score / (score * score + ALPHA).sqrt()).clamp(-1.0, 1.0)
}

/// The reference's `score_valence` and `_sift_sentiment_scores`.
fn score_valence(sentiments: &[f64], text: &str) -> Scores {
    if sentiments.is_empty() {
        return Scores::default();
    }
    let mut sum: f64 = sentiments.iter().sum();
    let punct = punctuation_emphasis(text);
    if sum > 0.0 {
        sum += punct;
    } else if sum < 0.0 {
        sum -= punct;
    }
    let compound = normalize(sum);

    let (mut pos_sum, mut neg_sum, mut neu_count) = (0.0, 0.0, 0usize);
    for &s in sentiments {
        // The +1/-1 compensates for neutral words being counted as 1.
        if s > 0.0 {
            pos_sum += s + 1.0;
        }
        if s < 0.0 {
            neg_sum += s - 1.0;
        }
        if s == 0.0 {
            neu_count += 1;
        }
    }
    if pos_sum > neg_sum.abs() {
        pos_sum += punct;
    } else if pos_sum < neg_sum.abs() {
        neg_sum -= punct;
    }
    let total = pos_sum + neg_sum.abs() + neu_count as f64;
    Scores {
        positive: (pos_sum / total).abs(),
        neutral: (neu_count as f64 / total).abs(),
        negative: (neg_sum / total).abs(),
        compound,
        tokens: sentiments.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_isupper() {
        assert!(is_py_upper("VADER"));
        assert!(is_py_upper(":D"));
        assert!(!is_py_upper(":)"));
        assert!(!is_py_upper("Vader"));
        assert!(!is_py_upper("ǅ"));
    }

    #[test]
    fn tokens_strip_punctuation_but_keep_emoticons() {
        let t = Tokens::new("VADER, is :) (ok) ok! \"fine.\"");
        let words: Vec<&str> = (0..t.len()).map(|i| t.word(i)).collect();
        assert_eq!(words, ["VADER", "is", ":)", "(ok)", "ok!", "fine"]);
        assert_eq!(t.lower(0), "vader");
    }

    #[test]
    fn empty_text_scores_nothing() {
        let s = polarity_scores("  ");
        assert_eq!(s, Scores::default());
        assert_eq!(s.proportional().neutral, 1.0);
    }

    #[test]
    fn normalisation() {
        assert!((normalize(4.0) - 4.0 / 31f64.sqrt()).abs() < 1e-12);
        assert_eq!(normalize(0.0), 0.0);
    }
}
