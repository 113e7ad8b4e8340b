//! Consent: the records of a number as a log of events (consent given, consent revoked), and
//! what they allow. A revocation revokes every consent obtained up to it, of every scope, for
//! good (47 CFR 64.1200(a)(10)); consent obtained after it is a new consent and counts.

use crate::model::{ConsentKind, ConsentRecord, Reason, Revocation};
use serde::{Deserialize, Serialize};

/// Consent as stored: a record without its revocation, which is derived from the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Given {
    pub phone_number: String,
    pub kind: ConsentKind,
    pub channel: String,
    pub scope: String,
    pub obtained_at: i64,
    pub evidence: Option<String>,
    pub recorded_at: i64,
}

/// One entry of a number's consent log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    Given(Given),
    Revoked(Revocation),
}

/// A number's consent, folded from its log (events in the order they were recorded).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Consents {
    /// Every record with its revocation, if any, in recording order.
    pub records: Vec<ConsentRecord>,
    /// Every revocation, in recording order.
    pub revocations: Vec<Revocation>,
}

impl Consents {
    /// Folds a log: a consent is revoked by the first revocation at or after the time it was
    /// obtained; at the same second, only by a revocation recorded after it.
    pub fn fold(events: impl IntoIterator<Item = Event>) -> Self {
        let events: Vec<Event> = events.into_iter().collect();
        let revocations: Vec<(usize, &Revocation)> = events
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Event::Revoked(r) => Some((i, r)),
                Event::Given(_) => None,
            })
            .collect();
        let records = events
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Event::Given(g) => Some((i, g)),
                Event::Revoked(_) => None,
            })
            .map(|(i, g)| {
                let revoked = revocations
                    .iter()
                    .filter(|(j, r)| r.at > g.obtained_at || (r.at == g.obtained_at && *j > i))
                    .map(|(_, r)| *r)
                    .min_by_key(|r| r.at)
                    .cloned();
                ConsentRecord {
                    phone_number: g.phone_number.clone(),
                    kind: g.kind,
                    channel: g.channel.clone(),
                    scope: g.scope.clone(),
                    obtained_at: g.obtained_at,
                    evidence: g.evidence.clone(),
                    recorded_at: g.recorded_at,
                    revoked,
                }
            })
            .collect();
        Self { records, revocations: revocations.into_iter().map(|(_, r)| r.clone()).collect() }
    }

    /// Unrevoked consent of the scope (any scope when none), obtained by `t`; written consent
    /// first, then the newest.
    pub fn best(&self, scope: Option<&str>, t: i64) -> Option<&ConsentRecord> {
        self.records
            .iter()
            .filter(|r| r.revoked.is_none() && r.obtained_at <= t && scope_matches(&r.scope, scope))
            .max_by_key(|r| (r.kind == ConsentKind::PriorExpressWritten, r.obtained_at, r.recorded_at))
    }

    /// The latest revocation.
    pub fn last_revocation(&self) -> Option<&Revocation> {
        self.revocations.iter().max_by_key(|r| r.at)
    }

    /// The records, newest first.
    pub fn newest_first(&self) -> Vec<ConsentRecord> {
        let mut records = self.records.clone();
        records.sort_by_key(|r| std::cmp::Reverse((r.obtained_at, r.recorded_at)));
        records
    }
}

/// Scopes compare trimmed and case-insensitively; no scope asked accepts any.
pub fn scope_matches(scope: &str, asked: Option<&str>) -> bool {
    asked.is_none_or(|a| a.trim().eq_ignore_ascii_case(scope.trim()))
}

fn scope_words(scope: Option<&str>) -> String {
    scope.map_or(String::new(), |s| format!(" of scope `{}`", s.trim()))
}

/// The consent rule for a call: what consent it needs, and whether it has it. Returns the
/// reason it fails, if it does, and the consent relied on or found.
pub fn evaluate(
    consents: &Consents,
    scope: Option<&str>,
    artificial_voice: bool,
    telemarketing: bool,
    phone: &str,
    t: i64,
) -> (Option<Reason>, Option<ConsentRecord>) {
    // 47 CFR 64.1200(a)(2), (a)(3): calls with an artificial or prerecorded voice (an AI voice
    // included) and telemarketing calls need prior express written consent, defined in
    // 64.1200(f)(9). An informational call with a live agent needs none here.
    if !artificial_voice && !telemarketing {
        return (None, None);
    }
    let rule = if artificial_voice { "47 CFR 64.1200(a)(2), (a)(3)" } else { "47 CFR 64.1200(a)(2), (f)(9)" };
    let call = match (artificial_voice, telemarketing) {
        (true, true) => "an artificial-voice telemarketing call",
        (true, false) => "an artificial- or AI-voice call",
        _ => "a telemarketing call",
    };
    let best = consents.best(scope, t).cloned();
    match &best {
        Some(r) if r.kind == ConsentKind::PriorExpressWritten => (None, best),
        Some(r) => (
            Some(Reason::new(
                "consent-not-written",
                rule,
                format!(
                    "only prior express consent{} (by {}) is on record for {phone}; {call} needs prior express \
                     written consent: a signed agreement naming the seller and this number",
                    scope_words(Some(&r.scope)),
                    r.channel
                ),
            )),
            best,
        ),
        None => match consents.last_revocation() {
            Some(rev) => (
                Some(Reason::new(
                    "consent-revoked",
                    "47 CFR 64.1200(a)(10)",
                    format!(
                        "the callee revoked consent at {} (means: {}); only prior express written consent obtained \
                         after that counts for {call}",
                        crate::zones::iso_utc(rev.at),
                        rev.means
                    ),
                )),
                None,
            ),
            None => (
                Some(Reason::new(
                    "no-consent",
                    rule,
                    format!(
                        "no consent{} is on record for {phone}; {call} needs prior express written consent: record \
                         it with record_consent first",
                        scope_words(scope)
                    ),
                )),
                None,
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(kind: ConsentKind, scope: &str, obtained_at: i64) -> Event {
        Event::Given(Given {
            phone_number: "+13035550123".into(),
            kind,
            channel: "web-form".into(),
            scope: scope.into(),
            obtained_at,
            evidence: None,
            recorded_at: obtained_at,
        })
    }

    fn revoked(at: i64) -> Event {
        Event::Revoked(Revocation { at, means: "sms-stop".into(), note: None })
    }

    fn code(c: &Consents, scope: Option<&str>, voice: bool, tm: bool) -> Option<String> {
        evaluate(c, scope, voice, tm, "+13035550123", 10_000).0.map(|r| r.code)
    }

    #[test]
    fn rules() {
        let none = Consents::default();
        assert_eq!(code(&none, None, false, false), None);
        assert_eq!(code(&none, None, true, false).as_deref(), Some("no-consent"));
        assert_eq!(code(&none, None, false, true).as_deref(), Some("no-consent"));

        let oral = Consents::fold([given(ConsentKind::PriorExpress, "Acme", 100)]);
        assert_eq!(code(&oral, None, true, false).as_deref(), Some("consent-not-written"));

        let written = Consents::fold([given(ConsentKind::PriorExpressWritten, "Acme", 100)]);
        assert_eq!(code(&written, Some(" acme "), true, true), None);
        assert_eq!(code(&written, Some("Other"), true, true).as_deref(), Some("no-consent"));
    }

    #[test]
    fn revocation() {
        let log = vec![
            given(ConsentKind::PriorExpressWritten, "Acme", 100),
            given(ConsentKind::PriorExpress, "B", 200),
            revoked(300),
        ];
        let c = Consents::fold(log.clone());
        assert!(c.records.iter().all(|r| r.revoked.is_some()));
        assert_eq!(code(&c, None, true, false).as_deref(), Some("consent-revoked"));

        // Consent recorded after the revocation but obtained before it never counts.
        let mut later = log.clone();
        later.push(given(ConsentKind::PriorExpressWritten, "Acme", 250));
        assert_eq!(code(&Consents::fold(later), None, true, false).as_deref(), Some("consent-revoked"));

        // Consent obtained after the revocation is new consent.
        let mut again = log.clone();
        again.push(given(ConsentKind::PriorExpressWritten, "Acme", 400));
        assert_eq!(code(&Consents::fold(again), None, true, false), None);

        // Same second: the order of recording decides.
        let same = Consents::fold([revoked(500), given(ConsentKind::PriorExpressWritten, "Acme", 500)]);
        assert!(same.records[0].revoked.is_none());
        let same = Consents::fold([given(ConsentKind::PriorExpressWritten, "Acme", 500), revoked(500)]);
        assert!(same.records[0].revoked.is_some());

        // A revocation with no consent on record is remembered.
        assert_eq!(code(&Consents::fold([revoked(50)]), None, false, true).as_deref(), Some("consent-revoked"));
    }

    #[test]
    fn newest_first_and_best() {
        let c = Consents::fold([
            given(ConsentKind::PriorExpress, "A", 100),
            given(ConsentKind::PriorExpressWritten, "A", 50),
            given(ConsentKind::PriorExpress, "A", 300),
        ]);
        let order: Vec<i64> = c.newest_first().iter().map(|r| r.obtained_at).collect();
        assert_eq!(order, [300, 100, 50]);
        assert_eq!(c.best(None, 1000).unwrap().kind, ConsentKind::PriorExpressWritten);
        // Consent obtained after the checked time does not count yet.
        assert_eq!(c.best(None, 60).unwrap().obtained_at, 50);
        assert!(c.best(None, 10).is_none());
    }
}
