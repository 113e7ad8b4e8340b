//! The ElevenLabs provider and the provider chain, end to end: the real binary, the rmcp
//! client over stdio, the built-in tts_elevenlabs talking wasi:http to the fake ElevenLabs on
//! 127.0.0.1, and the offline voice as the fallback.

use crate::common::{Fixture, Session, text};
use serde_json::{Value, json};
use std::time::Duration;
use switchboard_fakes::elevenlabs::{Failure, FakeElevenLabs};

/// A key distinctive enough to find anywhere it leaks.
const KEY: &str = "xi-test-4d1c9b2e-must-never-leak";

/// The fake, and a fixture whose config points tts_elevenlabs at it, with fast breakers.
async fn setup(extra: &str) -> (FakeElevenLabs, Fixture) {
    let fake = FakeElevenLabs::start().await.unwrap();
    fake.set_api_key(KEY);
    let fx = Fixture::new();
    fx.append_config(&fake.host_config(10_000));
    fx.append_config(&format!(
        r#"
[speech.resilience]
open_ms = 400
backoff_ms = 5
max_backoff_ms = 20
{extra}
"#
    ));
    (fake, fx)
}

async fn serve(fx: &Fixture, args: &[&str]) -> Session {
    fx.serve_with(args, &[("ELEVENLABS_API_KEY", KEY)]).await
}

#[tokio::test]
async fn elevenlabs_speaks_when_a_key_is_set_streaming_and_the_key_never_leaks() {
    let (fake, fx) = setup("").await;
    fake.set_chunk_size(3200);
    fake.set_chunk_interval(Duration::from_millis(40));
    let session = serve(&fx, &[]).await;
    let mut seen = String::new();

    let r = session.call("speak", json!({ "text": "Hello there, this streams.", "format": "pcm_16000" })).await;
    assert_ne!(r.is_error, Some(true), "{}", text(&r));
    let meta = r.structured_content.clone().unwrap();
    assert_eq!(meta["provider"]["id"], "elevenlabs");
    assert_eq!(meta["degraded"], false);
    assert_eq!(meta["mime_type"], "audio/L16;rate=16000;channels=1;endianness=little-endian");
    // 26 characters at 60 ms: 1.56 s of 16 kHz audio in 3200-byte chunks every 40 ms.
    let (first, total) =
        (meta["timing"]["first_chunk_ms"].as_f64().unwrap(), meta["timing"]["total_ms"].as_f64().unwrap());
    assert!(first + 200.0 < total, "the first chunk ({first} ms) must arrive well before the last ({total} ms)");
    seen.push_str(&serde_json::to_string(&r).unwrap());

    let request = fake.requests().into_iter().rfind(|q| q.path.starts_with("/v1/text-to-speech/")).unwrap();
    assert!(request.key_matched, "the key went out as xi-api-key");
    assert_eq!(request.query_value("output_format"), Some("pcm_16000"));

    let voices = session.ok("list_voices", json!({ "language": "es" })).await;
    assert_eq!(voices["provider"]["id"], "elevenlabs");
    let voices = voices["voices"].as_array().unwrap();
    assert!(
        !voices.is_empty() && voices.iter().all(|v| v["language"].as_str().unwrap().starts_with("es")),
        "{voices:?}"
    );
    let refused = session.fails("speak", json!({ "text": "Hola.", "language": "xx" })).await;
    assert!(refused.contains("does not speak `xx`") && refused.contains("es"), "{refused}");
    let spoken = session.ok("speak", json!({ "text": "Hola, ¿qué tal?", "language": "es" })).await;
    assert_eq!(spoken["provider"]["id"], "elevenlabs");
    let request = fake.requests().into_iter().rfind(|q| q.path.starts_with("/v1/text-to-speech/")).unwrap();
    assert_eq!(request.json.unwrap()["language_code"], "es", "the language goes to the provider");

    // The conversational-agent functions are plain WIT functions: derived tools.
    let created = session
        .ok(
            "tts_elevenlabs_create_agent",
            json!({ "settings": { "name": "Reminder bot", "system_prompt": "Remind politely." } }),
        )
        .await;
    let id = created["agent_id"].as_str().unwrap_or_else(|| panic!("an agent id in {created}")).to_owned();
    let signed = session.ok("tts_elevenlabs_get_signed_url", json!({ "agent_id": id })).await;
    assert!(signed.to_string().contains("wss://"), "{signed}");
    seen.push_str(&signed.to_string());
    assert_eq!(fake.agent_count(), 1);
    let models = session.ok("tts_elevenlabs_list_models", json!({})).await;
    let ids: Vec<&str> = models["value"].as_array().unwrap().iter().map(|m| m["model_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"eleven_flash_v2_5"), "{models}");

    fake.fail_with(Failure::InvalidApiKey);
    let failed = session.call("speak", json!({ "text": "Once more." })).await;
    seen.push_str(&serde_json::to_string(&failed).unwrap());
    seen.push_str(&serde_json::to_string(&session.ok("get_server_status", json!({})).await).unwrap());
    let logs = session.close().await;
    assert!(!seen.contains(KEY), "the key leaked into a result");
    assert!(!logs.contains(KEY), "the key leaked into the logs");
}

#[tokio::test]
async fn each_error_status_maps_and_fatal_ones_are_not_retried() {
    // ElevenLabs alone: no fallback hides what went wrong.
    let (fake, fx) = setup("\n[speech]\nproviders = [\"tts_elevenlabs\"]\n").await;
    let session = serve(&fx, &[]).await;
    let fatal = [
        (Failure::InvalidApiKey, "unauthorized"),
        (Failure::QuotaExceeded, "quota exceeded"),
        (Failure::Unprocessable, "invalid request"),
    ];
    for (n, (failure, expected)) in fatal.into_iter().enumerate() {
        fake.fail_with(failure);
        let before = fake.speech_count();
        let message = session.fails("speak", json!({ "text": format!("Fatal case {n}.") })).await;
        assert!(message.contains(expected), "`{message}` should say `{expected}`");
        assert_eq!(fake.speech_count() - before, 1, "a fatal error is not retried");
    }
    let retryable = [
        (Failure::ServerError, "unavailable"),
        (Failure::RateLimited { retry_after_secs: None }, "rate limited"),
        (Failure::SystemBusy, "rate limited"),
    ];
    for (n, (failure, expected)) in retryable.into_iter().enumerate() {
        fake.fail_sticky(failure);
        let before = fake.speech_count();
        let message = session.fails("speak", json!({ "text": format!("Retryable case {n}.") })).await;
        assert!(message.contains(expected) && message.contains("no provider could speak"), "{message}");
        assert_eq!(fake.speech_count() - before, 4, "one attempt and three retries");
        fake.clear_failures();
        // A success closes the count of consecutive failures before the breaker opens.
        session.ok("speak", json!({ "text": format!("Recovered {n}.") })).await;
    }
    session.close().await;
}

#[tokio::test]
async fn during_an_outage_every_call_succeeds_the_breaker_opens_then_recovers() {
    let (fake, fx) = setup("").await;
    let session = serve(&fx, &[]).await;
    fake.fail_sticky(Failure::ServerError);
    for n in 0..100 {
        let meta = session.ok("speak", json!({ "text": format!("Outage call {n}."), "format": "wav_16000" })).await;
        assert_eq!(meta["provider"]["id"], "formant", "call {n}");
        assert_eq!(meta["degraded"], true);
    }
    // A model only ElevenLabs has does not stop the stand-in.
    let meta = session.ok("speak", json!({ "text": "With a model.", "model": "eleven_v3" })).await;
    assert_eq!(meta["provider"]["id"], "formant");
    assert!(meta["warnings"].to_string().contains("no model `eleven_v3`"), "{meta}");
    let status = session.ok("get_server_status", json!({})).await;
    let breaker = &status["providers"][0]["breaker"];
    assert_eq!(status["providers"][0]["id"], "elevenlabs");
    assert_eq!(breaker["state"], "open", "{status}");
    assert!(fake.speech_count() < 60, "an open breaker keeps calls away: {} reached the fake", fake.speech_count());

    fake.clear_failures();
    tokio::time::sleep(Duration::from_millis(500)).await;
    for n in 0..3 {
        let meta = session.ok("speak", json!({ "text": format!("Healed call {n}.") })).await;
        assert_eq!(meta["provider"]["id"], "elevenlabs", "half-open trial {n} goes to the healed provider");
    }
    let status = session.ok("get_server_status", json!({})).await;
    assert_eq!(status["providers"][0]["breaker"]["state"], "closed", "{status}");
    session.close().await;
}

#[tokio::test]
async fn the_operator_swaps_providers_without_restarting_the_session() {
    let (_fake, fx) = setup("").await;
    let session = serve(&fx, &["--operator-tools"]).await;
    assert_eq!(session.ok("speak", json!({ "text": "Before the swap." })).await["provider"]["id"], "elevenlabs");

    session.ok("switchboard_set_tts_providers", json!({ "providers": ["tts_formant"] })).await;
    assert_eq!(session.ok("list_voices", json!({})).await["provider"]["id"], "formant");
    assert_eq!(session.ok("speak", json!({ "text": "After the swap." })).await["provider"]["id"], "formant");
    let refused = session.fails("switchboard_set_tts_providers", json!({ "providers": ["nope"] })).await;
    assert!(refused.contains("tts_elevenlabs"), "{refused}");

    // The config file changes: the watcher re-reads [speech] and the order follows it.
    fx.append_config("\n[speech]\nproviders = [\"tts_elevenlabs\", \"tts_formant\"]\n");
    let mut active = Value::Null;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let status = session.ok("get_server_status", json!({})).await;
        active = status["providers"].as_array().unwrap().iter().find(|p| p["active"] == true).unwrap()["id"].clone();
        if active == "elevenlabs" {
            break;
        }
    }
    assert_eq!(active, "elevenlabs", "the config change took effect");
    session.close().await;
}

#[tokio::test]
async fn the_deadline_bounds_the_attempt_in_flight_and_the_next_provider_gets_the_rest() {
    let (fake, fx) = setup("deadline_ms = 2500\n").await;
    let session = serve(&fx, &[]).await;

    // Accepts the request, then says nothing for a minute.
    fake.set_first_byte_latency(Duration::from_secs(60));
    let started = std::time::Instant::now();
    let meta = session.ok("speak", json!({ "text": "A provider that hangs.", "format": "wav_16000" })).await;
    let took = started.elapsed();
    assert_eq!(meta["provider"]["id"], "formant", "{meta}");
    assert_eq!(meta["degraded"], true);
    assert!(took < Duration::from_millis(2600), "speak took {took:?} with a 2.5 s deadline");
    let why = meta["failed_attempts"][0]["reason"].as_str().unwrap();
    assert!(why.contains("no audio"), "{why}");

    // Sends its first chunk, then stalls.
    fake.set_first_byte_latency(Duration::ZERO);
    fake.set_chunk_size(3200);
    fake.set_chunk_interval(Duration::from_secs(60));
    let started = std::time::Instant::now();
    let meta = session.ok("speak", json!({ "text": "A provider that stalls.", "format": "wav_16000" })).await;
    assert!(started.elapsed() < Duration::from_millis(2600), "{:?}", started.elapsed());
    assert_eq!(meta["provider"]["id"], "formant", "{meta}");
    assert!(meta["failed_attempts"][0]["reason"].as_str().unwrap().contains("nothing more"), "{meta}");

    // ElevenLabs alone: the deadline is the answer.
    let (fake, fx) = setup("deadline_ms = 1500\n\n[speech]\nproviders = [\"tts_elevenlabs\"]\n").await;
    fake.set_first_byte_latency(Duration::from_secs(60));
    let alone = serve(&fx, &[]).await;
    let started = std::time::Instant::now();
    let message = alone.fails("speak", json!({ "text": "Nobody else.", "format": "wav_16000" })).await;
    assert!(started.elapsed() < Duration::from_millis(1700), "{:?}", started.elapsed());
    assert!(message.contains("1500 ms deadline"), "{message}");
    alone.close().await;
    session.close().await;
}

#[tokio::test]
async fn calls_queued_behind_an_opening_breaker_never_reach_the_provider() {
    // One call at a time reaches ElevenLabs; two failures open its breaker.
    let (fake, fx) = setup("failures_to_open = 2\nmax_retries = 0\n").await;
    let config = std::fs::read_to_string(fx.config()).unwrap();
    let one_at_a_time = config.replace("timeout_ms = 10000", "timeout_ms = 10000\nmax_concurrent = 1\nmax_queued = 32");
    std::fs::write(fx.config(), one_at_a_time).unwrap();
    fake.set_first_byte_latency(Duration::from_millis(150));
    fake.fail_sticky(Failure::ServerError);
    let session = serve(&fx, &[]).await;
    let calls = (0..10).map(|n| session.call("speak", json!({ "text": format!("Queued call {n}.") })));
    let results = futures::future::join_all(calls).await;
    for r in &results {
        let meta = r.structured_content.as_ref().expect("every call is served by the stand-in");
        assert_eq!(meta["provider"]["id"], "formant", "{meta}");
    }
    assert!(fake.speech_count() <= 3, "{} calls reached ElevenLabs after its breaker opened", fake.speech_count());
    session.close().await;
}

#[tokio::test]
async fn the_result_reports_the_settings_sent_and_an_unknown_voice_names_the_closest() {
    let (fake, fx) = setup("").await;
    let session = serve(&fx, &[]).await;
    let meta = session.ok("speak", json!({ "text": "What settings went out?", "context_aware": false })).await;
    assert_eq!(meta["provider"]["id"], "elevenlabs");
    for field in ["stability", "similarity", "style", "speed"] {
        assert!(meta["settings"][field].is_number(), "settings.{field} is reported: {meta}");
    }
    let request = fake.requests().into_iter().rfind(|q| q.path.starts_with("/v1/text-to-speech/")).unwrap();
    let sent = request.json.clone().expect("a JSON body");
    let similarity = sent["voice_settings"]["similarity_boost"].as_f64().unwrap();
    assert!((meta["settings"]["similarity"].as_f64().unwrap() - similarity).abs() < 1e-6, "{meta} vs {sent}");

    let voices = session.ok("list_voices", json!({})).await;
    let first = voices["voices"][0]["id"].as_str().unwrap().to_owned();
    let typo = format!("{}x", &first[..first.len() - 1]);
    let message = session.fails("speak", json!({ "text": "Who?", "voice": typo })).await;
    assert!(message.contains(&first), "the closest id is named: {message}");
    let named = message.split("voices: ").nth(1).unwrap_or_default().split(" (").next().unwrap_or_default();
    assert!(named.split(", ").count() <= 5, "a few, not all: {message}");
    session.close().await;
}
