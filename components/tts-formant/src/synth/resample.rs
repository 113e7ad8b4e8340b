//! Streaming sample-rate conversion by a rational factor with a polyphase windowed-sinc
//! filter (Kaiser window). The low-pass sits below the lower of the two Nyquist frequencies,
//! so downsampling does not alias; every phase is normalised to a DC gain of exactly one.
//!
//! Designing the filter for 32 kHz to 22.05 kHz (441 phases of 47 taps, a Bessel function and
//! a sine per coefficient) took about 2 ms in wasm, paid again by every request because each
//! runs in a fresh instance. The tables of the output rates are therefore designed ahead of
//! time and kept in [`tables`]; other rates are still designed on the spot.

mod tables;

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
#[cfg(not(target_arch = "wasm32"))]
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

/// The same dot product with the four running sums in the lanes of one SIMD register: the
/// same additions in the same order, so the same bits. In wasm the resampler took over a
/// third of the synthesis time, and LLVM vectorises the plain version poorly; this one makes
/// it about 30 % faster. It needs wasm SIMD (simd128), which wasmtime enables by default.
#[cfg(target_arch = "wasm32")]
#[target_feature(enable = "simd128")]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    use std::arch::wasm32::{f32x4, f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat};
    let mut acc = f32x4_splat(0.0);
    let (a4, a_rest) = a.split_at(a.len() - a.len() % 4);
    let (b4, b_rest) = b.split_at(b.len() - b.len() % 4);
    for (x, y) in a4.chunks_exact(4).zip(b4.chunks_exact(4)) {
        let product = f32x4_mul(f32x4(x[0], x[1], x[2], x[3]), f32x4(y[0], y[1], y[2], y[3]));
        acc = f32x4_add(acc, product);
    }
    let tail: f32 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    let lanes = [
        f32x4_extract_lane::<0>(acc),
        f32x4_extract_lane::<1>(acc),
        f32x4_extract_lane::<2>(acc),
        f32x4_extract_lane::<3>(acc),
    ];
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail
}

/// The factors L and M and the taps per phase of a conversion from `from` to `to` Hz.
fn shape(from: usize, to: usize) -> (usize, usize, usize) {
    let g = gcd(from, to);
    let (up, down) = (to / g, from / g);
    // Taps per phase cover HALF_ZEROS zero crossings of the narrower filter each side.
    let stretch = (down as f64 / up as f64).max(1.0);
    let taps = (2.0 * HALF_ZEROS as f64 * stretch).ceil() as usize;
    (up, down, taps)
}

/// Designs the polyphase table: `taps` coefficients for each of the `up` phases, oldest
/// sample first, each phase normalised to a DC gain of one.
fn design(up: usize, down: usize, taps: usize) -> Vec<f32> {
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
    table
}

/// The precomputed table of a conversion, if there is one: [`tables`] holds the first
/// `(up + 1) / 2` phases, and the prototype filter is symmetric, so phase `up - 1 - p` is
/// phase `p` backwards.
fn precomputed(from: usize, to: usize, up: usize, taps: usize) -> Option<Vec<f32>> {
    let half = tables::PRECOMPUTED.iter().find(|t| (t.from, t.to) == (from, to))?.half;
    if half.len() != up.div_ceil(2) * taps {
        return None;
    }
    let mut table = Vec::with_capacity(up * taps);
    table.extend_from_slice(half);
    for phase in (0..up / 2).rev() {
        table.extend(half[phase * taps..(phase + 1) * taps].iter().rev());
    }
    Some(table)
}

impl Resampler {
    /// A resampler from `from_hz` to `to_hz` (both non-zero; a zero rate is taken as 1 Hz).
    pub fn new(from_hz: u32, to_hz: u32) -> Resampler {
        let (from, to) = (from_hz.max(1) as usize, to_hz.max(1) as usize);
        let (up, down, taps) = shape(from, to);
        let table = precomputed(from, to, up, taps).unwrap_or_else(|| design(up, down, taps));
        // Pre-roll with zeros so output sample m lines up with input time m * M / L.
        let centre = ((taps * up) as f64 - 1.0) / 2.0;
        let delay = (centre / up as f64).round() as usize;
        let lead = taps.saturating_sub(1).saturating_sub(delay);
        Resampler { up, down, taps, table, buffer: vec![0.0; lead], position: (taps - 1) * up, delay }
    }

    /// Converts `input` and appends what is ready to `out`; the rest waits for more input.
    /// (With simd128 here too, the SIMD `dot` can be inlined into the loop.)
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        self.buffer.extend_from_slice(input);
        let (up, taps) = (self.up, self.taps);
        // Newest input sample and phase of the next output, stepped by M/L without dividing
        // for every sample.
        let (mut newest, mut phase) = (self.position / up, self.position % up);
        let (step, step_phase) = (self.down / up, self.down % up);
        if newest < self.buffer.len() {
            out.reserve((self.buffer.len() - newest) * up / self.down + 1);
        }
        while newest < self.buffer.len() {
            let coefs = &self.table[phase * taps..(phase + 1) * taps];
            let window = &self.buffer[newest + 1 - taps..=newest];
            out.push(dot(coefs, window));
            newest += step;
            phase += step_phase;
            if phase >= up {
                phase -= up;
                newest += 1;
            }
        }
        self.position = newest * up + phase;
        // Drop what no future output needs.
        let needed_from = (newest + 1).saturating_sub(taps);
        let drop = needed_from.min(self.buffer.len());
        if drop > 0 {
            self.buffer.drain(..drop);
            self.position -= drop * up;
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

    /// The tables in [`tables`] as Rust source, designed afresh.
    fn tables_source() -> String {
        let mut src = String::from(
            "//! Precomputed polyphase tables of [`super::Resampler`], from the synthesiser's rate to\n\
             //! each output rate, so no request pays for designing them. Generated from `design` by the\n\
             //! ignored test `write_precomputed_tables` in resample.rs; the test\n\
             //! `precomputed_tables_match_the_design` fails if they drift apart. Do not edit.\n\
             //!\n\
             //! Each table holds the first `(L + 1) / 2` phases of `taps` coefficients; the other\n\
             //! phases are these backwards (the prototype filter is symmetric).\n\n\
             /// A precomputed conversion.\n\
             pub(super) struct Precomputed {\n    \
                 pub from: usize,\n    \
                 pub to: usize,\n    \
                 pub half: &'static [f32],\n\
             }\n\n\
             /// Every precomputed conversion.\n\
             pub(super) static PRECOMPUTED: [Precomputed; 3] = [\n",
        );
        let rates = [16_000, 22_050, 8_000];
        for to in rates {
            src += &format!("    Precomputed {{ from: 32000, to: {to}, half: &TO_{to} }},\n");
        }
        src += "];\n";
        for to in rates {
            let (up, down, taps) = shape(32_000, to);
            let table = design(up, down, taps);
            let half = &table[..up.div_ceil(2) * taps];
            src += &format!(
                "\n/// 32 kHz to {to} Hz: L = {up}, M = {down}, {taps} taps, phases 0 to {}.\n\
                 #[rustfmt::skip]\nstatic TO_{to}: [f32; {}] = [\n",
                up.div_ceil(2) - 1,
                half.len()
            );
            for line in half.chunks(7) {
                let values: Vec<String> = line.iter().map(|v| format!("{v:?}")).collect();
                src += &format!("    {},\n", values.join(", "));
            }
            src += "];\n";
        }
        src
    }

    #[test]
    #[ignore = "rewrites src/synth/resample/tables.rs; run after changing the filter design"]
    fn write_precomputed_tables() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/synth/resample/tables.rs");
        std::fs::write(path, tables_source()).expect("writing the tables");
    }

    #[test]
    fn precomputed_tables_match_the_design() {
        assert_eq!(tables::PRECOMPUTED.len(), 3);
        for t in &tables::PRECOMPUTED {
            let (up, down, taps) = shape(t.from, t.to);
            let designed = design(up, down, taps);
            let stored = precomputed(t.from, t.to, up, taps).expect("a table of the right size");
            assert_eq!(stored.len(), designed.len());
            // Bit for bit, so the audio is exactly what a freshly designed filter gives.
            let same = stored.iter().zip(&designed).all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "{} Hz: run the ignored test write_precomputed_tables", t.to);
        }
        // Every output format is covered.
        for f in super::super::Format::ALL {
            assert!(tables::PRECOMPUTED.iter().any(|t| t.to == f.sample_rate() as usize), "{f:?}");
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
