//! Calendar rules at the callee's location: the federal calling window, state windows,
//! Sundays and legal holidays, checked in every time zone the number may be in. Each rule
//! that fails also says when it stops failing, for `next-allowed-at`.

use crate::holidays;
use crate::model::{Purpose, Reason};
use crate::states::{self, Applies, Hours, StateRules, Window};
use crate::zones::utc;
use chrono::{Datelike, Days, NaiveDate, TimeZone, Timelike};
use chrono_tz::Tz;

/// A time rule the call breaks, and the earliest instant it may stop breaking it.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub reason: Reason,
    pub until: i64,
}

/// The Unix time of `minutes` after local midnight of `date` in `tz`. A local time that does
/// not exist (the spring-forward gap) moves on by whole hours until it does.
fn at_local(tz: Tz, date: NaiveDate, minutes: u32) -> Option<i64> {
    let midnight = date.and_hms_opt(0, 0, 0)?;
    (0..=3).find_map(|extra_hours| {
        let naive = midnight + chrono::Duration::minutes(i64::from(minutes) + 60 * extra_hours);
        tz.from_local_datetime(&naive).earliest().map(|d| d.timestamp())
    })
}

/// The local date, weekday (Monday 0) and second of the day at `t` in `tz`.
fn local(tz: Tz, t: i64) -> Option<(NaiveDate, usize, u32, String)> {
    let l = utc(t)?.with_timezone(&tz);
    let date = l.date_naive();
    let weekday = date.weekday().num_days_from_monday() as usize;
    Some((date, weekday, l.num_seconds_from_midnight(), l.format("%H:%M").to_string()))
}

/// One rule over every zone: `check` answers, for a zone, when the rule stops failing and
/// what to say (or none when it passes). The rule fails when it fails in any zone.
fn over_zones(
    zones: &[Tz],
    t: i64,
    mut check: impl FnMut(Tz, NaiveDate, usize, u32) -> Option<i64>,
) -> Option<(i64, Vec<String>)> {
    let mut until = None::<i64>;
    let mut wheres = Vec::new();
    for &tz in zones {
        let Some((date, weekday, secs, hhmm)) = local(tz, t) else { continue };
        if let Some(u) = check(tz, date, weekday, secs) {
            until = Some(until.map_or(u, |x| x.max(u)));
            wheres.push(format!("{hhmm} on {} {date} in {}", weekday_name(weekday), tz.name()));
        }
    }
    until.map(|u| (u, wheres))
}

fn weekday_name(weekday: usize) -> &'static str {
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][weekday % 7]
}

/// When a daily window next opens, if `secs` (of `date`) is outside it; `days` gives the
/// window of each weekday (Monday first).
fn window_block(tz: Tz, date: NaiveDate, weekday: usize, secs: u32, days: &[Option<Window>; 7]) -> Option<i64> {
    if let Some(w) = days[weekday] {
        if secs >= w.start * 60 && secs < w.end * 60 {
            return None;
        }
        if secs < w.start * 60 {
            return at_local(tz, date, w.start);
        }
    }
    (1..=7u64).find_map(|k| {
        let day = date.checked_add_days(Days::new(k))?;
        let w = days[(weekday + k as usize) % 7]?;
        at_local(tz, day, w.start)
    })
}

/// The calendar rules the call breaks at `t`.
pub fn calendar_blocks(zones: &[Tz], state: Option<&StateRules>, purpose: Purpose, t: i64) -> Vec<Block> {
    let mut blocks = Vec::new();
    let telemarketing = purpose == Purpose::Telemarketing;

    // 47 CFR 64.1200(c)(1): no call before 8 a.m. or after 9 p.m. local time at the called
    // party's location; every call, in every zone the number may be in.
    let federal = [Some(states::FEDERAL); 7];
    if let Some((until, wheres)) = over_zones(zones, t, |tz, date, wd, secs| window_block(tz, date, wd, secs, &federal))
    {
        blocks.push(Block {
            reason: Reason::new(
                "outside-calling-hours",
                "47 CFR 64.1200(c)(1)",
                format!(
                    "it is {}: calls are allowed {} local time only",
                    wheres.join(" and "),
                    states::describe(&states::FEDERAL)
                ),
            ),
            until,
        });
    }

    let Some(state) = state else { return blocks };

    if let Some(hours) = state.hours.filter(|h| h.applies == Applies::AllCalls || telemarketing) {
        blocks.extend(state_hours_block(zones, state, &hours, telemarketing, t));
    }

    if !telemarketing {
        return blocks;
    }

    if let Some((calendar, rule)) = &state.no_holidays {
        let mut names = Vec::new();
        let found = over_zones(zones, t, |tz, date, _, _| {
            let name = holidays::holiday_on(calendar, date)?;
            names.push(name);
            at_local(tz, date.succ_opt()?, 0)
        });
        if let Some((until, wheres)) = found {
            names.dedup();
            blocks.push(Block {
                reason: Reason::new(
                    "state-holiday",
                    rule,
                    format!(
                        "it is {} ({}), a legal holiday in {} ({}): no telemarketing calls that day",
                        names.join(", "),
                        wheres.join(" and "),
                        state.name,
                        calendar.source
                    ),
                ),
                until,
            });
        }
    }

    if let Some(rule) = state.no_sundays {
        let found =
            over_zones(zones, t, |tz, date, wd, _| if wd == 6 { at_local(tz, date.succ_opt()?, 0) } else { None });
        if let Some((until, wheres)) = found {
            blocks.push(Block {
                reason: Reason::new(
                    "state-sunday",
                    rule,
                    format!("it is {}: {} allows no telemarketing calls on Sundays", wheres.join(" and "), state.name),
                ),
                until,
            });
        }
    }
    blocks
}

/// The state's calling hours, in every zone. A Sunday on which the state bans telemarketing is
/// the Sunday rule's to report.
fn state_hours_block(zones: &[Tz], state: &StateRules, hours: &Hours, telemarketing: bool, t: i64) -> Option<Block> {
    let sunday_banned = |wd: usize| wd == 6 && telemarketing && state.no_sundays.is_some();
    let (until, wheres) =
        over_zones(
            zones,
            t,
            |tz, date, wd, secs| {
                if sunday_banned(wd) { None } else { window_block(tz, date, wd, secs, &hours.days) }
            },
        )?;
    let allowed: Vec<String> = hours
        .days
        .iter()
        .enumerate()
        .map(|(i, w)| format!("{} {}", &weekday_name(i)[..3], w.as_ref().map_or("none".into(), states::describe)))
        .collect();
    let calls = if hours.applies == Applies::Telemarketing { "telemarketing calls" } else { "calls" };
    Some(Block {
        reason: Reason::new(
            "state-calling-hours",
            hours.rule,
            format!(
                "it is {}: {} allows {calls} only within its hours ({}), local time",
                wheres.join(" and "),
                state.name,
                compress(&allowed)
            ),
        ),
        until,
    })
}

/// `Mon 8:00-20:00, Tue 8:00-20:00, ...` as `Mon-Sat 8:00-20:00, Sun none`.
fn compress(days: &[String]) -> String {
    let mut out: Vec<(String, String, String)> = Vec::new();
    for d in days {
        let (day, hours) = d.split_once(' ').unwrap_or((d, ""));
        match out.last_mut() {
            Some((_, last, h)) if h == hours => *last = day.to_owned(),
            _ => out.push((day.to_owned(), day.to_owned(), hours.to_owned())),
        }
    }
    out.iter()
        .map(|(a, b, h)| if a == b { format!("{a} {h}") } else { format!("{a}-{b} {h}") })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::{Chicago, New_York};

    fn ts(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        tz.with_ymd_and_hms(y, m, d, h, min, 0).earliest().unwrap().timestamp()
    }

    #[test]
    fn federal_window_through_dst() {
        for (m, d) in [(3, 8), (11, 1)] {
            let early = ts(New_York, 2026, m, d, 7, 30);
            let blocks = calendar_blocks(&[New_York], None, Purpose::Informational, early);
            assert_eq!(blocks.len(), 1);
            assert_eq!(blocks[0].reason.code, "outside-calling-hours");
            assert_eq!(blocks[0].until, ts(New_York, 2026, m, d, 8, 0));
            assert!(
                calendar_blocks(&[New_York], None, Purpose::Informational, ts(New_York, 2026, m, d, 8, 30)).is_empty()
            );
        }
        let late = ts(New_York, 2026, 3, 8, 21, 0);
        let blocks = calendar_blocks(&[New_York], None, Purpose::Informational, late);
        assert_eq!(blocks[0].until, ts(New_York, 2026, 3, 9, 8, 0));
    }

    #[test]
    fn every_zone_must_pass() {
        // 08:30 Eastern is 07:30 Central.
        let t = ts(New_York, 2026, 6, 2, 8, 30);
        let blocks = calendar_blocks(&[Chicago, New_York], None, Purpose::Informational, t);
        assert_eq!(blocks.len(), 1);
        assert!(blocks[0].reason.message.contains("America/Chicago"), "{}", blocks[0].reason.message);
        assert_eq!(blocks[0].until, ts(Chicago, 2026, 6, 2, 8, 0));
    }

    #[test]
    fn rhode_island_weekend() {
        let ri = states::rules_for("RI");
        // Saturday 2026-06-06 at 17:30: after Saturday's 17:00, Sunday closed, Monday 9:00.
        let t = ts(New_York, 2026, 6, 6, 17, 30);
        let blocks = calendar_blocks(&[New_York], ri, Purpose::Telemarketing, t);
        let hours = blocks.iter().find(|b| b.reason.code == "state-calling-hours").unwrap();
        assert_eq!(hours.until, ts(New_York, 2026, 6, 8, 9, 0));
        assert!(
            hours.reason.message.contains("Mon-Fri 9:00-18:00, Sat 10:00-17:00, Sun none"),
            "{}",
            hours.reason.message
        );
        // Informational calls are not telemarketing: only the federal window.
        assert!(calendar_blocks(&[New_York], ri, Purpose::Informational, t).is_empty());
    }

    #[test]
    fn spring_forward_gap() {
        // 02:30 on 2026-03-08 does not exist in New York: it becomes 03:30 EDT.
        let d = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        assert_eq!(at_local(New_York, d, 150), Some(ts(New_York, 2026, 3, 8, 3, 30)));
    }
}
