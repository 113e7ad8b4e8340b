//! `analyze`: splits a text into sentences and gives each its kind, intonation, sentiment,
//! emotions, emphasis and pacing, then sums the text up.
//!
//! The text's sentiment follows the VADER authors' advice for paragraphs: score each sentence and
//! average the compound scores; the positive, neutral and negative proportions are averaged
//! weighted by each sentence's token count, so they still sum to 1. Scoring the whole text at once
//! would let "but" in one sentence reweight all the others and saturate the compound score on
//! long texts.

use crate::emotion::{self, Emotion};
use crate::emphasis;
use crate::pacing::{self, Pacing};
use crate::sentences::{self, Intonation, Kind};
use crate::sentiment::{self, Scores};
use crate::text::{CharMap, Span};

/// One analysed sentence; spans in characters.
#[derive(Clone, Debug, PartialEq)]
pub struct Sentence {
    /// Where it is.
    pub span: Span,
    /// Question, statement, exclamation or command.
    pub kind: Kind,
    /// Rising or falling.
    pub intonation: Intonation,
    /// VADER scores, proportions summing to 1.
    pub sentiment: Scores,
    /// Emotions, strongest first (`neutral` alone when none shows).
    pub emotions: Vec<(Emotion, f32)>,
    /// Words to stress.
    pub emphasis: Vec<Span>,
    /// How fast to speak it.
    pub pacing: Pacing,
}

/// A whole text, analysed.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// Its sentences, in order.
    pub sentences: Vec<Sentence>,
    /// Sentiment of the text as a whole.
    pub sentiment: Scores,
    /// The strongest emotion over the text.
    pub dominant_emotion: Emotion,
}

/// Analyses `text`.
pub fn analyze(text: &str) -> Analysis {
    let map = CharMap::new(text);
    let mixed_case = text.chars().any(char::is_lowercase);
    let mut out = Vec::new();
    for range in sentences::split(text) {
        let Some(sentence) = text.get(range.clone()) else { continue };
        let words = sentences::words_of(sentence);
        let kind = sentences::kind(sentence, &words);
        let intonation = sentences::intonation(kind, &words);
        let scores = sentiment::polarity_scores(sentence);
        let emotions = emotion::score(sentence, &words, kind, &scores);
        let emphasis = emphasis::spans(sentence, &words, mixed_case)
            .into_iter()
            .map(|r| map.span(range.start + r.start..range.start + r.end))
            .collect();
        let pacing = pacing::pacing(sentence, &words, kind, &emotions);
        out.push(Sentence { span: map.span(range), kind, intonation, sentiment: scores, emotions, emphasis, pacing });
    }
    let sentiment = overall(&out);
    let dominant_emotion = emotion::dominant(out.iter().map(|s| s.emotions.as_slice()));
    for s in &mut out {
        s.sentiment = s.sentiment.proportional();
    }
    Analysis { sentences: out, sentiment, dominant_emotion }
}

/// The text's sentiment: mean compound, token-weighted mean proportions.
fn overall(sentences: &[Sentence]) -> Scores {
    let scored: Vec<&Scores> = sentences.iter().map(|s| &s.sentiment).filter(|s| s.tokens > 0).collect();
    let tokens: usize = scored.iter().map(|s| s.tokens).sum();
    if scored.is_empty() || tokens == 0 {
        return Scores::default().proportional();
    }
    let weight = |s: &Scores| s.tokens as f64 / tokens as f64;
    Scores {
        positive: scored.iter().map(|s| s.positive * weight(s)).sum(),
        neutral: scored.iter().map(|s| s.neutral * weight(s)).sum(),
        negative: scored.iter().map(|s| s.negative * weight(s)).sum(),
        compound: scored.iter().map(|s| s.compound).sum::<f64>() / scored.len() as f64,
        tokens,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_sentence_text_has_the_sentence_sentiment() {
        let a = analyze("VADER is smart, handsome, and funny.");
        assert_eq!(a.sentences.len(), 1);
        assert_eq!(a.sentiment, a.sentences[0].sentiment);
        assert_eq!(a.dominant_emotion, Emotion::Joy);
    }

    #[test]
    fn empty_text() {
        let a = analyze("");
        assert!(a.sentences.is_empty());
        assert_eq!(a.sentiment.neutral, 1.0);
        assert_eq!(a.dominant_emotion, Emotion::Neutral);
    }

    #[test]
    fn overall_averages_compound_and_weights_proportions() {
        let a = analyze("The book was good. The movie was bad.");
        let (x, y) = (&a.sentences[0].sentiment, &a.sentences[1].sentiment);
        assert!((a.sentiment.compound - (x.compound + y.compound) / 2.0).abs() < 1e-12);
        let sum = a.sentiment.positive + a.sentiment.neutral + a.sentiment.negative;
        assert!((sum - 1.0).abs() < 1e-9);
    }
}
