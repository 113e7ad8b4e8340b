//! Streaming sample-rate conversion by a rational factor with a polyphase windowed-sinc
//! filter (Kaiser window). The low-pass sits below the lower of the two Nyquist frequencies,
//! so downsampling does not alias; every phase is normalised to a DC gain of exactly one.

use std::f64::consts::PI;

/// Zero crossings of the sinc on each side of its centre, at the lower of the two rates:
/// sets the steepness of the anti-alias filter.
const HALF_ZEROS: usize = 16;
/// Kaiser window shape: about 80 dB of stop-band attenuation.
const KAISER_BETA: f64 = 8.0;
/// Pass-band edge as a fraction of the lower Nyquist frequency.
const CUTOFF: f64 = 0.91;

/// Converts a stream of samples from one rate to another.
pub struct Resampler {
    /// Upsampling factor L and downsampling factor M (rates reduced by their GCD).
    up: usize,
    down: usize,
    /// Taps per phase.
    taps: usize,
    /// `taps` coefficients for each of the `up` phases, phase after phase, oldest sample first
    /// (so the dot product runs forwards over the input).
    table: Vec<f32>,
    /// Input not yet consumed, oldest first.
    buffer: Vec<f32>,
    /// Position of the next output sample, in units of 1/L input samples from `buffer[0]`.
    position: usize,
    /// Samples of delay the filter adds, fed as zeros at the end by [`Resampler::flush`].
    delay: usize,
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Zeroth-order modified Bessel function of the first kind (series), for the Kaiser window.
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let half = x / 2.0;
    for k in 1..40 {
        term *= half / k as f64;
        let t2 = term * term;
        sum += t2;
        if t2 < sum * 1e-12 {
            break;
        }
    }
    sum
}

/// Dot product with four running sums, which lets the additions overlap instead of waiting
/// on each other (about three times faster than one sum).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 4];
    let (a4, a_rest) = a.split_at(a.len() - a.len() % 4);
    let (b4, b_rest) = b.split_at(b.len() - b.len() % 4);
    for (x, y) in a4.chunks_exact(4).zip(b4.chunks_exact(4)) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f32 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

impl Resampler {
    /// A resampler from `from_hz` to `to_hz` (both non-zero; a zero rate is taken as 1 Hz).
    pub fn new(from_hz: u32, to_hz: u32) -> Resampler {
        let (from, to) = (from_hz.max(1) as usize, to_hz.max(1) as usize);
        let g = gcd(from, to);
        let (up, down) = (to / g, from / g);
        // Taps per phase cover HALF_ZEROS zero crossings of the narrower filter each side.
        let stretch = (down as f64 / up as f64).max(1.0);
        let taps = (2.0 * HALF_ZEROS as f64 * stretch).ceil() as usize;
        let length = taps * up;
        // Cut-off in cycles per input sample.
        let fc = 0.5 * CUTOFF * (up as f64 / down as f64).min(1.0);
        let centre = (length as f64 - 1.0) / 2.0;
        let i0_beta = bessel_i0(KAISER_BETA);
        let prototype: Vec<f64> = (0..length)
            .map(|i| {
                let t = (i as f64 - centre) / up as f64;
                let x = 2.0 * fc * t;
                let sinc = if x.abs() < 1e-12 { 1.0 } else { (PI * x).sin() / (PI * x) };
                let r = (i as f64 - centre) / (centre + 1.0);
                let window = bessel_i0(KAISER_BETA * (1.0 - r * r).max(0.0).sqrt()) / i0_beta;
                2.0 * fc * sinc * window
            })
            .collect();
        let mut table = Vec::with_capacity(length);
        for phase in 0..up {
            let coefs: Vec<f64> = (0..taps).rev().map(|k| prototype[phase + k * up]).collect();
            let sum: f64 = coefs.iter().sum();
            let norm = if sum.abs() > 1e-9 { 1.0 / sum } else { 0.0 };
            table.extend(coefs.iter().map(|c| (c * norm) as f32));
        }
        // Pre-roll with zeros so output sample m lines up with input time m * M / L.
        let delay = (centre / up as f64).round() as usize;
        let lead = taps.saturating_sub(1).saturating_sub(delay);
        Resampler { up, down, taps, table, buffer: vec![0.0; lead], position: (taps - 1) * up, delay }
    }

    /// Converts `input` and appends what is ready to `out`; the rest waits for more input.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        self.buffer.extend_from_slice(input);
        loop {
            let newest = self.position / self.up;
            if newest >= self.buffer.len() {
                break;
            }
            let phase = self.position % self.up;
            let coefs = &self.table[phase * self.taps..(phase + 1) * self.taps];
            let window = &self.buffer[newest + 1 - self.taps..=newest];
            out.push(dot(coefs, window));
            self.position += self.down;
        }
        // Drop what no future output needs.
        let needed_from = (self.position / self.up + 1).saturating_sub(self.taps);
        let drop = needed_from.min(self.buffer.len());
        if drop > 0 {
            self.buffer.drain(..drop);
            self.position -= drop * self.up;
        }
    }

    /// Feeds the filter's delay as silence so the last input samples come out.
    pub fn flush(&mut self, out: &mut Vec<f32>) {
        let zeros = vec![0.0; self.delay + 1];
        self.process(&zeros, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(rate: u32, freq: f32, seconds: f32) -> Vec<f32> {
        let n = (rate as f32 * seconds) as usize;
        (0..n).map(|i| (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin()).collect()
    }

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len().max(1) as f32).sqrt()
    }

    #[test]
    fn dc_passes_with_unit_gain() {
        for to in [8000, 16000, 22050, 24000] {
            let mut r = Resampler::new(32000, to);
            let mut out = Vec::new();
            r.process(&vec![0.5; 32000], &mut out);
            let settled = &out[out.len() / 4..out.len() * 3 / 4];
            assert!(settled.iter().all(|v| (v - 0.5).abs() < 1e-4), "{to}");
        }
    }

    #[test]
    fn pass_band_keeps_level_and_stop_band_is_removed() {
        for (to, pass, stop) in [(16000, 1000.0, 12000.0), (22050, 3000.0, 14000.0), (8000, 1000.0, 6000.0)] {
            let mut r = Resampler::new(32000, to);
            let mut out = Vec::new();
            r.process(&sine(32000, pass, 1.0), &mut out);
            let level = rms(&out[out.len() / 4..out.len() * 3 / 4]) * 2f32.sqrt();
            assert!((level - 1.0).abs() < 0.01, "{to}: pass-band level {level}");
            let mut r = Resampler::new(32000, to);
            let mut out = Vec::new();
            r.process(&sine(32000, stop, 1.0), &mut out);
            let alias = rms(&out[out.len() / 4..out.len() * 3 / 4]);
            assert!(alias < 1e-3, "{to}: alias {alias}");
        }
    }

    #[test]
    fn length_timing_and_chunking() {
        let input = sine(32000, 440.0, 0.5);
        let mut whole = Vec::new();
        let mut r = Resampler::new(32000, 22050);
        r.process(&input, &mut whole);
        r.flush(&mut whole);
        let expected = input.len() * 22050 / 32000;
        assert!(whole.len().abs_diff(expected) <= 2, "{} vs {expected}", whole.len());
        // Same output whatever the chunking.
        let mut pieces = Vec::new();
        let mut r = Resampler::new(32000, 22050);
        for chunk in input.chunks(777) {
            r.process(chunk, &mut pieces);
        }
        r.flush(&mut pieces);
        assert_eq!(whole, pieces);
        // No time shift: output sample m matches the sine at time m / 22050.
        let m = 5000;
        let t = m as f32 / 22050.0;
        let want = (2.0 * std::f32::consts::PI * 440.0 * t).sin();
        assert!((whole[m] - want).abs() < 0.02, "{} vs {want}", whole[m]);
    }
}
