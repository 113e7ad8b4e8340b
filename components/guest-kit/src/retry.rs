//! `Retry-After` (RFC 9110 §10.2.3), in either form a server may send.

use std::time::{Duration, SystemTime};

/// How long `value` asks to wait from `now`: delay-seconds (whole or fractional) or an
/// HTTP-date (IMF-fixdate, or the obsolete RFC 850 and asctime forms of §5.6.7). A date
/// already past is no wait; anything else is none.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if value.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        let seconds: f64 = value.parse().ok()?;
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(u32::MAX as f64)));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    // A date in the past (the clocks disagree, or the answer waited) means: go ahead now.
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// [`retry_after`] in milliseconds from the wall clock's now, rounded and capped at
/// `u32::MAX` (some 49 days).
pub fn retry_after_ms(value: &str) -> Option<u32> {
    retry_after(value, SystemTime::now()).map(millis)
}

/// [`retry_after`] in whole seconds from the wall clock's now, rounded up (a fraction is
/// still a wait) and capped at `u32::MAX`.
pub fn retry_after_secs(value: &str) -> Option<u32> {
    let wait = retry_after(value, SystemTime::now())?;
    Some(u32::try_from(wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).unwrap_or(u32::MAX))
}

fn millis(wait: Duration) -> u32 {
    (wait.as_secs_f64() * 1000.0).min(f64::from(u32::MAX)).round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(value: &str, now: SystemTime) -> Option<u32> {
        retry_after(value, now).map(millis)
    }

    /// 1994-11-06 08:49:37 UTC, RFC 9110's example date.
    fn example_date() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777)
    }

    #[test]
    fn retry_after_in_seconds() {
        let now = example_date();
        assert_eq!(ms("120", now), Some(120_000));
        assert_eq!(ms(" 0 ", now), Some(0));
        assert_eq!(ms("1.5", now), Some(1_500));
        assert_eq!(ms("99999999999", now), Some(u32::MAX));
    }

    #[test]
    fn retry_after_as_an_imf_fixdate() {
        let before = example_date() - Duration::from_secs(30);
        assert_eq!(ms("Sun, 06 Nov 1994 08:49:37 GMT", before), Some(30_000));
        let half_second_before = example_date() - Duration::from_millis(500);
        assert_eq!(ms("Sun, 06 Nov 1994 08:49:37 GMT", half_second_before), Some(500));
        assert_eq!(ms("Sun, 06 Nov 1994 08:49:37 GMT", example_date()), Some(0));
        let after = example_date() + Duration::from_secs(3600);
        assert_eq!(ms("Sun, 06 Nov 1994 08:49:37 GMT", after), Some(0), "past: no wait");
    }

    #[test]
    fn retry_after_as_obsolete_dates() {
        let before = example_date() - Duration::from_secs(2);
        assert_eq!(ms("Sunday, 06-Nov-94 08:49:37 GMT", before), Some(2_000), "RFC 850");
        assert_eq!(ms("Sun Nov  6 08:49:37 1994", before), Some(2_000), "asctime");
    }

    #[test]
    fn retry_after_garbage_gives_none() {
        let now = example_date();
        for garbage in [
            "",
            "soon",
            "-1",
            "1e400",
            "NaN",
            "inf",
            "12 seconds",
            "Mon, 06 Nov 1994 08:49:37 GMT", // the wrong weekday
            "Sun, 06 Nov 1994 25:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 PST",
            "1994-11-06T08:49:37Z",
            "Sun, 06 Nov 1994",
            "Søn, 06 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(ms(garbage, now), None, "{garbage:?}");
        }
    }

    #[test]
    fn whole_seconds_round_up() {
        assert_eq!(retry_after_secs("1.2"), Some(2));
        assert_eq!(retry_after_secs("3"), Some(3));
        assert_eq!(retry_after_secs("x"), None);
    }
}
