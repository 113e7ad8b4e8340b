//! Where a number is: its state or territory and the time zones it may be in, from the
//! libphonenumber tables (`data`).

use crate::data::{AREA_CODES, PREFIX_ZONES, Region};
use crate::number::Nanp;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// How precisely a number's time zones are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneMatch {
    /// Every zone any number of the area code may be in (the default). Numbers move with
    /// their owners (wireless portability), so the exchange says less than it seems; a call
    /// then has to be inside the window in all of them.
    AreaCode,
    /// Longest-prefix match on the libphonenumber map (area code and up to 3 digits of the
    /// exchange), falling back to the area code's zones.
    Prefix,
}

impl ZoneMatch {
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneMatch::AreaCode => "area-code",
            ZoneMatch::Prefix => "prefix",
        }
    }
}

/// Where an area code is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub region: Region,
    /// Two-letter code of the state, territory, province or country.
    pub code: &'static str,
    /// The time zones the number may be in, never empty.
    pub zones: Vec<Tz>,
}

/// The area code's entry: region, code and every zone of the area code.
fn area(npa: u16) -> Option<&'static (u16, Region, &'static str, &'static [Tz])> {
    AREA_CODES.binary_search_by_key(&npa, |a| a.0).ok().map(|i| &AREA_CODES[i])
}

/// Where a number is, or none for an area code that is not geographic (or not yet known).
pub fn place(n: &Nanp, mode: ZoneMatch) -> Option<Place> {
    let &(_, region, code, area_zones) = area(n.npa)?;
    let zones = match mode {
        ZoneMatch::AreaCode => area_zones.to_vec(),
        ZoneMatch::Prefix => longest_prefix(&n.digits()).unwrap_or(area_zones).to_vec(),
    };
    if zones.is_empty() {
        return None;
    }
    Some(Place { region, code, zones })
}

/// The zones of the longest prefix of `digits` (national, 10 digits) in the map.
fn longest_prefix(digits: &str) -> Option<&'static [Tz]> {
    (3..=digits.len().min(6)).rev().find_map(|len| {
        let prefix = &digits[..len];
        PREFIX_ZONES.binary_search_by(|(p, _)| (*p).cmp(prefix)).ok().map(|i| PREFIX_ZONES[i].1)
    })
}

/// A Unix time as a UTC date-time; `None` beyond chrono's range (callers validate first).
pub fn utc(t: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t, 0)
}

/// The local time in `tz` at Unix time `t`, ISO 8601 with its offset, e.g.
/// `2026-03-08T09:30:00-06:00`.
pub fn local_time_string(tz: Tz, t: i64) -> String {
    utc(t).map(|u| u.with_timezone(&tz).format("%Y-%m-%dT%H:%M:%S%:z").to_string()).unwrap_or_default()
}

/// A Unix time in UTC, ISO 8601, e.g. `2026-03-08T15:30:00Z`.
pub fn iso_utc(t: i64) -> String {
    utc(t).map(|u| u.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_else(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Nanp {
        Nanp::from_digits(s).unwrap()
    }

    fn names(p: &Place) -> Vec<&'static str> {
        p.zones.iter().map(|z| z.name()).collect()
    }

    #[test]
    fn single_zone_area_codes() {
        let p = place(&n("3035550123"), ZoneMatch::AreaCode).unwrap();
        assert_eq!((p.region, p.code), (Region::Us, "CO"));
        assert_eq!(names(&p), ["America/Denver"]);
        let p = place(&n("2125550123"), ZoneMatch::AreaCode).unwrap();
        assert_eq!((p.code, names(&p)), ("NY", vec!["America/New_York"]));
    }

    #[test]
    fn multi_zone_area_codes() {
        for (digits, state, zones) in [
            ("2085550123", "ID", &["America/Boise", "America/Denver", "America/Los_Angeles"][..]),
            ("8505550123", "FL", &["America/Chicago", "America/New_York"]),
            ("2705550123", "KY", &["America/Chicago", "America/New_York"]),
            ("5415550123", "OR", &["America/Denver", "America/Los_Angeles"]),
        ] {
            let p = place(&n(digits), ZoneMatch::AreaCode).unwrap();
            assert_eq!(p.code, state);
            assert_eq!(names(&p), zones, "{digits}");
        }
    }

    #[test]
    fn prefix_match() {
        // 850-200 is listed as Central (Panhandle west of the Apalachicola), 850 as Eastern.
        let p = place(&n("8502000123"), ZoneMatch::Prefix).unwrap();
        assert_eq!(names(&p), ["America/Chicago"]);
        let p = place(&n("8509990123"), ZoneMatch::Prefix).unwrap();
        assert_eq!(names(&p), ["America/New_York"]);
        // 208 has no area-code line: an unlisted exchange takes every zone of the area code.
        let p = place(&n("2089990123"), ZoneMatch::Prefix).unwrap();
        assert!(p.zones.len() >= 2);
    }

    #[test]
    fn regions() {
        assert_eq!(place(&n("4165550123"), ZoneMatch::AreaCode).unwrap().region, Region::Canada);
        assert_eq!(place(&n("8765550123"), ZoneMatch::AreaCode).unwrap().region, Region::Caribbean);
        let pr = place(&n("7875550123"), ZoneMatch::AreaCode).unwrap();
        assert_eq!((pr.region, pr.code), (Region::Us, "PR"));
        assert!(place(&n("5005550123"), ZoneMatch::AreaCode).is_none());
    }

    #[test]
    fn local_time_has_offset() {
        // 2026-03-08 15:30 UTC is 09:30 MDT... in Denver DST starts at 02:00 that day: -06:00.
        assert_eq!(local_time_string(chrono_tz::America::Denver, 1_772_983_800), "2026-03-08T09:30:00-06:00");
    }
}
