//! Context-aware speaking: the classifier's reading of a text, turned into voice settings
//! and stressed words. What the caller sets explicitly always wins.
//!
//! The mapping, per text:
//! * strong, lively emotion (excitement, joy, anger, urgency) lowers `stability` (a wider,
//!   livelier pitch range) and raises `style`; calm, sadness and apology raise `stability`;
//! * `speed` follows the sentences' pacing hints, weighted by their length: slower for
//!   numbers, notices and apologies, faster for short excited exclamations;
//! * emphasis spans the classifier found are passed on for the provider to stress.

use crate::contracts::classifier::{Analysis, Pacing};
use crate::contracts::tts::{TextSpan, VoiceSettings};
use serde::Serialize;

/// Where each applied setting came from, for the caller to see.
#[derive(Debug, Clone, Serialize)]
pub struct ContextReport {
    pub dominant_emotion: String,
    /// VADER compound sentiment of the whole text, -1 to 1.
    pub sentiment: f32,
    /// The pacing most of the text asked for.
    pub pacing: &'static str,
    /// How many sentences, and how many of them are questions.
    pub sentences: usize,
    pub questions: usize,
    pub emphasised_words: usize,
}

/// Emotions that make speech livelier.
const LIVELY: [&str; 4] = ["excitement", "joy", "anger", "urgency"];
/// Emotions that make speech steadier.
const STEADY: [&str; 3] = ["calm", "sadness", "apology"];

/// Settings and emphasis for `analysis`, with `caller`'s explicit settings kept as given.
pub fn apply(analysis: &Analysis, caller: &VoiceSettings) -> (VoiceSettings, Vec<TextSpan>, ContextReport) {
    let strength = |labels: &[&str]| -> f32 {
        analysis
            .sentences
            .iter()
            .flat_map(|s| s.emotions.iter())
            .filter(|e| labels.contains(&e.label.as_str()))
            .map(|e| e.score)
            .fold(0.0, f32::max)
    };
    let lively = strength(&LIVELY);
    let steady = strength(&STEADY);
    let stability = (0.5 - 0.3 * lively + 0.25 * steady).clamp(0.15, 0.85);
    let style = (0.6 * lively.max(steady * 0.5)).clamp(0.0, 0.8);

    // Pacing, weighted by the characters of each sentence.
    let (mut slower, mut faster, mut total) = (0u64, 0u64, 0u64);
    for s in &analysis.sentences {
        let weight = u64::from(s.span.end.saturating_sub(s.span.start).max(1));
        total += weight;
        match s.pacing {
            Pacing::Slower => slower += weight,
            Pacing::Faster => faster += weight,
            Pacing::Normal => {}
        }
    }
    let share = |n: u64| if total == 0 { 0.0 } else { n as f32 / total as f32 };
    let speed = (1.0 - 0.12 * share(slower) + 0.1 * share(faster)).clamp(0.85, 1.15);
    let pacing = if share(slower) > 0.5 {
        "slower"
    } else if share(faster) > 0.5 {
        "faster"
    } else {
        "normal"
    };

    let emphasis: Vec<TextSpan> = analysis
        .sentences
        .iter()
        .flat_map(|s| s.emphasis.iter())
        .map(|span| TextSpan { start: span.start, end: span.end })
        .collect();
    let settings = VoiceSettings {
        stability: caller.stability.or(Some(round(stability))),
        similarity: caller.similarity,
        style: caller.style.or(Some(round(style))),
        speed: caller.speed.or(Some(round(speed))),
    };
    let report = ContextReport {
        dominant_emotion: analysis.dominant_emotion.clone(),
        sentiment: analysis.sentiment.compound,
        pacing,
        sentences: analysis.sentences.len(),
        questions: analysis
            .sentences
            .iter()
            .filter(|s| matches!(s.kind, crate::contracts::classifier::SentenceKind::Question))
            .count(),
        emphasised_words: emphasis.len(),
    };
    (settings, emphasis, report)
}

/// Two decimals: settings that differ by less do not sound different, and it keeps the
/// cache key stable.
fn round(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::classifier::{ClassifiedSpan, EmotionScore, Intonation, Sentence, SentenceKind, Sentiment};

    fn sentence(start: u32, end: u32, emotion: &str, score: f32, pacing: Pacing) -> Sentence {
        Sentence {
            span: ClassifiedSpan { start, end },
            kind: SentenceKind::Statement,
            intonation: Intonation::Falling,
            sentiment: Sentiment { positive: 0.0, neutral: 1.0, negative: 0.0, compound: 0.0 },
            emotions: vec![EmotionScore { label: emotion.into(), score }],
            emphasis: vec![ClassifiedSpan { start, end: start + 3 }],
            pacing,
        }
    }

    fn analysis(sentences: Vec<Sentence>) -> Analysis {
        Analysis {
            sentences,
            sentiment: Sentiment { positive: 0.0, neutral: 1.0, negative: 0.0, compound: 0.0 },
            dominant_emotion: "neutral".into(),
        }
    }

    #[test]
    fn excitement_is_livelier_and_apology_steadier_and_slower() {
        let none = VoiceSettings { stability: None, similarity: None, style: None, speed: None };
        let (excited, ..) = apply(&analysis(vec![sentence(0, 20, "excitement", 0.9, Pacing::Faster)]), &none);
        let (sorry, _, report) = apply(&analysis(vec![sentence(0, 20, "apology", 0.9, Pacing::Slower)]), &none);
        assert!(excited.stability < sorry.stability);
        assert!(excited.speed > Some(1.0) && sorry.speed < Some(1.0));
        assert_eq!(report.pacing, "slower");
        assert_eq!(report.emphasised_words, 1);
    }

    #[test]
    fn the_caller_wins() {
        let caller = VoiceSettings { stability: Some(0.9), similarity: None, style: None, speed: Some(1.3) };
        let (settings, ..) = apply(&analysis(vec![sentence(0, 20, "anger", 1.0, Pacing::Slower)]), &caller);
        assert_eq!(settings.stability, Some(0.9));
        assert_eq!(settings.speed, Some(1.3));
        assert!(settings.style.is_some());
    }
}
