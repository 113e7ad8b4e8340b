//! Timing: how long each phone lasts, how stops are released, and which syllables carry a
//! pitch accent.
//!
//! Durations follow the rule system of D. H. Klatt (1979), "Synthesis by rule of segmental
//! durations in English sentences" (as used in MITalk, Allen, Hunnicutt & Klatt 1987):
//! each phone has an inherent and a minimum duration, and context rules scale the part above
//! the minimum: `duration = min + (inherent - min) * product(factors)`, then divide by the
//! speaking rate. The factors used here are a simplified subset of Klatt's rules.

use super::phonetics::{self, Manner, PhoneData};
use super::request::Settings;
use super::voices::Voice;
use crate::phoneme::{Phone, Phoneme, Stress, Word};

/// How a stop consonant ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Release {
    /// Closure, burst, then aspiration for a voiceless stop before a sonorant.
    Full,
    /// At the end of a phrase: a soft burst and no aspiration.
    Weak,
    /// Before another stop or a nasal ("that time", "at nine"): closure only.
    Unreleased,
    /// American English flap between vowels ("thirty", "at a"): a brief voiced tap.
    Flap,
}

/// One phone placed in time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// The phoneme.
    pub phoneme: Phoneme,
    /// Its articulatory data.
    pub data: PhoneData,
    /// Stress after deaccenting function words.
    pub stress: Stress,
    /// Start within the phrase, ms.
    pub start_ms: f32,
    /// Duration, ms.
    pub dur_ms: f32,
    /// Index of the word in the phrase.
    pub word: usize,
    /// The word is emphasised.
    pub emphasis: bool,
    /// Strength of the pitch accent on this vowel (0 = none, 1 = normal).
    pub accent: f32,
    /// Loudness of voicing relative to a stressed vowel, dB.
    pub level_db: f32,
    /// Stops: how the stop ends.
    pub release: Release,
    /// Stops and affricates: the silent (or voice-bar) part, ms from the start.
    pub closure_ms: f32,
    /// Stops: voiceless interval after the burst, ms.
    pub aspiration_ms: f32,
    /// Last syllable of the phrase (the vowel and what follows it).
    pub phrase_final: bool,
}

impl Segment {
    /// End of the segment, ms.
    pub fn end_ms(&self) -> f32 {
        self.start_ms + self.dur_ms
    }

    /// Moment of release of a stop or affricate (the end of its closure).
    pub fn release_ms(&self) -> f32 {
        self.start_ms + self.closure_ms
    }
}

/// A phrase laid out in time.
#[derive(Clone, Debug, PartialEq)]
pub struct PhrasePlan {
    /// The phones, in order, back to back.
    pub segments: Vec<Segment>,
    /// Total duration, ms.
    pub duration_ms: f32,
    /// Whether any word of the phrase is emphasised (narrow focus).
    pub has_emphasis: bool,
}

/// Words that normally carry no pitch accent and reduce their vowels.
const FUNCTION_WORDS: &[&str] = &[
    "a", "am", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do", "does", "for",
    "from", "had", "has", "have", "he", "her", "him", "his", "i", "if", "in", "into", "is", "it", "its", "me", "my",
    "of", "on", "or", "our", "shall", "she", "should", "so", "than", "that", "the", "their", "them", "they", "to",
    "us", "was", "we", "were", "will", "with", "would", "you", "your",
];

/// Whether `word` is a function word.
pub fn is_function_word(word: &str) -> bool {
    FUNCTION_WORDS.binary_search(&word).is_ok()
}

/// One phone with what the duration rules need to know about its context.
struct Context {
    phone: Phone,
    data: PhoneData,
    word: usize,
    word_initial: bool,
    /// The vowel is the last vowel of its word.
    last_vowel_of_word: bool,
    syllables_in_word: usize,
    phrase_final: bool,
    emphasis: bool,
    function_word: bool,
}

fn is_obstruent(m: Manner) -> bool {
    matches!(m, Manner::Stop | Manner::Affricate | Manner::Fricative | Manner::Aspirate)
}

/// Lays out the words of one phrase in time for `voice` at `settings.speed`.
pub fn plan(words: &[Word], voice: &Voice, settings: &Settings) -> PhrasePlan {
    let contexts = contexts(words);
    let rate = (settings.speed * voice.rate).clamp(0.25, 4.0);
    let has_emphasis = words.iter().any(|w| w.emphasis && !w.phones.is_empty());
    let mut segments = Vec::with_capacity(contexts.len());
    let mut t = 0.0f32;
    for (i, c) in contexts.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|j| contexts.get(j));
        let next = contexts.get(i + 1);
        let stress = effective_stress(c);
        let mut dur = rule_duration(c, stress, prev, next) / rate;
        let mut seg = Segment {
            phoneme: c.phone.phoneme,
            data: c.data,
            stress,
            start_ms: t,
            dur_ms: 0.0,
            word: c.word,
            emphasis: c.emphasis,
            accent: 0.0,
            level_db: level_db(c, stress),
            release: Release::Full,
            closure_ms: 0.0,
            aspiration_ms: 0.0,
            phrase_final: c.phrase_final,
        };
        match c.data.manner {
            Manner::Stop => {
                seg.release = release(c, prev, next);
                match seg.release {
                    Release::Flap => {
                        dur = 26.0 / rate.sqrt();
                        seg.closure_ms = dur;
                    }
                    Release::Unreleased => seg.closure_ms = dur,
                    Release::Weak | Release::Full => {
                        seg.closure_ms = dur;
                        let burst = phonetics::burst_ms(c.data.place);
                        seg.aspiration_ms = if seg.release == Release::Full {
                            aspiration_ms(c, prev, &contexts[i + 1..]) / rate.sqrt()
                        } else {
                            0.0
                        };
                        dur += burst + seg.aspiration_ms;
                    }
                }
            }
            Manner::Affricate => seg.closure_ms = dur * 0.4,
            _ => {}
        }
        seg.dur_ms = dur.max(12.0);
        t += seg.dur_ms;
        segments.push(seg);
    }
    assign_accents(&mut segments, &contexts, has_emphasis);
    PhrasePlan { segments, duration_ms: t, has_emphasis }
}

/// Flattens the words of a phrase into phones with their context.
fn contexts(words: &[Word]) -> Vec<Context> {
    let mut out = Vec::new();
    for (wi, word) in words.iter().enumerate() {
        let function_word = is_function_word(&word.text.trim().to_lowercase());
        let syllables = word.phones.iter().filter(|p| p.phoneme.is_vowel()).count();
        let last_vowel = word.phones.iter().rposition(|p| p.phoneme.is_vowel());
        for (pi, phone) in word.phones.iter().enumerate() {
            out.push(Context {
                phone: *phone,
                data: phonetics::data(phone.phoneme),
                word: wi,
                word_initial: pi == 0,
                last_vowel_of_word: Some(pi) == last_vowel,
                syllables_in_word: syllables,
                phrase_final: false,
                emphasis: word.emphasis,
                function_word,
            });
        }
    }
    // The phrase-final syllable: the last vowel and everything after it.
    if let Some(last) = out.iter().rposition(|c| c.phone.phoneme.is_vowel()) {
        out[last..].iter_mut().for_each(|c| c.phrase_final = true);
    }
    out
}

/// Stress after removing it from function words (unless emphasised).
fn effective_stress(c: &Context) -> Stress {
    if !c.phone.phoneme.is_vowel() {
        return Stress::Unstressed;
    }
    if c.function_word && !c.emphasis { Stress::Unstressed } else { c.phone.stress }
}

fn level_db(c: &Context, stress: Stress) -> f32 {
    let base = match stress {
        Stress::Primary => 0.0,
        Stress::Secondary => -1.0,
        Stress::Unstressed => -3.0,
    };
    let emphasis = if c.emphasis && stress == Stress::Primary { 3.0 } else { 0.0 };
    base + emphasis
}

/// Klatt-style duration before the speaking rate is applied.
fn rule_duration(c: &Context, stress: Stress, prev: Option<&Context>, next: Option<&Context>) -> f32 {
    let d = &c.data;
    let mut min = d.min_ms;
    let mut inherent = d.inherent_ms;
    let mut factor = 1.0f32;
    if c.phone.phoneme.is_vowel() {
        // Reduced schwa is shorter than stressed /ʌ/.
        if c.phone.phoneme == Phoneme::AH && stress == Stress::Unstressed {
            inherent = 120.0;
        }
        factor *= if c.phrase_final { 1.25 } else { 0.62 };
        if !c.last_vowel_of_word {
            factor *= 0.85;
        }
        if c.syllables_in_word > 1 {
            factor *= 0.8;
        }
        match stress {
            Stress::Unstressed => {
                min *= 0.5;
                factor *= 0.7;
            }
            Stress::Secondary => factor *= 0.85,
            Stress::Primary => {}
        }
        if c.emphasis && stress == Stress::Primary {
            factor *= 1.4;
        }
        // Function words are said quickly ("a", "at", "your").
        if c.function_word && !c.emphasis {
            factor *= 0.65;
        }
        // What follows the vowel in its word colours its length (Klatt's rule 9).
        if let Some(n) = next.filter(|n| n.word == c.word && !n.phone.phoneme.is_vowel()) {
            let effect = match (n.data.manner, n.data.voiced) {
                (Manner::Fricative, true) => 1.25,
                (Manner::Stop | Manner::Affricate, true) => 1.1,
                (Manner::Stop | Manner::Affricate | Manner::Fricative, false) => 0.8,
                (Manner::Nasal, _) => 0.9,
                _ => 1.0,
            };
            let weight = if c.phrase_final { 1.0 } else { 0.5 };
            factor *= 1.0 + (effect - 1.0) * weight;
        }
    } else {
        if !c.word_initial {
            factor *= 0.85;
        }
        let consonant = |o: Option<&Context>| o.is_some_and(|o| !o.phone.phoneme.is_vowel());
        if consonant(prev) || consonant(next) {
            factor *= 0.75;
        }
        if c.phrase_final {
            factor *= 1.3;
        }
        // Function words are said quickly.
        if c.function_word && !c.emphasis {
            factor *= 0.8;
        }
    }
    min + (inherent - min) * factor
}

/// How a stop is released, from what surrounds it.
fn release(c: &Context, prev: Option<&Context>, next: Option<&Context>) -> Release {
    let Some(n) = next else { return Release::Weak };
    let sonorant_before = prev.is_some_and(|p| p.phone.phoneme.is_vowel() || p.phone.phoneme == Phoneme::R);
    let alveolar = matches!(c.phone.phoneme, Phoneme::T | Phoneme::D);
    let unstressed_vowel_next = n.phone.phoneme.is_vowel() && effective_stress(n) == Stress::Unstressed;
    if alveolar && sonorant_before && unstressed_vowel_next && !c.word_initial {
        return Release::Flap;
    }
    // Across a word boundary before a consonant a stop is held, not released ("it ready",
    // "good day"): releasing it would insert a puff of air between the words.
    if n.word != c.word && !n.phone.phoneme.is_vowel() {
        return Release::Unreleased;
    }
    match n.data.manner {
        Manner::Stop | Manner::Affricate | Manner::Nasal => Release::Unreleased,
        _ => Release::Full,
    }
}

/// Voice onset delay after a voiceless stop: long before a stressed vowel or at the start of
/// a word, short before an unstressed one, almost none after /s/ ("spin", "stay").
fn aspiration_ms(c: &Context, prev: Option<&Context>, rest: &[Context]) -> f32 {
    if c.data.voiced {
        return 0.0;
    }
    let Some(next) = rest.first() else { return 0.0 };
    if is_obstruent(next.data.manner) || next.data.manner == Manner::Nasal {
        return 0.0;
    }
    if prev.is_some_and(|p| p.phone.phoneme == Phoneme::S && p.word == c.word) {
        return 8.0;
    }
    // A word-final stop released into the next word's vowel ("at all") is barely aspirated.
    if next.word != c.word {
        return 15.0;
    }
    let vowel = rest.iter().take(3).find(|r| r.phone.phoneme.is_vowel());
    let stressed = vowel.is_some_and(|v| effective_stress(v) != Stress::Unstressed);
    if stressed || c.word_initial { 50.0 } else { 22.0 }
}

/// Puts a pitch accent on the stressed vowel of every content word. With emphasis in the
/// phrase, emphasised words get strong accents and the others weak ones (narrow focus).
fn assign_accents(segments: &mut [Segment], contexts: &[Context], has_emphasis: bool) {
    let words = contexts.last().map_or(0, |c| c.word + 1);
    let mut any = false;
    for w in 0..words {
        let in_word: Vec<usize> = (0..segments.len()).filter(|&i| contexts[i].word == w).collect();
        let Some(&first) = in_word.first() else { continue };
        let content = !contexts[first].function_word || contexts[first].emphasis;
        if !content {
            continue;
        }
        let vowel = |s: Stress| {
            in_word.iter().copied().find(|&i| contexts[i].phone.phoneme.is_vowel() && contexts[i].phone.stress == s)
        };
        let Some(v) = vowel(Stress::Primary)
            .or_else(|| vowel(Stress::Secondary))
            .or_else(|| in_word.iter().copied().find(|&i| contexts[i].phone.phoneme.is_vowel()))
        else {
            continue;
        };
        segments[v].accent = match (has_emphasis, contexts[v].emphasis) {
            (true, true) => 1.6,
            (true, false) => 0.5,
            (false, _) => 1.0,
        };
        any = true;
    }
    if !any {
        // A phrase of function words only ("It is.") still needs a tune: accent its last vowel.
        if let Some(v) = segments.iter().rposition(|s| s.phoneme.is_vowel()) {
            segments[v].accent = 0.8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phoneme::{Boundary, Phrase};
    use crate::synth::voices::VOICES;

    fn word(text: &str, arpabet: &str) -> Word {
        let phones = arpabet
            .split_whitespace()
            .filter_map(|s| {
                let (sym, stress) = match s.chars().last() {
                    Some('0') => (&s[..s.len() - 1], Stress::Unstressed),
                    Some('1') => (&s[..s.len() - 1], Stress::Primary),
                    Some('2') => (&s[..s.len() - 1], Stress::Secondary),
                    _ => (s, Stress::Unstressed),
                };
                Phoneme::parse(sym).map(|phoneme| Phone { phoneme, stress })
            })
            .collect();
        Word { text: text.into(), phones, emphasis: false }
    }

    fn phrase(words: Vec<Word>) -> Phrase {
        Phrase { words, boundary: Boundary::Sentence }
    }

    #[test]
    fn function_word_list_is_sorted() {
        assert!(FUNCTION_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_function_word("the") && !is_function_word("reminder"));
    }

    #[test]
    fn phrase_final_and_stressed_vowels_are_longer() {
        let p = phrase(vec![word("banana", "B AH0 N AE1 N AH0"), word("banana", "B AH0 N AE1 N AH0")]);
        let plan = plan(&p.words, &VOICES[1], &Settings::default());
        let ae: Vec<f32> = plan.segments.iter().filter(|s| s.phoneme == Phoneme::AE).map(|s| s.dur_ms).collect();
        let ah: Vec<f32> = plan.segments.iter().filter(|s| s.phoneme == Phoneme::AH).map(|s| s.dur_ms).collect();
        assert!(ae[0] > ah[0] && ae[0] > ah[1], "stressed longer: {ae:?} {ah:?}");
        assert!(ah[3] > 1.5 * ah[1], "phrase-final lengthening: {ah:?}");
        let total: f32 = plan.segments.iter().map(|s| s.dur_ms).sum();
        assert!((total - plan.duration_ms).abs() < 1e-3);
    }

    #[test]
    fn speed_scales_duration() {
        let p = phrase(vec![word("reminder", "R IH0 M AY1 N D ER0")]);
        let normal = plan(&p.words, &VOICES[1], &Settings::default()).duration_ms;
        let fast = plan(&p.words, &VOICES[1], &Settings { speed: 2.0, ..Settings::default() }).duration_ms;
        let slow = plan(&p.words, &VOICES[1], &Settings { speed: 0.5, ..Settings::default() }).duration_ms;
        assert!(fast < 0.65 * normal && slow > 1.6 * normal, "{fast} {normal} {slow}");
    }

    #[test]
    fn stops_release_by_context() {
        let p = phrase(vec![word("thirty", "TH ER1 T IY0"), word("time", "T AY1 M"), word("at", "AE1 T")]);
        let plan = plan(&p.words, &VOICES[1], &Settings::default());
        let t: Vec<&Segment> = plan.segments.iter().filter(|s| s.phoneme == Phoneme::T).collect();
        assert_eq!(t[0].release, Release::Flap);
        assert_eq!(t[1].release, Release::Full);
        assert!(t[1].aspiration_ms > 30.0);
        assert_eq!(t[2].release, Release::Weak);
        let p = phrase(vec![word("at", "AE1 T"), word("nine", "N AY1 N")]);
        let plan = super::plan(&p.words, &VOICES[1], &Settings::default());
        assert_eq!(plan.segments[1].release, Release::Unreleased);
    }

    #[test]
    fn accents_skip_function_words_and_follow_emphasis() {
        let p =
            phrase(vec![word("the", "DH AH0"), word("cat", "K AE1 T"), word("is", "IH1 Z"), word("here", "HH IY1 R")]);
        let plan = plan(&p.words, &VOICES[0], &Settings::default());
        let accented: Vec<Phoneme> = plan.segments.iter().filter(|s| s.accent > 0.0).map(|s| s.phoneme).collect();
        assert_eq!(accented, vec![Phoneme::AE, Phoneme::IY]);
        let mut words = p.words.clone();
        words[1].emphasis = true;
        let plan = super::plan(&phrase(words).words, &VOICES[0], &Settings::default());
        let ae = plan.segments.iter().find(|s| s.phoneme == Phoneme::AE).map_or(0.0, |s| s.accent);
        let iy = plan.segments.iter().find(|s| s.phoneme == Phoneme::IY).map_or(0.0, |s| s.accent);
        assert!(ae > 1.0 && iy < 1.0, "{ae} {iy}");
        let only = phrase(vec![word("it", "IH1 T"), word("is", "IH1 Z")]);
        assert!(super::plan(&only.words, &VOICES[0], &Settings::default()).segments.iter().any(|s| s.accent > 0.0));
    }

    #[test]
    fn empty_phrase_is_empty() {
        let plan = plan(&phrase(vec![]).words, &VOICES[0], &Settings::default());
        assert!(plan.segments.is_empty());
        assert_eq!(plan.duration_ms, 0.0);
    }
}
