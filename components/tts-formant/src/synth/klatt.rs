//! A cascade/parallel formant synthesiser in the style of Klatt (1980) and KLSYN88 (Klatt &
//! Klatt 1990), written from the published descriptions:
//!
//! - D. H. Klatt (1980), "Software for a cascade/parallel formant synthesizer", JASA 67(3):
//!   the digital resonator and antiresonator difference equations, the cascade branch for
//!   voicing and aspiration, the parallel branch with a bypass path for frication and bursts,
//!   and the nasal pole/zero pair.
//! - D. H. Klatt & L. C. Klatt (1990), "Analysis, synthesis, and perception of voice quality
//!   variations among female and male talkers", JASA 87(2): the KLGLOTT88 voicing source
//!   (a polynomial glottal flow with an open quotient), the spectral tilt filter, flutter and
//!   the pitch-synchronous modulation of noise.
//!
//! Parameters arrive as [`Frame`]s, one per [`FRAME_SAMPLES`] samples. Amplitudes are
//! interpolated sample by sample between frames; resonator coefficients are recomputed once
//! per frame from the mean of the two frames, so formants glide in steps far below what the
//! ear resolves.

use super::resonator::{AntiResonator, Resonator, safe};
use std::f32::consts::PI;

/// Internal sample rate of the synthesiser, in Hz.
pub const SAMPLE_RATE: f32 = 32_000.0;

/// Samples per parameter frame: 2.5 ms, short enough that a stop burst (5-15 ms) keeps its
/// sharp onset through the per-frame interpolation.
pub const FRAME_SAMPLES: usize = 80;

/// Coefficient of the pre-emphasis on the cascade output, and the gain that brings 500 Hz
/// back to unity (|1 - 0.8 e^(-jw)| is 0.2185 at 500 Hz and 32 kHz).
const PRE_EMPHASIS: f32 = 0.8;
const PRE_EMPHASIS_GAIN: f32 = 1.0 / 0.2185;

/// Duration of one frame in ms.
pub const FRAME_MS: f32 = FRAME_SAMPLES as f32 * 1000.0 / SAMPLE_RATE;

/// Synthesis parameters for one frame. Amplitudes are linear gains (0 = off).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// Fundamental frequency in Hz.
    pub f0: f32,
    /// Voicing amplitude.
    pub av: f32,
    /// Aspiration noise amplitude, through the cascade.
    pub ah: f32,
    /// Frication noise amplitude, through the parallel branch.
    pub af: f32,
    /// Extra attenuation of the voicing source at 3 kHz, in dB (a gentler, breathier or
    /// muffled voice; large for a voice bar).
    pub tilt_db: f32,
    /// Fraction of the glottal period the glottis is open (0.3..0.9).
    pub open_quotient: f32,
    /// Cascade formant frequencies F1..F5, Hz.
    pub formants: [f32; 5],
    /// Cascade bandwidths B1..B5, Hz.
    pub bandwidths: [f32; 5],
    /// Fixed poles above F5 (frequency, bandwidth), the higher-pole correction: without them
    /// a five-pole cascade falls off far faster above F5 than a real vocal tract.
    pub high_poles: [(f32, f32); 2],
    /// Nasal pole frequency and bandwidth, Hz.
    pub nasal_pole: (f32, f32),
    /// Nasal zero frequency and bandwidth, Hz. Equal to the pole, they cancel.
    pub nasal_zero: (f32, f32),
    /// Parallel resonator frequencies for F2..F6, Hz.
    pub parallel_formants: [f32; 5],
    /// Parallel resonator bandwidths for F2..F6, Hz.
    pub parallel_bandwidths: [f32; 5],
    /// Parallel resonator gains for F2..F6 (each resonator peaks at its gain).
    pub parallel_gains: [f32; 5],
    /// Gain of the flat bypass path of the parallel branch.
    pub bypass: f32,
}

impl Frame {
    /// A frame with every source off and the formants of a neutral male vowel.
    pub fn silent() -> Frame {
        Frame {
            f0: 100.0,
            av: 0.0,
            ah: 0.0,
            af: 0.0,
            tilt_db: 0.0,
            open_quotient: 0.5,
            formants: [500.0, 1500.0, 2500.0, 3300.0, 3750.0],
            bandwidths: [60.0, 90.0, 150.0, 250.0, 200.0],
            high_poles: [(4900.0, 400.0), (6100.0, 600.0)],
            nasal_pole: (270.0, 100.0),
            nasal_zero: (270.0, 100.0),
            parallel_formants: [1500.0, 2500.0, 3300.0, 3750.0, 4900.0],
            parallel_bandwidths: [200.0, 250.0, 300.0, 400.0, 1000.0],
            parallel_gains: [0.0; 5],
            bypass: 0.0,
        }
    }
}

/// Per-voice constants of the source.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SourceStyle {
    /// Quasi-random slow wobble of F0, as a fraction (Klatt's flutter; 0.01 = about 1 %).
    pub flutter: f32,
    /// Random cycle-to-cycle variation of the period (jitter), as a fraction.
    pub jitter: f32,
    /// Random cycle-to-cycle variation of the amplitude (shimmer), as a fraction.
    pub shimmer: f32,
    /// Aspiration mixed into voicing, relative to the voicing amplitude (breathiness).
    pub breath: f32,
}

/// The running synthesiser: filter memories, glottal phase and noise state carry over from
/// one frame (and one phrase) to the next, so the output is continuous.
pub struct Klatt {
    style: SourceStyle,
    prev: Frame,
    /// Position in the current glottal period, in samples.
    phase: f32,
    /// Length of the current period and of its open phase, in samples.
    period: f32,
    open: f32,
    /// Voicing amplitude multiplier of the current period (shimmer).
    cycle_gain: f32,
    /// Whether the current period is voiced.
    voiced: bool,
    seed: u32,
    last_noise: f32,
    cascade_prev: f32,
    time: f32,
    tilt_state: f32,
    /// Spectral tilt in dB and its filter coefficient (recomputed only when the tilt changes).
    tilt: (f32, f32),
    nasal_pole: Resonator,
    nasal_zero: AntiResonator,
    cascade: [Resonator; 5],
    high: [Resonator; 2],
    parallel: [Resonator; 5],
    /// Per-resonator compensation of the noise pre-differencing.
    parallel_comp: [f32; 5],
    /// Samples since the parallel branch last had input; it sleeps once its filters have rung out.
    parallel_idle: usize,
    /// High-pass state (removes any DC the noise shaping leaves).
    dc_x: f32,
    dc_y: f32,
}

impl Klatt {
    /// A synthesiser at rest.
    pub fn new(style: SourceStyle) -> Klatt {
        Klatt {
            style,
            prev: Frame::silent(),
            phase: 0.0,
            period: SAMPLE_RATE / 100.0,
            open: SAMPLE_RATE / 200.0,
            cycle_gain: 1.0,
            voiced: false,
            seed: 0x2545_f491,
            last_noise: 0.0,
            cascade_prev: 0.0,
            time: 0.0,
            tilt_state: 0.0,
            tilt: (0.0, 0.0),
            nasal_pole: Resonator::default(),
            nasal_zero: AntiResonator::default(),
            cascade: [Resonator::default(); 5],
            high: [Resonator::default(); 2],
            parallel: [Resonator::default(); 5],
            parallel_comp: [1.0; 5],
            parallel_idle: usize::MAX,
            dc_x: 0.0,
            dc_y: 0.0,
        }
    }

    /// Uniform noise in -1..1 (xorshift32).
    #[inline]
    fn uniform(&mut self) -> f32 {
        let mut x = self.seed;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.seed = x;
        (x as f32 / u32::MAX as f32) * 2.0 - 1.0
    }

    /// Noise with unit variance and a triangular distribution (sum of two uniforms): close
    /// enough to Gaussian for turbulence, at two thirds of the cost of Klatt's sum of more.
    #[inline]
    fn noise(&mut self) -> f32 {
        (self.uniform() + self.uniform()) * 1.224_745
    }

    /// Starts a new glottal period at the current F0 and voicing.
    fn next_period(&mut self, f0: f32, voicing: bool, open_quotient: f32) {
        let f0 = if f0.is_finite() { f0.clamp(40.0, 600.0) } else { 100.0 };
        // Klatt's flutter: three slow incommensurate sines.
        let t = self.time;
        let wobble = ((2.0 * PI * 12.7 * t).sin() + (2.0 * PI * 7.1 * t).sin() + (2.0 * PI * 4.7 * t).sin()) / 3.0;
        let jitter = self.uniform() * self.style.jitter;
        let f0 = f0 * (1.0 + self.style.flutter * wobble + jitter);
        self.period = SAMPLE_RATE / f0;
        self.open = self.period * open_quotient.clamp(0.3, 0.9);
        self.cycle_gain = 1.0 + self.uniform() * self.style.shimmer;
        self.voiced = voicing;
    }

    /// The KLGLOTT88 flow derivative at the current phase: zero while closed, then
    /// `2x - 3x^2` over the open phase (x from 0 to 1), ending in the abrupt closure that
    /// excites the vocal tract. Normalised so the closure step is 1 whatever the F0.
    #[inline]
    fn glottal(&self) -> f32 {
        let closed = self.period - self.open;
        if !self.voiced || self.phase < closed {
            return 0.0;
        }
        let x = (self.phase - closed) / self.open;
        2.0 * x - 3.0 * x * x
    }

    /// Sets the filters for the frame from `a` to `b`. The nasal pair and the parallel branch
    /// are left alone when this frame does not run them: they are set again before they do.
    fn set_filters(&mut self, a: &Frame, b: &Frame, nasal: bool, parallel: bool) {
        let mid = |x: f32, y: f32| 0.5 * (x + y);
        if nasal {
            self.nasal_pole.set_cascade(mid(a.nasal_pole.0, b.nasal_pole.0), mid(a.nasal_pole.1, b.nasal_pole.1));
            self.nasal_zero.set(mid(a.nasal_zero.0, b.nasal_zero.0), mid(a.nasal_zero.1, b.nasal_zero.1));
        }
        for i in 0..2 {
            let (fa, ba) = a.high_poles[i];
            let (fb, bb) = b.high_poles[i];
            self.high[i].set_cascade(mid(fa, fb), mid(ba, bb));
        }
        for i in 0..5 {
            self.cascade[i].set_cascade(mid(a.formants[i], b.formants[i]), mid(a.bandwidths[i], b.bandwidths[i]));
            if !parallel {
                continue;
            }
            let f = mid(a.parallel_formants[i], b.parallel_formants[i]);
            if self.parallel[i].set_peak(f, mid(a.parallel_bandwidths[i], b.parallel_bandwidths[i])) {
                // Undo the first difference's gain (2 sin(pi f / fs)) at this resonance, so
                // each parallel gain is the level of its peak whatever its frequency.
                let (f, _) = safe(f, 100.0);
                self.parallel_comp[i] = 1.0 / (2.0 * (PI * f / SAMPLE_RATE).sin()).max(0.05);
            }
        }
        let tilt_db = 0.5 * (a.tilt_db + b.tilt_db);
        if tilt_db != self.tilt.0 {
            self.tilt = (tilt_db, tilt_coefficient(tilt_db));
        }
    }

    /// Renders one frame's worth of samples, gliding from the previous frame to `frame`, and
    /// appends them to `out`.
    pub fn render(&mut self, frame: &Frame, out: &mut Vec<f32>) {
        let a = self.prev;
        let b = *frame;
        let parallel_live = a.af > 0.0 || b.af > 0.0;
        if parallel_live {
            self.parallel_idle = 0;
        } else if self.parallel_idle > 4 * FRAME_SAMPLES {
            // Silent input and filters long rung out: skip the branch, start clean next time.
            self.parallel.iter_mut().for_each(Resonator::clear);
        }
        let run_parallel = self.parallel_idle <= 4 * FRAME_SAMPLES;
        // An equal nasal pole and zero cancel exactly; skip them then. Their memories are
        // cleared together, which keeps the pair an identity when it comes back.
        let nasal_live = a.nasal_zero != a.nasal_pole || b.nasal_zero != b.nasal_pole;
        if !nasal_live {
            self.nasal_pole.clear();
            self.nasal_zero.clear();
        }
        self.set_filters(&a, &b, nasal_live, run_parallel);
        let tilt = self.tilt.1;
        // Amplitudes glide linearly across the frame: each starts at the previous frame's
        // value and moves by a fixed step per sample.
        let step = 1.0 / FRAME_SAMPLES as f32;
        let ramp = |p: f32, q: f32| (p, (q - p) * step);
        let (mut av, dav) = ramp(a.av, b.av);
        let (mut ah, dah) = ramp(a.ah, b.ah);
        let (mut af, daf) = ramp(a.af, b.af);
        let (mut bypass, dbypass) = ramp(a.bypass, b.bypass);
        let mut gains = [0.0f32; 5];
        let mut dgains = [0.0f32; 5];
        for i in 0..5 {
            // Alternating signs keep neighbouring resonators from cancelling between peaks.
            let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
            let comp = sign * self.parallel_comp[i];
            (gains[i], dgains[i]) = ramp(a.parallel_gains[i] * comp, b.parallel_gains[i] * comp);
        }
        let breath = self.style.breath;
        out.reserve(FRAME_SAMPLES);
        for n in 0..FRAME_SAMPLES {
            self.phase += 1.0;
            if self.phase >= self.period {
                self.phase -= self.period;
                let x = n as f32 * step;
                let f0 = a.f0 + (b.f0 - a.f0) * x;
                let oq = a.open_quotient + (b.open_quotient - a.open_quotient) * x;
                self.next_period(f0, av > 0.0, oq);
                if self.phase >= self.period {
                    self.phase = 0.0;
                }
            }
            let noise = self.noise();
            // Turbulence is weaker while the folds are closed: noise is halved in the closed
            // phase of voiced periods, which gives voiced fricatives their buzz.
            let closed = self.voiced && self.phase < self.period - self.open;
            let noise = if closed { noise * 0.5 } else { noise };
            let previous_noise = self.last_noise;
            self.last_noise = noise;

            let voice = self.glottal() * av * self.cycle_gain;
            self.tilt_state = voice + tilt * (self.tilt_state - voice);
            // The 1e-6 floor (-120 dB) keeps the filter memories out of slow subnormal floats
            // during pauses.
            let aspiration = noise * (ah + av * breath + 1e-6);
            let source = self.tilt_state + aspiration;
            let mut y = if nasal_live { self.nasal_zero.run(self.nasal_pole.run(source)) } else { source };
            y = self.high[1].run(y);
            y = self.high[0].run(y);
            y = self.cascade[4].run(y);
            y = self.cascade[3].run(y);
            y = self.cascade[2].run(y);
            y = self.cascade[1].run(y);
            y = self.cascade[0].run(y);
            // A gentle first-order pre-emphasis (unity gain near 500 Hz, rising above) brings
            // F2-F5 up to the levels of the long-term spectrum of natural speech; without it
            // the -6 dB/octave source leaves them dull.
            let corrected = (y - PRE_EMPHASIS * self.cascade_prev) * PRE_EMPHASIS_GAIN;
            self.cascade_prev = y;
            let mut y = corrected;

            if run_parallel {
                // First difference of the noise (+6 dB/octave, the radiation characteristic):
                // keeps fricative energy out of the low frequencies the resonator skirts pass.
                let fric = (noise - previous_noise) * af;
                for i in 0..5 {
                    y += gains[i] * self.parallel[i].run(fric);
                    gains[i] += dgains[i];
                }
                y += bypass * fric;
                if !parallel_live {
                    self.parallel_idle += 1;
                }
            }
            av += dav;
            ah += dah;
            af += daf;
            bypass += dbypass;

            // One-pole high-pass near 30 Hz.
            let hp = y - self.dc_x + 0.994 * self.dc_y;
            self.dc_x = y;
            self.dc_y = if hp.is_finite() { hp } else { 0.0 };
            out.push(self.dc_y);
            self.time += 1.0 / SAMPLE_RATE;
        }
        // Keep the flutter clock small so f32 keeps its precision over long texts.
        if self.time > 1000.0 {
            self.time -= 1000.0;
        }
        self.prev = b;
    }
}

/// Pole of a one-pole low-pass that attenuates 3 kHz by `db` relative to DC (KLSYN88's TL).
fn tilt_coefficient(db: f32) -> f32 {
    if db.is_nan() || db <= 0.05 {
        return 0.0;
    }
    let g = 10f32.powf(-db.min(40.0) / 10.0);
    let cw = (2.0 * PI * 3000.0 / SAMPLE_RATE).cos();
    // Solve (1-a)^2 = g (1 - 2a cos w + a^2) for the root in 0..1.
    let p = 1.0 - g;
    let q = 1.0 - g * cw;
    let disc = (q * q - p * p).max(0.0);
    ((q - disc.sqrt()) / p).clamp(0.0, 0.999)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style() -> SourceStyle {
        SourceStyle { flutter: 0.0, jitter: 0.0, shimmer: 0.0, breath: 0.0 }
    }

    /// Magnitude of `signal` at `freq` (single-bin DFT with a Hann window).
    fn magnitude(signal: &[f32], freq: f32) -> f32 {
        let n = signal.len() as f32;
        let (mut re, mut im) = (0.0f32, 0.0f32);
        for (i, &s) in signal.iter().enumerate() {
            let w = 0.5 - 0.5 * (2.0 * PI * i as f32 / n).cos();
            let ph = 2.0 * PI * freq * i as f32 / SAMPLE_RATE;
            re += s * w * ph.cos();
            im += s * w * ph.sin();
        }
        (re * re + im * im).sqrt()
    }

    fn vowel(f: [f32; 5], f0: f32) -> Frame {
        Frame { f0, av: 1.0, formants: f, ..Frame::silent() }
    }

    #[test]
    fn tilt_attenuates_3k_by_the_asked_amount() {
        for db in [3.0f32, 10.0, 24.0] {
            let a = tilt_coefficient(db);
            let w = 2.0 * PI * 3000.0 / SAMPLE_RATE;
            let gain2 = (1.0 - a).powi(2) / (1.0 - 2.0 * a * w.cos() + a * a);
            assert!((10.0 * gain2.log10() + db).abs() < 0.05, "{db}");
        }
        assert_eq!(tilt_coefficient(0.0), 0.0);
        assert_eq!(tilt_coefficient(f32::NAN), 0.0);
    }

    #[test]
    fn vowel_spectrum_peaks_at_its_formants() {
        let mut k = Klatt::new(style());
        let frame = vowel([300.0, 2200.0, 3000.0, 3300.0, 3750.0], 100.0);
        let mut out = Vec::new();
        for _ in 0..200 {
            k.render(&frame, &mut out);
        }
        let steady = &out[8000..];
        // Harmonics of 100 Hz at the formants are stronger than harmonics between them.
        let at_f1 = magnitude(steady, 300.0);
        let at_f2 = magnitude(steady, 2200.0);
        let between = magnitude(steady, 1200.0);
        assert!(at_f1 > 10.0 * between, "{at_f1} {between}");
        assert!(at_f2 > 3.0 * between, "{at_f2} {between}");
        assert!(out.iter().all(|s| s.is_finite()));
    }

    #[test]
    fn period_follows_f0() {
        let mut k = Klatt::new(style());
        let frame = vowel([700.0, 1200.0, 2500.0, 3300.0, 3750.0], 125.0);
        let mut out = Vec::new();
        for _ in 0..100 {
            k.render(&frame, &mut out);
        }
        let s = &out[4000..];
        let best = (200..400)
            .max_by(|&a, &b| {
                let ca: f32 = s.iter().zip(&s[a..]).map(|(x, y)| x * y).sum();
                let cb: f32 = s.iter().zip(&s[b..]).map(|(x, y)| x * y).sum();
                ca.total_cmp(&cb)
            })
            .unwrap_or(0);
        assert!((best as f32 - SAMPLE_RATE / 125.0).abs() <= 1.0, "{best}");
    }

    #[test]
    fn equal_nasal_pole_and_zero_cancel() {
        let render = |zero: (f32, f32)| {
            let mut k = Klatt::new(style());
            let frame = Frame { nasal_zero: zero, ..vowel([500.0, 1500.0, 2500.0, 3300.0, 3750.0], 90.0) };
            let mut out = Vec::new();
            for _ in 0..60 {
                k.render(&frame, &mut out);
            }
            out
        };
        let plain = render((270.0, 100.0));
        let nasal = render((500.0, 100.0));
        let p = magnitude(&plain[1600..], 270.0);
        let n = magnitude(&nasal[1600..], 270.0);
        assert!(n > 2.0 * p, "a free nasal pole adds a low resonance: {p} {n}");
    }

    #[test]
    fn frication_goes_through_the_parallel_branch_and_sleeps_after() {
        let mut k = Klatt::new(style());
        let fric = Frame { af: 1.0, parallel_gains: [0.0, 0.0, 0.0, 0.0, 1.0], ..Frame::silent() };
        let mut out = Vec::new();
        for _ in 0..40 {
            k.render(&fric, &mut out);
        }
        let band = |f: f32| (0..8).map(|i| magnitude(&out[800..], f + 20.0 * i as f32)).sum::<f32>();
        let hi = band(4900.0);
        let lo = band(500.0);
        assert!(hi > 10.0 * lo, "{hi} {lo}");
        out.clear();
        for _ in 0..40 {
            k.render(&Frame::silent(), &mut out);
        }
        assert!(out[out.len() - 100..].iter().all(|s| s.abs() < 1e-4));
    }

    #[test]
    fn hostile_parameters_stay_finite() {
        let mut k = Klatt::new(style());
        let bad = Frame {
            f0: f32::NAN,
            av: 1.0,
            ah: 1.0,
            af: 1.0,
            tilt_db: f32::INFINITY,
            open_quotient: -3.0,
            formants: [0.0, -5.0, f32::NAN, 1e9, 16000.0],
            bandwidths: [0.0, f32::INFINITY, -1.0, 1.0, 1e9],
            nasal_pole: (0.0, 0.0),
            nasal_zero: (f32::NAN, 0.0),
            parallel_gains: [1.0; 5],
            bypass: 1.0,
            ..Frame::silent()
        };
        let mut out = Vec::new();
        for _ in 0..50 {
            k.render(&bad, &mut out);
        }
        assert!(out.iter().all(|s| s.is_finite()));
    }
}
