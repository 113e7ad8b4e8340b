//! Whatever the front end hands over, the synthesiser neither panics nor produces garbage.

mod common;

use common::*;
use tts_formant::phoneme::{Boundary, Phone, Phoneme, Phrase, Sentence, Stress, Tune, Word};
use tts_formant::synth::{self, Format, Settings, voices};

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u32);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0 as usize % n.max(1)
    }
}

fn random_sentence(rng: &mut Rng) -> Sentence {
    let tunes = [Tune::Statement, Tune::YesNoQuestion, Tune::WhQuestion, Tune::Exclamation];
    let stresses = [Stress::Unstressed, Stress::Primary, Stress::Secondary];
    let phrases = (0..1 + rng.next(3))
        .map(|_| Phrase {
            words: (0..rng.next(6))
                .map(|_| Word {
                    text: ["the", "x", "", "Running"][rng.next(4)].to_string(),
                    phones: (0..rng.next(7))
                        .map(|_| Phone { phoneme: Phoneme::ALL[rng.next(39)], stress: stresses[rng.next(3)] })
                        .collect(),
                    emphasis: rng.next(5) == 0,
                })
                .collect(),
            boundary: if rng.next(2) == 0 { Boundary::Phrase } else { Boundary::Sentence },
        })
        .collect();
    Sentence { phrases, tune: tunes[rng.next(4)] }
}

#[test]
fn random_phone_strings_render_cleanly() {
    let mut rng = Rng(0x1234_5678);
    for round in 0..24 {
        let sentences: Vec<Sentence> = (0..1 + rng.next(2)).map(|_| random_sentence(&mut rng)).collect();
        let voice = voices::VOICES[round % voices::VOICES.len()].id;
        let settings = Settings {
            stability: (round % 3) as f32 / 2.0,
            style: (round % 2) as f32,
            speed: 0.5 + (round % 4) as f32 * 0.5,
        };
        let format = Format::ALL[round % Format::ALL.len()];
        let r = render_with(&sentences, voice, settings, format);
        assert!(r.outcome.stopped.is_none());
        assert!(!r.chunks.is_empty() && r.chunks.iter().all(|c| !c.is_empty()), "round {round}: empty chunk");
        if matches!(format, Format::Pcm16k | Format::Pcm22k) {
            let x = samples(&r.bytes());
            let peak = x.iter().fold(0.0f32, |m, s| m.max(s.abs()));
            assert!(peak < 1.0, "round {round}: peak {peak}");
        }
    }
}

#[test]
fn every_phoneme_alone_and_repeated() {
    for p in Phoneme::ALL {
        // Repeats only for a few classes, to keep the test quick in debug builds.
        let repeats: &[usize] =
            if matches!(p, Phoneme::D | Phoneme::K | Phoneme::S | Phoneme::M | Phoneme::HH) { &[1, 3] } else { &[1] };
        for &n in repeats {
            let word = Word {
                text: "x".into(),
                phones: vec![Phone { phoneme: p, stress: Stress::Primary }; n],
                emphasis: false,
            };
            let s = [Sentence {
                phrases: vec![Phrase { words: vec![word], boundary: Boundary::Sentence }],
                tune: Tune::Statement,
            }];
            let x = pcm(&s, "marlow");
            assert!(x.iter().all(|v| v.is_finite() && v.abs() < 1.0), "{p:?}");
            // Every phoneme on its own makes some sound.
            assert!(n > 1 || rms(&x) > 1e-3, "{p:?} is silent");
        }
    }
}

#[test]
fn a_long_unpunctuated_text_streams_in_bounded_chunks() {
    let word = "reminder:R_IY0_M_AY1_N_D_ER0 ";
    let s = [sentence(Tune::Statement, &word.repeat(50))];
    let voice = voices::find("ren").expect("ren");
    let mut sizes = Vec::new();
    let out =
        synth::speak(&s, voice, &Settings { speed: 2.0, ..Settings::default() }, Format::Pcm16k, &mut |c: &[u8]| {
            sizes.push(c.len());
            Ok(())
        });
    assert!(out.duration_ms() > 8_000, "{}", out.duration_ms());
    // Chunks of at most about two seconds (plus the final pause) at 16 kHz, 16 bits.
    assert!(sizes.len() > 3 && sizes.iter().all(|&n| n <= 2 * 16000 * 3), "{sizes:?}");
}
