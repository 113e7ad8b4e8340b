//! What a listener would notice, measured: WAV parsing, energy, pauses and pitch (F0).

#![allow(dead_code)]

/// A parsed PCM16 mono WAV file.
pub struct Wav {
    pub sample_rate: u32,
    pub samples: Vec<f32>,
}

/// Parses a whole-file WAV, checking the header sizes match the file.
pub fn parse_wav(bytes: &[u8]) -> Wav {
    assert!(bytes.len() >= 44, "too short for a WAV file: {} bytes", bytes.len());
    assert_eq!(&bytes[0..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WAVE");
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
    let u16_at = |i: usize| u16::from_le_bytes(bytes[i..i + 2].try_into().unwrap());
    assert_eq!(u32_at(4) as usize, bytes.len() - 8, "RIFF size must match the file");
    let mut at = 12;
    let (mut rate, mut data) = (0, None);
    while at + 8 <= bytes.len() {
        let size = u32_at(at + 4) as usize;
        match &bytes[at..at + 4] {
            b"fmt " => {
                assert_eq!(u16_at(at + 8), 1, "PCM");
                assert_eq!(u16_at(at + 10), 1, "mono");
                rate = u32_at(at + 12);
                assert_eq!(u16_at(at + 22), 16, "16-bit");
            }
            b"data" => {
                assert_eq!(size, bytes.len() - at - 8, "data size must match the file");
                data = Some(&bytes[at + 8..at + 8 + size]);
            }
            _ => {}
        }
        at += 8 + size + (size & 1);
    }
    let data = data.expect("a data chunk");
    let samples = data.chunks_exact(2).map(|c| f32::from(i16::from_le_bytes([c[0], c[1]])) / 32768.0).collect();
    Wav { sample_rate: rate, samples }
}

impl Wav {
    pub fn duration_ms(&self) -> f64 {
        self.samples.len() as f64 * 1000.0 / f64::from(self.sample_rate)
    }

    /// RMS energy per 10 ms frame.
    pub fn frame_energy(&self) -> Vec<f32> {
        let hop = (self.sample_rate / 100) as usize;
        self.samples.chunks(hop).map(|f| (f.iter().map(|x| x * x).sum::<f32>() / f.len() as f32).sqrt()).collect()
    }

    /// The longest run of near-silent frames strictly inside the speech (leading and
    /// trailing silence excluded), in milliseconds.
    pub fn longest_inner_pause_ms(&self) -> u32 {
        let energy = self.frame_energy();
        let peak = energy.iter().cloned().fold(0.0, f32::max);
        let loud: Vec<bool> = energy.iter().map(|&e| e > peak * 0.05).collect();
        let (Some(first), Some(last)) = (loud.iter().position(|&l| l), loud.iter().rposition(|&l| l)) else {
            return 0;
        };
        let (mut best, mut run) = (0, 0);
        for &l in &loud[first..=last] {
            run = if l { 0 } else { run + 1 };
            best = best.max(run);
        }
        best * 10
    }

    /// F0 per 10 ms frame by normalised autocorrelation over 40 ms windows, `None` where the
    /// frame is unvoiced or quiet.
    pub fn pitch_track(&self) -> Vec<Option<f32>> {
        let sr = self.sample_rate as usize;
        let (hop, win) = (sr / 100, sr * 40 / 1000);
        let (min_lag, max_lag) = (sr / 400, sr / 70);
        let energy = self.frame_energy();
        let peak = energy.iter().cloned().fold(0.0, f32::max);
        let mut track = Vec::new();
        let mut start = 0;
        while start + win + max_lag < self.samples.len() {
            let frame = &self.samples[start..start + win + max_lag];
            let e = energy.get(start / hop).copied().unwrap_or(0.0);
            let mut best = (0.0f32, 0usize);
            if e > peak * 0.1 {
                for lag in min_lag..=max_lag {
                    let (mut num, mut a, mut b) = (0.0f32, 0.0f32, 0.0f32);
                    for i in 0..win {
                        num += frame[i] * frame[i + lag];
                        a += frame[i] * frame[i];
                        b += frame[i + lag] * frame[i + lag];
                    }
                    let r = num / (a * b).sqrt().max(1e-9);
                    if r > best.0 {
                        best = (r, lag);
                    }
                }
            }
            track.push((best.0 > 0.6).then(|| sr as f32 / best.1 as f32));
            start += hop;
        }
        track
    }

    /// Mean F0 over the last `tail` voiced frames against the `tail` voiced frames before
    /// them: above 1 when the pitch rises at the end.
    pub fn final_pitch_ratio(&self, tail: usize) -> f32 {
        let voiced: Vec<f32> = self.pitch_track().into_iter().flatten().collect();
        assert!(voiced.len() >= 3 * tail, "too few voiced frames ({}) to judge the pitch", voiced.len());
        let mean = |s: &[f32]| s.iter().sum::<f32>() / s.len() as f32;
        let end = mean(&voiced[voiced.len() - tail..]);
        let before = mean(&voiced[voiced.len() - 3 * tail..voiced.len() - tail]);
        end / before
    }

    pub fn mean_pitch(&self) -> f32 {
        let voiced: Vec<f32> = self.pitch_track().into_iter().flatten().collect();
        voiced.iter().sum::<f32>() / voiced.len().max(1) as f32
    }
}
