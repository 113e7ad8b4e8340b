//! The fake ElevenLabs over real HTTP: speech, failures, voices, agents.

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use switchboard_fakes::elevenlabs::{DEFAULT_API_KEY, Endpoint, Failure, FakeElevenLabs, VOICES};

const RACHEL: &str = "21m00Tcm4TlvDq8ikWAM";

async fn call(
    fake: &FakeElevenLabs,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", fake.base_url()))
        .header("xi-api-key", DEFAULT_API_KEY);
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_string());
    }
    let response = request.send().await.expect("the fake answers");
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, headers, response.bytes().await.expect("a whole body").to_vec())
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).expect("a JSON body")
}

async fn speak(fake: &FakeElevenLabs, format: &str, text: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let path = format!("/v1/text-to-speech/{RACHEL}/stream?output_format={format}");
    call(fake, reqwest::Method::POST, &path, Some(json!({"text": text, "model_id": "eleven_flash_v2_5"}))).await
}

#[tokio::test]
async fn speech_streams_audio_and_checks_the_key() {
    let fake = FakeElevenLabs::start().await.expect("starts");
    fake.set_chunk_size(1000);
    fake.set_first_byte_latency(Duration::from_millis(150));
    let started = Instant::now();
    let (status, headers, audio) = speak(&fake, "pcm_16000", "Hello there").await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "audio/pcm");
    assert_eq!(headers["character-cost"], "11");
    assert_eq!(audio.len(), 11 * 60 * 16 * 2);
    let (_, _, mp3) = speak(&fake, "mp3_44100_128", "Hi").await;
    assert_eq!(&mp3[..2], &[0xFF, 0xFB]);

    let response = reqwest::Client::new()
        .post(format!("{}/v1/text-to-speech/{RACHEL}/stream", fake.base_url()))
        .header("xi-api-key", "wrong")
        .body(r#"{"text":"Hi"}"#)
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status().as_u16(), 401);
    let body = json_of(&response.bytes().await.expect("body"));
    assert_eq!(body["detail"]["status"], "invalid_api_key");

    let log = fake.requests_to(Endpoint::Speech);
    assert_eq!(log.len(), 3);
    assert!(log[0].key_matched && log[2].key_present && !log[2].key_matched);
    assert_eq!(log[0].query_value("output_format"), Some("pcm_16000"));
    assert_eq!(log[0].json.as_ref().map(|j| j["text"].clone()), Some(json!("Hello there")));
    assert!(!format!("{log:?}").contains(DEFAULT_API_KEY), "the log never holds the key");
}

#[tokio::test]
async fn planned_failures_and_broken_streams() {
    let fake = FakeElevenLabs::start().await.expect("starts");
    fake.fail_with(Failure::from_status(429));
    let (status, headers, body) = speak(&fake, "ulaw_8000", "Hi").await;
    assert_eq!((status, headers["retry-after"].to_str().ok()), (429, Some("1")));
    assert_eq!(json_of(&body)["detail"]["status"], "too_many_concurrent_requests");
    assert_eq!(speak(&fake, "ulaw_8000", "Hi").await.0, 200, "a one-shot failure is used up");

    fake.fail_sticky(Failure::from_status(401));
    for _ in 0..2 {
        let (status, _, body) = speak(&fake, "ulaw_8000", "Hi").await;
        assert_eq!((status, json_of(&body)["detail"]["status"].clone()), (401, json!("quota_exceeded")));
    }
    fake.clear_failures();
    fake.fail_with(Failure::Unprocessable);
    let (status, _, body) = speak(&fake, "ulaw_8000", "Hi").await;
    assert_eq!((status, json_of(&body)["detail"][0]["loc"].clone()), (422, json!(["body", "text"])));
    fake.fail_on(Endpoint::Voices, Failure::ServiceUnavailable, false);
    assert_eq!(call(&fake, reqwest::Method::GET, "/v2/voices", None).await.0, 503);

    fake.set_chunk_size(100);
    fake.set_drop_connection(true);
    let response = reqwest::Client::new()
        .post(format!("{}/v1/text-to-speech/{RACHEL}/stream?output_format=pcm_16000", fake.base_url()))
        .header("xi-api-key", DEFAULT_API_KEY)
        .body(r#"{"text":"a long enough text"}"#)
        .send()
        .await
        .expect("the head arrives");
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.bytes().await.is_err(), "the body breaks off");
}

#[tokio::test]
async fn voices_page_and_search() {
    let fake = FakeElevenLabs::start().await.expect("starts");
    let mut ids = Vec::new();
    let mut path = "/v2/voices?page_size=5".to_string();
    loop {
        let (status, _, body) = call(&fake, reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200);
        let page = json_of(&body);
        assert_eq!(page["total_count"], VOICES.len());
        ids.extend(page["voices"].as_array().into_iter().flatten().map(|v| v["voice_id"].clone()));
        match page["next_page_token"].as_str() {
            Some(token) => path = format!("/v2/voices?page_size=5&next_page_token={token}"),
            None => break,
        }
    }
    assert_eq!(ids.len(), VOICES.len());
    let (_, _, body) = call(&fake, reqwest::Method::GET, "/v2/voices?search=BRITISH", None).await;
    assert_eq!(json_of(&body)["voices"][0]["name"], "Olivia");
    let (status, _, body) = call(&fake, reqwest::Method::GET, "/v1/voices/nobody", None).await;
    assert_eq!((status, json_of(&body)["detail"]["status"].clone()), (404, json!("voice_not_found")));
    let (_, _, body) = call(&fake, reqwest::Method::GET, "/v1/models", None).await;
    assert!(json_of(&body).as_array().is_some_and(|m| m.iter().any(|m| m["model_id"] == "eleven_v3")));
}

#[tokio::test]
async fn agents_live_in_memory() {
    let fake = FakeElevenLabs::start().await.expect("starts");
    let mut ids = Vec::new();
    for n in 0..3 {
        let body = json!({"name": format!("Agent {n}"), "conversation_config": {"agent": {"prompt": {"prompt": "Be brief."}}}});
        let (status, _, answer) = call(&fake, reqwest::Method::POST, "/v1/convai/agents/create", Some(body)).await;
        assert_eq!(status, 200);
        ids.push(json_of(&answer)["agent_id"].as_str().unwrap_or_default().to_string());
    }
    assert_eq!(fake.agent_count(), 3);
    let path = format!("/v1/convai/agents/{}", ids[0]);
    let patch = json!({"tags": ["calls"], "conversation_config": {"agent": {"first_message": "Hola", "language": "es"},
                                                                   "tts": {"model_id": "eleven_flash_v2_5"}}});
    let (status, _, answer) = call(&fake, reqwest::Method::PATCH, &path, Some(patch)).await;
    let agent = json_of(&answer);
    assert_eq!(status, 200);
    assert_eq!(agent["conversation_config"]["agent"]["prompt"]["prompt"], "Be brief.", "a patch merges");
    assert_eq!(
        (agent["conversation_config"]["agent"]["language"].clone(), agent["tags"].clone()),
        (json!("es"), json!(["calls"]))
    );

    let (_, _, page) = call(&fake, reqwest::Method::GET, "/v1/convai/agents?page_size=2", None).await;
    let page = json_of(&page);
    assert_eq!((page["agents"][0]["name"].clone(), page["has_more"].clone()), (json!("Agent 2"), json!(true)));
    let next = format!("/v1/convai/agents?page_size=2&cursor={}", page["next_cursor"].as_str().unwrap_or_default());
    let (_, _, last) = call(&fake, reqwest::Method::GET, &next, None).await;
    assert_eq!(json_of(&last)["agents"][0]["agent_id"], ids[0].as_str());

    let signed = format!("/v1/convai/conversation/get-signed-url?agent_id={}", ids[1]);
    let (_, _, answer) = call(&fake, reqwest::Method::GET, &signed, None).await;
    let url = json_of(&answer)["signed_url"].as_str().unwrap_or_default().to_string();
    assert!(url.starts_with("wss://127.0.0.1:") && url.contains("conversation_signature="), "{url}");
    let (status, _, _) = call(&fake, reqwest::Method::GET, "/v1/convai/agents/agent_missing", None).await;
    assert_eq!(status, 404);
}
