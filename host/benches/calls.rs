//! Our own voice on a call, and the voice agent's webhook (release binary; fakes of Twilio and
//! ElevenLabs on 127.0.0.1):
//!
//! * time from a fetch of `/audio/{id}` to its first byte, for audio being made as the fetch
//!   arrives (`speak` with `delivery: link`, then an immediate GET): with the offline voice,
//!   and with the fake ElevenLabs holding its first byte 150 ms (reported minus those 150 ms:
//!   the host's part);
//! * the same as Twilio sees it on a message call: the fake Twilio's fetch of the `<Play>` URL
//!   when the call is answered, offline voice and ElevenLabs;
//! * the `voice` webhook's answer for an agent call (signature check, ElevenLabs'
//!   register-call, the TwiML back), sent as Twilio sends it.
//!
//! Run with `cargo bench --bench calls`. Prints medians and p99.

mod support;

use serde_json::json;
use std::time::{Duration, Instant};
use support::{Host, percentiles, report};
use switchboard_fakes::elevenlabs::FakeElevenLabs;
use switchboard_fakes::twilio::{FakeTwilio, Outcome, sign};

const KEY: &str = "bench-key";
const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "bench-auth-token";
const LATENCY: Duration = Duration::from_millis(150);
const CALLEE: &str = "+12125550142";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn config(
    store: &str,
    elevenlabs: &FakeElevenLabs,
    twilio: &str,
    agent: &str,
    providers: &str,
    clock_offset: i64,
) -> String {
    let speech_provider = elevenlabs.host_config(10_000);
    let elevenlabs = elevenlabs.base_url();
    format!(
        r#"
[store]
path = {store:?}

[speech]
cache_mb = 0
providers = [{providers}]

[calling]
business_name = "Acme Solar"
callback_number = "+13035550100"

{speech_provider}

[components.compliance_tcpa]
keyvalue = true
clock_offset_seconds = {clock_offset}
[components.compliance_tcpa.config]
min_interval_minutes = "0"
max_attempts_per_24h = "100"

[components.telephony_twilio]
webhooks = true
allowed_hosts = ["127.0.0.1"]
max_concurrent = 16
[components.telephony_twilio.config]
base_url = "{twilio}"
elevenlabs_agent_id = "{agent}"
elevenlabs_base_url = "{elevenlabs}"
[components.telephony_twilio.secrets]
account_sid = {{ env = "TWILIO_ACCOUNT_SID" }}
auth_token = {{ env = "TWILIO_AUTH_TOKEN" }}
from_number = {{ env = "TWILIO_FROM_NUMBER" }}
elevenlabs_api_key = {{ env = "ELEVENLABS_API_KEY" }}
"#
    )
}

/// GET `url` at once; the time to its first body byte, in ms.
async fn first_byte(client: &reqwest::Client, url: &str) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut response = client.get(url).send().await?;
    anyhow::ensure!(response.status() == 200, "GET {url}: {}", response.status());
    let first = response.chunk().await?.map(|_| started.elapsed());
    while response.chunk().await?.is_some() {}
    Ok(first.ok_or_else(|| anyhow::anyhow!("no audio"))?.as_secs_f64() * 1e3)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let elevenlabs = FakeElevenLabs::start().await?;
    elevenlabs.set_api_key(KEY);
    let agent = elevenlabs.create_agent("Bench agent");
    let twilio = FakeTwilio::start(ACCOUNT, TOKEN).await?;
    twilio.set_step_delay(Duration::from_millis(5));
    twilio.set_default_outcome(Outcome::Completed { talk: Duration::from_millis(10) });
    let env = [
        ("ELEVENLABS_API_KEY", KEY),
        ("TWILIO_ACCOUNT_SID", ACCOUNT),
        ("TWILIO_AUTH_TOKEN", TOKEN),
        ("TWILIO_FROM_NUMBER", "+13035550100"),
    ];
    // Wednesday 2026-11-18 17:00 UTC: noon in New York, inside calling hours.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() as i64;
    let offset = 1_795_021_200 - now;
    let client = switchboard_fakes::client();
    let text = |n: usize| format!("Hello, this is message number {n}, about your appointment on Friday.");

    for (label, providers, latency) in
        [("offline voice", "\"tts_formant\"", Duration::ZERO), ("ElevenLabs (fake)", "\"tts_elevenlabs\"", LATENCY)]
    {
        elevenlabs.set_first_byte_latency(latency);
        let port = free_port();
        let http = format!("127.0.0.1:{port}");
        let store = dir.path().join(format!("state-{port}.sqlite3")).display().to_string();
        let cfg = config(&store, &elevenlabs, &twilio.base_url(), &agent, providers, offset);
        let mut host = Host::start_with(dir.path(), "calls", &cfg, &env, &["--http", &http, "--stdio"]).await?;
        let minus = latency.as_secs_f64() * 1e3;

        // A link fetched at once, while the audio is being made.
        let mut samples = Vec::new();
        for n in 0..110 {
            let (_, meta) =
                host.call("speak", json!({ "text": text(n), "format": "wav_16000", "delivery": "link" })).await?;
            let url = meta["audio_url"].as_str().unwrap_or_default().to_owned();
            let ms = first_byte(&client, &url).await?;
            if n >= 10 {
                samples.push(ms - minus);
            }
        }
        report(&format!("fetch to first byte, audio being made, {label}, minus provider"), "ms", samples);
        // For comparison: the first chunk of the same synthesis inline, from the request.
        let mut inline = Vec::new();
        for n in 0..60 {
            let (_, meta) = host.call("speak", json!({ "text": text(1000 + n), "format": "wav_16000" })).await?;
            if n >= 10 {
                inline.push(support::ms(&meta, "first_chunk_ms") - minus);
            }
        }
        report(&format!("  the same, inline: speak's first chunk, {label}, minus provider"), "ms", inline);

        // Message calls: the fake Twilio fetches the <Play> URL when the call is answered.
        host.call("import_dnc_registry", json!({ "content": "2125550199\n" })).await?;
        let consent = json!({ "consent": { "phone_number": CALLEE, "kind": "prior-express-written",
            "channel": "web-form", "scope": "acme" }});
        host.call("record_consent", consent).await?;
        let mut samples = Vec::new();
        for n in 0..40 {
            let args =
                json!({ "phone_number": CALLEE, "lead_id": format!("lead-{n}"), "message": { "text": text(n) } });
            let (_, placed) = host.call("initiate_call_with_compliance", args).await?;
            let sid = placed["call_sid"].as_str().unwrap_or_default().to_owned();
            let fetches = twilio.wait_for_play_fetches(&sid, 1, Duration::from_secs(20)).await;
            let fetch = fetches.first().ok_or_else(|| anyhow::anyhow!("Twilio fetched no audio for {sid}"))?;
            anyhow::ensure!(fetch.status == Some(200), "{fetch:?}");
            samples.push(fetch.first_byte.unwrap_or_default().as_secs_f64() * 1e3);
        }
        report(&format!("message call: Twilio's <Play> fetch to first byte, {label}"), "ms", samples);

        // The voice webhook of an agent call, as Twilio sends it.
        if latency.is_zero() {
            let url = format!("http://{http}/webhooks/telephony_twilio/voice?lead_id=lead-1&subject=solar");
            let mut samples = Vec::new();
            for n in 0..520 {
                let sid = format!("CA{n:032x}");
                let params = [
                    ("AccountSid", ACCOUNT),
                    ("CallSid", sid.as_str()),
                    ("CallStatus", "in-progress"),
                    ("Direction", "outbound-api"),
                    ("From", "+13035550100"),
                    ("To", CALLEE),
                ];
                let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
                let signature = sign(TOKEN, &url, &params);
                let started = Instant::now();
                let answer = client
                    .post(&url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("X-Twilio-Signature", signature)
                    .body(body)
                    .send()
                    .await?;
                let status = answer.status();
                let twiml = answer.text().await?;
                anyhow::ensure!(status == 200 && twiml.contains("<Connect>"), "{status}: {twiml}");
                if n >= 20 {
                    samples.push(started.elapsed().as_secs_f64() * 1e3);
                }
            }
            let (_, p99) = percentiles(samples.clone());
            report("voice webhook of an agent call (register-call on the fake), round trip", "ms", samples);
            println!(
                "{:<58} target: p99 under 1000 ms (Twilio waits 15 s): {}",
                "",
                if p99 < 1000.0 { "met" } else { "MISSED" }
            );
        }
        host.stop().await?;
    }
    Ok(())
}
