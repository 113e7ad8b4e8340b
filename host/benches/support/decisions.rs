//! What the compliance benchmarks (`calling`, `cluster`) decide about: 200 numbers in New
//! York, Chicago, Denver and Los Angeles, checked at an hour inside calling hours in all of
//! them, so most decisions run every rule to the end.

use super::Host;
use serde_json::{Value, json};

pub const NUMBERS: u32 = 200;
/// Wednesday 2026-11-18 19:00 UTC: 14:00 in New York, 11:00 in Los Angeles.
pub const AT: i64 = 1_795_028_400;

pub fn number(i: u32) -> String {
    let area = ["212", "312", "303", "213"][(i % 4) as usize];
    format!("+1{area}555{:04}", i % NUMBERS)
}

/// `check_tcpa_compliance`'s arguments for the `i`th call.
pub fn check(i: u32) -> Value {
    json!({ "request": {
        "phone_number": number(i), "at": AT, "artificial_voice": true, "purpose": "telemarketing",
        "subject": "solar", "lead_id": format!("lead-{i}")
    }})
}

/// A fresh registry scrub holding every tenth number, written consent for every other one,
/// and 100 warm-up decisions.
pub async fn prepare(host: &mut Host) -> anyhow::Result<()> {
    let listed: Vec<String> = (0..NUMBERS).step_by(10).map(|i| number(i)[2..].to_owned()).collect();
    host.call("import_dnc_registry", json!({ "content": listed.join("\n") })).await?;
    for i in (0..NUMBERS).step_by(2) {
        let consent = json!({ "consent": { "phone_number": number(i), "kind": "prior-express-written",
            "channel": "web-form", "scope": "acme-solar" }});
        host.call("record_consent", consent).await?;
    }
    for i in 0..100 {
        host.call("check_tcpa_compliance", check(i)).await?;
    }
    Ok(())
}
