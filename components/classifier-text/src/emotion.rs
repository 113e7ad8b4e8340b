//! Emotions of a sentence, from cue words, VADER sentiment and punctuation.
//!
//! Each emotion collects evidence, weights from 0 to 1, combined as a noisy-or
//! (`1 - Π(1 - w)`), so that several weak cues add up without ever passing 1:
//!
//! - cue words and phrases from `emotion_words.rs`, ignored when a negator ("not", "never",
//!   "n't") is among the three words before them and strengthened by a fifth after an
//!   intensifier ("very sad");
//! - "!" (up to three) and words in capitals within mixed-case text: excitement when the
//!   sentence is positive, anger and urgency when it is negative, urgency and some excitement
//!   when it is neutral;
//! - VADER's compound score: above 0.25 it is evidence of joy; below -0.25 it strengthens
//!   whichever of sadness, anger and fear already shows, or, when none does, anger if the
//!   sentence exclaims and sadness if it does not.
//!
//! Emotions scoring at least [`THRESHOLD`] are reported, strongest first; when none does, the
//! sentence is `neutral`, scored by how far the strongest emotion is from showing.

use crate::emotion_words::{CONTEXT_CUES, CUES};
use crate::sentences::Kind;
use crate::sentiment::Scores;
use crate::text::{self, Word};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The emotions a sentence can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Emotion {
    /// Happiness, pleasure.
    Joy,
    /// Enthusiasm, eagerness.
    Excitement,
    /// Thanks.
    Gratitude,
    /// Ease, reassurance.
    Calm,
    /// Sorrow, disappointment.
    Sadness,
    /// Annoyance to rage.
    Anger,
    /// Worry to terror.
    Fear,
    /// Pressure to act now.
    Urgency,
    /// Saying sorry.
    Apology,
    /// Nothing shows.
    Neutral,
}

impl Emotion {
    /// Every emotion but `Neutral`, in a fixed order used to break ties.
    pub const SHOWN: [Emotion; 9] = [
        Emotion::Joy,
        Emotion::Excitement,
        Emotion::Gratitude,
        Emotion::Calm,
        Emotion::Sadness,
        Emotion::Anger,
        Emotion::Fear,
        Emotion::Urgency,
        Emotion::Apology,
    ];

    /// The label the contract uses.
    pub fn label(self) -> &'static str {
        match self {
            Emotion::Joy => "joy",
            Emotion::Excitement => "excitement",
            Emotion::Gratitude => "gratitude",
            Emotion::Calm => "calm",
            Emotion::Sadness => "sadness",
            Emotion::Anger => "anger",
            Emotion::Fear => "fear",
            Emotion::Urgency => "urgency",
            Emotion::Apology => "apology",
            Emotion::Neutral => "neutral",
        }
    }

    fn index(self) -> usize {
        Emotion::SHOWN.iter().position(|&e| e == self).unwrap_or(0)
    }
}

/// Score an emotion needs to be reported.
pub const THRESHOLD: f32 = 0.25;

/// A cue phrase split into words, the emotion it shows and its weight.
type Cue = (Vec<&'static str>, Emotion, f32);

/// Cue entries split into words, indexed by their first word; stems kept apart.
struct Index {
    /// First word to the cues starting with it.
    exact: HashMap<&'static str, Vec<Cue>>,
    /// Stems of `*` entries.
    stems: Vec<(&'static str, Emotion, f32)>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut exact: HashMap<&'static str, Vec<_>> = HashMap::new();
        let mut stems = Vec::new();
        for &(cue, emotion, weight) in CUES {
            if let Some(stem) = cue.strip_suffix('*') {
                stems.push((stem, emotion, weight));
            } else {
                let words: Vec<&'static str> = cue.split(' ').collect();
                exact.entry(words[0]).or_default().push((words, emotion, weight));
            }
        }
        Index { exact, stems }
    })
}

/// Evidence gathered for each emotion.
struct Evidence {
    /// Product of `1 - w` per emotion, in `Emotion::SHOWN` order.
    remaining: [f32; 9],
    /// Whether any cue word supported the emotion.
    lexical: [bool; 9],
}

impl Evidence {
    fn new() -> Self {
        Evidence { remaining: [1.0; 9], lexical: [false; 9] }
    }

    fn add(&mut self, emotion: Emotion, weight: f32) {
        let w = weight.clamp(0.0, 0.98);
        self.remaining[emotion.index()] *= 1.0 - w;
    }

    fn score(&self, emotion: Emotion) -> f32 {
        (1.0 - self.remaining[emotion.index()]).clamp(0.0, 1.0)
    }
}

/// The emotions of one sentence, strongest first, or `neutral` alone.
///
/// `words` are the sentence's words with their normalised forms; `sentence` its text.
pub fn score(sentence: &str, words: &[(Word, String)], kind: Kind, sentiment: &Scores) -> Vec<(Emotion, f32)> {
    let mut evidence = Evidence::new();
    add_cues(&mut evidence, words, kind);
    add_punctuation(&mut evidence, sentence, words, sentiment.compound as f32);
    add_sentiment(&mut evidence, sentence, sentiment.compound as f32);

    let mut shown: Vec<(Emotion, f32)> =
        Emotion::SHOWN.iter().map(|&e| (e, evidence.score(e))).filter(|&(_, s)| s >= THRESHOLD).collect();
    // Stable sort keeps the fixed order among equal scores.
    shown.sort_by(|a, b| b.1.total_cmp(&a.1));
    if shown.is_empty() {
        let strongest = Emotion::SHOWN.iter().map(|&e| evidence.score(e)).fold(0.0f32, f32::max);
        shown.push((Emotion::Neutral, 1.0 - strongest));
    }
    shown
}

/// True when a negator is among the three words before word `i`.
fn negated(words: &[(Word, String)], i: usize) -> bool {
    words[i.saturating_sub(3)..i].iter().any(|(_, w)| text::is_negator(w))
}

/// Cue words and phrases.
fn add_cues(evidence: &mut Evidence, words: &[(Word, String)], kind: Kind) {
    let index = index();
    let pressing = matches!(kind, Kind::Command | Kind::Exclamation);
    for (i, (_, word)) in words.iter().enumerate() {
        let mut hits: Vec<(Emotion, f32)> = Vec::new();
        if let Some(entries) = index.exact.get(word.as_str()) {
            for (phrase, emotion, weight) in entries {
                let fits = phrase.iter().enumerate().all(|(k, p)| words.get(i + k).is_some_and(|(_, w)| w == p));
                if fits {
                    hits.push((*emotion, *weight));
                }
            }
        }
        for &(stem, emotion, weight) in &index.stems {
            if word.starts_with(stem) {
                hits.push((emotion, weight));
            }
        }
        for &(cue, emotion, strong, weak) in CONTEXT_CUES {
            if word == cue {
                hits.push((emotion, if pressing { strong } else { weak }));
            }
        }
        if hits.is_empty() || negated(words, i) {
            continue;
        }
        let boosted = i > 0 && text::is_intensifier(&words[i - 1].1);
        for (emotion, weight) in hits {
            evidence.add(emotion, if boosted { weight * 1.2 } else { weight });
            evidence.lexical[emotion.index()] = true;
        }
    }
}

/// Spreads a weight by the sign of the compound score: positive excites, negative angers and
/// presses, neutral presses and somewhat excites.
fn add_by_sign(evidence: &mut Evidence, compound: f32, weight: f32) {
    if compound >= 0.05 {
        evidence.add(Emotion::Excitement, weight);
    } else if compound <= -0.05 {
        evidence.add(Emotion::Anger, weight * 0.7);
        evidence.add(Emotion::Urgency, weight * 0.5);
    } else {
        evidence.add(Emotion::Urgency, weight * 0.6);
        evidence.add(Emotion::Excitement, weight * 0.4);
    }
}

/// "!" and words in capitals.
fn add_punctuation(evidence: &mut Evidence, sentence: &str, words: &[(Word, String)], compound: f32) {
    let exclaims = sentence.chars().filter(|&c| c == '!').count().min(3);
    if exclaims > 0 {
        add_by_sign(evidence, compound, 0.15 + 0.15 * exclaims as f32);
    }
    // Capitals stress only when the rest of the sentence is not shouted too.
    if sentence.chars().any(char::is_lowercase) {
        let caps = words.iter().filter(|(w, _)| text::is_all_caps(w.text)).count().min(3);
        if caps > 0 {
            add_by_sign(evidence, compound, 0.15 * caps as f32);
        }
    }
}

/// VADER's compound score.
fn add_sentiment(evidence: &mut Evidence, sentence: &str, compound: f32) {
    if compound > 0.25 {
        evidence.add(Emotion::Joy, 0.6 * (compound - 0.25) / 0.75);
    } else if compound < -0.25 {
        let weight = 0.6 * (-compound - 0.25) / 0.75;
        let negatives = [Emotion::Sadness, Emotion::Anger, Emotion::Fear];
        let mut any = false;
        for e in negatives {
            if evidence.lexical[e.index()] {
                evidence.add(e, weight);
                any = true;
            }
        }
        if !any {
            let e = if sentence.contains('!') { Emotion::Anger } else { Emotion::Sadness };
            evidence.add(e, weight);
        }
    }
}

/// The strongest emotion over several sentences: the one with the highest total score across
/// them, so that a single heartfelt "Thank you!" among neutral sentences still decides it.
/// `neutral` when no sentence shows any.
pub fn dominant<'a>(sentences: impl IntoIterator<Item = &'a [(Emotion, f32)]>) -> Emotion {
    let mut totals = [0.0f32; 9];
    for emotions in sentences {
        for &(e, s) in emotions {
            if e != Emotion::Neutral {
                totals[e.index()] += s;
            }
        }
    }
    let mut best = Emotion::Neutral;
    let mut best_total = 0.0f32;
    for e in Emotion::SHOWN {
        if totals[e.index()] > best_total {
            best = e;
            best_total = totals[e.index()];
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentences::{kind, words_of};
    use crate::sentiment::polarity_scores;

    fn top(sentence: &str) -> Vec<(Emotion, f32)> {
        let words = words_of(sentence);
        score(sentence, &words, kind(sentence, &words), &polarity_scores(sentence))
    }

    #[test]
    fn emotion_table() {
        let table = [
            ("Thank you so much for your help.", Emotion::Gratitude),
            ("I'm so sorry for the delay.", Emotion::Apology),
            ("Please call us back immediately.", Emotion::Urgency),
            ("This is urgent, act now!", Emotion::Urgency),
            ("We are so excited to see you!", Emotion::Excitement),
            ("I am really happy with the result.", Emotion::Joy),
            ("I'm furious about this ridiculous bill.", Emotion::Anger),
            ("I'm worried and scared about the test.", Emotion::Fear),
            ("She passed away last night and we are heartbroken.", Emotion::Sadness),
            ("Take your time, there is no rush.", Emotion::Calm),
            ("The meeting is on Tuesday at noon.", Emotion::Neutral),
            ("What a terrible, awful day.", Emotion::Sadness),
            ("This is the worst service ever!", Emotion::Anger),
            ("VADER is smart, handsome, and funny.", Emotion::Joy),
            ("Wow, we won the prize!", Emotion::Excitement),
        ];
        for (s, expected) in table {
            let got = top(s);
            assert_eq!(got[0].0, expected, "{s:?} gave {got:?}");
        }
    }

    #[test]
    fn negated_cues_do_not_count() {
        assert!(!top("I am not happy.").iter().any(|&(e, _)| e == Emotion::Joy));
        assert!(!top("I'm not sorry at all.").iter().any(|&(e, _)| e == Emotion::Apology));
    }

    #[test]
    fn scores_are_sorted_and_bounded() {
        for s in ["Thank you so much!!! WOW I am SO happy and excited!", "", "!!!", "sorry sorry sorry sorry"] {
            let got = top(s);
            assert!(!got.is_empty());
            assert!(got.windows(2).all(|w| w[0].1 >= w[1].1), "{got:?}");
            assert!(got.iter().all(|&(_, x)| (0.0..=1.0).contains(&x)), "{got:?}");
        }
    }

    #[test]
    fn now_is_urgent_only_when_pressing() {
        assert!(top("Call now!").iter().any(|&(e, _)| e == Emotion::Urgency));
        assert_eq!(top("I am at home now.")[0].0, Emotion::Neutral);
    }

    #[test]
    fn dominant_sums_over_sentences() {
        let a = [(Emotion::Gratitude, 0.9)];
        let b = [(Emotion::Neutral, 0.9)];
        let c = [(Emotion::Joy, 0.3), (Emotion::Urgency, 0.4)];
        assert_eq!(dominant([&a[..], &b[..], &c[..]]), Emotion::Gratitude);
        assert_eq!(dominant([&b[..]]), Emotion::Neutral);
        assert_eq!(dominant(std::iter::empty()), Emotion::Neutral);
    }
}
