//! Compliance cases, table-driven, at fixed instants: each rule, multi-zone area codes, both
//! DST transitions, the state rules, holidays in two years, consent, do-not-call, the
//! registry's freshness, special numbers and `next-allowed-at`.

use chrono::TimeZone;
use chrono_tz::America::{Chicago, Denver, Los_Angeles, New_York};
use chrono_tz::Tz;
use compliance_tcpa::config::Settings;
use compliance_tcpa::lists;
use compliance_tcpa::model::{CallRequest, ConsentInput, ConsentKind, Decision, Purpose};
use compliance_tcpa::service;
use compliance_tcpa::store::MemoryKv;

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

fn ts(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    tz.with_ymd_and_hms(y, m, d, h, min, 0).earliest().unwrap().timestamp()
}

/// The numbers of the cases, by what they stand for.
const NY: &str = "+12125550100";
const CO: &str = "+13035550100";
const ID: &str = "+12085550100"; // Boise, Denver and Los Angeles zones
const FL_850: &str = "+18505550100"; // Central and Eastern
const FL: &str = "+13055550100";
const OK: &str = "+14055550100";
const MD: &str = "+14105550100";
const AL: &str = "+12055550100";
const UT: &str = "+18015550100";
const LA: &str = "+15045550100";
const RI: &str = "+14015550100";
const INTERNAL: &str = "+13035550111";
const NATIONAL: &str = "+13035550122";
const NO_CONSENT: &str = "+13035550133";
const ORAL: &str = "+13035550144";
const REVOKED: &str = "+13035550155";
const RECENT: &str = "+13035550166";
const BUSY: &str = "+13035550177";

/// A store with a registry scrubbed at `scrub`, written consent for the ordinary numbers, and
/// the records the cases need.
fn world(scrub: i64) -> MemoryKv {
    let kv = MemoryKv::default();
    let registry = format!("# test registry\n{}\n3035550999\n", &NATIONAL[2..]);
    lists::import_dnc_registry(&kv, scrub, &registry, Some(scrub)).unwrap();
    for n in [NY, CO, ID, FL_850, FL, OK, MD, AL, UT, LA, RI, INTERNAL, NATIONAL, RECENT, BUSY] {
        consent(&kv, n, ConsentKind::PriorExpressWritten, scrub - 100 * DAY);
    }
    consent(&kv, ORAL, ConsentKind::PriorExpress, scrub - 100 * DAY);
    consent(&kv, REVOKED, ConsentKind::PriorExpressWritten, scrub - 100 * DAY);
    service::revoke_consent(&kv, scrub - 50 * DAY, REVOKED, "said-stop-on-call", None).unwrap();
    lists::add_to_dnc(&kv, scrub - DAY, INTERNAL, Some("asked not to be called"), Some("agent")).unwrap();
    kv
}

fn consent(kv: &MemoryKv, n: &str, kind: ConsentKind, at: i64) {
    let input = ConsentInput {
        phone_number: n.into(),
        kind,
        channel: "web-form".into(),
        scope: "Acme Solar".into(),
        obtained_at: Some(at),
        evidence: Some("form-123".into()),
    };
    service::record_consent(kv, at, &input).unwrap();
}

fn req(n: &str, at: i64, purpose: Purpose, voice: bool, subject: Option<&str>) -> CallRequest {
    CallRequest {
        phone_number: n.into(),
        at: Some(at),
        artificial_voice: voice,
        purpose,
        subject: subject.map(str::to_owned),
        consent_scope: None,
        lead_id: Some("lead-7".into()),
    }
}

fn check(kv: &MemoryKv, settings: &Settings, r: &CallRequest) -> Decision {
    service::check(kv, r.at.unwrap(), settings, r).unwrap()
}

struct Case {
    name: &'static str,
    number: &'static str,
    at: i64,
    purpose: Purpose,
    voice: bool,
    subject: Option<&'static str>,
    /// Attempts recorded first: (seconds before `at`, subject).
    attempts: &'static [(i64, Option<&'static str>)],
    max_attempts: u32,
    codes: &'static [&'static str],
    /// `Some(None)`: no next-allowed-at expected; `None`: not checked.
    next: Option<Option<i64>>,
}

const TM: Purpose = Purpose::Telemarketing;
const INFO: Purpose = Purpose::Informational;

fn case(name: &'static str, number: &'static str, at: i64, purpose: Purpose, codes: &'static [&'static str]) -> Case {
    Case { name, number, at, purpose, voice: false, subject: None, attempts: &[], max_attempts: 3, codes, next: None }
}

#[test]
fn compliance_cases() {
    let june = ts(New_York, 2026, 6, 2, 12, 0); // a Tuesday
    let cases = vec![
        // Federal hours, through both DST transitions, computed in the zone.
        Case {
            next: Some(Some(ts(New_York, 2026, 3, 8, 8, 0))),
            ..case("NY 07:30 spring forward", NY, ts(New_York, 2026, 3, 8, 7, 30), INFO, &["outside-calling-hours"])
        },
        Case { next: Some(None), ..case("NY 08:30 spring forward", NY, ts(New_York, 2026, 3, 8, 8, 30), INFO, &[]) },
        Case {
            next: Some(Some(ts(New_York, 2026, 11, 1, 8, 0))),
            ..case("NY 07:30 fall back", NY, ts(New_York, 2026, 11, 1, 7, 30), INFO, &["outside-calling-hours"])
        },
        case("NY 08:30 fall back", NY, ts(New_York, 2026, 11, 1, 8, 30), INFO, &[]),
        Case {
            next: Some(Some(ts(New_York, 2026, 6, 3, 8, 0))),
            ..case("NY 21:00", NY, ts(New_York, 2026, 6, 2, 21, 0), TM, &["outside-calling-hours"])
        },
        case("NY 20:59", NY, ts(New_York, 2026, 6, 2, 20, 59), TM, &[]),
        // Multi-zone area codes: inside the window in one zone, not in another.
        Case {
            next: Some(Some(ts(Los_Angeles, 2026, 6, 2, 8, 0))),
            ..case(
                "208 08:30 Mountain = 07:30 Pacific",
                ID,
                ts(Denver, 2026, 6, 2, 8, 30),
                INFO,
                &["outside-calling-hours"],
            )
        },
        case("208 09:30 Mountain", ID, ts(Denver, 2026, 6, 2, 9, 30), INFO, &[]),
        case(
            "208 20:30 Pacific = 21:30 Mountain",
            ID,
            ts(Los_Angeles, 2026, 6, 2, 20, 30),
            INFO,
            &["outside-calling-hours"],
        ),
        case(
            "850 08:30 Eastern = 07:30 Central",
            FL_850,
            ts(New_York, 2026, 6, 2, 8, 30),
            INFO,
            &["outside-calling-hours", "state-calling-hours"],
        ),
        // State hours 8:00-20:00 and the 3-calls-per-subject cap.
        Case {
            next: Some(Some(ts(New_York, 2026, 6, 3, 8, 0))),
            ..case("FL 20:30", FL, ts(New_York, 2026, 6, 2, 20, 30), INFO, &["state-calling-hours"])
        },
        case("FL 19:30", FL, ts(New_York, 2026, 6, 2, 19, 30), TM, &[]),
        case("OK 20:30", OK, ts(Chicago, 2026, 6, 2, 20, 30), TM, &["state-calling-hours"]),
        case("OK 19:30", OK, ts(Chicago, 2026, 6, 2, 19, 30), TM, &[]),
        case("MD 20:30", MD, ts(New_York, 2026, 6, 2, 20, 30), TM, &["state-calling-hours"]),
        case("MD 19:30", MD, ts(New_York, 2026, 6, 2, 19, 30), TM, &[]),
        Case {
            subject: Some("Renewal"),
            attempts: &[(5 * HOUR, Some("renewal")), (4 * HOUR, Some("RENEWAL")), (3 * HOUR, Some("renewal"))],
            max_attempts: 10,
            // The cap clears at 07:00 the next day, the calling window at 08:00.
            next: Some(Some(ts(New_York, 2026, 6, 3, 8, 0))),
            ..case("FL 4th call on one subject", FL, june, TM, &["state-call-limit"])
        },
        Case {
            subject: Some("Renewal"),
            attempts: &[(5 * HOUR, Some("renewal")), (4 * HOUR, Some("survey")), (3 * HOUR, Some("renewal"))],
            max_attempts: 10,
            ..case("FL 3rd call on one subject", FL, june, TM, &[])
        },
        Case {
            subject: Some("loan"),
            attempts: &[(5 * HOUR, Some("loan")), (4 * HOUR, Some("loan")), (3 * HOUR, Some("loan"))],
            max_attempts: 10,
            ..case("OK 4th call on one subject", OK, june, TM, &["state-call-limit"])
        },
        Case {
            subject: Some("loan"),
            attempts: &[(5 * HOUR, Some("loan")), (4 * HOUR, Some("loan")), (3 * HOUR, Some("loan"))],
            max_attempts: 10,
            ..case("MD 4th call on one subject", MD, june, TM, &["state-call-limit"])
        },
        Case {
            subject: Some("loan"),
            attempts: &[(5 * HOUR, Some("loan")), (4 * HOUR, Some("loan")), (3 * HOUR, Some("loan"))],
            max_attempts: 10,
            ..case("CO has no subject cap", CO, june, TM, &[])
        },
        // Holidays in two years, and Sundays.
        Case {
            next: Some(Some(ts(Chicago, 2026, 11, 27, 8, 0))),
            ..case("AL Thanksgiving 2026", AL, ts(Chicago, 2026, 11, 26, 12, 0), TM, &["state-holiday"])
        },
        case("AL Thanksgiving 2027", AL, ts(Chicago, 2027, 11, 25, 12, 0), TM, &["state-holiday"]),
        case("AL Thanksgiving is fine for informational calls", AL, ts(Chicago, 2026, 11, 26, 12, 0), INFO, &[]),
        case("AL the day after Thanksgiving 2026", AL, ts(Chicago, 2026, 11, 27, 12, 0), TM, &[]),
        case("UT Memorial Day 2026", UT, ts(Denver, 2026, 5, 25, 12, 0), TM, &["state-holiday"]),
        case("UT Memorial Day 2027", UT, ts(Denver, 2027, 5, 31, 12, 0), TM, &["state-holiday"]),
        case("UT the Monday before Memorial Day 2027", UT, ts(Denver, 2027, 5, 24, 12, 0), TM, &[]),
        case("LA Mardi Gras 2027", LA, ts(Chicago, 2027, 2, 9, 12, 0), TM, &["state-holiday"]),
        Case {
            next: Some(Some(ts(Chicago, 2026, 6, 8, 8, 0))),
            ..case("LA Sunday", LA, ts(Chicago, 2026, 6, 7, 12, 0), TM, &["state-sunday"])
        },
        case("LA Saturday", LA, ts(Chicago, 2026, 6, 6, 12, 0), TM, &[]),
        case("LA 20:30 telemarketing", LA, ts(Chicago, 2026, 6, 6, 20, 30), TM, &["state-calling-hours"]),
        case("RI Victory Day 2026", RI, ts(New_York, 2026, 8, 10, 12, 0), TM, &["state-holiday"]),
        case("CO Sunday", CO, ts(Denver, 2026, 6, 7, 12, 0), TM, &[]),
        // Consent.
        case("no consent, live informational", NO_CONSENT, june, INFO, &[]),
        Case { voice: true, next: Some(None), ..case("no consent, AI voice", NO_CONSENT, june, INFO, &["no-consent"]) },
        case("no consent, telemarketing", NO_CONSENT, june, TM, &["no-consent"]),
        Case { voice: true, ..case("oral consent, AI voice", ORAL, june, INFO, &["consent-not-written"]) },
        case("oral consent, live informational", ORAL, june, INFO, &[]),
        case("revoked consent, telemarketing", REVOKED, june, TM, &["consent-revoked"]),
        // Do-not-call.
        Case { next: Some(None), ..case("internal DNC, informational", INTERNAL, june, INFO, &["internal-dnc"]) },
        case("national DNC, telemarketing", NATIONAL, june, TM, &["national-dnc"]),
        case("national DNC, informational", NATIONAL, june, INFO, &[]),
        Case {
            next: Some(None),
            ..case(
                "national DNC at 07:00: waiting will not help",
                NATIONAL,
                ts(Denver, 2026, 6, 2, 7, 0),
                TM,
                &["national-dnc", "outside-calling-hours"],
            )
        },
        // Spacing and the daily cap.
        Case {
            attempts: &[(30 * 60, None)],
            next: Some(Some(june + 30 * 60)),
            ..case("30 minutes after a call", RECENT, june, INFO, &["too-soon"])
        },
        Case { attempts: &[(2 * HOUR, None)], ..case("2 hours after a call", RECENT, june, INFO, &[]) },
        Case {
            attempts: &[(20 * HOUR, None), (10 * HOUR, None), (2 * HOUR, None)],
            next: Some(Some(june - 20 * HOUR + DAY)),
            ..case("4th attempt in 24 hours", BUSY, june, INFO, &["too-many-attempts"])
        },
        // Special numbers and regions.
        Case { next: Some(None), ..case("911", "911", june, INFO, &["special-number"]) },
        case("988", "+1988", june, INFO, &["special-number"]),
        case("N11 exchange", "+13039110100", june, INFO, &["special-number"]),
        case("toll-free", "+18005550100", june, TM, &["special-number"]),
        case("toll-free 833", "+18335550100", june, TM, &["special-number"]),
        case("premium 900", "+19005550100", june, TM, &["special-number"]),
        case("Canada", "+14165550100", june, TM, &["unsupported-region"]),
        case("Jamaica", "+18765550100", june, TM, &["unsupported-region"]),
        case("UK", "+442079460000", june, TM, &["unsupported-region"]),
        case("non-geographic 500", "+15005550100", june, TM, &["unsupported-region"]),
    ];

    for c in cases {
        let kv = world(c.at - 2 * DAY);
        for (before, subject) in c.attempts {
            service::record_attempt(&kv, c.at - before, c.number, *subject, Some(c.at - before), None).unwrap();
        }
        let settings = Settings { max_attempts_per_24h: c.max_attempts, ..Settings::default() };
        let d = check(&kv, &settings, &req(c.number, c.at, c.purpose, c.voice, c.subject));
        let codes: Vec<&str> = d.reasons.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, c.codes, "{}: {:#?}", c.name, d.reasons);
        assert_eq!(d.allowed, c.codes.is_empty(), "{}", c.name);
        assert_eq!(d.checked_at, c.at, "{}", c.name);
        if let Some(next) = c.next {
            assert_eq!(d.next_allowed_at, next, "{}: {:#?}", c.name, d.reasons);
        }
        if d.allowed {
            assert_eq!(d.next_allowed_at, None, "{}", c.name);
        }
        for r in &d.reasons {
            assert!(!r.rule.is_empty() && !r.message.is_empty(), "{}: {r:?}", c.name);
        }
    }
}

#[test]
fn registry_freshness() {
    let at = ts(Denver, 2026, 6, 2, 12, 0);
    let settings = Settings::default();
    let fresh = world(at - 30 * DAY);
    let d = check(&fresh, &settings, &req(CO, at, INFO, false, None));
    assert!(d.allowed, "{:?}", d.reasons);

    let stale = world(at - 32 * DAY);
    let d = check(&stale, &settings, &req(CO, at, INFO, false, None));
    assert_eq!(d.reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["dnc-registry-stale"]);
    assert_eq!(d.next_allowed_at, None);
    assert!(d.reasons[0].message.contains("import"));

    let empty = MemoryKv::default();
    let d = check(&empty, &settings, &req(CO, at, INFO, false, None));
    assert_eq!(d.reasons[0].code, "dnc-registry-missing");

    // A time rule that would only clear once the registry is too old: waiting will not help.
    let seven = ts(Denver, 2026, 6, 2, 7, 0);
    let aging = world(seven - 31 * DAY + 30 * 60);
    let d = check(&aging, &settings, &req(CO, seven, INFO, false, None));
    assert_eq!(d.reasons[0].code, "outside-calling-hours");
    assert_eq!(d.next_allowed_at, None);
}

#[test]
fn decision_reports_zones_state_and_audit() {
    let at = ts(Denver, 2026, 3, 8, 9, 30);
    let kv = world(at - DAY);
    let d = check(&kv, &Settings::default(), &req(ID, at, TM, true, Some("solar")));
    assert!(d.allowed, "{:?}", d.reasons);
    assert_eq!(d.state.as_deref(), Some("ID"));
    let zones: Vec<(&str, &str)> = d.local_times.iter().map(|l| (l.zone.as_str(), l.time.as_str())).collect();
    assert_eq!(
        zones,
        [
            ("America/Boise", "2026-03-08T09:30:00-06:00"),
            ("America/Denver", "2026-03-08T09:30:00-06:00"),
            ("America/Los_Angeles", "2026-03-08T08:30:00-07:00")
        ]
    );
    let page = lists::audit(&kv, Some(ID), None, None, None).unwrap();
    let last = page.entries.last().unwrap();
    assert_eq!((last.id.as_str(), last.kind.as_str(), last.allowed), (d.audit_id.as_str(), "decision", Some(true)));
    let detail: serde_json::Value = serde_json::from_str(&last.detail).unwrap();
    assert_eq!(detail["state"], "ID");
    assert_eq!(detail["subject"], "solar");
    assert_eq!(detail["consent_found"]["kind"], "prior-express-written");
    assert_eq!(detail["registry"]["age_days"], 1);
    assert_eq!(detail["attempts"]["last_24h"], 0);
    assert_eq!(detail["zones"].as_array().unwrap().len(), 3);
}

#[test]
fn check_takes_few_round_trips() {
    let at = ts(Denver, 2026, 6, 2, 12, 0);
    let kv = world(at - DAY);
    for i in 0..5 {
        service::record_attempt(&kv, at - DAY - i * HOUR, CO, None, Some(at - DAY - i * HOUR), None).unwrap();
    }
    kv.calls.set(0);
    let d = check(&kv, &Settings::default(), &req(CO, at, TM, false, None));
    assert!(d.allowed, "{:?}", d.reasons);
    // The ledger's read (the attempts), the audit id, get-many (registry, national list,
    // consent count), get-many (consent log), the ledger's swap, set-many (the audit entry).
    assert_eq!(kv.calls.get(), 6);
}

#[test]
fn invalid_inputs_are_errors() {
    use compliance_tcpa::model::Error;
    let t = ts(Denver, 2026, 6, 2, 12, 0);
    let kv = world(t);
    let s = Settings::default();
    let bad = |r: CallRequest| service::check(&kv, t, &s, &r).unwrap_err();
    assert!(
        matches!(bad(req("3035550100", t, TM, false, None)), Error::InvalidNumber(m) if m.contains("+13035550100"))
    );
    assert!(matches!(bad(req(CO, -5, TM, false, None)), Error::InvalidInput(m) if m.contains("at")));
    let long = "x".repeat(300);
    assert!(matches!(bad(req(CO, t, TM, false, Some(&long))), Error::InvalidInput(m) if m.contains("subject")));
    assert!(matches!(service::record_attempt(&kv, t, "+1303", None, None, None), Err(Error::InvalidNumber(_))));
    assert!(matches!(lists::remove_from_dnc(&kv, t, CO, " "), Err(Error::InvalidInput(_))));
    assert!(matches!(service::revoke_consent(&kv, t, CO, "", None), Err(Error::InvalidInput(_))));
    kv.fail_writes.set(true);
    assert!(matches!(service::check(&kv, t, &s, &req(CO, t, INFO, false, None)), Err(Error::Storage(_))));
}
