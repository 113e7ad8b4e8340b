//! Between the generated WIT types and the checker's own (`model`).

use crate::exports::switchboard::compliance::checker as wit;
use crate::model;

impl From<wit::CallRequest> for model::CallRequest {
    fn from(r: wit::CallRequest) -> Self {
        Self {
            phone_number: r.phone_number,
            at: r.at,
            artificial_voice: r.artificial_voice,
            purpose: match r.purpose {
                wit::CallPurpose::Telemarketing => model::Purpose::Telemarketing,
                wit::CallPurpose::Informational => model::Purpose::Informational,
            },
            subject: r.subject,
            consent_scope: r.consent_scope,
            lead_id: r.lead_id,
        }
    }
}

impl From<model::Reason> for wit::Reason {
    fn from(r: model::Reason) -> Self {
        Self { code: r.code, rule: r.rule, message: r.message }
    }
}

impl From<model::Decision> for wit::Decision {
    fn from(d: model::Decision) -> Self {
        Self {
            audit_id: d.audit_id,
            allowed: d.allowed,
            reasons: d.reasons.into_iter().map(Into::into).collect(),
            next_allowed_at: d.next_allowed_at,
            checked_at: d.checked_at,
            state: d.state,
            local_times: d.local_times.into_iter().map(|l| wit::LocalTime { zone: l.zone, time: l.time }).collect(),
            reservation: d.reservation,
        }
    }
}

impl From<model::Claim> for wit::ClaimResult {
    fn from(c: model::Claim) -> Self {
        Self { audit_id: c.audit_id, granted: c.granted, reasons: c.reasons.into_iter().map(Into::into).collect() }
    }
}

impl From<wit::ConsentKind> for model::ConsentKind {
    fn from(k: wit::ConsentKind) -> Self {
        match k {
            wit::ConsentKind::PriorExpressWritten => Self::PriorExpressWritten,
            wit::ConsentKind::PriorExpress => Self::PriorExpress,
        }
    }
}

impl From<model::ConsentKind> for wit::ConsentKind {
    fn from(k: model::ConsentKind) -> Self {
        match k {
            model::ConsentKind::PriorExpressWritten => Self::PriorExpressWritten,
            model::ConsentKind::PriorExpress => Self::PriorExpress,
        }
    }
}

impl From<wit::ConsentInput> for model::ConsentInput {
    fn from(c: wit::ConsentInput) -> Self {
        Self {
            phone_number: c.phone_number,
            kind: c.kind.into(),
            channel: c.channel,
            scope: c.scope,
            obtained_at: c.obtained_at,
            evidence: c.evidence,
        }
    }
}

impl From<model::ConsentRecord> for wit::ConsentRecord {
    fn from(r: model::ConsentRecord) -> Self {
        Self {
            phone_number: r.phone_number,
            kind: r.kind.into(),
            channel: r.channel,
            scope: r.scope,
            obtained_at: r.obtained_at,
            evidence: r.evidence,
            recorded_at: r.recorded_at,
            revoked: r.revoked.map(|v| wit::Revocation { at: v.at, means: v.means, note: v.note }),
        }
    }
}

impl From<model::ConsentStatus> for wit::ConsentStatus {
    fn from(s: model::ConsentStatus) -> Self {
        Self {
            phone_number: s.phone_number,
            valid: s.valid,
            written: s.written,
            records: s.records.into_iter().map(Into::into).collect(),
            message: s.message,
        }
    }
}

impl From<model::DncEntry> for wit::DncEntry {
    fn from(e: model::DncEntry) -> Self {
        Self { phone_number: e.phone_number, added_at: e.added_at, reason: e.reason, source: e.source }
    }
}

impl From<model::RegistryInfo> for wit::RegistryInfo {
    fn from(r: model::RegistryInfo) -> Self {
        Self {
            imported: r.imported,
            scrubbed_at: r.scrubbed_at,
            imported_at: r.imported_at,
            numbers: r.numbers,
            age_days: r.age_days,
            stale: r.stale,
        }
    }
}

impl From<model::DncStatus> for wit::DncStatus {
    fn from(s: model::DncStatus) -> Self {
        Self {
            phone_number: s.phone_number,
            internal: s.internal.map(Into::into),
            national: s.national,
            registry: s.registry.into(),
            message: s.message,
        }
    }
}

impl From<model::ImportSummary> for wit::ImportSummary {
    fn from(s: model::ImportSummary) -> Self {
        Self {
            imported: s.imported,
            rejected: s.rejected,
            rejected_count: s.rejected_count,
            registry: s.registry.into(),
        }
    }
}

impl From<model::AuditPage> for wit::AuditPage {
    fn from(p: model::AuditPage) -> Self {
        Self {
            entries: p
                .entries
                .into_iter()
                .map(|e| wit::AuditEntry {
                    id: e.id,
                    at: e.at,
                    kind: e.kind,
                    phone_number: e.phone_number,
                    allowed: e.allowed,
                    reasons: e.reasons.into_iter().map(Into::into).collect(),
                    detail: e.detail,
                })
                .collect(),
            next_cursor: p.next_cursor,
        }
    }
}

impl From<model::Error> for wit::ComplianceError {
    fn from(e: model::Error) -> Self {
        match e {
            model::Error::InvalidNumber(m) => Self::InvalidNumber(m),
            model::Error::InvalidInput(m) => Self::InvalidInput(m),
            model::Error::Storage(m) => Self::Storage(m),
        }
    }
}
