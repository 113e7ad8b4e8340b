//! The voices: each is one set of source and vocal-tract settings for the same synthesiser.

use super::klatt::SourceStyle;

/// How a voice presents (mirrors the WIT `gender`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gender {
    /// Presents as female.
    Female,
    /// Presents as male.
    Male,
    /// Neither.
    Neutral,
}

/// One voice.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Voice {
    /// What a request names, e.g. `alba`.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// How it presents.
    pub gender: Gender,
    /// Label `accent`.
    pub accent: &'static str,
    /// Label `age`.
    pub age: &'static str,
    /// Label `description`.
    pub description: &'static str,
    /// Typical F0 in Hz; intonation moves around it.
    pub f0_hz: f32,
    /// Pitch range of a normal accent, in semitones.
    pub range_st: f32,
    /// Vocal tract scale: all formant frequencies are multiplied by it (shorter tract, higher).
    pub formant_scale: f32,
    /// Speaking rate relative to the duration rules (1.2 = 20 % faster).
    pub rate: f32,
    /// Glottal open quotient: higher is softer and breathier.
    pub open_quotient: f32,
    /// Spectral tilt of the voicing source at 3 kHz, in dB.
    pub tilt_db: f32,
    /// Source irregularities and breathiness.
    pub source: SourceStyle,
}

/// All voices, the default first.
pub const VOICES: [Voice; 4] = [
    Voice {
        id: "alba",
        name: "Alba",
        gender: Gender::Female,
        accent: "american",
        age: "adult",
        description: "warm, clear female voice",
        f0_hz: 200.0,
        range_st: 6.0,
        formant_scale: 1.17,
        rate: 1.0,
        open_quotient: 0.62,
        tilt_db: 5.0,
        source: SourceStyle { flutter: 0.012, jitter: 0.004, shimmer: 0.03, breath: 0.045 },
    },
    Voice {
        id: "marlow",
        name: "Marlow",
        gender: Gender::Male,
        accent: "american",
        age: "adult",
        description: "calm, steady male voice",
        f0_hz: 110.0,
        range_st: 5.0,
        formant_scale: 1.0,
        rate: 0.96,
        open_quotient: 0.5,
        tilt_db: 2.0,
        source: SourceStyle { flutter: 0.01, jitter: 0.004, shimmer: 0.03, breath: 0.015 },
    },
    Voice {
        id: "juniper",
        name: "Juniper",
        gender: Gender::Female,
        accent: "american",
        age: "young",
        description: "bright, quick, youthful voice",
        f0_hz: 250.0,
        range_st: 7.0,
        formant_scale: 1.25,
        rate: 1.12,
        open_quotient: 0.62,
        tilt_db: 6.0,
        source: SourceStyle { flutter: 0.014, jitter: 0.005, shimmer: 0.03, breath: 0.05 },
    },
    Voice {
        id: "ren",
        name: "Ren",
        gender: Gender::Neutral,
        accent: "american",
        age: "adult",
        description: "even, low-key neutral voice",
        f0_hz: 145.0,
        range_st: 4.0,
        formant_scale: 1.08,
        rate: 1.0,
        open_quotient: 0.56,
        tilt_db: 4.0,
        source: SourceStyle { flutter: 0.008, jitter: 0.003, shimmer: 0.02, breath: 0.03 },
    },
];

/// Every voice speaks this language.
pub const LANGUAGE: &str = "en-US";

/// The voice with this id (case-insensitive).
pub fn find(id: &str) -> Option<&'static Voice> {
    VOICES.iter().find(|v| v.id.eq_ignore_ascii_case(id.trim()))
}

impl Voice {
    /// The voice's labels as key/value pairs.
    pub fn labels(&self) -> [(&'static str, &'static str); 3] {
        [("accent", self.accent), ("age", self.age), ("description", self.description)]
    }

    /// Whether the voice passes a list filter: `language` matches `en-US` by whole subtags
    /// (`en` and `en-us` do, `e` and `en-GB` do not), `search` is a case-insensitive substring
    /// of the name, id or a label value.
    pub fn matches(&self, language: Option<&str>, search: Option<&str>) -> bool {
        let language_ok = match language.map(str::trim).filter(|l| !l.is_empty()) {
            None => true,
            Some(wanted) => {
                let wanted = wanted.replace('_', "-").to_ascii_lowercase();
                let have = LANGUAGE.to_ascii_lowercase();
                have == wanted || have.starts_with(&format!("{wanted}-"))
            }
        };
        let search_ok = match search.map(str::trim).filter(|s| !s.is_empty()) {
            None => true,
            Some(needle) => {
                let needle = needle.to_lowercase();
                let hit = |s: &str| s.to_lowercase().contains(&needle);
                hit(self.name) || hit(self.id) || self.labels().iter().any(|(_, v)| hit(v))
            }
        };
        language_ok && search_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voices_differ_and_are_found() {
        assert!(VOICES.len() >= 3);
        for (i, a) in VOICES.iter().enumerate() {
            assert_eq!(find(a.id), Some(a));
            for b in &VOICES[i + 1..] {
                assert_ne!(a.id, b.id);
                assert!((a.f0_hz - b.f0_hz).abs() > 20.0, "{} and {} sound alike", a.id, b.id);
            }
        }
        assert_eq!(find("ALBA").map(|v| v.id), Some("alba"));
        assert!(find("nobody").is_none());
    }

    #[test]
    fn filters() {
        let alba = find("alba").copied().unwrap_or(VOICES[0]);
        assert!(alba.matches(None, None));
        assert!(alba.matches(Some("en"), None));
        assert!(alba.matches(Some("EN-us"), None));
        assert!(alba.matches(Some("en_US"), None));
        assert!(!alba.matches(Some("e"), None));
        assert!(!alba.matches(Some("en-GB"), None));
        assert!(!alba.matches(Some("fr"), None));
        assert!(alba.matches(None, Some("WARM")));
        assert!(alba.matches(None, Some("american")));
        assert!(!alba.matches(None, Some("calm")));
        assert!(find("marlow").is_some_and(|v| v.matches(Some("en"), Some("Calm"))));
    }
}
