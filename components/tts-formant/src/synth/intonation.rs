//! The pitch (F0) contour of a phrase.
//!
//! A target-and-interpolation model in the spirit of Pierrehumbert (1981), "Synthesizing
//! intonation", JASA 70(4): a declining baseline, a peak on each accented syllable (downstepped
//! through the phrase), and a boundary tone at the end: a terminal fall for statements,
//! wh-questions and exclamations, a rise from a low nuclear accent for yes/no questions, and a
//! continuation rise before a phrase break. Targets are in semitones around the voice's F0
//! and joined by monotone cubic interpolation.

use super::phonetics::Manner;
use super::prosody::PhrasePlan;
use super::request::Settings;
use super::track::{Shape, Track};
use super::voices::Voice;
use crate::phoneme::Tune;

/// Where a phrase sits in its sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhrasePosition {
    /// The tune of the sentence.
    pub tune: Tune,
    /// Index of the phrase in the sentence.
    pub index: usize,
    /// The phrase ends the sentence (its tune completes here).
    pub last: bool,
}

/// Baseline declination, semitones per second, and the most it may fall in one phrase.
const DECLINATION_ST_PER_S: f32 = 1.5;
const MAX_DECLINATION_ST: f32 = 3.0;
/// Each accent after the first in a phrase reaches this fraction of the one before.
const DOWNSTEP: f32 = 0.92;

/// The F0 track of a planned phrase, in Hz.
pub fn contour(plan: &PhrasePlan, position: PhrasePosition, voice: &Voice, settings: &Settings) -> Track {
    let mut track = Track::new(Shape::Smooth, voice.f0_hz);
    let tune_range = match position.tune {
        Tune::Exclamation => 1.5,
        Tune::WhQuestion => 1.1,
        Tune::Statement | Tune::YesNoQuestion => 1.0,
    };
    // Stability narrows the range (0 -> x1.5, 0.5 -> x1, 1 -> x0.5); style exaggerates accents.
    let range = voice.range_st * (1.5 - settings.stability.clamp(0.0, 1.0)) * tune_range;
    let accent_scale = 1.0 + 0.8 * settings.style.clamp(0.0, 1.0);
    let phrase_drop = 0.6 * position.index.min(3) as f32;
    let baseline = |t_ms: f32| -1.0 - phrase_drop - (DECLINATION_ST_PER_S * t_ms / 1000.0).min(MAX_DECLINATION_ST);
    let mut push = |t: f32, st: f32| track.push(t, (voice.f0_hz * 2f32.powf(st / 12.0)).clamp(50.0, 500.0));

    let onset = match position.tune {
        Tune::WhQuestion => 0.6,
        _ => 0.35,
    };
    push(0.0, baseline(0.0) + onset * range);

    let segments = &plan.segments;
    let voiced_end = segments
        .iter()
        .rev()
        .find(|s| s.data.voiced && !matches!(s.data.manner, Manner::Stop | Manner::Affricate))
        .map_or(plan.duration_ms, |s| s.end_ms());
    let accents: Vec<usize> = (0..segments.len()).filter(|&i| segments[i].accent > 0.0).collect();
    let nuclear = accents.last().copied();
    let question = position.last && position.tune == Tune::YesNoQuestion;

    let mut last_peak = f32::NEG_INFINITY;
    for (n, &i) in accents.iter().enumerate() {
        let s = &segments[i];
        let is_nuclear = Some(i) == nuclear;
        let strength = s.accent * if s.emphasis { 1.0 } else { DOWNSTEP.powi(n as i32).max(0.6) };
        // A valley before the accented syllable, if there is room after the previous peak.
        let valley_t = s.start_ms - 40.0;
        if valley_t > last_peak + 80.0 {
            push(valley_t, baseline(valley_t) + 0.15 * range);
        }
        if is_nuclear && question {
            // L*: the nuclear accent of a yes/no question is low; the rise follows.
            let t = s.start_ms + 0.3 * s.dur_ms;
            push(t, baseline(t) - 0.15 * range);
            last_peak = t;
            continue;
        }
        // A final nuclear accent peaks early to leave room for the fall; before a phrase break
        // it also peaks lower, leaving room for the continuation rise.
        let (along, height) = match (is_nuclear, position.last) {
            (true, true) => (0.4, 1.0),
            (true, false) => (0.3, 0.7),
            _ => (0.6, 1.0),
        };
        let strength = strength * height;
        let t = s.start_ms + along * s.dur_ms;
        let first_boost = if n == 0 && position.tune == Tune::WhQuestion { 1.2 } else { 1.0 };
        push(t, baseline(t) + strength * first_boost * accent_scale * range);
        last_peak = t;
    }

    let end = voiced_end.max(last_peak + 1.0);
    // Boundary tones reach their target a little before voicing fades, so the movement is
    // heard in full rather than lost in the decay.
    let target_t = (end - 50.0).max(last_peak + 1.0);
    if question {
        // H-H%: rise to well above where the rise began (6-9 semitones, +40..70 %).
        let low = match nuclear {
            Some(i) => baseline(segments[i].start_ms + 0.3 * segments[i].dur_ms) - 0.15 * range,
            None => baseline(end) - 0.15 * range,
        };
        if nuclear.is_none() {
            push((end - 250.0).max(0.0), low);
        }
        let high = low + (4.5 + 0.6 * range).max(6.0);
        push(target_t, high - 0.5);
        push(end, high);
    } else if position.last {
        // L-L%: fall to the bottom of the range. If the nuclear accent is early, fall soon
        // after it and stay low.
        if end - last_peak > 400.0 {
            push(last_peak + 200.0, baseline(last_peak + 200.0) - 0.3 * range);
        }
        let low = baseline(end) - 0.5 * range - 1.0;
        push(target_t, low + 0.3);
        push(end, low);
    } else {
        // Continuation rise before a phrase break: down from the last accent, then up.
        let valley = (last_peak + 60.0).max(end - 180.0);
        if valley < end - 40.0 {
            push(valley, baseline(valley) + 0.05 * range);
        }
        push(end, baseline(end) + 0.6 * range + 1.0);
    }
    track
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phoneme::{Boundary, Phone, Phoneme, Phrase, Stress, Word};
    use crate::synth::prosody;
    use crate::synth::voices::VOICES;

    fn plan_of(words: &[(&str, &[(Phoneme, Stress)])]) -> PhrasePlan {
        let words = words
            .iter()
            .map(|(text, phones)| Word {
                text: text.to_string(),
                phones: phones.iter().map(|&(phoneme, stress)| Phone { phoneme, stress }).collect(),
                emphasis: false,
            })
            .collect();
        prosody::plan(&Phrase { words, boundary: Boundary::Sentence }.words, &VOICES[1], &Settings::default())
    }

    fn sample(track: &Track, t: f32) -> f32 {
        track.sample(t, 1.0, 1)[0]
    }

    fn ready() -> PhrasePlan {
        use Phoneme::*;
        use Stress::*;
        plan_of(&[
            ("is", &[(IH, Primary), (Z, Unstressed)]),
            ("it", &[(IH, Primary), (T, Unstressed)]),
            ("ready", &[(R, Unstressed), (EH, Primary), (D, Unstressed), (IY, Unstressed)]),
        ])
    }

    #[test]
    fn questions_rise_and_statements_fall() {
        let plan = ready();
        let end = plan.duration_ms;
        let pos = |tune| PhrasePosition { tune, index: 0, last: true };
        let voice = &VOICES[1];
        let q = contour(&plan, pos(Tune::YesNoQuestion), voice, &Settings::default());
        let s = contour(&plan, pos(Tune::Statement), voice, &Settings::default());
        assert!(sample(&q, end) > 1.3 * sample(&q, end - 300.0), "question rises");
        assert!(sample(&s, end) < 0.95 * sample(&s, end - 300.0), "statement falls");
        assert!(sample(&s, end) < voice.f0_hz);
    }

    #[test]
    fn continuation_rises_and_stability_flattens() {
        let plan = ready();
        let end = plan.duration_ms;
        let voice = &VOICES[0];
        let cont = contour(
            &plan,
            PhrasePosition { tune: Tune::Statement, index: 0, last: false },
            voice,
            &Settings::default(),
        );
        assert!(sample(&cont, end) > sample(&cont, end - 200.0));
        let spread = |stability: f32| {
            let t = contour(
                &plan,
                PhrasePosition { tune: Tune::Statement, index: 0, last: true },
                voice,
                &Settings { stability, ..Settings::default() },
            );
            let v = t.sample(0.0, 5.0, (end / 5.0) as usize);
            v.iter().cloned().fold(f32::MIN, f32::max) / v.iter().cloned().fold(f32::MAX, f32::min)
        };
        assert!(spread(0.0) > spread(1.0) * 1.1, "{} {}", spread(0.0), spread(1.0));
    }
}
