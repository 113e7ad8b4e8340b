//! State rules that go beyond the federal ones, by the number's state: calling hours,
//! calls per subject a day, Sundays and legal holidays.

use crate::holidays::{self, Calendar};

/// A daily calling window, local time, in minutes from midnight: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: u32,
    pub end: u32,
}

const fn window(start_hour: u32, end_hour: u32) -> Option<Window> {
    Some(Window { start: start_hour * 60, end: end_hour * 60 })
}

/// The federal window, 8:00 to 21:00 local time at the called party's location
/// (47 CFR 64.1200(c)(1)). Applied to every call, informational ones too (conservative).
pub const FEDERAL: Window = Window { start: 8 * 60, end: 21 * 60 };

/// The calls a state rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    /// Every call (the statute covers sales calls; applied to all, like the federal hours).
    AllCalls,
    /// Telemarketing (telephone solicitation) only.
    Telemarketing,
}

/// State calling hours.
#[derive(Debug, Clone, Copy)]
pub struct Hours {
    /// Monday first; none where no call may be made that day.
    pub days: [Option<Window>; 7],
    pub applies: Applies,
    pub rule: &'static str,
}

/// At most `max` calls in 24 hours on the same subject.
#[derive(Debug, Clone, Copy)]
pub struct SubjectCap {
    pub max: u32,
    pub rule: &'static str,
}

/// One state's rules.
#[derive(Debug, Clone, Copy)]
pub struct StateRules {
    pub code: &'static str,
    pub name: &'static str,
    pub hours: Option<Hours>,
    /// Applies to every call (conservative, as for the hours).
    pub subject_cap: Option<SubjectCap>,
    /// No telemarketing on Sundays: the rule.
    pub no_sundays: Option<&'static str>,
    /// No telemarketing on these legal holidays: the calendar and the rule.
    pub no_holidays: Option<(Calendar, &'static str)>,
}

const EVERY_DAY_8_TO_20: [Option<Window>; 7] = [window(8, 20); 7];
const MON_SAT_8_TO_20: [Option<Window>; 7] =
    [window(8, 20), window(8, 20), window(8, 20), window(8, 20), window(8, 20), window(8, 20), None];

/// The states with rules of their own, by two-letter code.
pub const STATES: &[StateRules] = &[
    StateRules {
        code: "AL",
        name: "Alabama",
        // Ala. Admin. Code r. 770-X-5-.17(1)(b): no solicitation calls on Sundays or holidays;
        // on other days none before 8 a.m. or after 8 p.m.
        hours: Some(Hours {
            days: MON_SAT_8_TO_20,
            applies: Applies::Telemarketing,
            rule: "Ala. Admin. Code r. 770-X-5-.17(1)(b)",
        }),
        subject_cap: None,
        no_sundays: Some("Ala. Admin. Code r. 770-X-5-.17(1)(b)"),
        no_holidays: Some((holidays::ALABAMA, "Ala. Admin. Code r. 770-X-5-.17(1)(b)")),
    },
    StateRules {
        code: "FL",
        name: "Florida",
        // Fla. Stat. 501.616(6)(a): no telephonic sales call before 8 a.m. or after 8 p.m.
        // local time; (6)(b): no more than 3 calls in 24 hours on the same subject matter.
        hours: Some(Hours { days: EVERY_DAY_8_TO_20, applies: Applies::AllCalls, rule: "Fla. Stat. 501.616(6)(a)" }),
        subject_cap: Some(SubjectCap { max: 3, rule: "Fla. Stat. 501.616(6)(b)" }),
        no_sundays: None,
        no_holidays: None,
    },
    StateRules {
        code: "LA",
        name: "Louisiana",
        // La. R.S. 45:811(2): calls only 8 a.m. to 8 p.m. Monday through Saturday; (3): none on
        // state holidays or Sundays.
        hours: Some(Hours { days: MON_SAT_8_TO_20, applies: Applies::Telemarketing, rule: "La. R.S. 45:811(2)" }),
        subject_cap: None,
        no_sundays: Some("La. R.S. 45:811(3)"),
        no_holidays: Some((holidays::LOUISIANA, "La. R.S. 45:811(3)")),
    },
    StateRules {
        code: "MD",
        name: "Maryland",
        // Md. Code, Com. Law § 14-4503 (Stop the Spam Calls Act of 2023): no telephone
        // solicitation before 8 a.m. or after 8 p.m. local time, nor more than 3 in 24 hours
        // on the same subject matter.
        hours: Some(Hours {
            days: EVERY_DAY_8_TO_20,
            applies: Applies::AllCalls,
            rule: "Md. Code, Com. Law § 14-4503",
        }),
        subject_cap: Some(SubjectCap { max: 3, rule: "Md. Code, Com. Law § 14-4503" }),
        no_sundays: None,
        no_holidays: None,
    },
    StateRules {
        code: "MS",
        name: "Mississippi",
        hours: None,
        subject_cap: None,
        // Miss. Code Ann. § 77-3-723(1): no telephone solicitation on a Sunday.
        no_sundays: Some("Miss. Code Ann. § 77-3-723(1)"),
        // The holiday ban was a Public Service Commission rule (39 Miss. Admin. Code Pt. 1,
        // R. 1:28), reported repealed in 2024 when enforcement moved to the Attorney General.
        // Kept as a conservative default: delete this line to allow holiday calls.
        no_holidays: Some((
            holidays::MISSISSIPPI,
            "Miss. PSC Telephone Solicitation Rules (39 Miss. Admin. Code Pt. 1, R. 1:28)",
        )),
    },
    StateRules {
        code: "OK",
        name: "Oklahoma",
        // Okla. Stat. tit. 15, § 775C.4 (Telephone Solicitation Act of 2022): no commercial
        // telephonic sales call before 8 a.m. or after 8 p.m. local time, nor more than 3 in
        // 24 hours on the same subject matter.
        hours: Some(Hours {
            days: EVERY_DAY_8_TO_20,
            applies: Applies::AllCalls,
            rule: "Okla. Stat. tit. 15, § 775C.4",
        }),
        subject_cap: Some(SubjectCap { max: 3, rule: "Okla. Stat. tit. 15, § 775C.4" }),
        no_sundays: None,
        no_holidays: None,
    },
    StateRules {
        code: "RI",
        name: "Rhode Island",
        // R.I. Gen. Laws § 5-61-3.6 with § 5-61-2(2): unsolicited telephonic sales calls only
        // Monday to Friday 9 a.m. to 6 p.m. except state or federal holidays, Saturday 10 a.m.
        // to 5 p.m.; so never on Sundays or holidays.
        hours: Some(Hours {
            days: [window(9, 18), window(9, 18), window(9, 18), window(9, 18), window(9, 18), window(10, 17), None],
            applies: Applies::Telemarketing,
            rule: "R.I. Gen. Laws §§ 5-61-2(2), 5-61-3.6",
        }),
        subject_cap: None,
        no_sundays: Some("R.I. Gen. Laws §§ 5-61-2(2), 5-61-3.6"),
        no_holidays: Some((holidays::RHODE_ISLAND, "R.I. Gen. Laws §§ 5-61-2(2), 5-61-3.6")),
    },
    StateRules {
        code: "UT",
        name: "Utah",
        // Utah Code § 13-25a-103(3): no telephone solicitation without prior express consent
        // between 9 p.m. and 8 a.m. (the federal window), on a Sunday or on a legal holiday.
        // The consent exemption is not applied (conservative).
        hours: None,
        subject_cap: None,
        no_sundays: Some("Utah Code § 13-25a-103(3)(b)"),
        no_holidays: Some((holidays::UTAH, "Utah Code § 13-25a-103(3)(c)")),
    },
];

/// The rules of a state, if it has rules of its own.
pub fn rules_for(code: &str) -> Option<&'static StateRules> {
    STATES.iter().find(|s| s.code == code)
}

/// `8:00-20:00`, for messages.
pub fn describe(w: &Window) -> String {
    format!("{}:{:02}-{}:{:02}", w.start / 60, w.start % 60, w.end / 60, w.end % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_known() {
        let codes: Vec<_> = STATES.iter().map(|s| s.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(codes, sorted);
        assert!(rules_for("FL").unwrap().subject_cap.is_some());
        assert!(rules_for("CO").is_none());
        assert_eq!(describe(&FEDERAL), "8:00-21:00");
    }
}
