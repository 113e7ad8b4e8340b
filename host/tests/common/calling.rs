//! The calling fixture: a host whose compliance checker lives at a chosen instant and whose
//! Twilio component talks to a fake Twilio on 127.0.0.1.

use super::{Fixture, Session};
use serde_json::{Value, json};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use switchboard_fakes::twilio::FakeTwilio;

pub const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
pub const TOKEN: &str = "test-auth-token";
pub const FROM: &str = "+13035550100";
/// Wednesday 2026-11-18, 17:00 UTC: noon in New York (and in Miami).
pub const NOON_IN_NEW_YORK: i64 = 1_795_021_200;
/// The same day at 07:00 UTC: 2 a.m. in New York.
pub const NIGHT_IN_NEW_YORK: i64 = 1_794_985_200;
pub const CALLEE: &str = "+12125550142";

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A fake Twilio that takes 50 ms to accept a call and keeps calls queued (no callbacks)
/// while a burst runs.
pub async fn queued_carrier() -> FakeTwilio {
    let twilio = FakeTwilio::start(ACCOUNT, TOKEN).await.unwrap();
    twilio.set_latency(Duration::from_millis(50));
    twilio.set_step_delay(Duration::from_secs(3600));
    twilio.set_default_outcome(switchboard_fakes::twilio::Outcome::Completed { talk: Duration::from_millis(10) });
    twilio
}

/// The results of a burst of initiates: the calls placed, and each refusal's reason codes.
/// Any error but a compliance refusal fails the test.
pub fn placed_and_refused(results: Vec<rmcp::model::CallToolResult>) -> (Vec<Value>, Vec<Vec<String>>) {
    let mut placed = Vec::new();
    let mut refused = Vec::new();
    for r in results {
        let content = r.structured_content.clone().unwrap_or(Value::Null);
        if r.is_error == Some(true) {
            assert_eq!(content["code"], "COMPLIANCE_BLOCKED", "an error that is not a refusal: {}", super::text(&r));
            refused.push(
                content["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_owned()).collect(),
            );
        } else {
            placed.push(content);
        }
    }
    (placed, refused)
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A host whose compliance checker lives at `clock` (Unix seconds) and whose Twilio component
/// talks to `twilio`; `public_url` is the `[calling]` one, if any; `checker_config` is added
/// to the checker's `[config]` (e.g. `min_interval_minutes = "0"`).
pub fn fixture(twilio: &FakeTwilio, clock: i64, public_url: Option<&str>, checker_config: &str) -> Fixture {
    fixture_with(
        twilio,
        clock,
        public_url,
        checker_config,
        "voice_stream_url = \"wss://agent.example.com/stream\"\n",
        "",
    )
}

/// [`fixture`] with the carrier's `[config]` lines and more of the config file (`[calling]`
/// keys go in `calling`).
pub fn fixture_with(
    twilio: &FakeTwilio,
    clock: i64,
    public_url: Option<&str>,
    checker_config: &str,
    carrier_config: &str,
    calling: &str,
) -> Fixture {
    let fx = Fixture::new();
    let calling = format!("{calling}{}", public_url.map(|u| format!("public_url = \"{u}\"\n")).unwrap_or_default());
    fx.append_config(&format!(
        r#"
[calling]
{calling}
[components.compliance_tcpa]
keyvalue = true
clock_offset_seconds = {offset}
[components.compliance_tcpa.config]
{checker_config}

[components.telephony_twilio]
webhooks = true
allowed_hosts = ["127.0.0.1"]
[components.telephony_twilio.config]
base_url = "{base}"
{carrier_config}
[components.telephony_twilio.secrets]
account_sid = {{ env = "TWILIO_ACCOUNT_SID" }}
auth_token = {{ env = "TWILIO_AUTH_TOKEN" }}
from_number = {{ env = "TWILIO_FROM_NUMBER" }}
elevenlabs_api_key = {{ env = "ELEVENLABS_API_KEY" }}
elevenlabs_webhook_secret = {{ env = "ELEVENLABS_WEBHOOK_SECRET" }}
"#,
        offset = clock - now(),
        base = twilio.base_url(),
    ));
    fx
}

pub async fn serve(fx: &Fixture, port: u16) -> Session {
    serve_env(fx, port, &[]).await
}

/// [`serve`] with more environment variables.
pub async fn serve_env(fx: &Fixture, port: u16, more: &[(&str, &str)]) -> Session {
    let http = format!("127.0.0.1:{port}");
    let mut env = vec![("TWILIO_ACCOUNT_SID", ACCOUNT), ("TWILIO_AUTH_TOKEN", TOKEN), ("TWILIO_FROM_NUMBER", FROM)];
    env.extend_from_slice(more);
    fx.serve_with(&["--http", &http, "--stdio"], &env).await
}

/// A fresh registry scrub without `number`, and written consent for it.
pub async fn clear_to_call<H: rmcp::ClientHandler>(session: &Session<H>, number: &str) {
    session.ok("import_dnc_registry", json!({ "content": "2125550199\n3035550123\n" })).await;
    let consent = json!({ "consent": {
        "phone_number": number, "kind": "prior-express-written", "channel": "web-form",
        "scope": "acme-solar", "evidence": "form-2291"
    }});
    session.ok("record_consent", consent).await;
}

pub async fn wait_for_status<H: rmcp::ClientHandler>(session: &Session<H>, sid: &str, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let call = session.ok("get_call", json!({ "call_sid": sid })).await;
        if call["status"] == status {
            return call;
        }
        assert!(Instant::now() < deadline, "call {sid} never reached {status}: {call}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every audit entry of `number`, oldest first, following the cursor.
pub async fn audit_of<H: rmcp::ClientHandler>(session: &Session<H>, number: &str) -> Vec<Value> {
    let mut entries = Vec::new();
    let mut cursor = Value::Null;
    loop {
        let page =
            session.ok("get_compliance_audit", json!({ "phone_number": number, "cursor": cursor, "limit": 500 })).await;
        entries.extend(page["entries"].as_array().unwrap().iter().cloned());
        cursor = page["next_cursor"].clone();
        if cursor.is_null() {
            return entries;
        }
    }
}
