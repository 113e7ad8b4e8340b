//! classifier-text: Switchboard's text classifier, a WASI 0.2 component exporting
//! `switchboard:classifier/classify`.
//!
//! This file is the glue between the contract's types and the analysers, which work on plain
//! Rust types so that they can be tested natively:
//!
//! - [`analysis`]: sentences ([`sentences`]), VADER sentiment ([`sentiment`], [`lexicon`]),
//!   emotions ([`emotion`]), emphasis ([`emphasis`]) and pacing ([`pacing`]);
//! - [`intent`]: what a caller meant;
//! - [`quality`]: whether a text is fit to be spoken, with personal data from [`pii`].
//!
//! Every span is in characters (Unicode scalar values), end exclusive; the analysers use byte
//! offsets and [`text::CharMap`] converts them.

pub mod analysis;
pub mod emotion;
pub mod emotion_words;
pub mod emphasis;
pub mod intent;
pub mod intent_patterns;
pub mod lexicon;
pub mod pacing;
pub mod pii;
pub mod quality;
pub mod sentence_words;
pub mod sentences;
pub mod sentiment;
pub mod text;

wit_bindgen::generate!({ path: "../../wit/classifier", world: "classifier" });

use exports::switchboard::classifier::classify as wit;

/// The component.
pub struct Classifier;

impl wit::Guest for Classifier {
    fn analyze(text: String) -> wit::Analysis {
        let a = analysis::analyze(&text);
        wit::Analysis {
            sentences: a.sentences.into_iter().map(sentence).collect(),
            sentiment: sentiment(&a.sentiment),
            dominant_emotion: a.dominant_emotion.label().to_string(),
        }
    }

    fn classify_intent(utterance: String) -> wit::Intent {
        let i = intent::classify(&utterance);
        wit::Intent {
            label: match i.label {
                intent::Label::Interested => wit::IntentLabel::Interested,
                intent::Label::NotInterested => wit::IntentLabel::NotInterested,
                intent::Label::CallBackLater => wit::IntentLabel::CallBackLater,
                intent::Label::WrongNumber => wit::IntentLabel::WrongNumber,
                intent::Label::OptOut => wit::IntentLabel::OptOut,
                intent::Label::Unknown => wit::IntentLabel::Unknown,
            },
            confidence: i.confidence,
            evidence: i.evidence,
        }
    }

    fn check_quality(text: String, max_characters: u32) -> wit::QualityReport {
        let r = quality::check(&text, max_characters);
        let map = text::CharMap::new(&text);
        wit::QualityReport {
            characters: text::to_u32(r.characters),
            too_long: r.too_long,
            empty: r.empty,
            unpronounceable: r.unpronounceable.into_iter().map(|b| span(map.span(b))).collect(),
            personal_data: r
                .personal_data
                .into_iter()
                .map(|p| wit::PersonalData {
                    kind: match p.kind {
                        pii::Kind::Phone => wit::PersonalDataKind::PhoneNumber,
                        pii::Kind::Email => wit::PersonalDataKind::Email,
                        pii::Kind::Card => wit::PersonalDataKind::CardNumber,
                        pii::Kind::Ssn => wit::PersonalDataKind::Ssn,
                    },
                    span: span(map.span(p.range)),
                })
                .collect(),
        }
    }
}

fn span(s: text::Span) -> wit::TextSpan {
    wit::TextSpan { start: s.start, end: s.end }
}

fn sentiment(s: &sentiment::Scores) -> wit::Sentiment {
    wit::Sentiment {
        positive: s.positive as f32,
        neutral: s.neutral as f32,
        negative: s.negative as f32,
        compound: s.compound as f32,
    }
}

fn sentence(s: analysis::Sentence) -> wit::Sentence {
    wit::Sentence {
        span: span(s.span),
        kind: match s.kind {
            sentences::Kind::Question => wit::SentenceKind::Question,
            sentences::Kind::Statement => wit::SentenceKind::Statement,
            sentences::Kind::Exclamation => wit::SentenceKind::Exclamation,
            sentences::Kind::Command => wit::SentenceKind::Command,
        },
        intonation: match s.intonation {
            sentences::Intonation::Falling => wit::Intonation::Falling,
            sentences::Intonation::Rising => wit::Intonation::Rising,
        },
        sentiment: sentiment(&s.sentiment),
        emotions: s
            .emotions
            .into_iter()
            .map(|(e, score)| wit::EmotionScore { label: e.label().to_string(), score })
            .collect(),
        emphasis: s.emphasis.into_iter().map(span).collect(),
        pacing: match s.pacing {
            pacing::Pacing::Slower => wit::Pacing::Slower,
            pacing::Pacing::Normal => wit::Pacing::Normal,
            pacing::Pacing::Faster => wit::Pacing::Faster,
        },
    }
}

// Exported symbols are named like `switchboard:classifier/classify@0.1.0#analyze`, which a
// native linker's version script cannot express; natively the crate is an ordinary library whose
// `Guest` impl the tests call directly.
#[cfg(target_arch = "wasm32")]
export!(Classifier);
