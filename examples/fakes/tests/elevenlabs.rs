//! The fake ElevenLabs over real HTTP: speech, failures, voices, agents, register-call and
//! post-call webhooks.

use axum::http::StatusCode;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use switchboard_fakes::elevenlabs::{
    CallDirection, DEFAULT_API_KEY, Endpoint, Failure, FakeElevenLabs, Turn, VOICES, Verdict, post_call_transcription,
    send_webhook, send_webhook_with, sign_webhook,
};

const RACHEL: &str = "21m00Tcm4TlvDq8ikWAM";

async fn call(
    fake: &FakeElevenLabs,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = switchboard_fakes::client()
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

    let response = switchboard_fakes::client()
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
    let response = switchboard_fakes::client()
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

async fn register(fake: &FakeElevenLabs, body: Value) -> (u16, reqwest::header::HeaderMap, String) {
    let (status, headers, bytes) =
        call(fake, reqwest::Method::POST, "/v1/convai/twilio/register-call", Some(body)).await;
    (status, headers, String::from_utf8(bytes).expect("UTF-8"))
}

#[tokio::test]
async fn register_call_answers_twiml_and_records_the_call() {
    let fake = FakeElevenLabs::start().await.expect("starts");
    let agent = fake.create_agent("Receptionist");
    assert!(agent.starts_with("agent_") && fake.agent_count() == 1);
    let (status, _, doc) = call(&fake, reqwest::Method::GET, &format!("/v1/convai/agents/{agent}"), None).await;
    assert_eq!((status, json_of(&doc)["name"].clone()), (200, json!("Receptionist")));

    let body = json!({
        "agent_id": agent, "from_number": "+15005550006", "to_number": "+14155551212", "direction": "outbound",
        "conversation_initiation_client_data": {"dynamic_variables": {"customer": "Ada", "visits": 3, "vip": true}},
    });
    let (status, headers, twiml) = register(&fake, body).await;
    assert_eq!((status, headers["content-type"].to_str().ok()), (200, Some("text/xml")));
    let calls = fake.registered_calls();
    assert_eq!(calls.len(), 1);
    let registered = &calls[0];
    let id = registered.conversation_id.as_str();
    assert!(id.len() == 29 && id.starts_with("conv_") && id[5..].bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    let authority = fake.addr().to_string();
    assert_eq!(
        twiml,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Connect><Stream \
             url=\"wss://{authority}/v1/convai/conversation/twilio?conversation_id={id}\"><Parameter \
             name=\"conversation_id\" value=\"{id}\"/></Stream></Connect></Response>"
        )
    );
    assert_eq!(
        (registered.agent_id.as_str(), registered.from_number.as_str(), registered.to_number.as_str()),
        (agent.as_str(), "+15005550006", "+14155551212")
    );
    assert_eq!(registered.direction, CallDirection::Outbound);
    assert_eq!(
        Value::Object(registered.dynamic_variables.clone()),
        json!({"customer": "Ada", "visits": 3, "vip": true})
    );
    assert!(registered.registered_at <= std::time::SystemTime::now());
    assert_eq!(fake.registered_call(id).as_ref(), Some(registered));

    let plain = json!({"agent_id": agent, "from_number": "+14155551212", "to_number": "+15005550006"});
    let (_, _, second) = register(&fake, plain).await;
    let calls = fake.registered_calls();
    assert_eq!((calls.len(), calls[1].direction), (2, CallDirection::Inbound), "inbound unless told");
    assert_ne!(calls[0].conversation_id, calls[1].conversation_id);
    assert!(second.contains(&calls[1].conversation_id));
    assert_eq!(fake.requests_to(Endpoint::RegisterCall).len(), 2);
    assert!(fake.requests_to(Endpoint::Agents).iter().all(|r| !r.path.contains("register-call")));
}

#[tokio::test]
async fn register_call_refuses_as_elevenlabs_does() {
    let fake = FakeElevenLabs::start().await.expect("starts");
    let agent = fake.create_agent("Outbound");
    let good = json!({"agent_id": agent, "from_number": "+15005550006", "to_number": "+14155551212"});

    let response = switchboard_fakes::client()
        .post(format!("{}/v1/convai/twilio/register-call", fake.base_url()))
        .header("xi-api-key", "wrong")
        .body(good.to_string())
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(json_of(&response.bytes().await.expect("body"))["detail"]["status"], "invalid_api_key");

    let (status, _, body) = register(&fake, json!({"to_number": "4155551212", "direction": "sideways"})).await;
    assert_eq!(status, 422);
    let detail = json_of(body.as_bytes())["detail"].clone();
    let locs: Vec<Value> = detail.as_array().into_iter().flatten().map(|d| d["loc"].clone()).collect();
    assert_eq!(
        locs,
        [
            json!(["body", "agent_id"]),
            json!(["body", "from_number"]),
            json!(["body", "to_number"]),
            json!(["body", "direction"])
        ]
    );
    assert!(detail.as_array().into_iter().flatten().all(|d| d["msg"].is_string() && d["type"].is_string()));
    let bad_variables = json!({"agent_id": agent, "from_number": "+15005550006", "to_number": "+14155551212",
                               "conversation_initiation_client_data": {"dynamic_variables": {"nested": {"a": 1}}}});
    assert_eq!(register(&fake, bad_variables).await.0, 422);
    let response = switchboard_fakes::client()
        .post(format!("{}/v1/convai/twilio/register-call", fake.base_url()))
        .header("xi-api-key", DEFAULT_API_KEY)
        .body("{not json")
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status().as_u16(), 422);

    let unknown = json!({"agent_id": "agent_nobody", "from_number": "+15005550006", "to_number": "+14155551212"});
    let (status, _, body) = register(&fake, unknown).await;
    assert_eq!((status, json_of(body.as_bytes())["detail"]["status"].clone()), (404, json!("agent_not_found")));

    fake.fail_on(Endpoint::RegisterCall, Failure::ServiceUnavailable, false);
    let (status, _, body) = register(&fake, good.clone()).await;
    assert_eq!((status, json_of(body.as_bytes())["detail"]["status"].clone()), (503, json!("service_unavailable")));
    fake.fail_on(Endpoint::RegisterCall, Failure::ServerError, false);
    assert_eq!(register(&fake, good.clone()).await.0, 500);
    fake.fail_on(Endpoint::Speech, Failure::ServerError, true);
    fake.set_first_byte_latency(Duration::from_millis(150));
    let started = Instant::now();
    assert_eq!(register(&fake, good).await.0, 200, "other endpoints' failures do not apply");
    assert!(started.elapsed() >= Duration::from_millis(150), "the latency applies");
    assert_eq!(fake.registered_calls().len(), 1, "only the accepted one is recorded");
}

/// What a webhook receiver got, and whether the signature checked out.
type Seen = Arc<Mutex<Vec<(String, bool)>>>;

/// A receiver that checks `ElevenLabs-Signature` over the raw body, independently of the fake:
/// 200 for a good one, 401 otherwise.
async fn webhook_receiver(secret: &'static str) -> (String, Seen) {
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let url = format!("http://{}/elevenlabs/post-call", listener.local_addr().expect("an address"));
    let state = seen.clone();
    let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
        let state = state.clone();
        async move {
            let header = headers.get("elevenlabs-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
            let valid = header.split_once(',').is_some_and(|(t, v0)| {
                let (Some(t), Some(v0)) = (t.strip_prefix("t="), v0.strip_prefix("v0=")) else { return false };
                let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
                mac.update(format!("{t}.").as_bytes());
                mac.update(&body);
                let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
                hex == v0
            });
            state.lock().expect("not poisoned").push((String::from_utf8_lossy(&body).into_owned(), valid));
            if valid { (StatusCode::OK, "received") } else { (StatusCode::UNAUTHORIZED, "bad signature") }
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (url, seen)
}

#[tokio::test]
async fn post_call_webhooks_are_built_signed_and_sent() {
    const SECRET: &str = "wsec_test";
    let fake = FakeElevenLabs::start().await.expect("starts");
    let agent = fake.create_agent("Caller");
    let body = json!({"agent_id": agent, "from_number": "+15005550006", "to_number": "+14155551212",
                      "direction": "outbound",
                      "conversation_initiation_client_data": {"dynamic_variables": {"call_id": "c-42"}}});
    assert_eq!(register(&fake, body).await.0, 200);
    let registered = fake.registered_calls().remove(0);
    let turns = [
        Turn::agent("Hi, this is Acme calling about your order.", 0),
        Turn::user("Please stop calling me.", 5),
        Turn::agent("Understood, you will not be called again.", 8),
    ];
    let sid = "CA0123456789abcdef0123456789abcdef";
    let payload =
        post_call_transcription(&registered, sid, &turns, "The callee asked not to be called.", Verdict::Failure);
    assert_eq!(payload["type"], "post_call_transcription");
    assert!(payload["event_timestamp"].as_u64().is_some_and(|t| t > 1_700_000_000));
    let data = &payload["data"];
    assert_eq!(
        (data["agent_id"].clone(), data["conversation_id"].clone(), data["status"].clone()),
        (json!(agent), json!(registered.conversation_id), json!("done"))
    );
    assert_eq!(data["transcript"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        (data["transcript"][1]["role"].clone(), data["transcript"][1]["message"].clone()),
        (json!("user"), json!("Please stop calling me."))
    );
    assert_eq!(data["transcript"][2]["time_in_call_secs"], 8);
    assert_eq!(data["metadata"]["call_duration_secs"], 8);
    assert!(data["metadata"]["start_time_unix_secs"].as_u64().is_some());
    assert_eq!(data["metadata"]["phone_call"]["call_sid"], sid);
    assert_eq!(data["analysis"]["call_successful"], "failure");
    assert_eq!(data["analysis"]["transcript_summary"], "The callee asked not to be called.");
    assert_eq!(data["conversation_initiation_client_data"]["dynamic_variables"]["call_id"], "c-42");

    let (url, seen) = webhook_receiver(SECRET).await;
    let raw = payload.to_string();
    let delivery = fake.send_webhook(&url, SECRET, &raw).await;
    assert_eq!((delivery.status, delivery.response.as_str()), (Some(200), "received"));
    let signature = delivery.signature.clone().unwrap_or_default();
    let t: u64 =
        signature.strip_prefix("t=").and_then(|s| s.split(',').next()).and_then(|t| t.parse().ok()).unwrap_or(0);
    assert_eq!(signature, sign_webhook(SECRET, t, &raw));
    assert_eq!(fake.webhooks_sent(), [delivery]);

    let wrong = send_webhook(&url, "another-secret", &raw).await;
    assert_eq!(wrong.status, Some(401));
    let tampered = send_webhook_with(&url, Some(&signature), &raw.replace("stop", "keep")).await;
    assert_eq!(tampered.status, Some(401));
    assert_eq!(send_webhook_with(&url, None, &raw).await.status, Some(401));
    let received = seen.lock().expect("not poisoned").clone();
    assert_eq!(received.iter().map(|(_, ok)| *ok).collect::<Vec<_>>(), [true, false, false, false]);
    assert_eq!(received[0].0, raw, "the body arrives byte for byte");
    let nowhere = send_webhook("http://127.0.0.1:1/none", SECRET, &raw).await;
    assert!(nowhere.status.is_none() && nowhere.error.is_some());
}
