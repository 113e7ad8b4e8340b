//! Call spacing and caps, from the attempts recorded for a number: the configured minimum
//! interval and daily cap, and the state limits of calls per subject.

use crate::config::Settings;
use crate::hours::Block;
use crate::model::Reason;
use crate::states::StateRules;
use serde::{Deserialize, Serialize};

/// A day, in seconds: caps count attempts in any rolling 24 hours.
pub const DAY: i64 = 24 * 60 * 60;

/// A call placed to a number, as `record-attempt` kept it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub at: i64,
    pub subject: Option<String>,
    pub call_id: Option<String>,
}

/// A subject as compared: trimmed, lower case; empty is none.
pub fn normalize_subject(subject: Option<&str>) -> Option<String> {
    subject.map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty())
}

/// Attempts in the 24 hours up to and including `t`, oldest first.
///
/// Both sides of `t` count: a cap holds in every rolling 24 hours, so an attempt after `t`
/// shares a window with a call at `t` as much as one before it. It matters most for
/// decisions made at once: each reads its own clock, and one that read it a second earlier
/// may commit after another's attempt, stamped a second later, has landed.
fn window<'a>(attempts: impl Iterator<Item = &'a Attempt>, t: i64) -> Vec<i64> {
    let mut ats: Vec<i64> = attempts.map(|a| a.at).filter(|&a| (t - a).abs() < DAY).collect();
    ats.sort_unstable();
    ats
}

/// When a cap of `max` stops being reached, given the attempts in the window, oldest first:
/// once enough of the oldest have left the window.
fn cap_until(ats: &[i64], max: u32) -> Option<i64> {
    let max = max as usize;
    (ats.len() >= max).then(|| ats[ats.len() - max] + DAY)
}

/// What the attempts of a number count at `t`, for the audit trail and the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub last_24h: usize,
    pub same_subject_24h: usize,
    pub last_attempt_at: Option<i64>,
}

/// Whether an attempt counts toward the subject of the call: the same subject, or either
/// side has none (a call with no subject counts every attempt; an attempt with no subject
/// may have been on any subject).
fn same_subject(attempt: &Attempt, subject: Option<&str>) -> bool {
    match (subject, normalize_subject(attempt.subject.as_deref())) {
        (Some(s), Some(a)) => a == s,
        _ => true,
    }
}

/// Counts the attempts at `t`.
pub fn counts(attempts: &[Attempt], subject: Option<&str>, t: i64) -> Counts {
    Counts {
        last_24h: window(attempts.iter(), t).len(),
        same_subject_24h: window(attempts.iter().filter(|a| same_subject(a, subject)), t).len(),
        last_attempt_at: attempts.iter().map(|a| a.at).filter(|&a| a <= t).max(),
    }
}

/// The spacing and cap rules the call breaks at `t`. `subject` is normalized.
pub fn frequency_blocks(
    attempts: &[Attempt],
    subject: Option<&str>,
    state: Option<&StateRules>,
    settings: &Settings,
    t: i64,
) -> Vec<Block> {
    let mut blocks = Vec::new();
    let interval = settings.min_interval_secs;
    if interval > 0 {
        // Spacing is the operator's policy (wasi:config `min_interval_minutes`): an attempt
        // closer than the interval on either side of `t` blocks it.
        let near = attempts.iter().map(|a| a.at).filter(|&a| (t - a).abs() < interval);
        if let Some(last) = near.max() {
            blocks.push(Block {
                reason: Reason::new(
                    "too-soon",
                    "operator policy: min_interval_minutes",
                    format!(
                        "the number was called {} this time; attempts must be at least {} minutes apart",
                        match (t - last).abs() / 60 {
                            0 => "less than a minute from".to_string(),
                            1 => "1 minute from".to_string(),
                            m => format!("{m} minutes from"),
                        },
                        interval / 60
                    ),
                ),
                until: last + interval,
            });
        }
    }

    let all = window(attempts.iter(), t);
    if let Some(until) = cap_until(&all, settings.max_attempts_per_24h) {
        blocks.push(Block {
            reason: Reason::new(
                "too-many-attempts",
                "operator policy: max_attempts_per_24h",
                format!(
                    "{} attempts in the last 24 hours reach the cap of {} a day for one number",
                    all.len(),
                    settings.max_attempts_per_24h
                ),
            ),
            until,
        });
    }

    if let Some((state, cap)) = state.and_then(|s| s.subject_cap.map(|c| (s, c))) {
        // Fla. Stat. 501.616(6)(b), Okla. Stat. tit. 15, § 775C.4, Md. Code, Com. Law
        // § 14-4503: no more than 3 calls in 24 hours on the same subject matter.
        let same = window(attempts.iter().filter(|a| same_subject(a, subject)), t);
        if let Some(until) = cap_until(&same, cap.max) {
            let on = subject.map_or("on any subject (the call names none)".to_owned(), |s| format!("on `{s}`"));
            blocks.push(Block {
                reason: Reason::new(
                    "state-call-limit",
                    cap.rule,
                    format!(
                        "{} calls {on} in the last 24 hours: {} allows at most {} in 24 hours on the same subject",
                        same.len(),
                        state.name,
                        cap.max
                    ),
                ),
                until,
            });
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::states::rules_for;

    fn a(at: i64, subject: Option<&str>) -> Attempt {
        Attempt { at, subject: subject.map(str::to_owned), call_id: None }
    }

    const T: i64 = 1_780_000_000;

    #[test]
    fn spacing() {
        let s = Settings::default();
        let attempts = [a(T - 30 * 60, None)];
        let b = frequency_blocks(&attempts, None, None, &s, T);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].reason.code, "too-soon");
        assert_eq!(b[0].until, T + 30 * 60);
        assert!(frequency_blocks(&attempts, None, None, &s, T + 30 * 60).is_empty());
    }

    #[test]
    fn daily_cap() {
        let s = Settings { min_interval_secs: 0, ..Settings::default() };
        let attempts = [a(T - 20 * 3600, None), a(T - 10 * 3600, None), a(T - 3600, None)];
        let b = frequency_blocks(&attempts, None, None, &s, T);
        assert_eq!(b[0].reason.code, "too-many-attempts");
        assert_eq!(b[0].until, T - 20 * 3600 + DAY);
        assert!(frequency_blocks(&attempts[1..], None, None, &s, T).is_empty());
    }

    #[test]
    fn state_subject_cap() {
        let s = Settings { min_interval_secs: 0, max_attempts_per_24h: 100, ..Settings::default() };
        let fl = rules_for("FL");
        let attempts = [
            a(T - 5 * 3600, Some("Renewal")),
            a(T - 4 * 3600, Some("renewal ")),
            a(T - 3 * 3600, Some("survey")),
            a(T - 2 * 3600, None),
        ];
        let renewal = normalize_subject(Some(" RENEWAL"));
        let b = frequency_blocks(&attempts, renewal.as_deref(), fl, &s, T);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].reason.code, "state-call-limit");
        assert_eq!(b[0].until, T - 5 * 3600 + DAY);
        // Two calls on `survey` (one named, one unnamed): under the cap.
        assert!(frequency_blocks(&attempts, Some("survey"), fl, &s, T).is_empty());
        // No subject: every call counts.
        assert_eq!(frequency_blocks(&attempts, None, fl, &s, T)[0].until, T - 4 * 3600 + DAY);
        // Not in Colorado.
        assert!(frequency_blocks(&attempts, renewal.as_deref(), rules_for("CO"), &s, T).is_empty());
        let c = counts(&attempts, renewal.as_deref(), T);
        assert_eq!((c.last_24h, c.same_subject_24h, c.last_attempt_at), (4, 3, Some(T - 2 * 3600)));
    }

    #[test]
    fn attempts_stamped_after_the_decision_count_too() {
        // Three decisions that read their clocks a second after this one committed first.
        let s = Settings { min_interval_secs: 0, max_attempts_per_24h: 3, ..Settings::default() };
        let later = [a(T + 1, Some("solar")), a(T + 1, Some("solar")), a(T + 2, Some("solar"))];
        let blocks = frequency_blocks(&later, Some("solar"), rules_for("FL"), &s, T);
        let codes: Vec<&str> = blocks.iter().map(|b| b.reason.code.as_str()).collect();
        assert_eq!(codes, ["too-many-attempts", "state-call-limit"]);
        // A day on either side is the window.
        let day_after = [a(T + DAY - 1, None), a(T + DAY - 1, None), a(T + DAY, None)];
        let b = frequency_blocks(&day_after, None, None, &s, T);
        assert!(b.is_empty(), "only two within 24 hours after: {b:?}");
    }
}
