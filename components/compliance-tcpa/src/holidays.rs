//! State legal holidays, computed for any year: fixed dates, nth or last weekday of a month,
//! Easter-based days (Mardi Gras, Good Friday), and the weekday a weekend holiday is
//! observed on where the state's law moves it.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// When a holiday falls in a year.
#[derive(Debug, Clone, Copy)]
pub enum When {
    /// Month and day.
    Fixed(u32, u32),
    /// The nth (1-based) weekday of a month.
    Nth(u32, Weekday, u8),
    /// The last weekday of a month.
    Last(u32, Weekday),
    /// Days from Easter Sunday (Gregorian): -47 Mardi Gras, -2 Good Friday.
    Easter(i64),
}

/// A legal holiday.
#[derive(Debug, Clone, Copy)]
pub struct Holiday {
    pub name: &'static str,
    pub when: When,
}

/// Where a holiday that falls on a weekend is observed too.
#[derive(Debug, Clone, Copy)]
pub struct Shifts {
    /// A Saturday holiday is also observed on the Friday before.
    pub sat_to_fri: bool,
    /// A Saturday holiday is also observed on the Monday after.
    pub sat_to_mon: bool,
    /// A Sunday holiday is also observed on the Monday after.
    pub sun_to_mon: bool,
}

/// A state's legal holidays.
#[derive(Debug, Clone, Copy)]
pub struct Calendar {
    pub holidays: &'static [Holiday],
    pub shifts: Shifts,
    /// The law that lists them.
    pub source: &'static str,
}

const fn fixed(name: &'static str, month: u32, day: u32) -> Holiday {
    Holiday { name, when: When::Fixed(month, day) }
}

const fn nth(name: &'static str, month: u32, weekday: Weekday, n: u8) -> Holiday {
    Holiday { name, when: When::Nth(month, weekday, n) }
}

const fn last(name: &'static str, month: u32, weekday: Weekday) -> Holiday {
    Holiday { name, when: When::Last(month, weekday) }
}

const fn easter(name: &'static str, offset: i64) -> Holiday {
    Holiday { name, when: When::Easter(offset) }
}

use Weekday::{Mon, Thu};

const NEW_YEAR: Holiday = fixed("New Year's Day", 1, 1);
const MLK: Holiday = nth("Martin Luther King Jr. Day", 1, Mon, 3);
const WASHINGTON: Holiday = nth("Washington's Birthday", 2, Mon, 3);
const MEMORIAL: Holiday = last("Memorial Day", 5, Mon);
const JUNETEENTH: Holiday = fixed("Juneteenth", 6, 19);
const INDEPENDENCE: Holiday = fixed("Independence Day", 7, 4);
const LABOR: Holiday = nth("Labor Day", 9, Mon, 1);
const COLUMBUS: Holiday = nth("Columbus Day", 10, Mon, 2);
const VETERANS: Holiday = fixed("Veterans Day", 11, 11);
const THANKSGIVING: Holiday = nth("Thanksgiving Day", 11, Thu, 4);
const CHRISTMAS: Holiday = fixed("Christmas Day", 12, 25);

/// Alabama, Ala. Code § 1-3-8: a Saturday holiday is observed the Friday before, a Sunday one
/// the Monday after. Mardi Gras is a holiday in Baldwin and Mobile counties only; a number does
/// not tell its county, so it is kept for the whole state (conservative). Juneteenth and Rosa
/// Parks Day (December 1) are listed by telemarketing compliance vendors for Alabama; kept,
/// unverified against the Code.
pub const ALABAMA: Calendar = Calendar {
    holidays: &[
        NEW_YEAR,
        nth("Robert E. Lee's and Martin Luther King Jr.'s Birthday", 1, Mon, 3),
        nth("George Washington's and Thomas Jefferson's Birthday", 2, Mon, 3),
        easter("Mardi Gras", -47),
        nth("Confederate Memorial Day", 4, Mon, 4),
        MEMORIAL,
        nth("Jefferson Davis' Birthday", 6, Mon, 1),
        JUNETEENTH,
        INDEPENDENCE,
        LABOR,
        nth("Columbus Day, American Indian Heritage Day and Fraternal Day", 10, Mon, 2),
        VETERANS,
        THANKSGIVING,
        fixed("Rosa Parks Day", 12, 1),
        CHRISTMAS,
    ],
    shifts: Shifts { sat_to_fri: true, sat_to_mon: false, sun_to_mon: true },
    source: "Ala. Code § 1-3-8",
};

/// Louisiana, La. R.S. 1:55 (the statutory holidays; days the governor proclaims, such as the
/// day after Thanksgiving, are not known here). Weekend holidays are taken on the Friday
/// before and the Monday after (conservative).
pub const LOUISIANA: Calendar = Calendar {
    holidays: &[
        NEW_YEAR,
        fixed("Battle of New Orleans", 1, 8),
        MLK,
        fixed("Robert E. Lee Day", 1, 19),
        WASHINGTON,
        easter("Mardi Gras", -47),
        easter("Good Friday", -2),
        MEMORIAL,
        fixed("Confederate Memorial Day", 6, 3),
        JUNETEENTH,
        INDEPENDENCE,
        fixed("Huey P. Long Day", 8, 30),
        LABOR,
        COLUMBUS,
        fixed("All Saints' Day", 11, 1),
        VETERANS,
        THANKSGIVING,
        CHRISTMAS,
    ],
    shifts: Shifts { sat_to_fri: true, sat_to_mon: false, sun_to_mon: true },
    source: "La. R.S. 1:55",
};

/// Mississippi, Miss. Code Ann. § 3-3-7: a Sunday holiday is observed the Monday after.
pub const MISSISSIPPI: Calendar = Calendar {
    holidays: &[
        NEW_YEAR,
        nth("Robert E. Lee's and Martin Luther King Jr.'s Birthday", 1, Mon, 3),
        WASHINGTON,
        last("Confederate Memorial Day", 4, Mon),
        last("National Memorial Day and Jefferson Davis' Birthday", 5, Mon),
        INDEPENDENCE,
        LABOR,
        fixed("Armistice (Veterans) Day", 11, 11),
        THANKSGIVING,
        CHRISTMAS,
    ],
    shifts: Shifts { sat_to_fri: false, sat_to_mon: false, sun_to_mon: true },
    source: "Miss. Code Ann. § 3-3-7",
};

/// Rhode Island: "a state or federal holiday" (R.I. Gen. Laws § 5-61-2(2)), so the state
/// holidays of R.I. Gen. Laws § 25-1-1 and the federal ones of 5 U.S.C. § 6103, with the
/// federal Friday/Monday observance and the state's Monday one. Rhode Island Independence Day
/// (May 4) is added as compliance vendors list it.
pub const RHODE_ISLAND: Calendar = Calendar {
    holidays: &[
        NEW_YEAR,
        MLK,
        WASHINGTON,
        fixed("Rhode Island Independence Day", 5, 4),
        MEMORIAL,
        JUNETEENTH,
        INDEPENDENCE,
        nth("Victory Day", 8, Mon, 2),
        LABOR,
        nth("Columbus Day / Indigenous Peoples' Day", 10, Mon, 2),
        VETERANS,
        THANKSGIVING,
        CHRISTMAS,
    ],
    shifts: Shifts { sat_to_fri: true, sat_to_mon: true, sun_to_mon: true },
    source: "R.I. Gen. Laws § 25-1-1; 5 U.S.C. § 6103",
};

/// Utah, Utah Code § 63G-1-301: a Saturday holiday is observed the Friday before, a Sunday
/// one the Monday after.
pub const UTAH: Calendar = Calendar {
    holidays: &[
        NEW_YEAR,
        nth("Martin Luther King Jr. / Human Rights Day", 1, Mon, 3),
        nth("Washington and Lincoln Day", 2, Mon, 3),
        MEMORIAL,
        JUNETEENTH,
        INDEPENDENCE,
        fixed("Pioneer Day", 7, 24),
        LABOR,
        COLUMBUS,
        VETERANS,
        THANKSGIVING,
        CHRISTMAS,
    ],
    shifts: Shifts { sat_to_fri: true, sat_to_mon: false, sun_to_mon: true },
    source: "Utah Code § 63G-1-301",
};

/// Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

impl When {
    /// The date in a year.
    pub fn date(self, year: i32) -> Option<NaiveDate> {
        match self {
            When::Fixed(month, day) => NaiveDate::from_ymd_opt(year, month, day),
            When::Nth(month, weekday, n) => NaiveDate::from_weekday_of_month_opt(year, month, weekday, n),
            When::Last(month, weekday) => {
                let first_next = if month == 12 {
                    NaiveDate::from_ymd_opt(year + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(year, month + 1, 1)
                }?;
                let last_day = first_next.pred_opt()?;
                let back = (7 + last_day.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
                last_day.checked_sub_days(Days::new(u64::from(back)))
            }
            When::Easter(offset) => {
                let sunday = easter_sunday(year)?;
                if offset >= 0 {
                    sunday.checked_add_days(Days::new(offset.unsigned_abs()))
                } else {
                    sunday.checked_sub_days(Days::new(offset.unsigned_abs()))
                }
            }
        }
    }
}

/// The holiday `date` is (or is observed as) in the calendar, by name.
pub fn holiday_on(calendar: &Calendar, date: NaiveDate) -> Option<String> {
    // A January 1 on a Saturday is observed on December 31 of the year before.
    for year in [date.year(), date.year() + 1] {
        for holiday in calendar.holidays {
            let Some(day) = holiday.when.date(year) else { continue };
            if day == date {
                return Some(holiday.name.to_owned());
            }
            let observed = match day.weekday() {
                Weekday::Sat => [
                    calendar.shifts.sat_to_fri.then(|| day.pred_opt()).flatten(),
                    calendar.shifts.sat_to_mon.then(|| day.checked_add_days(Days::new(2))).flatten(),
                ],
                Weekday::Sun => [calendar.shifts.sun_to_mon.then(|| day.succ_opt()).flatten(), None],
                _ => [None, None],
            };
            if observed.contains(&Some(date)) {
                return Some(format!("{} (observed)", holiday.name));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_dates() {
        for (y, m, day) in [(2024, 3, 31), (2025, 4, 20), (2026, 4, 5), (2027, 3, 28), (2038, 4, 25), (2000, 4, 23)] {
            assert_eq!(easter_sunday(y), Some(d(y, m, day)), "{y}");
        }
    }

    #[test]
    fn moving_holidays() {
        assert_eq!(THANKSGIVING.when.date(2026), Some(d(2026, 11, 26)));
        assert_eq!(THANKSGIVING.when.date(2027), Some(d(2027, 11, 25)));
        assert_eq!(MEMORIAL.when.date(2026), Some(d(2026, 5, 25)));
        assert_eq!(MEMORIAL.when.date(2027), Some(d(2027, 5, 31)));
        assert_eq!(MLK.when.date(2026), Some(d(2026, 1, 19)));
        assert_eq!(last("x", 12, Weekday::Fri).when.date(2026), Some(d(2026, 12, 25)));
        // Mardi Gras and Good Friday 2026 (Easter April 5) and 2027 (Easter March 28).
        assert_eq!(holiday_on(&LOUISIANA, d(2026, 2, 17)).as_deref(), Some("Mardi Gras"));
        assert_eq!(holiday_on(&LOUISIANA, d(2026, 4, 3)).as_deref(), Some("Good Friday"));
        assert_eq!(holiday_on(&LOUISIANA, d(2027, 2, 9)).as_deref(), Some("Mardi Gras"));
        assert_eq!(holiday_on(&LOUISIANA, d(2027, 3, 26)).as_deref(), Some("Good Friday"));
        assert_eq!(holiday_on(&ALABAMA, d(2026, 4, 27)).as_deref(), Some("Confederate Memorial Day"));
        assert_eq!(holiday_on(&MISSISSIPPI, d(2026, 4, 27)).as_deref(), Some("Confederate Memorial Day"));
        assert_eq!(holiday_on(&UTAH, d(2026, 7, 24)).as_deref(), Some("Pioneer Day"));
        assert_eq!(holiday_on(&RHODE_ISLAND, d(2026, 8, 10)).as_deref(), Some("Victory Day"));
        assert_eq!(holiday_on(&UTAH, d(2026, 11, 27)), None);
    }

    #[test]
    fn observed_days() {
        // July 4 2026 is a Saturday: Friday July 3 in Alabama and Utah, not Mississippi;
        // Rhode Island takes both the Friday and the Monday.
        assert_eq!(holiday_on(&ALABAMA, d(2026, 7, 3)).as_deref(), Some("Independence Day (observed)"));
        assert_eq!(holiday_on(&UTAH, d(2026, 7, 3)).as_deref(), Some("Independence Day (observed)"));
        assert_eq!(holiday_on(&MISSISSIPPI, d(2026, 7, 3)), None);
        assert!(holiday_on(&RHODE_ISLAND, d(2026, 7, 6)).is_some());
        // Christmas 2022 was a Sunday: Monday December 26 in Mississippi.
        assert!(holiday_on(&MISSISSIPPI, d(2022, 12, 26)).is_some());
        // January 1 2028 is a Saturday: Friday December 31 2027 in Utah.
        assert_eq!(holiday_on(&UTAH, d(2027, 12, 31)).as_deref(), Some("New Year's Day (observed)"));
        assert_eq!(holiday_on(&UTAH, d(2027, 12, 30)), None);
    }
}
