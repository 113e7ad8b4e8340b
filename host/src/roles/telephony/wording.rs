//! What the checker's and the carrier's errors mean, in words an agent can act on.

use crate::contracts::compliance::ComplianceError;
use crate::contracts::telephony::CarrierError;

/// A checker's error, for the agent.
pub fn compliance(e: &ComplianceError) -> String {
    match e {
        ComplianceError::InvalidNumber(m) => format!("invalid phone number: {m}"),
        ComplianceError::InvalidInput(m) => format!("invalid input: {m}"),
        ComplianceError::Storage(m) => {
            format!("the compliance records could not be read or written (nothing was recorded; try again): {m}")
        }
    }
}

/// A carrier's error, for the agent.
pub fn carrier(e: &CarrierError) -> String {
    match e {
        CarrierError::InvalidNumber(m) => format!("invalid phone number: {m}"),
        CarrierError::InvalidRequest(m) => format!("invalid request: {m}"),
        CarrierError::Unauthorized(m) => format!("the carrier refused the credentials: {m}"),
        CarrierError::NotFound(m) => format!("not found: {m}"),
        CarrierError::Rejected(e) => {
            let code = e.code.map(|c| format!(", code {c}")).unwrap_or_default();
            let more = e.more_info.as_ref().map(|m| format!(" (see {m})")).unwrap_or_default();
            format!("the carrier refused (HTTP {}{code}): {}{more}", e.status, e.message)
        }
        CarrierError::RateLimited(Some(s)) => format!("the carrier is rate limiting: retry in {s} s"),
        CarrierError::RateLimited(None) => "the carrier is rate limiting: retry shortly".into(),
        CarrierError::Unavailable(m) => format!("the carrier is unavailable (retry later): {m}"),
    }
}
