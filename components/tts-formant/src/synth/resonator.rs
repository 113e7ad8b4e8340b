//! The resonators of the Klatt synthesiser: the two-pole resonator of its formants and the
//! two-zero anti-resonator of its nasal zero (Klatt 1980, eqs. 2 and 3).

use super::klatt::SAMPLE_RATE;
use std::f32::consts::PI;

/// A two-pole digital resonator: `y[n] = a x[n] + b y[n-1] + c y[n-2]`.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Resonator {
    a: f32,
    b: f32,
    c: f32,
    y1: f32,
    y2: f32,
    /// Frequency and bandwidth of the coefficients: many stay put for long stretches (upper
    /// poles always, all in pauses), so the exp and cos behind them run only on a change.
    key: Option<(f32, f32)>,
}

/// Clamps a frequency and bandwidth into the range the difference equations are stable for.
pub(super) fn safe(freq: f32, bw: f32) -> (f32, f32) {
    let f = if freq.is_finite() { freq.clamp(20.0, SAMPLE_RATE * 0.45) } else { 500.0 };
    let b = if bw.is_finite() { bw.clamp(15.0, SAMPLE_RATE * 0.2) } else { 100.0 };
    (f, b)
}

/// `(b, c, r)` of a resonator at `freq` with bandwidth `bw`.
fn pole_coefficients(freq: f32, bw: f32) -> (f32, f32, f32) {
    let (f, bw) = safe(freq, bw);
    let r = (-PI * bw / SAMPLE_RATE).exp();
    (2.0 * r * (2.0 * PI * f / SAMPLE_RATE).cos(), -r * r, r)
}

impl Resonator {
    /// Unity gain at DC, as in a cascade: the formant amplitudes then follow from the
    /// formant frequencies as in a real vocal tract.
    pub(super) fn set_cascade(&mut self, freq: f32, bw: f32) {
        if self.key.replace((freq, bw)) == Some((freq, bw)) {
            return;
        }
        let (b, c, _) = pole_coefficients(freq, bw);
        self.a = 1.0 - b - c;
        self.b = b;
        self.c = c;
    }

    /// Unity gain at the resonance peak, as in the parallel branch, where each resonator's
    /// gain sets the level of that spectral peak directly. Returns whether the coefficients
    /// changed (a resonator is a cascade or a peak one, never both: they share the key).
    pub(super) fn set_peak(&mut self, freq: f32, bw: f32) -> bool {
        if self.key.replace((freq, bw)) == Some((freq, bw)) {
            return false;
        }
        let (b, c, r) = pole_coefficients(freq, bw);
        let (f, _) = safe(freq, bw);
        let theta = 2.0 * PI * f / SAMPLE_RATE;
        self.a = (1.0 - r) * (1.0 - 2.0 * r * (2.0 * theta).cos() + r * r).max(0.0).sqrt();
        self.b = b;
        self.c = c;
        true
    }

    #[inline]
    pub(super) fn run(&mut self, x: f32) -> f32 {
        let y = self.a * x + self.b * self.y1 + self.c * self.y2;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }

    pub(super) fn clear(&mut self) {
        self.y1 = 0.0;
        self.y2 = 0.0;
    }
}

/// A two-zero antiresonator, the inverse of a [`Resonator`]: `y = a x + b x1 + c x2`.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct AntiResonator {
    a: f32,
    b: f32,
    c: f32,
    x1: f32,
    x2: f32,
    /// As in [`Resonator`].
    key: Option<(f32, f32)>,
}

impl AntiResonator {
    pub(super) fn set(&mut self, freq: f32, bw: f32) {
        if self.key.replace((freq, bw)) == Some((freq, bw)) {
            return;
        }
        let (b, c, _) = pole_coefficients(freq, bw);
        // a = 1 - b - c is (1 - r)^2 + 2r(1 - cos) > 0 for any clamped frequency.
        let a = (1.0 - b - c).max(1e-6);
        self.a = 1.0 / a;
        self.b = -b / a;
        self.c = -c / a;
    }

    #[inline]
    pub(super) fn run(&mut self, x: f32) -> f32 {
        let y = self.a * x + self.b * self.x1 + self.c * self.x2;
        self.x2 = self.x1;
        self.x1 = x;
        y
    }

    /// Forgets the past input (the coefficients stay).
    pub(super) fn clear(&mut self) {
        self.x1 = 0.0;
        self.x2 = 0.0;
    }
}
