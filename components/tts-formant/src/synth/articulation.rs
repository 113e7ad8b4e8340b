//! From phones in time to synthesiser frames: formant tracks with coarticulation, and the
//! source amplitudes (voicing, aspiration, frication) that make stops, fricatives, nasals
//! and glides.
//!
//! Formants follow anchor points joined by monotone cubic interpolation. Vowels and sonorants
//! anchor at their own targets; at each boundary an anchor is placed where the dominant
//! phone puts it: a consonant pulls the formants towards its locus (stops, nasals,
//! fricatives: `locus + k (vowel - locus)`, Klatt 1980 / Delattre et al. 1955), a liquid or
//! glide towards its own target with slow transitions (the cue that makes /w/ a glide and not
//! /b/), two vowels meet half way, and /h/ takes the shape of its neighbours. Stops anchor
//! their transition at the release, so aspiration carries the formant movement, as in
//! natural speech.

use super::intonation;
use super::klatt::{FRAME_MS, Frame};
use super::phonetics::{self, Formants, Frication, Manner, OFF, SCHWA};
use super::prosody::{PhrasePlan, Release, Segment};
use super::request::Settings;
use super::track::{Shape, Track};
use super::voices::Voice;
use crate::phoneme::{Phoneme, Stress};

/// Level of frication noise that makes a fricative at 0 dB as loud as a stressed vowel.
const FRICATION_REF: f32 = 1.2;
/// Level of aspiration noise (through the cascade) for `/h/` and aspirated stops.
const ASPIRATION_REF: f32 = 0.1;
/// Nasal pole of the cascade (Klatt 1980: 270 Hz, 100 Hz bandwidth).
const NASAL_POLE: (f32, f32) = (270.0, 100.0);
/// Bandwidths of the parallel resonators F2..F6.
const PARALLEL_BW: [f32; 5] = [250.0, 320.0, 350.0, 500.0, 1200.0];
/// Fixed upper formants of an adult male tract (Klatt 1980 defaults), scaled per voice.
const F4_F5_F6: [f32; 3] = [3300.0, 3750.0, 4900.0];
/// Fixed cascade poles above F5 (frequency, bandwidth) of an adult male tract, scaled per
/// voice: the higher-pole correction.
const HIGH_POLES: [(f32, f32); 2] = [(4900.0, 400.0), (6100.0, 600.0)];
const B4_B5: [f32; 2] = [250.0, 200.0];
/// Voicing of the whole phrase falls by this much from start to end (dB).
const LOUDNESS_DECLINATION_DB: f32 = 3.0;
/// Parallel branch setting before any noisy phone.
const SILENT_NOISE: Frication = Frication { level_db: OFF, gains_db: [OFF; 5], bypass_db: OFF };

fn db(x: f32) -> f32 {
    if x <= OFF + 1.0 { 0.0 } else { 10f32.powf(x / 20.0) }
}

/// The targets a segment aims for itself at its start and end, if it has its own (vowels and
/// sonorants); obstruents take theirs from the neighbours.
fn own_targets(segments: &[Segment], i: usize) -> Option<(Formants, Formants)> {
    let s = &segments[i];
    let d = &s.data;
    match d.manner {
        Manner::Vowel => {
            // Unstressed vowels reduce towards schwa; reduced /ʌ/ is schwa.
            let reduce = match (s.phoneme, s.stress) {
                (Phoneme::AH, Stress::Unstressed) => 1.0,
                (Phoneme::ER, Stress::Unstressed) => 0.15,
                (_, Stress::Unstressed) => 0.3,
                _ => 0.0,
            };
            Some((d.onset.lerp(&SCHWA, reduce), d.offset.lerp(&SCHWA, reduce)))
        }
        Manner::Liquid if s.phoneme == Phoneme::L => {
            // "Dark" /l/ after a vowel and before no vowel has a lower F2.
            let vowel_next = segments.get(i + 1).is_some_and(|n| n.phoneme.is_vowel());
            let mut t = d.onset;
            if !vowel_next {
                t.f = [400.0, 880.0, 2600.0];
            }
            Some((t, t))
        }
        Manner::Nasal | Manner::Liquid | Manner::Glide => Some((d.onset, d.offset)),
        _ => None,
    }
}

/// Priority in coarticulation: the higher rank sets the boundary.
fn rank(m: Manner) -> u8 {
    match m {
        Manner::Vowel => 0,
        Manner::Glide | Manner::Liquid => 1,
        Manner::Nasal => 2,
        Manner::Fricative | Manner::Affricate | Manner::Stop | Manner::Aspirate => 3,
    }
}

/// How long a consonant's transition lasts in the neighbouring vowel, ms.
fn transition_ms(m: Manner) -> f32 {
    match m {
        Manner::Glide => 75.0,
        Manner::Liquid => 65.0,
        Manner::Nasal => 45.0,
        Manner::Stop | Manner::Affricate => 50.0,
        Manner::Fricative => 40.0,
        Manner::Vowel | Manner::Aspirate => 0.0,
    }
}

/// A formant anchor at a boundary and how far from it the neighbours' own targets begin.
struct Boundary {
    time: f32,
    formants: Option<[f32; 3]>,
    /// Transition length inside the left and the right segment, ms.
    left: f32,
    right: f32,
}

fn boundary(segments: &[Segment], targets: &[Option<(Formants, Formants)>], i: usize) -> Boundary {
    let (a, b) = (&segments[i], &segments[i + 1]);
    let time = match (a.data.manner, a.release) {
        (Manner::Stop, Release::Full | Release::Weak) => a.release_ms(),
        _ => a.end_ms(),
    };
    let (ma, mb) = (a.data.manner, b.data.manner);
    let (ea, eb) = (targets[i].map(|t| t.1), targets[i + 1].map(|t| t.0));
    let mut out = Boundary { time, formants: None, left: 0.0, right: 0.0 };
    match (ea, eb) {
        (Some(ea), Some(eb)) => {
            if ma == Manner::Vowel && mb == Manner::Vowel {
                out.formants = Some(std::array::from_fn(|k| 0.5 * (ea.f[k] + eb.f[k])));
                out.left = (0.4 * a.dur_ms).min(50.0);
                out.right = (0.4 * b.dur_ms).min(50.0);
            } else {
                let a_dominant = rank(ma) >= rank(mb);
                let (dom, sub, dom_edge, sub_edge) = if a_dominant { (a, b, ea, eb) } else { (b, a, eb, ea) };
                let f = match dom.data.manner {
                    Manner::Nasal => phonetics::boundary_formants(dom.data.place, &sub_edge),
                    // Liquids and glides: mostly their own shape.
                    _ => std::array::from_fn(|k| dom_edge.f[k] + 0.25 * (sub_edge.f[k] - dom_edge.f[k])),
                };
                let (dom_t, sub_t) = if sub.data.manner == Manner::Vowel {
                    let inside = match dom.data.manner {
                        Manner::Glide => 0.45 * dom.dur_ms,
                        Manner::Liquid => 0.3 * dom.dur_ms,
                        _ => 10.0,
                    };
                    (inside, transition_ms(dom.data.manner))
                } else {
                    (15.0, 15.0)
                };
                out.formants = Some(f);
                (out.left, out.right) = if a_dominant { (dom_t, sub_t) } else { (sub_t, dom_t) };
            }
        }
        (Some(edge), None) | (None, Some(edge)) => {
            let (obstruent, own_is_left) = if ea.is_some() { (b, true) } else { (a, false) };
            let own = if own_is_left { a } else { b };
            let (f, t) = if obstruent.data.manner == Manner::Aspirate {
                (edge.f, 0.0)
            } else if own.data.manner == Manner::Vowel {
                (phonetics::boundary_formants(obstruent.data.place, &edge), transition_ms(obstruent.data.manner))
            } else {
                (edge.f, 15.0)
            };
            out.formants = Some(f);
            if own_is_left {
                out.left = t;
            } else {
                out.right = t;
            }
        }
        (None, None) => {}
    }
    out
}

/// Formant and bandwidth tracks for the phrase, read at the frame times.
fn formant_tracks(segments: &[Segment], times: (f32, usize)) -> ([Vec<f32>; 3], [Vec<f32>; 3]) {
    let targets: Vec<Option<(Formants, Formants)>> = (0..segments.len()).map(|i| own_targets(segments, i)).collect();
    let bounds: Vec<Boundary> =
        (0..segments.len().saturating_sub(1)).map(|i| boundary(segments, &targets, i)).collect();
    let mut f: [Track; 3] = std::array::from_fn(|_| Track::new(Shape::Smooth, 0.0));
    let mut b: [Track; 3] = std::array::from_fn(|_| Track::new(Shape::Linear, 0.0));
    for bound in &bounds {
        if let Some(v) = bound.formants {
            (0..3).for_each(|k| f[k].push(bound.time, v[k]));
        }
    }
    for (i, s) in segments.iter().enumerate() {
        let (start, end) = (s.start_ms, s.end_ms());
        // Bandwidths simply follow each phone's own (Klatt's table) values.
        let (on, off) = targets[i].unwrap_or((s.data.onset, s.data.offset));
        (0..3).for_each(|k| {
            b[k].push(start + 0.3 * s.dur_ms, on.b[k]);
            b[k].push(end - 0.3 * s.dur_ms, off.b[k]);
        });
        let Some((onset, offset)) = targets[i] else {
            // An obstruent at a phrase edge with no anchor at all still needs formants.
            if segments.len() == 1 {
                (0..3).for_each(|k| f[k].push(start, s.data.onset.f[k]));
            }
            continue;
        };
        let left = i.checked_sub(1).map(|j| &bounds[j]);
        let right = bounds.get(i);
        let mut t0 = left.map_or(start, |l| l.time + l.right).max(start + 0.1 * s.dur_ms);
        let mut t1 = right.map_or(end, |r| r.time - r.left).min(end - 0.1 * s.dur_ms);
        if onset != offset {
            // Diphthongs hold the first target a while, then glide.
            t0 = t0.max(start + 0.25 * s.dur_ms);
            t1 = t1.min(end - 0.2 * s.dur_ms);
        }
        if t1 - t0 >= 5.0 {
            (0..3).for_each(|k| {
                f[k].push(t0, onset.f[k]);
                f[k].push(t1, offset.f[k]);
            });
        } else {
            // Too short to reach the target: undershoot towards the boundaries.
            let mid = onset.lerp(&offset, 0.5);
            let t = (0.5 * (t0 + t1)).clamp(start, end);
            (0..3).for_each(|k| {
                let around: Vec<f32> =
                    [left, right].iter().flatten().filter_map(|x| x.formants.map(|v| v[k])).collect();
                let pull = if around.is_empty() { mid.f[k] } else { around.iter().sum::<f32>() / around.len() as f32 };
                f[k].push(t, mid.f[k] + 0.25 * (pull - mid.f[k]));
            });
        }
    }
    let (step, count) = times;
    (f.map(|t| t.sample(step, step, count)), b.map(|t| t.sample(step, step, count)))
}

/// Source amplitude tracks, all linear gains except `tilt` (dB) and `open` (0..1, how open
/// the glottis is: widens B1 during voiceless sounds).
struct Sources {
    av: Track,
    ah: Track,
    af: Track,
    tilt: Track,
    open: Track,
}

/// Pushes `(start + a, v)` and `(end - b, v)`, squeezed to the middle if the segment is short.
fn hold(track: &mut Track, s: &Segment, a: f32, b: f32, v: f32) {
    let (start, end) = (s.start_ms, s.end_ms());
    let (mut t0, mut t1) = (start + a, end - b);
    if t0 > t1 {
        let mid = start + s.dur_ms * a / (a + b).max(1e-3);
        (t0, t1) = (mid, mid);
    }
    track.push(t0, v);
    if t1 > t0 {
        track.push(t1, v);
    }
}

fn sources(segments: &[Segment]) -> Sources {
    let mut src = Sources {
        av: Track::new(Shape::Linear, 0.0),
        ah: Track::new(Shape::Linear, 0.0),
        af: Track::new(Shape::Linear, 0.0),
        tilt: Track::new(Shape::Linear, 0.0),
        open: Track::new(Shape::Linear, 0.0),
    };
    let n = segments.len();
    for (i, s) in segments.iter().enumerate() {
        let level = db(s.level_db);
        let prev = i.checked_sub(1).map(|j| &segments[j]);
        let next = segments.get(i + 1);
        let voiced_neighbour = |o: Option<&Segment>| o.is_some_and(|o| o.data.voiced);
        let (start, end, r) = (s.start_ms, s.end_ms(), s.release_ms());
        let fric = s.data.frication.map_or(0.0, |f| FRICATION_REF * db(f.level_db));
        match s.data.manner {
            Manner::Vowel | Manner::Nasal | Manner::Liquid | Manner::Glide => {
                // Sonorant consonants are voiced a little softer than vowels.
                let gain = if s.data.manner == Manner::Vowel { 1.0 } else { db(-2.0) };
                if i == 0 {
                    src.av.push(start, 0.0);
                }
                let attack = if i == 0 { 15.0 } else { 4.0 };
                if i + 1 == n {
                    // Phrase-final: voicing decays over the last 40 ms.
                    hold(&mut src.av, s, attack, 40.0, level * gain);
                    src.av.push(end, 0.0);
                } else {
                    hold(&mut src.av, s, attack, 4.0, level * gain);
                }
                hold(&mut src.ah, s, 10.0, 10.0, 0.0);
                hold(&mut src.af, s, 5.0, 5.0, 0.0);
                hold(&mut src.tilt, s, 5.0, 5.0, 0.0);
                hold(&mut src.open, s, 8.0, 8.0, 0.0);
            }
            Manner::Aspirate => {
                // Intervocalic /h/ ("ahead") is breathy voice rather than silence.
                let breathy = prev.is_some_and(|p| p.phoneme.is_vowel()) && next.is_some_and(|n| n.phoneme.is_vowel());
                hold(&mut src.av, s, 8.0, 2.0, if breathy { 0.35 * level } else { 0.0 });
                hold(&mut src.ah, s, 12.0, 6.0, ASPIRATION_REF * 0.8);
                hold(&mut src.af, s, 2.0, 2.0, 0.0);
                hold(&mut src.tilt, s, 5.0, 5.0, 0.0);
                hold(&mut src.open, s, 10.0, 5.0, 1.0);
            }
            Manner::Fricative => {
                let (av, tilt, noise) = match (s.data.voiced, s.phoneme) {
                    (false, _) => (0.0, 0.0, fric),
                    // /ð/ is usually a weak, mostly voiced dental approximant.
                    (true, Phoneme::DH) => (0.6 * level, 8.0, 0.35 * fric),
                    (true, _) => (0.5 * level, 12.0, 0.6 * fric),
                };
                // Voicing lingers into a voiceless fricative; noise builds up gradually.
                let final_devoice = s.data.voiced && i + 1 == n;
                hold(&mut src.av, s, if av > 0.0 { 8.0 } else { 15.0 }, 3.0, av);
                if final_devoice {
                    src.av.push(end, 0.0);
                }
                hold(&mut src.af, s, 14.0, 10.0, noise);
                hold(&mut src.ah, s, 5.0, 5.0, 0.0);
                hold(&mut src.tilt, s, 8.0, 8.0, tilt);
                hold(&mut src.open, s, 10.0, 10.0, if s.data.voiced { 0.2 } else { 1.0 });
            }
            Manner::Stop | Manner::Affricate => {
                if s.release == Release::Flap {
                    // A brief voiced tap: voicing dips, no burst.
                    src.av.push(start + 0.5 * s.dur_ms, 0.5 * level);
                    src.tilt.push(start + 0.5 * s.dur_ms, 10.0);
                    for t in [&mut src.af, &mut src.ah, &mut src.open] {
                        t.push(start + 0.5 * s.dur_ms, 0.0);
                    }
                    continue;
                }
                let affricate = s.data.manner == Manner::Affricate;
                let voice_bar = s.data.voiced && voiced_neighbour(prev);
                // Closure: silence, or a low-frequency voice bar for voiced stops.
                src.av.push(start + 10.0_f32.min(0.4 * s.closure_ms), if voice_bar { 0.22 * level } else { 0.0 });
                src.av.push(r - 1.0_f32.min(0.1 * s.closure_ms), if voice_bar { 0.12 * level } else { 0.0 });
                src.tilt.push(start + 8.0_f32.min(0.4 * s.closure_ms), if voice_bar { 24.0 } else { 0.0 });
                src.ah.push(start + 2.0_f32.min(0.2 * s.dur_ms), 0.0);
                src.af.push(start + 2.0_f32.min(0.2 * s.dur_ms), 0.0);
                src.open.push(start + 8.0_f32.min(0.4 * s.closure_ms), if s.data.voiced { 0.0 } else { 0.6 });
                let released = matches!(s.release, Release::Full | Release::Weak) || affricate;
                if !released {
                    src.af.push(r, 0.0);
                    src.ah.push(r, 0.0);
                    src.tilt.push(r, 0.0);
                    src.av.push(end, 0.0);
                    continue;
                }
                src.af.push(r, 0.0);
                src.ah.push(r, 0.0);
                if affricate {
                    // Abrupt onset of frication is what tells /tʃ/ from /ʃ/.
                    let level_f = if s.data.voiced { 0.6 * fric } else { fric };
                    src.af.push(r + 0.5, 1.4 * level_f);
                    src.af.push(r + 6.0, level_f);
                    src.af.push(end - 8.0_f32.min(0.2 * (end - r)), level_f);
                    src.av.push(r + 3.0, if s.data.voiced { 0.45 * level } else { 0.0 });
                    src.av.push(end - 3.0, if s.data.voiced { 0.45 * level } else { 0.0 });
                    src.tilt.push(r + 3.0, if s.data.voiced { 12.0 } else { 0.0 });
                    src.ah.push(end, 0.0);
                    src.open.push(end, if s.data.voiced { 0.2 } else { 1.0 });
                    continue;
                }
                let burst = phonetics::burst_ms(s.data.place);
                let weak = if s.release == Release::Weak { 0.4 } else { 1.0 };
                let strength = weak * if s.data.voiced { 0.5 } else { 1.0 };
                let burst_end = (r + burst).min(end);
                src.af.push(r + 0.3, strength * fric * 1.3);
                src.af.push(r + 0.5 * burst, strength * fric);
                src.af.push(burst_end, 0.2 * strength * fric);
                src.af.push((burst_end + 4.0).min(end + 4.0), 0.0);
                src.tilt.push(r + 2.0, 0.0);
                if s.aspiration_ms > 0.0 {
                    src.ah.push(r + 0.5 * burst, 0.3 * ASPIRATION_REF);
                    src.ah.push(burst_end + 3.0, ASPIRATION_REF);
                    src.ah.push(end, 0.6 * ASPIRATION_REF);
                    src.open.push(end, 1.0);
                    src.av.push(end, 0.0);
                } else if s.data.voiced {
                    src.open.push(end, 0.0);
                    src.av.push(r + 0.5 * burst, 0.1 * level);
                    src.av.push(end, 0.5 * level);
                } else {
                    src.open.push(end, 0.5);
                    src.av.push(end, 0.0);
                }
            }
        }
    }
    src
}

/// Anticipatory and carry-over nasalisation: how open the velum is at `t` (0..1).
fn nasality(segments: &[Segment], t: f32) -> f32 {
    let mut n = 0.0f32;
    for (i, s) in segments.iter().enumerate() {
        if s.data.manner != Manner::Nasal {
            continue;
        }
        let (start, end) = (s.start_ms, s.end_ms());
        let vowel_before = i > 0 && segments[i - 1].data.voiced;
        let vowel_after = segments.get(i + 1).is_some_and(|x| x.data.voiced);
        let v = if t >= start && t <= end {
            1.0
        } else if t < start && vowel_before {
            let lead = start - t;
            if lead < 12.0 { 1.0 - 0.7 * lead / 12.0 } else { (0.3 * (1.0 - (lead - 12.0) / 60.0)).max(0.0) }
        } else if t > end && vowel_after {
            let lag = t - end;
            if lag < 10.0 { 1.0 - 0.75 * lag / 10.0 } else { (0.25 * (1.0 - (lag - 10.0) / 30.0)).max(0.0) }
        } else {
            0.0
        };
        n = n.max(v);
    }
    n
}

/// Synthesiser frames for a planned phrase: one per [`FRAME_MS`], the first describing the
/// end of the first frame interval.
pub fn frames(
    plan: &PhrasePlan,
    position: intonation::PhrasePosition,
    voice: &Voice,
    settings: &Settings,
) -> Vec<Frame> {
    let segments = &plan.segments;
    let count = (plan.duration_ms / FRAME_MS).ceil().max(0.0) as usize;
    if count == 0 {
        return Vec::new();
    }
    let f0 = intonation::contour(plan, position, voice, settings).sample(FRAME_MS, FRAME_MS, count);
    let (f, b) = formant_tracks(segments, (FRAME_MS, count));
    let src = sources(segments);
    let [av, ah, af, tilt, open] =
        [&src.av, &src.ah, &src.af, &src.tilt, &src.open].map(|t| t.sample(FRAME_MS, FRAME_MS, count));
    let scale = voice.formant_scale;
    let bw_scale = 1.0 + 0.5 * (scale - 1.0);
    let nasal_pole = (NASAL_POLE.0 * scale.sqrt(), NASAL_POLE.1);
    let mut shape = segments.iter().find_map(|s| s.data.frication).unwrap_or(SILENT_NOISE);
    // The parallel gains of the current noise shape, converted from dB only when the shape
    // changes: six powf a frame were most of the time this function took in wasm.
    let gains = |shape: Frication| (shape, shape.gains_db.map(db), db(shape.bypass_db));
    let mut levels = gains(shape);
    let mut cursor = 0;
    let mut out = Vec::with_capacity(count);
    for k in 0..count {
        let t = (k + 1) as f32 * FRAME_MS;
        while cursor + 1 < segments.len() && segments[cursor].end_ms() <= t {
            cursor += 1;
        }
        let near = &segments[cursor.saturating_sub(8)..(cursor + 8).min(segments.len())];
        shape = segments.get(cursor).filter(|s| t >= s.start_ms).and_then(|s| s.data.frication).unwrap_or(shape);
        if levels.0 != shape {
            levels = gains(shape);
        }
        let decline = db(-LOUDNESS_DECLINATION_DB * t / plan.duration_ms.max(1.0));
        let b1 = b[0][k] + 200.0 * open[k].clamp(0.0, 1.0);
        let formants = [f[0][k] * scale, f[1][k] * scale, f[2][k] * scale, F4_F5_F6[0] * scale, F4_F5_F6[1] * scale];
        let bandwidths =
            [b1 * bw_scale, b[1][k] * bw_scale, b[2][k] * bw_scale, B4_B5[0] * bw_scale, B4_B5[1] * bw_scale];
        let nas = nasality(near, t);
        let zero =
            (nasal_pole.0 + (formants[0] - nasal_pole.0) * nas, nasal_pole.1 + (bandwidths[0] - nasal_pole.1) * nas);
        out.push(Frame {
            f0: f0[k],
            av: av[k].max(0.0) * decline,
            ah: ah[k].max(0.0),
            af: af[k].max(0.0),
            tilt_db: voice.tilt_db + tilt[k].max(0.0),
            open_quotient: voice.open_quotient,
            formants,
            bandwidths,
            high_poles: HIGH_POLES.map(|(f, b)| (f * scale, b * bw_scale)),
            nasal_pole,
            nasal_zero: zero,
            parallel_formants: [formants[1], formants[2], formants[3], formants[4], F4_F5_F6[2] * scale],
            parallel_bandwidths: PARALLEL_BW.map(|x| x * bw_scale),
            parallel_gains: levels.1,
            bypass: levels.2,
        });
    }
    out
}
