//! Parameter tracks: a value over time given by anchor points, read out once per frame.
//!
//! Formant and pitch tracks use monotone cubic (Fritsch-Carlson / PCHIP) interpolation: it
//! passes through every anchor, is smooth, and never overshoots between two anchors, so a
//! formant moving from a consonant locus to a vowel target never rings past the target.
//! Amplitude tracks use straight lines, which keeps onsets and bursts as sharp as planned.

/// How to join the anchors of a [`Track`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Straight lines between anchors.
    Linear,
    /// Monotone cubic Hermite interpolation.
    Smooth,
}

/// A value over time (ms), held constant before the first and after the last anchor.
#[derive(Clone, Debug)]
pub struct Track {
    points: Vec<(f32, f32)>,
    shape: Shape,
    default: f32,
}

impl Track {
    /// An empty track that reads `default` until anchors are added.
    pub fn new(shape: Shape, default: f32) -> Track {
        Track { points: Vec::new(), shape, default }
    }

    /// Adds an anchor; anchors may come in any order. Non-finite values are ignored.
    pub fn push(&mut self, time_ms: f32, value: f32) {
        if time_ms.is_finite() && value.is_finite() {
            self.points.push((time_ms, value));
        }
    }

    /// The anchors, sorted, with anchors closer than `min_gap_ms` merged into their mean
    /// (two rules may want the same instant; averaging keeps the track single-valued).
    fn settled(&self, min_gap_ms: f32) -> Vec<(f32, f32)> {
        let mut points = self.points.clone();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut out: Vec<(f32, f32, u32)> = Vec::with_capacity(points.len());
        for (t, v) in points {
            match out.last_mut() {
                Some(last) if t - last.0 / last.2 as f32 <= min_gap_ms => {
                    last.0 += t;
                    last.1 += v;
                    last.2 += 1;
                }
                _ => out.push((t, v, 1)),
            }
        }
        out.into_iter().map(|(t, v, n)| (t / n as f32, v / n as f32)).collect()
    }

    /// The track read at `start_ms + i * step_ms` for `i` in `0..count`.
    pub fn sample(&self, start_ms: f32, step_ms: f32, count: usize) -> Vec<f32> {
        let min_gap = match self.shape {
            Shape::Linear => 0.05,
            Shape::Smooth => 1.0,
        };
        let points = self.settled(min_gap);
        let mut out = Vec::with_capacity(count);
        if points.is_empty() {
            out.resize(count, self.default);
            return out;
        }
        let slopes = match self.shape {
            Shape::Linear => Vec::new(),
            Shape::Smooth => pchip_slopes(&points),
        };
        let mut seg = 0;
        for i in 0..count {
            let t = start_ms + i as f32 * step_ms;
            while seg + 1 < points.len() && points[seg + 1].0 <= t {
                seg += 1;
            }
            let value = if t <= points[0].0 {
                points[0].1
            } else if seg + 1 >= points.len() {
                points[points.len() - 1].1
            } else {
                let (t0, v0) = points[seg];
                let (t1, v1) = points[seg + 1];
                let h = t1 - t0;
                let x = if h > 0.0 { (t - t0) / h } else { 1.0 };
                match self.shape {
                    Shape::Linear => v0 + (v1 - v0) * x,
                    Shape::Smooth => hermite(v0, v1, slopes[seg] * h, slopes[seg + 1] * h, x),
                }
            };
            out.push(value);
        }
        out
    }
}

/// Cubic Hermite basis on `x` in 0..1 with end values `v0`, `v1` and end tangents `m0`, `m1`
/// (already scaled by the interval length).
fn hermite(v0: f32, v1: f32, m0: f32, m1: f32, x: f32) -> f32 {
    let x2 = x * x;
    let x3 = x2 * x;
    (2.0 * x3 - 3.0 * x2 + 1.0) * v0 + (x3 - 2.0 * x2 + x) * m0 + (-2.0 * x3 + 3.0 * x2) * v1 + (x3 - x2) * m1
}

/// Fritsch-Carlson slopes: zero at local extrema, weighted harmonic mean of the neighbouring
/// secants elsewhere, which keeps each piece monotone.
fn pchip_slopes(points: &[(f32, f32)]) -> Vec<f32> {
    let n = points.len();
    let mut slopes = vec![0.0; n];
    if n < 2 {
        return slopes;
    }
    let secant = |i: usize| {
        let h = points[i + 1].0 - points[i].0;
        if h > 0.0 { (points[i + 1].1 - points[i].1) / h } else { 0.0 }
    };
    slopes[0] = secant(0);
    slopes[n - 1] = secant(n - 2);
    for i in 1..n - 1 {
        let (d0, d1) = (secant(i - 1), secant(i));
        if d0 * d1 <= 0.0 {
            slopes[i] = 0.0;
        } else {
            let h0 = points[i].0 - points[i - 1].0;
            let h1 = points[i + 1].0 - points[i].0;
            let w0 = 2.0 * h1 + h0;
            let w1 = h1 + 2.0 * h0;
            slopes[i] = (w0 + w1) / (w0 / d0 + w1 / d1);
        }
    }
    // End slopes must not push the first or last piece past its far anchor.
    for (i, j) in [(0, 0), (n - 1, n - 2)] {
        let d = secant(j);
        if slopes[i] * d <= 0.0 {
            slopes[i] = 0.0;
        } else if slopes[i].abs() > 3.0 * d.abs() {
            slopes[i] = 3.0 * d;
        }
    }
    slopes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_through_anchors_and_holds_outside() {
        let mut t = Track::new(Shape::Smooth, 0.0);
        t.push(10.0, 100.0);
        t.push(30.0, 300.0);
        t.push(20.0, 150.0);
        let v = t.sample(0.0, 5.0, 9);
        assert_eq!(v[0], 100.0);
        assert_eq!(v[2], 100.0);
        assert!((v[4] - 150.0).abs() < 1e-3);
        assert!((v[6] - 300.0).abs() < 1e-3);
        assert_eq!(v[8], 300.0);
    }

    #[test]
    fn smooth_never_overshoots() {
        let mut t = Track::new(Shape::Smooth, 0.0);
        for (x, y) in [(0.0, 0.0), (10.0, 1000.0), (12.0, 1000.0), (40.0, 200.0), (45.0, 1800.0)] {
            t.push(x, y);
        }
        let v = t.sample(0.0, 0.25, 181);
        assert!(v.iter().all(|&y| (0.0..=1800.0).contains(&y)));
        // Between the two equal anchors the value stays put.
        assert!(v[40..=48].iter().all(|&y| (y - 1000.0).abs() < 1e-2));
    }

    #[test]
    fn linear_and_empty() {
        let mut t = Track::new(Shape::Linear, 7.0);
        assert_eq!(t.sample(0.0, 1.0, 3), vec![7.0; 3]);
        t.push(0.0, 0.0);
        t.push(10.0, 1.0);
        t.push(f32::NAN, 5.0);
        let v = t.sample(0.0, 2.5, 5);
        assert_eq!(v, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    }

    #[test]
    fn near_duplicate_anchors_merge() {
        let mut t = Track::new(Shape::Smooth, 0.0);
        t.push(10.0, 100.0);
        t.push(10.2, 200.0);
        t.push(20.0, 300.0);
        let v = t.sample(10.1, 1.0, 1);
        assert!((v[0] - 150.0).abs() < 1.0, "{v:?}");
    }
}
