//! What each phoneme is made of: manner and place of articulation, formant targets,
//! frication spectrum and inherent duration.
//!
//! Sources (scientific measurements, used as facts, adjusted by ear and by spectrogram):
//! - Vowel and sonorant formant frequencies and bandwidths: after D. H. Klatt (1980),
//!   "Software for a cascade/parallel formant synthesizer", JASA 67(3), 971-995, Table II and
//!   Table III, cross-checked with G. E. Peterson & H. L. Barney (1952), "Control methods used
//!   in a study of the vowels", JASA 24(2), 175-184 (average adult male values).
//! - Consonant loci (formant values a transition points to): after P. Delattre, A. Liberman &
//!   F. Cooper (1955), "Acoustic loci and transitional cues for consonants", JASA 27(4), and
//!   the locus equations of H. Sussman et al. (1991).
//! - Inherent and minimum durations: after D. H. Klatt (1979), "Synthesis by rule of segmental
//!   durations in English sentences", and J. Allen, S. Hunnicutt & D. Klatt (1987), "From text
//!   to speech: the MITalk system", ch. 9.
//! - Frication spectra (parallel-branch amplitudes): after Klatt (1980), Table III, expressed
//!   here in dB relative to the strongest resonance.
//!
//! All frequencies are for an adult male vocal tract; voices scale them.

use crate::phoneme::Phoneme;

/// How a phoneme is produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manner {
    /// Vowels and diphthongs.
    Vowel,
    /// Closure then release: /p b t d k g/.
    Stop,
    /// Closure then frication: /tʃ dʒ/.
    Affricate,
    /// Turbulent noise: /f v θ ð s z ʃ ʒ/.
    Fricative,
    /// `/h/`: aspiration noise through whatever shape the vowel next to it has.
    Aspirate,
    /// Oral closure with the velum open: /m n ŋ/.
    Nasal,
    /// /l r/.
    Liquid,
    /// /w j/.
    Glide,
}

/// Where a consonant is produced, which decides where its formant transitions point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Both lips: /p b m/.
    Bilabial,
    /// Lip and teeth: /f v/.
    Labiodental,
    /// Tongue and teeth: /θ ð/.
    Dental,
    /// Tongue tip and ridge: /t d n s z/.
    Alveolar,
    /// Behind the ridge: /ʃ ʒ tʃ dʒ/.
    Postalveolar,
    /// Tongue back and soft palate: /k g ŋ/.
    Velar,
    /// The glottis: /h/.
    Glottal,
    /// Vowels, liquids and glides: their own targets are the reference.
    Vocalic,
}

/// The first three formants and their bandwidths, in Hz.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Formants {
    /// F1, F2, F3.
    pub f: [f32; 3],
    /// B1, B2, B3.
    pub b: [f32; 3],
}

impl Formants {
    const fn new(f1: f32, f2: f32, f3: f32, b1: f32, b2: f32, b3: f32) -> Formants {
        Formants { f: [f1, f2, f3], b: [b1, b2, b3] }
    }

    /// `self + (other - self) * t`, formant by formant.
    pub fn lerp(&self, other: &Formants, t: f32) -> Formants {
        let mut out = *self;
        for i in 0..3 {
            out.f[i] += (other.f[i] - self.f[i]) * t;
            out.b[i] += (other.b[i] - self.b[i]) * t;
        }
        out
    }
}

/// The neutral vowel, towards which unstressed vowels reduce.
pub const SCHWA: Formants = Formants::new(500.0, 1400.0, 2400.0, 80.0, 90.0, 150.0);

/// Level meaning "this resonance is off" in a [`Frication`] spectrum.
pub const OFF: f32 = -99.0;

/// The spectrum of a fricative or burst, as levels of the parallel resonators.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frication {
    /// Overall level of the noise in dB relative to a stressed vowel.
    pub level_db: f32,
    /// Levels of the parallel resonators on F2..F6, in dB relative to each other.
    pub gains_db: [f32; 5],
    /// Level of the flat bypass path, in dB on the same scale as `gains_db`.
    pub bypass_db: f32,
}

impl Frication {
    const fn new(level_db: f32, a2: f32, a3: f32, a4: f32, a5: f32, a6: f32, ab: f32) -> Frication {
        Frication { level_db, gains_db: [a2, a3, a4, a5, a6], bypass_db: ab }
    }
}

/// Everything the synthesiser knows about one phoneme.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhoneData {
    /// How it is produced.
    pub manner: Manner,
    /// Where it is produced.
    pub place: Place,
    /// Whether the vocal folds vibrate.
    pub voiced: bool,
    /// Formants at the start of the phone (the whole phone for monophthongs).
    pub onset: Formants,
    /// Formants at the end of the phone (differs from `onset` for diphthongs).
    pub offset: Formants,
    /// Duration in a stressed, phrase-final context, in ms.
    pub inherent_ms: f32,
    /// Duration below which rules do not compress it, in ms.
    pub min_ms: f32,
    /// The noise spectrum of fricatives, affricates and stop bursts.
    pub frication: Option<Frication>,
}

const fn vowel(onset: Formants, offset: Formants, inherent_ms: f32, min_ms: f32) -> PhoneData {
    PhoneData {
        manner: Manner::Vowel,
        place: Place::Vocalic,
        voiced: true,
        onset,
        offset,
        inherent_ms,
        min_ms,
        frication: None,
    }
}

const fn consonant(
    manner: Manner,
    place: Place,
    voiced: bool,
    target: Formants,
    inherent_ms: f32,
    min_ms: f32,
    frication: Option<Frication>,
) -> PhoneData {
    PhoneData { manner, place, voiced, onset: target, offset: target, inherent_ms, min_ms, frication }
}

/// Burst and fricative spectra by place. Labials are flat and weak, alveolars peak high
/// (F5/F6), postalveolars have a strong mid peak (F3/F4) and velars a compact peak on the
/// F2/F3 "pinch" of the neighbouring vowel.
const FRIC_F: Frication = Frication::new(-24.0, OFF, OFF, OFF, -12.0, -8.0, 0.0);
const FRIC_TH: Frication = Frication::new(-26.0, OFF, OFF, OFF, -8.0, -4.0, 0.0);
const FRIC_S: Frication = Frication::new(-4.0, OFF, OFF, -24.0, -10.0, 0.0, -20.0);
const FRIC_SH: Frication = Frication::new(1.0, OFF, -2.0, 0.0, -4.0, -8.0, OFF);
const BURST_P: Frication = Frication::new(-12.0, OFF, OFF, OFF, OFF, -12.0, 0.0);
const BURST_T: Frication = Frication::new(-6.0, OFF, OFF, -12.0, -4.0, 0.0, OFF);
const BURST_K: Frication = Frication::new(-3.0, -4.0, 0.0, -8.0, -14.0, -20.0, OFF);
const BURST_CH: Frication = Frication::new(0.0, OFF, -2.0, 0.0, -3.0, -8.0, OFF);

/// The synthesiser's description of `p`.
pub fn data(p: Phoneme) -> PhoneData {
    use Manner::*;
    use Phoneme::*;
    use Place::*;
    let f = Formants::new;
    match p {
        // Vowels: onset and offset targets (diphthongs move), inherent and minimum ms.
        IY => vowel(
            f(300.0, 2070.0, 2960.0, 45.0, 120.0, 200.0),
            f(280.0, 2200.0, 3000.0, 45.0, 120.0, 200.0),
            155.0,
            55.0,
        ),
        IH => vowel(
            f(400.0, 1800.0, 2570.0, 50.0, 100.0, 140.0),
            f(440.0, 1700.0, 2550.0, 50.0, 100.0, 140.0),
            135.0,
            40.0,
        ),
        EY => vowel(
            f(480.0, 1800.0, 2520.0, 70.0, 100.0, 200.0),
            f(330.0, 2150.0, 2750.0, 55.0, 100.0, 200.0),
            180.0,
            100.0,
        ),
        EH => {
            vowel(f(530.0, 1680.0, 2500.0, 60.0, 90.0, 200.0), f(600.0, 1580.0, 2520.0, 60.0, 90.0, 200.0), 150.0, 70.0)
        }
        AE => vowel(
            f(660.0, 1720.0, 2410.0, 70.0, 150.0, 320.0),
            f(660.0, 1600.0, 2450.0, 70.0, 150.0, 320.0),
            230.0,
            80.0,
        ),
        AA => vowel(
            f(730.0, 1090.0, 2440.0, 110.0, 70.0, 160.0),
            f(720.0, 1150.0, 2450.0, 110.0, 70.0, 160.0),
            230.0,
            80.0,
        ),
        AO => vowel(
            f(570.0, 840.0, 2410.0, 90.0, 100.0, 120.0),
            f(600.0, 900.0, 2450.0, 90.0, 100.0, 120.0),
            240.0,
            100.0,
        ),
        OW => {
            vowel(f(540.0, 1100.0, 2300.0, 80.0, 70.0, 120.0), f(430.0, 880.0, 2300.0, 70.0, 70.0, 120.0), 220.0, 80.0)
        }
        UH => vowel(
            f(440.0, 1020.0, 2240.0, 80.0, 100.0, 120.0),
            f(470.0, 1150.0, 2300.0, 80.0, 100.0, 120.0),
            160.0,
            60.0,
        ),
        UW => vowel(
            f(340.0, 1300.0, 2240.0, 65.0, 110.0, 140.0),
            f(310.0, 1000.0, 2240.0, 65.0, 110.0, 140.0),
            210.0,
            70.0,
        ),
        AH => {
            vowel(f(620.0, 1220.0, 2550.0, 80.0, 60.0, 140.0), f(600.0, 1250.0, 2550.0, 80.0, 60.0, 140.0), 140.0, 60.0)
        }
        ER => vowel(
            f(470.0, 1270.0, 1540.0, 100.0, 60.0, 110.0),
            f(430.0, 1320.0, 1560.0, 100.0, 60.0, 110.0),
            180.0,
            80.0,
        ),
        AY => vowel(
            f(700.0, 1220.0, 2550.0, 100.0, 70.0, 200.0),
            f(400.0, 1950.0, 2550.0, 70.0, 100.0, 200.0),
            250.0,
            150.0,
        ),
        AW => {
            vowel(f(700.0, 1250.0, 2550.0, 80.0, 70.0, 140.0), f(420.0, 900.0, 2350.0, 70.0, 70.0, 140.0), 260.0, 100.0)
        }
        OY => vowel(
            f(550.0, 900.0, 2400.0, 80.0, 60.0, 130.0),
            f(380.0, 1900.0, 2500.0, 60.0, 100.0, 150.0),
            280.0,
            150.0,
        ),

        // Sonorant consonants: their own targets matter.
        W => consonant(Glide, Vocalic, true, f(290.0, 640.0, 2150.0, 50.0, 80.0, 80.0), 80.0, 60.0, None),
        Y => consonant(Glide, Vocalic, true, f(260.0, 2100.0, 3020.0, 40.0, 200.0, 300.0), 80.0, 40.0, None),
        R => consonant(Liquid, Vocalic, true, f(310.0, 1060.0, 1380.0, 70.0, 100.0, 120.0), 80.0, 30.0, None),
        L => consonant(Liquid, Vocalic, true, f(330.0, 1050.0, 2880.0, 50.0, 100.0, 200.0), 80.0, 40.0, None),
        M => consonant(Nasal, Bilabial, true, f(480.0, 1150.0, 2150.0, 40.0, 250.0, 250.0), 70.0, 50.0, None),
        N => consonant(Nasal, Alveolar, true, f(480.0, 1500.0, 2500.0, 40.0, 300.0, 300.0), 60.0, 30.0, None),
        NG => consonant(Nasal, Velar, true, f(480.0, 1900.0, 2700.0, 40.0, 300.0, 300.0), 95.0, 45.0, None),

        // Obstruents: formants come from the loci; these targets fill in next to silence.
        HH => consonant(Aspirate, Glottal, false, SCHWA, 80.0, 20.0, None),
        F => consonant(
            Fricative,
            Labiodental,
            false,
            f(340.0, 1100.0, 2080.0, 200.0, 120.0, 150.0),
            100.0,
            80.0,
            Some(FRIC_F),
        ),
        V => consonant(
            Fricative,
            Labiodental,
            true,
            f(220.0, 1100.0, 2080.0, 60.0, 90.0, 120.0),
            60.0,
            40.0,
            Some(FRIC_F),
        ),
        TH => {
            consonant(Fricative, Dental, false, f(320.0, 1290.0, 2540.0, 200.0, 90.0, 200.0), 90.0, 60.0, Some(FRIC_TH))
        }
        DH => {
            consonant(Fricative, Dental, true, f(270.0, 1290.0, 2540.0, 60.0, 80.0, 170.0), 50.0, 30.0, Some(FRIC_TH))
        }
        S => consonant(
            Fricative,
            Alveolar,
            false,
            f(320.0, 1390.0, 2530.0, 200.0, 80.0, 200.0),
            105.0,
            60.0,
            Some(FRIC_S),
        ),
        Z => {
            consonant(Fricative, Alveolar, true, f(240.0, 1390.0, 2530.0, 70.0, 60.0, 180.0), 75.0, 40.0, Some(FRIC_S))
        }
        SH => consonant(
            Fricative,
            Postalveolar,
            false,
            f(300.0, 1840.0, 2750.0, 200.0, 100.0, 300.0),
            105.0,
            80.0,
            Some(FRIC_SH),
        ),
        ZH => consonant(
            Fricative,
            Postalveolar,
            true,
            f(280.0, 1820.0, 2740.0, 65.0, 90.0, 280.0),
            70.0,
            40.0,
            Some(FRIC_SH),
        ),
        P => consonant(Stop, Bilabial, false, f(400.0, 1100.0, 2150.0, 300.0, 150.0, 220.0), 90.0, 50.0, Some(BURST_P)),
        B => consonant(Stop, Bilabial, true, f(200.0, 1100.0, 2150.0, 60.0, 110.0, 130.0), 85.0, 60.0, Some(BURST_P)),
        T => consonant(Stop, Alveolar, false, f(400.0, 1600.0, 2600.0, 300.0, 120.0, 250.0), 75.0, 50.0, Some(BURST_T)),
        D => consonant(Stop, Alveolar, true, f(200.0, 1600.0, 2600.0, 60.0, 100.0, 170.0), 75.0, 50.0, Some(BURST_T)),
        K => consonant(Stop, Velar, false, f(300.0, 1990.0, 2850.0, 250.0, 160.0, 330.0), 80.0, 60.0, Some(BURST_K)),
        G => consonant(Stop, Velar, true, f(200.0, 1990.0, 2850.0, 60.0, 150.0, 280.0), 80.0, 60.0, Some(BURST_K)),
        CH => consonant(
            Affricate,
            Postalveolar,
            false,
            f(350.0, 1800.0, 2820.0, 200.0, 90.0, 300.0),
            130.0,
            80.0,
            Some(BURST_CH),
        ),
        JH => consonant(
            Affricate,
            Postalveolar,
            true,
            f(260.0, 1800.0, 2820.0, 60.0, 80.0, 270.0),
            110.0,
            70.0,
            Some(BURST_CH),
        ),
    }
}

/// Where a consonant at `place` pulls F1..F3 at its boundary with a vowel whose edge is at
/// `vowel`, following the locus model: `boundary = locus + k * (vowel - locus)`.
/// Velars have no fixed F2 locus: F2 and F3 come together ("velar pinch") near the vowel's
/// own F2, higher before front vowels.
pub fn boundary_formants(place: Place, vowel: &Formants) -> [f32; 3] {
    let rule = |locus: [f32; 3], k: [f32; 3]| -> [f32; 3] {
        let mut out = [0.0; 3];
        for i in 0..3 {
            out[i] = locus[i] + k[i] * (vowel.f[i] - locus[i]);
        }
        out
    };
    match place {
        Place::Bilabial => rule([220.0, 800.0, 2000.0], [0.3, 0.6, 0.65]),
        Place::Labiodental => rule([250.0, 1000.0, 2150.0], [0.35, 0.6, 0.6]),
        Place::Dental => rule([260.0, 1400.0, 2600.0], [0.35, 0.55, 0.55]),
        Place::Alveolar => rule([220.0, 1750.0, 2700.0], [0.3, 0.5, 0.5]),
        Place::Postalveolar => rule([250.0, 2000.0, 2550.0], [0.35, 0.45, 0.45]),
        Place::Velar => {
            let f2 = vowel.f[1] + 0.35 * (2300.0 - vowel.f[1]);
            let f3 = (f2 + 550.0).min(vowel.f[2] + 100.0).max(f2 + 250.0);
            [220.0 + 0.3 * (vowel.f[0] - 220.0), f2, f3]
        }
        // `/h/` and the vocalic classes take the neighbour's shape as it is.
        Place::Glottal | Place::Vocalic => vowel.f,
    }
}

/// Parallel resonators excited by a burst and how long the burst lasts, in ms: velar bursts
/// are long and compact, labial ones short.
pub fn burst_ms(place: Place) -> f32 {
    match place {
        Place::Bilabial => 6.0,
        Place::Alveolar => 9.0,
        Place::Velar => 14.0,
        _ => 10.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phoneme_has_sane_data() {
        for p in Phoneme::ALL {
            let d = data(p);
            assert_eq!(d.manner == Manner::Vowel, p.is_vowel(), "{p:?}");
            assert!(d.min_ms > 0.0 && d.min_ms <= d.inherent_ms, "{p:?}");
            for fm in [d.onset, d.offset] {
                assert!(fm.f[0] < fm.f[1] && fm.f[1] < fm.f[2], "{p:?} formants out of order");
                assert!(fm.b.iter().all(|&b| b >= 30.0), "{p:?} bandwidth too narrow");
            }
            let noisy = matches!(d.manner, Manner::Stop | Manner::Affricate | Manner::Fricative);
            assert_eq!(d.frication.is_some(), noisy, "{p:?}");
        }
    }

    #[test]
    fn velar_pinch_follows_the_vowel() {
        let front = boundary_formants(Place::Velar, &data(Phoneme::IY).onset);
        let back = boundary_formants(Place::Velar, &data(Phoneme::AA).onset);
        assert!(front[1] > 2000.0 && back[1] < 1700.0, "{front:?} {back:?}");
        assert!(back[2] - back[1] < 700.0, "F2 and F3 come together: {back:?}");
    }

    #[test]
    fn labial_transitions_point_down_alveolar_up() {
        let aa = data(Phoneme::AA).onset;
        assert!(boundary_formants(Place::Bilabial, &aa)[1] < aa.f[1]);
        assert!(boundary_formants(Place::Alveolar, &aa)[1] > aa.f[1]);
    }
}
