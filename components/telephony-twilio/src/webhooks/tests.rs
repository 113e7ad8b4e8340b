use super::*;
use crate::agent_events::sign;
use crate::exports::switchboard::telephony::carrier::{CallStatus, Gather};
use crate::signature::{body_sha256_hex, compute};
use serde_json::json;

const TOKEN: &str = "test-auth-token";
const SID: &str = "CA0123456789abcdef0123456789abcdef";
const BASE: &str = "https://switchboard.example/webhooks/telephony_twilio";

fn config(pairs: &[(&str, &str)]) -> Config {
    let mut pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    pairs.push(("auth_token".into(), TOKEN.into()));
    Config::load(|k| Ok(pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone())))
}

fn form_request(path: &str, form: &[(&str, &str)]) -> WebhookRequest {
    signed_form(&format!("{BASE}/{path}"), path, form)
}

/// A form POST to `url` (which may carry a query), signed as Twilio signs it.
fn signed_form(url: &str, path: &str, form: &[(&str, &str)]) -> WebhookRequest {
    let url = url.to_string();
    let mut params: Vec<(String, String)> = form.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    params.sort();
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(form.iter()).finish();
    WebhookRequest {
        headers: vec![
            ("Content-Type".into(), "application/x-www-form-urlencoded; charset=utf-8".into()),
            ("X-Twilio-Signature".into(), compute(TOKEN, &url, &params)),
        ],
        url,
        method: "POST".into(),
        path: path.into(),
        body: body.into_bytes(),
    }
}

fn no_agent(_: &ElevenLabsAgent, _: String) -> Result<Reply, String> {
    panic!("no ElevenLabs call expected")
}

fn status_form(status: &str) -> Vec<(&str, &str)> {
    vec![
        ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
        ("CallSid", SID),
        ("CallStatus", status),
        ("SequenceNumber", "3"),
        ("CallDuration", "42"),
        ("AnsweredBy", "human"),
        ("To", "+13035550123"),
    ]
}

#[test]
fn status_callbacks() {
    let r = handle(&config(&[]), &form_request("status", &status_form("completed")), no_agent);
    assert_eq!((r.status, r.body.as_str()), (204, ""));
    let e = r.event.expect("an event");
    assert_eq!((e.kind, e.call_sid.as_str(), e.status), (EventKind::Status, SID, Some(CallStatus::Completed)));
    assert_eq!((e.sequence, e.duration_seconds, e.answered_by.as_deref()), (Some(3), Some(42), Some("human")));
    let mut form = status_form("failed");
    form.push(("ErrorCode", "31005"));
    let e = handle(&config(&[]), &form_request("/status/", &form), no_agent).event.unwrap();
    assert_eq!((e.status, e.error_code.as_deref()), (Some(CallStatus::Failed), Some("31005")));
    // An unknown status: genuine, acknowledged, no event.
    let r = handle(&config(&[]), &form_request("status", &status_form("answered")), no_agent);
    assert_eq!((r.status, r.event), (204, None));
}

#[test]
fn bad_signatures_are_refused() {
    let good = form_request("status", &status_form("ringing"));
    let mut missing = good.clone();
    missing.headers.retain(|(k, _)| k != "X-Twilio-Signature");
    let r = handle(&config(&[]), &missing, no_agent);
    assert_eq!((r.status, r.event.is_none()), (403, true));
    assert!(!r.body.is_empty() && r.body.len() < 80);
    let mut tampered = good.clone();
    tampered.body = String::from_utf8(tampered.body).unwrap().replace("ringing", "completed").into_bytes();
    assert_eq!(handle(&config(&[]), &tampered, no_agent).status, 403);
    let wrong_token = Config::load(|k| Ok((k == "auth_token").then(|| "other".to_string())));
    assert_eq!(handle(&wrong_token, &good, no_agent).status, 403);
    let no_token = Config::load(|_| Ok(None));
    let r = handle(&no_token, &good, no_agent);
    assert_eq!((r.status, r.event), (403, None));
    // Header names are case-insensitive.
    let mut lower = good.clone();
    lower.headers = lower.headers.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v)).collect();
    assert_eq!(handle(&config(&[]), &lower, no_agent).status, 204);
}

#[test]
fn unknown_paths_and_methods() {
    let mut r = form_request("status", &status_form("ringing"));
    r.path = "other".into();
    assert_eq!(handle(&config(&[]), &r, no_agent).status, 404);
    r.path = "".into();
    assert_eq!(handle(&config(&[]), &r, no_agent).status, 404);
    r.path = "status".into();
    r.method = "PUT".into();
    assert_eq!(handle(&config(&[]), &r, no_agent).status, 405);
}

#[test]
fn get_webhooks_read_the_query() {
    let url = format!("{BASE}/status?CallSid={SID}&CallStatus=in-progress&SequenceNumber=1");
    let request = WebhookRequest {
        headers: vec![("x-twilio-signature".into(), compute(TOKEN, &url, &[]))],
        url,
        method: "GET".into(),
        path: "status".into(),
        body: Vec::new(),
    };
    let e = handle(&config(&[]), &request, no_agent).event.expect("an event");
    assert_eq!((e.status, e.sequence), (Some(CallStatus::InProgress), Some(1)));
    let mut tampered = request.clone();
    tampered.url = tampered.url.replace("in-progress", "completed");
    assert_eq!(handle(&config(&[]), &tampered, no_agent).status, 403);
}

#[test]
fn json_webhooks_check_the_body_hash() {
    let body = format!(r#"{{"CallSid":"{SID}","CallStatus":"busy"}}"#).into_bytes();
    let url = format!("{BASE}/status?bodySHA256={}", body_sha256_hex(&body));
    let request = WebhookRequest {
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Twilio-Signature".into(), compute(TOKEN, &url, &[])),
        ],
        url,
        method: "POST".into(),
        path: "status".into(),
        body,
    };
    let e = handle(&config(&[]), &request, no_agent).event.expect("an event");
    assert_eq!(e.status, Some(CallStatus::Busy));
    let mut tampered = request.clone();
    tampered.body = String::from_utf8(tampered.body).unwrap().replace("busy", "failed").into_bytes();
    assert_eq!(handle(&config(&[]), &tampered, no_agent).status, 403);
}

#[test]
fn recording_callbacks() {
    let form = [
        ("CallSid", SID),
        ("RecordingSid", "RE0123456789abcdef0123456789abcdef"),
        ("RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"),
        ("RecordingStatus", "completed"),
        ("RecordingDuration", "17"),
    ];
    let r = handle(&config(&[]), &form_request("recording", &form), no_agent);
    let e = r.event.expect("an event");
    assert_eq!((r.status, e.kind, e.status), (204, EventKind::Recording, None));
    assert_eq!(e.recording_sid.as_deref(), Some("RE0123456789abcdef0123456789abcdef"));
    assert_eq!((e.recording_status.as_deref(), e.duration_seconds), (Some("completed"), Some(17)));
    assert!(e.recording_url.is_some_and(|u| u.ends_with("/RE1")));
}

fn voice_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("CallSid", SID),
        ("CallStatus", "in-progress"),
        ("Direction", "outbound-api"),
        ("From", "+12125551234"),
        ("To", "+13035550123"),
    ]
}

#[test]
fn voice_connects_the_configured_stream() {
    let c = config(&[("voice_stream_url", "wss://agent.example/media?x=1&y=2")]);
    let r = handle(&c, &form_request("voice", &voice_form()), no_agent);
    assert_eq!((r.status, r.content_type.as_str()), (200, "text/xml"));
    assert_eq!(
        r.body,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://agent.example/media?x=1&amp;y=2"><Parameter name="call_sid" value="{SID}"/></Stream></Connect></Response>"#
        )
    );
    let e = r.event.expect("an event");
    assert_eq!((e.kind, e.status), (EventKind::Answer, Some(CallStatus::InProgress)));
}

#[test]
fn voice_without_an_agent_hangs_up() {
    let r = handle(&config(&[]), &form_request("voice", &voice_form()), no_agent);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say>{}</Say><Hangup/></Response>"#,
            twiml::NO_AGENT
        )
    );
    assert!(r.event.is_some());
    // A bad signature gets no TwiML.
    let mut bad = form_request("voice", &voice_form());
    bad.headers[1].1 = "AAAA".into();
    let r = handle(&config(&[]), &bad, no_agent);
    assert_eq!((r.status, r.event), (403, None));
}

const ELEVENLABS_TWIML: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://api.us.elevenlabs.io/v1/convai/conversation/twilio?token=t1"/></Connect></Response>"#;

fn elevenlabs(extra: &[(&str, &str)]) -> Config {
    let mut pairs = vec![("elevenlabs_agent_id", "agent_123"), ("elevenlabs_api_key", "sk_x")];
    pairs.extend_from_slice(extra);
    config(&pairs)
}

fn twiml_reply(status: u16, content_type: &str, body: &str) -> Result<Reply, String> {
    Ok(Reply { status, content_type: Some(content_type.into()), body: body.as_bytes().to_vec() })
}

#[test]
fn voice_registers_the_call_with_elevenlabs() {
    let url = format!("{BASE}/voice?lead_id=lead-42&subject=solar+%26+roofs");
    let mut sent = None;
    let r = handle(&elevenlabs(&[]), &signed_form(&url, "voice", &voice_form()), |agent, body| {
        sent = Some((agent.agent_id.clone(), agent.timeout, body));
        twiml_reply(200, "application/xml", ELEVENLABS_TWIML)
    });
    assert_eq!((r.status, r.content_type.as_str(), r.body.as_str()), (200, "text/xml", ELEVENLABS_TWIML));
    let e = r.event.expect("an answer event");
    assert_eq!((e.kind, e.call_sid.as_str(), e.status), (EventKind::Answer, SID, Some(CallStatus::InProgress)));
    let (agent_id, timeout, body) = sent.expect("a register-call request");
    assert_eq!((agent_id.as_str(), timeout), ("agent_123", std::time::Duration::from_millis(5000)));
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body,
        json!({
            "agent_id": "agent_123", "from_number": "+12125551234", "to_number": "+13035550123",
            "direction": "outbound",
            "conversation_initiation_client_data": {
                "dynamic_variables": {"call_id": SID, "lead_id": "lead-42", "subject": "solar & roofs"}
            }
        })
    );
    // Without the query, the variables are left out; the configured timeout is passed on.
    let mut sent = None;
    let c = elevenlabs(&[("agent_timeout_ms", "1500")]);
    handle(&c, &form_request("voice", &voice_form()), |agent, body| {
        sent = Some((agent.timeout, body));
        twiml_reply(200, "text/xml", ELEVENLABS_TWIML)
    });
    let (timeout, body) = sent.expect("a register-call request");
    assert_eq!(timeout, std::time::Duration::from_millis(1500));
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["conversation_initiation_client_data"]["dynamic_variables"], json!({"call_id": SID}));
    // The query is signed: changing it breaks the signature.
    let mut forged = signed_form(&url, "voice", &voice_form());
    forged.url = forged.url.replace("lead-42", "lead-43");
    assert_eq!(handle(&elevenlabs(&[]), &forged, no_agent).status, 403);
}

#[test]
fn voice_apologises_when_elevenlabs_fails() {
    let apology = twiml::say_and_hang_up(twiml::NO_AGENT);
    let failures: Vec<Result<Reply, String>> = vec![
        twiml_reply(401, "application/json", r#"{"detail":{"status":"invalid_api_key","message":"bad"}}"#),
        twiml_reply(422, "application/json", r#"{"detail":[{"loc":["body","agent_id"],"msg":"required"}]}"#),
        twiml_reply(500, "text/plain", "Internal Server Error"),
        twiml_reply(200, "application/json", r#"{"status":"ok"}"#),
        Err("cannot reach ElevenLabs at https://api.elevenlabs.io: no answer came in time".into()),
        Err("cannot reach ElevenLabs at https://api.elevenlabs.io: the connection was refused".into()),
    ];
    for failure in failures {
        let r = handle(&elevenlabs(&[]), &form_request("voice", &voice_form()), |_, _| failure.clone());
        assert_eq!((r.status, r.content_type.as_str()), (200, "text/xml"), "{failure:?}");
        assert_eq!(r.body, apology, "{failure:?}");
        assert!(r.body.ends_with("<Hangup/></Response>"));
        assert_eq!(r.event.map(|e| e.kind), Some(EventKind::Answer));
    }
    // No key configured, a misconfigured timeout, no From and To: no request, the apology.
    for c in [config(&[("elevenlabs_agent_id", "agent_123")]), elevenlabs(&[("agent_timeout_ms", "20000")])] {
        assert_eq!(handle(&c, &form_request("voice", &voice_form()), no_agent).body, apology);
    }
    let form = [("CallSid", SID), ("CallStatus", "in-progress")];
    assert_eq!(handle(&elevenlabs(&[]), &form_request("voice", &form), no_agent).body, apology);
}

#[test]
fn voice_stream_url_keeps_its_precedence() {
    // As config.rs orders them: voice_stream_url first, even with an agent id.
    let c = elevenlabs(&[("voice_stream_url", "wss://agent.example/media")]);
    let r = handle(&c, &form_request("voice", &voice_form()), no_agent);
    assert!(r.body.contains(r#"<Stream url="wss://agent.example/media">"#), "{}", r.body);
}

fn gather_form(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut form = vec![
        ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
        ("CallSid", SID),
        ("CallStatus", "in-progress"),
        ("From", "+12125551234"),
        ("To", "+13035550123"),
    ];
    form.extend_from_slice(extra);
    form
}

const HANG_UP: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>"#;

fn input_of(r: &WebhookResponse) -> CalleeInput {
    let e = r.event.clone().expect("an input event");
    assert_eq!((e.kind, e.call_sid.as_str(), e.status), (EventKind::Input, SID, Some(CallStatus::InProgress)));
    e.input.expect("the callee's input")
}

#[test]
fn gather_reads_the_digits() {
    let r = handle(
        &config(&[]),
        &form_request("gather", &gather_form(&[("Digits", "9"), ("FinishedOnKey", "")])),
        no_agent,
    );
    assert_eq!((r.status, r.content_type.as_str(), r.body.as_str()), (200, "text/xml", HANG_UP));
    assert_eq!(input_of(&r), CalleeInput { digits: Some("9".into()), speech: None, confidence: None });
}

#[test]
fn gather_reads_speech_and_confidence() {
    let form = gather_form(&[("SpeechResult", " Stop calling me. "), ("Confidence", "0.87"), ("Digits", "")]);
    let r = handle(&config(&[]), &form_request("gather", &form), no_agent);
    assert_eq!(
        input_of(&r),
        CalleeInput { digits: None, speech: Some("Stop calling me.".into()), confidence: Some(0.87) }
    );
    for (given, expected) in [("1.7", Some(1.0)), ("-0.2", Some(0.0)), ("0", Some(0.0)), ("NaN", None), ("high", None)]
    {
        let form = gather_form(&[("SpeechResult", "stop"), ("Confidence", given)]);
        let r = handle(&config(&[]), &form_request("gather", &form), no_agent);
        assert_eq!(input_of(&r).confidence, expected, "{given}");
    }
}

#[test]
fn gather_blank_values_are_none() {
    let form = gather_form(&[("Digits", ""), ("SpeechResult", "  "), ("Confidence", "")]);
    let r = handle(&config(&[]), &form_request("gather", &form), no_agent);
    assert_eq!(input_of(&r), CalleeInput { digits: None, speech: None, confidence: None });
    // Without a CallSid there is no call to attach it to.
    let r = handle(&config(&[]), &form_request("gather", &[("Digits", "9")]), no_agent);
    assert_eq!((r.status, r.body.as_str(), r.event), (200, HANG_UP, None));
}

#[test]
fn gather_refuses_forged_requests() {
    let good = form_request("gather", &gather_form(&[("Digits", "9")]));
    let mut forged = good.clone();
    forged.body = String::from_utf8(forged.body).unwrap().replace("Digits=9", "Digits=1").into_bytes();
    let r = handle(&config(&[]), &forged, no_agent);
    assert_eq!((r.status, r.event.is_none()), (403, true));
    assert!(!r.body.contains("<Response"));
    let mut unsigned = good.clone();
    unsigned.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("x-twilio-signature"));
    assert_eq!(handle(&config(&[]), &unsigned, no_agent).status, 403);
    assert_eq!(handle(&Config::load(|_| Ok(None)), &good, no_agent).status, 403);
    // Signed for another path's URL.
    let mut moved = good.clone();
    moved.url = format!("{BASE}/status");
    assert_eq!(handle(&config(&[]), &moved, no_agent).status, 403);
}

#[test]
fn the_answer_export_renders_the_script() {
    let script = CallScript {
        steps: vec![
            Step::Gather(Gather {
                play: vec!["https://h.example/audio/u1".into()],
                speech: true,
                action_url: format!("{BASE}/gather"),
                timeout_seconds: 5,
            }),
            Step::HangUp,
        ],
    };
    let r = script::answer(&script);
    assert_eq!((r.status, r.content_type.as_str(), r.event), (200, "text/xml", None));
    assert!(r.body.contains(r#"<Gather input="dtmf speech" numDigits="1" action="https://switchboard.example/webhooks/telephony_twilio/gather" method="POST" timeout="5"><Play>https://h.example/audio/u1</Play></Gather><Hangup/>"#));
}

const WEBHOOK_SECRET: &str = "wsec_test_secret";

fn agent_events_request(body: &[u8], secret: &str, t: u64) -> WebhookRequest {
    WebhookRequest {
        url: format!("{BASE}/agent-events"),
        method: "POST".into(),
        path: "agent-events".into(),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("elevenlabs-signature".into(), format!("t={t},v0={}", sign(secret, &t.to_string(), body))),
        ],
        body: body.to_vec(),
    }
}

fn agent_events_config() -> Config {
    config(&[("elevenlabs_webhook_secret", WEBHOOK_SECRET)])
}

#[test]
fn agent_events_through_handle() {
    let now = unix_now();
    let body = json!({
        "type": "post_call_transcription", "event_timestamp": now,
        "data": {
            "agent_id": "agent_123", "conversation_id": "conv_1",
            "transcript": [{"role": "agent", "message": "Hello!", "time_in_call_secs": 0}],
            "metadata": {"call_duration_secs": 31, "phone_call": {"type": "twilio", "call_sid": SID}},
            "analysis": {"call_successful": "failure", "transcript_summary": "Not interested."}
        }
    })
    .to_string()
    .into_bytes();
    // No X-Twilio-Signature needed: ElevenLabs signs it.
    let r = handle(&agent_events_config(), &agent_events_request(&body, WEBHOOK_SECRET, now), no_agent);
    assert_eq!(r.status, 200, "{}", r.body);
    let e = r.event.expect("a conversation event");
    assert_eq!((e.kind, e.call_sid.as_str()), (EventKind::Conversation, SID));
    let c = e.conversation.expect("the conversation");
    assert_eq!((c.id.as_str(), c.transcript.len(), c.duration_seconds), ("conv_1", 1, Some(31)));

    let refused = |r: WebhookResponse| {
        assert_eq!((r.status, r.content_type.as_str(), r.event.is_none()), (401, "text/plain; charset=utf-8", true));
        assert!(!r.body.is_empty() && r.body.len() < 100, "{}", r.body);
        r.body
    };
    // Wrong secret, tampered body, old and future timestamps, no secret, no or a bad header.
    refused(handle(&agent_events_config(), &agent_events_request(&body, "wsec_other", now), no_agent));
    let mut tampered = agent_events_request(&body, WEBHOOK_SECRET, now);
    tampered.body = String::from_utf8(tampered.body).unwrap().replace("failure", "success").into_bytes();
    refused(handle(&agent_events_config(), &tampered, no_agent));
    let old =
        refused(handle(&agent_events_config(), &agent_events_request(&body, WEBHOOK_SECRET, now - 1801), no_agent));
    assert!(old.contains("30 minutes"));
    let future =
        refused(handle(&agent_events_config(), &agent_events_request(&body, WEBHOOK_SECRET, now + 400), no_agent));
    assert!(future.contains("future"));
    let none = refused(handle(&config(&[]), &agent_events_request(&body, WEBHOOK_SECRET, now), no_agent));
    assert!(none.contains("elevenlabs_webhook_secret"));
    let mut missing = agent_events_request(&body, WEBHOOK_SECRET, now);
    missing.headers.retain(|(k, _)| k != "elevenlabs-signature");
    assert!(refused(handle(&agent_events_config(), &missing, no_agent)).contains("missing"));
    let mut malformed = agent_events_request(&body, WEBHOOK_SECRET, now);
    malformed.headers[1].1 = "sha256=abc".into();
    assert!(refused(handle(&agent_events_config(), &malformed, no_agent)).contains("malformed"));
    // A Twilio signature does not stand in for ElevenLabs'.
    let mut twilio_signed = missing.clone();
    twilio_signed.headers.push(("X-Twilio-Signature".into(), compute(TOKEN, &twilio_signed.url, &[])));
    refused(handle(&agent_events_config(), &twilio_signed, no_agent));
    // Only POST.
    let mut get = agent_events_request(&body, WEBHOOK_SECRET, now);
    get.method = "GET".into();
    assert_eq!(handle(&agent_events_config(), &get, no_agent).status, 405);
}

#[test]
fn agent_events_other_types_and_bodies() {
    let now = unix_now();
    let send = |body: &[u8]| handle(&agent_events_config(), &agent_events_request(body, WEBHOOK_SECRET, now), no_agent);
    for body in [
        json!({"type": "post_call_audio", "data": {"conversation_id": "c", "full_audio": "SUQz"}}),
        json!({"type": "call_initiation_failure", "data": {"agent_id": "a", "failure_reason": "busy"}}),
        json!({"type": "something_new", "data": {}}),
        json!({"data": {}}),
    ] {
        let r = send(body.to_string().as_bytes());
        assert_eq!((r.status, r.event), (200, None), "{body}");
    }
    // A transcription without a Twilio CallSid: 200, no event, and the body says so.
    let r = send(json!({"type": "post_call_transcription", "data": {"conversation_id": "c"}}).to_string().as_bytes());
    assert_eq!((r.status, r.event), (200, None));
    assert!(r.body.contains("CallSid"));
    // Signed, but not JSON (or not an object).
    for body in [&b"not json"[..], b"", b"[1,2]", b"{\"type\": 5}"] {
        let r = send(body);
        assert_eq!((r.status, r.event), (400, None), "{}", String::from_utf8_lossy(body));
    }
}
