//! The records: registry imports and re-imports, the internal list, consent, the audit trail.

use compliance_tcpa::config::Settings;
use compliance_tcpa::lists;
use compliance_tcpa::model::{CallRequest, ConsentInput, ConsentKind, Error, Purpose};
use compliance_tcpa::service;
use compliance_tcpa::store::MemoryKv;

const T: i64 = 1_780_416_000; // 2026-06-02T16:00:00Z, 10:00 in Denver
const DAY: i64 = 86_400;

fn consent(n: &str, kind: ConsentKind, scope: &str, at: Option<i64>) -> ConsentInput {
    ConsentInput {
        phone_number: n.into(),
        kind,
        channel: "web-form".into(),
        scope: scope.into(),
        obtained_at: at,
        evidence: None,
    }
}

fn tm(n: &str, at: i64) -> CallRequest {
    CallRequest {
        phone_number: n.into(),
        at: Some(at),
        artificial_voice: true,
        purpose: Purpose::Telemarketing,
        subject: None,
        consent_scope: Some("acme".into()),
        lead_id: None,
    }
}

fn codes(kv: &MemoryKv, r: &CallRequest) -> Vec<String> {
    let d = service::check(kv, r.at.unwrap(), &Settings::default(), r).unwrap();
    d.reasons.into_iter().map(|r| r.code).collect()
}

#[test]
fn registry_import_and_replacement() {
    let kv = MemoryKv::default();
    let file = "# scrub\n3035550101\n303,5550102\n+13035550103\n13035550104\n\nbad line\n0005550100\n";
    let s = lists::import_dnc_registry(&kv, T, file, Some(T - DAY)).unwrap();
    assert_eq!((s.imported, s.rejected_count), (4, 2));
    assert_eq!(s.rejected.len(), 2);
    assert!(s.rejected[0].starts_with("line 7:"), "{:?}", s.rejected);
    assert!(s.registry.imported && !s.registry.stale);
    assert_eq!((s.registry.numbers, s.registry.age_days), (4, Some(1)));
    for n in ["+13035550101", "+13035550102", "+13035550103", "+13035550104"] {
        assert!(lists::check_dnc(&kv, T, n).unwrap().national, "{n}");
    }
    assert!(!lists::check_dnc(&kv, T, "+13035550105").unwrap().national);

    // A re-import replaces the previous one: 0101 is gone, 0105 is new; no key was deleted.
    let keys_before = kv.map.borrow().len();
    let s = lists::import_dnc_registry(&kv, T, "3035550102\n3035550105\n", Some(T)).unwrap();
    assert_eq!(s.imported, 2);
    assert!(kv.map.borrow().len() > keys_before);
    let listed: Vec<bool> = ["+13035550101", "+13035550102", "+13035550105"]
        .iter()
        .map(|n| lists::check_dnc(&kv, T, n).unwrap().national)
        .collect();
    assert_eq!(listed, [false, true, true]);

    // An empty or unreadable file keeps the import in force.
    assert!(matches!(lists::import_dnc_registry(&kv, T, "# nothing\n\n", None), Err(Error::InvalidInput(_))));
    assert!(matches!(lists::import_dnc_registry(&kv, T, "3035550106\n", Some(T + DAY)), Err(Error::InvalidInput(_))));
    assert!(lists::check_dnc(&kv, T, "+13035550105").unwrap().national);

    let page = lists::audit(&kv, None, None, None, None).unwrap();
    assert_eq!(page.entries.iter().filter(|e| e.kind == "registry-imported").count(), 2);
}

#[test]
fn large_import_is_batched() {
    let kv = MemoryKv::default();
    let file: String = (0..100_000u32).map(|i| format!("30355{:05}\n", i)).collect();
    let started = std::time::Instant::now();
    let s = lists::import_dnc_registry(&kv, T, &file, None).unwrap();
    assert_eq!(s.imported, 100_000);
    // 20 batches of 5000, plus the generation, the registry record and its audit entry.
    assert!(kv.calls.get() <= 30, "{} calls", kv.calls.get());
    assert!(started.elapsed().as_secs() < 20);
}

#[test]
fn internal_list() {
    let kv = MemoryKv::default();
    lists::import_dnc_registry(&kv, T, "3035550999\n", Some(T)).unwrap();
    let n = "+13035550123";
    assert!(lists::check_dnc(&kv, T, n).unwrap().internal.is_none());
    let e = lists::add_to_dnc(&kv, T, n, Some("asked not to be called"), None).unwrap();
    assert_eq!((e.source.as_str(), e.added_at), ("operator", T));
    // Adding again keeps the first entry.
    let again = lists::add_to_dnc(&kv, T + 10, n, None, Some("agent")).unwrap();
    assert_eq!(again, e);
    let status = lists::check_dnc(&kv, T, n).unwrap();
    assert_eq!(status.internal, Some(e));
    assert!(status.message.contains("internal"), "{}", status.message);

    let info = CallRequest { artificial_voice: false, purpose: Purpose::Informational, ..tm(n, T) };
    assert_eq!(codes(&kv, &info), ["internal-dnc"]);
    assert!(lists::remove_from_dnc(&kv, T + 20, n, "callee asked to be called again").unwrap());
    assert!(!lists::remove_from_dnc(&kv, T + 30, n, "again").unwrap());
    assert!(codes(&kv, &info).is_empty());

    let kinds: Vec<String> =
        lists::audit(&kv, Some(n), None, None, None).unwrap().entries.into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["dnc-added", "dnc-added", "decision", "dnc-removed", "dnc-removed", "decision"]);
}

#[test]
fn consent_lifecycle() {
    let kv = MemoryKv::default();
    lists::import_dnc_registry(&kv, T, "3035550999\n", Some(T)).unwrap();
    let n = "+13035550123";
    let status = service::verify_consent(&kv, n, None).unwrap();
    assert!(!status.valid && status.records.is_empty());
    assert_eq!(codes(&kv, &tm(n, T)), ["no-consent"]);

    service::record_consent(&kv, T - 100, &consent(n, ConsentKind::PriorExpress, "Acme", None)).unwrap();
    assert_eq!(codes(&kv, &tm(n, T)), ["consent-not-written"]);
    let written =
        service::record_consent(&kv, T - 50, &consent(n, ConsentKind::PriorExpressWritten, "ACME", Some(T - 60)))
            .unwrap();
    assert_eq!((written.obtained_at, written.recorded_at, written.revoked.clone()), (T - 60, T - 50, None));
    assert!(codes(&kv, &tm(n, T)).is_empty());
    // Another scope's consent does not count.
    assert_eq!(codes(&kv, &CallRequest { consent_scope: Some("Other".into()), ..tm(n, T) }), ["no-consent"]);

    let status = service::verify_consent(&kv, n, Some("acme")).unwrap();
    assert!(status.valid && status.written);
    assert_eq!(status.records.len(), 2);
    assert_eq!(status.records[0].obtained_at, T - 60);

    // Revocation: every record, at once.
    let revoked = service::revoke_consent(&kv, T, n, "said-stop-on-call", Some("stop calling me")).unwrap();
    assert_eq!(revoked.len(), 2);
    assert!(revoked.iter().all(|r| r.revoked.as_ref().is_some_and(|v| v.at == T)));
    assert_eq!(codes(&kv, &tm(n, T + 10)), ["consent-revoked"]);
    let status = service::verify_consent(&kv, n, None).unwrap();
    assert!(!status.valid && status.message.contains("revoked"));

    // Consent recorded later but obtained before the revocation never counts...
    let old = service::record_consent(&kv, T + 20, &consent(n, ConsentKind::PriorExpressWritten, "Acme", Some(T - 5)))
        .unwrap();
    assert!(old.revoked.is_some());
    assert_eq!(codes(&kv, &tm(n, T + 30)), ["consent-revoked"]);
    // ...consent obtained after it does.
    service::record_consent(&kv, T + 40, &consent(n, ConsentKind::PriorExpressWritten, "Acme", None)).unwrap();
    assert!(codes(&kv, &tm(n, T + 50)).is_empty());
    assert!(service::revoke_consent(&kv, T + 60, "+13035550124", "sms-stop", None).unwrap().is_empty());
    assert_eq!(codes(&kv, &tm("+13035550124", T + 70)), ["consent-revoked"]);

    // Consent cannot be dated in the future.
    let future = consent(n, ConsentKind::PriorExpressWritten, "Acme", Some(T + 2 * DAY));
    assert!(matches!(service::record_consent(&kv, T, &future), Err(Error::InvalidInput(_))));
    let kinds: Vec<String> =
        lists::audit(&kv, Some(n), Some(T), None, None).unwrap().entries.into_iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&"consent-revoked".to_owned()) && kinds.contains(&"consent-recorded".to_owned()));
}

#[test]
fn attempts_are_recorded_and_audited() {
    let kv = MemoryKv::default();
    lists::import_dnc_registry(&kv, T, "3035550999\n", Some(T)).unwrap();
    let n = "+13035550123";
    service::record_consent(&kv, T - DAY, &consent(n, ConsentKind::PriorExpressWritten, "Acme", None)).unwrap();
    for i in 0..3 {
        let at = T - 3 * 3600 + i * 3600;
        service::record_attempt(&kv, at, n, Some("solar"), Some(at), Some(&format!("call-{i}"))).unwrap();
    }
    assert_eq!(codes(&kv, &tm(n, T + 3600)), ["too-many-attempts"]);
    let d = service::check(&kv, T - 1800, &Settings::default(), &tm(n, T - 1800)).unwrap();
    assert_eq!(d.reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["too-soon", "too-many-attempts"]);
    // The cap clears at 07:00 the next day, the calling window at 08:00.
    assert_eq!(d.next_allowed_at, Some(T - 2 * 3600 + DAY));

    let page = lists::audit(&kv, Some(n), None, None, Some(2)).unwrap();
    assert_eq!(page.entries.len(), 2);
    let rest = lists::audit(&kv, Some(n), None, page.next_cursor.as_deref(), Some(500)).unwrap();
    assert_eq!(rest.entries.len(), 4);
    assert_eq!(rest.next_cursor, None);
    let attempt = &page.entries[1];
    assert_eq!(attempt.kind, "attempt");
    assert!(attempt.detail.contains("call-0"), "{}", attempt.detail);
}

#[test]
fn settings_errors_name_the_key() {
    match Settings::from_pairs([("max_attempts_per_24h", "lots")]) {
        Err(Error::InvalidInput(m)) => assert!(m.contains("max_attempts_per_24h"), "{m}"),
        other => panic!("{other:?}"),
    }
}
