//! The checker's own types: what the WIT interface carries, independent of the generated
//! bindings (so that the rules are testable natively) and with a stable JSON form for what is
//! stored.

use serde::{Deserialize, Serialize};

/// What a call is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    Telemarketing,
    Informational,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Telemarketing => "telemarketing",
            Purpose::Informational => "informational",
        }
    }
}

/// A call about to be placed.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRequest {
    pub phone_number: String,
    pub at: Option<i64>,
    pub artificial_voice: bool,
    pub purpose: Purpose,
    pub subject: Option<String>,
    pub consent_scope: Option<String>,
    pub lead_id: Option<String>,
}

/// One rule a call breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: String,
    pub rule: String,
    pub message: String,
}

impl Reason {
    pub fn new(code: &str, rule: &str, message: impl Into<String>) -> Self {
        Self { code: code.to_owned(), rule: rule.to_owned(), message: message.into() }
    }
}

/// The callee's local time in one zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTime {
    pub zone: String,
    pub time: String,
}

/// The answer to `check`.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub audit_id: String,
    pub allowed: bool,
    pub reasons: Vec<Reason>,
    pub next_allowed_at: Option<i64>,
    pub checked_at: i64,
    pub state: Option<String>,
    pub local_times: Vec<LocalTime>,
    /// The attempt held for the call, when `reserve` allowed it.
    pub reservation: Option<String>,
}

/// The answer to `claim`.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub audit_id: String,
    pub granted: bool,
    pub reasons: Vec<Reason>,
}

/// The kinds of consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConsentKind {
    PriorExpressWritten,
    PriorExpress,
}

impl ConsentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentKind::PriorExpressWritten => "prior-express-written",
            ConsentKind::PriorExpress => "prior-express",
        }
    }
}

/// Consent to record.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsentInput {
    pub phone_number: String,
    pub kind: ConsentKind,
    pub channel: String,
    pub scope: String,
    pub obtained_at: Option<i64>,
    pub evidence: Option<String>,
}

/// A revocation of consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    pub at: i64,
    pub means: String,
    pub note: Option<String>,
}

/// Consent on record for a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    pub phone_number: String,
    pub kind: ConsentKind,
    pub channel: String,
    pub scope: String,
    pub obtained_at: i64,
    pub evidence: Option<String>,
    pub recorded_at: i64,
    pub revoked: Option<Revocation>,
}

/// What `verify-consent` found.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsentStatus {
    pub phone_number: String,
    pub valid: bool,
    pub written: bool,
    pub records: Vec<ConsentRecord>,
    pub message: String,
}

/// A number on the internal do-not-call list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DncEntry {
    pub phone_number: String,
    pub added_at: i64,
    pub reason: Option<String>,
    pub source: String,
}

/// The national registry as last imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryInfo {
    pub imported: bool,
    pub scrubbed_at: Option<i64>,
    pub imported_at: Option<i64>,
    pub numbers: u64,
    pub age_days: Option<u32>,
    pub stale: bool,
}

/// What `check-dnc` found.
#[derive(Debug, Clone, PartialEq)]
pub struct DncStatus {
    pub phone_number: String,
    pub internal: Option<DncEntry>,
    pub national: bool,
    pub registry: RegistryInfo,
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportSummary {
    pub imported: u64,
    pub rejected: Vec<String>,
    pub rejected_count: u64,
    pub registry: RegistryInfo,
}

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    pub at: i64,
    pub kind: String,
    pub phone_number: Option<String>,
    pub allowed: Option<bool>,
    pub reasons: Vec<Reason>,
    pub detail: String,
}

/// A page of the audit trail.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
}

/// Why a request could not be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    InvalidNumber(String),
    InvalidInput(String),
    Storage(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::InvalidNumber(m) => write!(f, "invalid number: {m}"),
            Error::InvalidInput(m) => write!(f, "invalid input: {m}"),
            Error::Storage(m) => write!(f, "storage: {m}"),
        }
    }
}
