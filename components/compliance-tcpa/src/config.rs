//! Settings from `wasi:config`: call spacing, the daily cap, and how time zones are matched.

use crate::model::Error;
use crate::zones::ZoneMatch;

/// The checker's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Least time between two attempts to one number, in seconds (0: no spacing).
    pub min_interval_secs: i64,
    /// Most attempts to one number in any 24 hours.
    pub max_attempts_per_24h: u32,
    pub zone_match: ZoneMatch,
}

impl Default for Settings {
    fn default() -> Self {
        Self { min_interval_secs: 60 * 60, max_attempts_per_24h: 3, zone_match: ZoneMatch::AreaCode }
    }
}

/// Longest spacing accepted: a week.
pub const MAX_INTERVAL_MINUTES: i64 = 7 * 24 * 60;
/// Largest daily cap accepted.
const MAX_ATTEMPTS: u32 = 100;

impl Settings {
    /// Reads the settings from `wasi:config` pairs; unknown keys are ignored. An invalid value
    /// is an `invalid-input` error naming the key.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Self, Error> {
        let mut s = Settings::default();
        for (key, value) in pairs {
            let v = value.trim();
            match key {
                "min_interval_minutes" => {
                    let minutes =
                        v.parse::<i64>().ok().filter(|m| (0..=MAX_INTERVAL_MINUTES).contains(m)).ok_or_else(|| {
                            bad(key, value, &format!("a whole number of minutes from 0 to {MAX_INTERVAL_MINUTES}"))
                        })?;
                    s.min_interval_secs = minutes * 60;
                }
                "max_attempts_per_24h" => {
                    s.max_attempts_per_24h = v
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=MAX_ATTEMPTS).contains(n))
                        .ok_or_else(|| bad(key, value, &format!("a whole number from 1 to {MAX_ATTEMPTS}")))?;
                }
                "zone_match" => {
                    s.zone_match = match v {
                        "area-code" => ZoneMatch::AreaCode,
                        "prefix" => ZoneMatch::Prefix,
                        _ => return Err(bad(key, value, "`area-code` or `prefix`")),
                    };
                }
                _ => {}
            }
        }
        Ok(s)
    }
}

fn bad(key: &str, value: &str, want: &str) -> Error {
    Error::InvalidInput(format!(
        "config `{key}` is {value:?}: it must be {want}; fix it in the component's [config] policy"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_values() {
        assert_eq!(Settings::from_pairs([]).unwrap(), Settings::default());
        let s = Settings::from_pairs([
            ("min_interval_minutes", "0"),
            ("max_attempts_per_24h", " 5 "),
            ("zone_match", "prefix"),
            ("base_url", "ignored"),
        ])
        .unwrap();
        assert_eq!(s, Settings { min_interval_secs: 0, max_attempts_per_24h: 5, zone_match: ZoneMatch::Prefix });
    }

    #[test]
    fn invalid_values_name_the_key() {
        for (key, value) in [
            ("min_interval_minutes", "soon"),
            ("min_interval_minutes", "-5"),
            ("min_interval_minutes", "99999"),
            ("max_attempts_per_24h", "0"),
            ("max_attempts_per_24h", "3.5"),
            ("zone_match", "exchange"),
        ] {
            match Settings::from_pairs([(key, value)]) {
                Err(Error::InvalidInput(m)) => assert!(m.contains(key), "{m}"),
                other => panic!("{key}={value}: {other:?}"),
            }
        }
    }
}
