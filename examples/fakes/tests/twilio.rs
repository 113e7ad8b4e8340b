//! The fake Twilio over real HTTP: credentials, calls that progress by themselves, signed
//! callbacks received by a small server here, outcomes, hang-ups, recordings, lists, errors and
//! planned failures; TwiML carried out in [`twiml_calls`].

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha1::Sha1;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use switchboard_fakes::twilio::{CallStatus, Endpoint, Failure, FakeTwilio, Kind, Outcome, Signing, sign};

const ACCOUNT: &str = "AC00000000000000000000000000000000";
const TOKEN: &str = "test-auth-token";
const FROM: &str = "+15005550006";
const TO: &str = "+14155551212";
const WAIT: Duration = Duration::from_secs(5);
const TWIML: &str = "<Response><Say>Hello from the test</Say></Response>";

/// TwiML carried out: plays, gathers, hang-ups.
#[path = "twilio/twiml_calls.rs"]
mod twiml_calls;

/// The signature as Twilio documents it, written here independently of the fake.
fn expected_signature(token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let data: String = sorted.iter().fold(url.to_string(), |acc, (k, v)| acc + k + v);
    let mut mac = Hmac::<Sha1>::new_from_slice(token.as_bytes()).expect("any key length");
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// One webhook as the receiver got it.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    method: String,
    /// The POST form, or for a GET the query.
    params: Vec<(String, String)>,
    signature_valid: bool,
    user_agent: String,
    content_type: String,
}

impl Received {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A small webhook receiver that checks signatures: 403 for a bad one, TwiML at `/twiml`,
/// 204 elsewhere.
struct Receiver {
    base: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start() -> Self {
        let got = Arc::new(Mutex::new(Vec::new()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let app = axum::Router::new().fallback(receive).with_state(got.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        Self { base, got }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().expect("not poisoned").clone()
    }

    /// What arrived at `path`, once at least `count` did.
    async fn wait_for(&self, path: &str, count: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let got: Vec<_> = self.got().into_iter().filter(|r| r.path == path).collect();
            if got.len() >= count || tokio::time::Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

async fn receive(State(got): State<Arc<Mutex<Vec<Received>>>>, request: Request) -> (StatusCode, String) {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
    let header = |headers: &HeaderMap, name: &str| {
        headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
    };
    let host = header(&parts.headers, "host");
    let url = format!("http://{host}{}", parts.uri);
    let get = parts.method == axum::http::Method::GET;
    let params: Vec<(String, String)> = if get {
        form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes()).into_owned().collect()
    } else {
        form_urlencoded::parse(&body).into_owned().collect()
    };
    let signed = if get { Vec::new() } else { params.clone() };
    let signature_valid = header(&parts.headers, "x-twilio-signature") == expected_signature(TOKEN, &url, &signed);
    let received = Received {
        path: parts.uri.path().to_string(),
        method: parts.method.to_string(),
        params,
        signature_valid,
        user_agent: header(&parts.headers, "user-agent"),
        content_type: header(&parts.headers, "content-type"),
    };
    let path = received.path.clone();
    got.lock().expect("not poisoned").push(received);
    match (signature_valid, path.as_str()) {
        (false, _) => (StatusCode::FORBIDDEN, String::new()),
        (true, "/twiml") => (StatusCode::OK, TWIML.to_string()),
        (true, _) => (StatusCode::NO_CONTENT, String::new()),
    }
}

async fn fake() -> FakeTwilio {
    let fake = FakeTwilio::start(ACCOUNT, TOKEN).await.expect("starts");
    fake.set_step_delay(Duration::from_millis(10));
    fake
}

/// A request to the fake's REST API with the account's credentials.
async fn api(fake: &FakeTwilio, method: reqwest::Method, path: &str, form: &[(&str, &str)]) -> (u16, HeaderMap, Value) {
    let url = format!("{}/2010-04-01/Accounts/{ACCOUNT}/{path}", fake.base_url());
    send(switchboard_fakes::client().request(method, url).basic_auth(ACCOUNT, Some(TOKEN)), form).await
}

async fn send(request: reqwest::RequestBuilder, form: &[(&str, &str)]) -> (u16, HeaderMap, Value) {
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let response = request
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("the fake answers");
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    let bytes = response.bytes().await.expect("a whole body");
    (status, headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn place(fake: &FakeTwilio, form: &[(&str, &str)]) -> String {
    let (status, _, call) = api(fake, reqwest::Method::POST, "Calls.json", form).await;
    assert_eq!(status, 201, "{call}");
    call["sid"].as_str().expect("a sid").to_string()
}

fn is_rfc2822(date: &str) -> bool {
    let parts: Vec<&str> = date.split(' ').collect();
    parts.len() == 6 && parts[0].ends_with(',') && parts[5] == "+0000" && parts[4].len() == 8
}

#[tokio::test]
async fn credentials_are_checked() {
    let fake = fake().await;
    let calls = format!("{}/2010-04-01/Accounts/{ACCOUNT}/Calls.json", fake.base_url());
    let client = switchboard_fakes::client();
    let (status, headers, body) = send(client.get(&calls), &[]).await;
    assert_eq!(status, 401);
    assert!(headers.contains_key("www-authenticate"));
    assert_eq!(
        body,
        json!({"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401})
    );
    assert_eq!(send(client.get(&calls).basic_auth(ACCOUNT, Some("wrong")), &[]).await.0, 401);
    let other = format!("{}/2010-04-01/Accounts/AC11111111111111111111111111111111/Calls.json", fake.base_url());
    assert_eq!(send(client.get(other).basic_auth(ACCOUNT, Some(TOKEN)), &[]).await.0, 401, "another account");
    assert_eq!(send(client.get(&calls).basic_auth(ACCOUNT, Some(TOKEN)), &[]).await.0, 200);

    let log = fake.requests();
    assert_eq!(log.len(), 4);
    assert!(!log[0].auth_present && log[1].auth_present && !log[1].auth_matched && log[3].auth_matched);
    assert!(!format!("{log:?}").contains(TOKEN), "the log never holds the token");
}

#[tokio::test]
async fn a_call_progresses_and_sends_signed_callbacks_in_order() {
    let fake = fake().await;
    let hooks = Receiver::start().await;
    let (twiml, status_url) = (hooks.url("/twiml"), hooks.url("/status?leg=a"));
    let sid = place(
        &fake,
        &[
            ("To", TO),
            ("From", FROM),
            ("Url", &twiml),
            ("StatusCallback", &status_url),
            ("StatusCallbackEvent", "initiated"),
            ("StatusCallbackEvent", "ringing"),
            ("StatusCallbackEvent", "answered"),
            ("StatusCallbackEvent", "completed"),
            ("MachineDetection", "Enable"),
        ],
    )
    .await;
    assert!(sid.starts_with("CA") && sid.len() == 34 && sid[2..].bytes().all(|b| b.is_ascii_hexdigit()));
    let call = fake.call(&sid).expect("kept");
    assert_eq!(call.url.as_ref().map(|h| h.method.as_str()), Some("POST"));

    let ended = fake.wait_for_end(&sid, WAIT).await.expect("ends");
    assert_eq!(ended.status, CallStatus::Completed);
    let status = hooks.wait_for("/status", 4).await;
    let order: Vec<_> = status.iter().map(|r| (r.param("CallStatus"), r.param("SequenceNumber"))).collect();
    assert_eq!(
        order,
        [
            (Some("initiated"), Some("0")),
            (Some("ringing"), Some("1")),
            (Some("in-progress"), Some("2")),
            (Some("completed"), Some("3"))
        ]
    );
    for r in &status {
        assert!(r.signature_valid, "{r:?}");
        assert_eq!((r.method.as_str(), r.user_agent.as_str()), ("POST", "TwilioProxy/1.1"));
        assert!(r.content_type.starts_with("application/x-www-form-urlencoded"));
        for (name, value) in [
            ("AccountSid", ACCOUNT),
            ("ApiVersion", "2010-04-01"),
            ("CallSid", sid.as_str()),
            ("Called", TO),
            ("Caller", FROM),
            ("To", TO),
            ("From", FROM),
            ("Direction", "outbound-api"),
            ("CallbackSource", "call-progress-events"),
        ] {
            assert_eq!(r.param(name), Some(value), "{name} in {r:?}");
        }
        assert!(is_rfc2822(r.param("Timestamp").unwrap_or_default()), "{r:?}");
    }
    assert_eq!(status[1].param("AnsweredBy"), None);
    assert_eq!((status[2].param("AnsweredBy"), status[3].param("AnsweredBy")), (Some("human"), Some("human")));
    assert_eq!(status[3].param("CallDuration"), Some("1"));
    assert_eq!(status[3].param("Duration"), Some("1"));
    assert_eq!(status[2].param("CallDuration"), None);

    let fetched = hooks.wait_for("/twiml", 1).await;
    assert_eq!(fetched[0].param("CallStatus"), Some("in-progress"));
    assert!(fetched[0].signature_valid);
    assert_eq!(fake.twiml_fetched(&sid).as_deref(), Some(TWIML));
    let sent = fake.wait_for_callbacks(Some(&sid), 5, WAIT).await;
    assert!(sent.iter().all(|d| d.status == Some(if d.kind == Kind::Answer { 200 } else { 204 })), "{sent:?}");
    assert_eq!(sent.iter().filter(|d| d.kind == Kind::Status).count(), 4);

    let (code, _, resource) = api(&fake, reqwest::Method::GET, &format!("Calls/{sid}.json"), &[]).await;
    assert_eq!(code, 200);
    assert_eq!((resource["status"].clone(), resource["duration"].clone()), (json!("completed"), json!("1")));
    assert_eq!(
        (resource["direction"].clone(), resource["answered_by"].clone()),
        (json!("outbound-api"), json!("human"))
    );
    for date in ["date_created", "start_time", "end_time"] {
        assert!(is_rfc2822(resource[date].as_str().unwrap_or_default()), "{date}: {resource}");
    }
    assert_eq!(resource["uri"], format!("/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}.json"));
    assert_eq!(
        resource["subresource_uris"]["recordings"],
        format!("/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}/Recordings.json")
    );
}

#[tokio::test]
async fn signatures_match_an_independent_implementation() {
    // Computed with Python's hmac, hashlib and base64 over the URL and the sorted pairs.
    let params = [
        ("AccountSid", ACCOUNT),
        ("CallSid", "CA0123456789abcdef0123456789abcdef"),
        ("CallStatus", "ringing"),
        ("From", FROM),
        ("To", TO),
        ("SequenceNumber", "1"),
        ("Timestamp", "Tue, 05 Mar 2024 12:00:00 +0000"),
    ];
    let url = "http://127.0.0.1:8080/status?leg=a";
    assert_eq!(sign(TOKEN, url, &params), "yoJmOm+tWC5dI9i9C605j5hst8o=");
    let owned: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    assert_eq!(expected_signature(TOKEN, url, &owned), "yoJmOm+tWC5dI9i9C605j5hst8o=");

    let fake = fake().await;
    let hooks = Receiver::start().await;
    let target = hooks.url("/status");
    assert_eq!(fake.deliver_callback(&target, &params, Signing::Valid).await.status, Some(204));
    assert_eq!(fake.deliver_callback(&target, &params, Signing::Unsigned).await.status, Some(403));
    let wrong = Signing::WithToken("another-token".into());
    assert_eq!(fake.deliver_callback(&target, &params, wrong).await.status, Some(403));
    let mut tampered = params;
    tampered[2] = ("CallStatus", "completed");
    let stale = Signing::Header(fake.sign(&target, &params));
    let delivery = fake.deliver_callback(&target, &tampered, stale).await;
    assert_eq!((delivery.status, delivery.kind), (Some(403), Kind::Manual));
    assert_eq!(delivery.call_sid.as_deref(), Some("CA0123456789abcdef0123456789abcdef"));
    let nowhere = fake.deliver_callback("http://127.0.0.1:1/none", &params, Signing::Valid).await;
    assert!(nowhere.status.is_none() && nowhere.error.is_some());
    assert_eq!(fake.callbacks().len(), 5);
}

#[tokio::test]
async fn busy_and_no_answer_end_after_ringing() {
    let fake = fake().await;
    let hooks = Receiver::start().await;
    let (busy, silent) = ("+14155550001", "+14155550002");
    fake.set_outcome(busy, Outcome::Busy);
    fake.set_outcome(silent, Outcome::NoAnswer);
    let status_url = hooks.url("/status");
    let first = place(&fake, &[("To", busy), ("From", FROM), ("Twiml", TWIML), ("StatusCallback", &status_url)]).await;
    let second = place(
        &fake,
        &[
            ("To", silent),
            ("From", FROM),
            ("Url", &hooks.url("/twiml")),
            ("StatusCallback", &status_url),
            ("StatusCallbackMethod", "GET"),
            ("StatusCallbackEvent", "ringing"),
        ],
    )
    .await;
    assert_eq!(fake.wait_for_end(&first, WAIT).await.map(|c| c.status), Some(CallStatus::Busy));
    assert_eq!(fake.wait_for_end(&second, WAIT).await.map(|c| c.status), Some(CallStatus::NoAnswer));
    let got = hooks.wait_for("/status", 3).await;
    let of = |sid: &str| got.iter().filter(|r| r.param("CallSid") == Some(sid)).cloned().collect::<Vec<_>>();
    let (first_hooks, second_hooks) = (of(&first), of(&second));
    assert_eq!(first_hooks.len(), 1, "only completed without events");
    assert_eq!(first_hooks[0].param("CallStatus"), Some("busy"));
    assert_eq!((first_hooks[0].param("SequenceNumber"), first_hooks[0].param("CallDuration")), (Some("0"), Some("0")));
    let statuses: Vec<_> = second_hooks.iter().map(|r| r.param("CallStatus")).collect();
    assert_eq!(statuses, [Some("ringing"), Some("no-answer")]);
    assert!(second_hooks.iter().all(|r| r.method == "GET" && r.signature_valid), "{second_hooks:?}");
    assert!(hooks.got().iter().all(|r| r.path != "/twiml"), "an unanswered call fetches no TwiML");
    let (_, _, resource) = api(&fake, reqwest::Method::GET, &format!("Calls/{first}.json"), &[]).await;
    assert_eq!((resource["status"].clone(), resource["duration"].clone()), (json!("busy"), json!("0")));
}

#[tokio::test]
async fn a_held_call_is_recorded_and_ended_through_the_api() {
    let fake = fake().await;
    let hooks = Receiver::start().await;
    fake.hold_in_progress(TO);
    let status_url = hooks.url("/status");
    let sid = place(&fake, &[("To", TO), ("From", FROM), ("Twiml", TWIML), ("StatusCallback", &status_url)]).await;
    assert!(fake.wait_for_status(&sid, CallStatus::InProgress, WAIT).await.is_some());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(fake.call(&sid).map(|c| c.status), Some(CallStatus::InProgress), "held");

    let path = format!("Calls/{sid}.json");
    let (code, _, still) = api(&fake, reqwest::Method::POST, &path, &[("Status", "canceled")]).await;
    assert_eq!((code, still["status"].clone()), (200, json!("in-progress")), "canceled leaves an answered call alone");
    let recordings = format!("Calls/{sid}/Recordings.json");
    let rec_url = hooks.url("/recording");
    let form =
        [("RecordingStatusCallback", rec_url.as_str()), ("RecordingStatusCallbackEvent", "in-progress completed")];
    let (code, _, recording) = api(&fake, reqwest::Method::POST, &recordings, &form).await;
    assert_eq!(
        (code, recording["status"].clone(), recording["call_sid"].clone()),
        (201, json!("in-progress"), json!(sid))
    );
    let rec_sid = recording["sid"].as_str().unwrap_or_default().to_string();
    assert!(rec_sid.starts_with("RE") && rec_sid.len() == 34);

    let (code, _, ended) = api(&fake, reqwest::Method::POST, &path, &[("Status", "completed")]).await;
    assert_eq!((code, ended["status"].clone()), (200, json!("completed")));
    assert!(ended["end_time"].is_string() && ended["duration"].is_string());
    let done = hooks.wait_for("/status", 1).await;
    assert_eq!((done[0].param("CallStatus"), done[0].param("SequenceNumber")), (Some("completed"), Some("0")));
    let recorded = hooks.wait_for("/recording", 2).await;
    let states: Vec<_> = recorded.iter().map(|r| r.param("RecordingStatus")).collect();
    assert_eq!(states, [Some("in-progress"), Some("completed")]);
    let last = &recorded[1];
    assert!(last.signature_valid);
    assert_eq!(
        (last.param("RecordingSid"), last.param("RecordingSource")),
        (Some(rec_sid.as_str()), Some("StartCallRecordingAPI"))
    );
    assert!(last.param("RecordingDuration").is_some_and(|d| d.parse::<u64>().is_ok()));

    let media = switchboard_fakes::get(last.param("RecordingUrl").unwrap_or_default()).await.expect("the audio");
    assert_eq!(media.status().as_u16(), 200);
    assert_eq!(&media.bytes().await.expect("bytes")[..4], b"RIFF");

    for (path, form) in [(path.as_str(), [("Status", "completed")]), (recordings.as_str(), [("Trim", "do-not-trim")])] {
        let (code, _, error) = api(&fake, reqwest::Method::POST, path, &form).await;
        assert_eq!((code, error["code"].clone()), (400, json!(21220)), "{path}: {error}");
    }

    fake.set_step_delay(Duration::from_millis(300));
    let ringing = place(&fake, &[("To", "+14155550003"), ("From", FROM), ("Twiml", TWIML)]).await;
    let (code, _, canceled) =
        api(&fake, reqwest::Method::POST, &format!("Calls/{ringing}.json"), &[("Status", "completed")]).await;
    assert_eq!((code, canceled["status"].clone()), (200, json!("canceled")));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(fake.call(&ringing).map(|c| c.status), Some(CallStatus::Canceled), "the progress stops");
}

#[tokio::test]
async fn record_true_sends_the_recording_callback_after_the_call() {
    let fake = fake().await;
    let hooks = Receiver::start().await;
    fake.set_outcome(TO, Outcome::Completed { talk: Duration::from_millis(50) });
    let rec_url = hooks.url("/recording");
    let sid = place(
        &fake,
        &[("To", TO), ("From", FROM), ("Twiml", TWIML), ("Record", "true"), ("RecordingStatusCallback", &rec_url)],
    )
    .await;
    let got = hooks.wait_for("/recording", 1).await;
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert!(r.signature_valid);
    let rec_sid = r.param("RecordingSid").unwrap_or_default();
    for (name, value) in [
        ("AccountSid", ACCOUNT),
        ("CallSid", sid.as_str()),
        ("RecordingStatus", "completed"),
        ("RecordingChannels", "1"),
        ("RecordingSource", "OutboundAPI"),
    ] {
        assert_eq!(r.param(name), Some(value), "{name}");
    }
    assert_eq!(
        r.param("RecordingUrl"),
        Some(format!("{}/2010-04-01/Accounts/{ACCOUNT}/Recordings/{rec_sid}", fake.base_url()).as_str())
    );
    assert_eq!(r.param("RecordingDuration"), Some("1"));
    let (code, _, recording) = api(&fake, reqwest::Method::GET, &format!("Recordings/{rec_sid}.json"), &[]).await;
    assert_eq!(
        (code, recording["status"].clone(), recording["duration"].clone()),
        (200, json!("completed"), json!("1"))
    );
    assert_eq!(fake.call(&sid).map(|c| c.recordings.len()), Some(1));
}

#[tokio::test]
async fn lists_filter_and_page_newest_first() {
    let fake = fake().await;
    let (a, b) = ("+14155550010", "+14155550020");
    fake.set_outcome(a, Outcome::Busy);
    let mut placed = Vec::new();
    for to in [a, b, a, a, b] {
        placed.push(place(&fake, &[("To", to), ("From", FROM), ("Twiml", TWIML)]).await);
    }
    for sid in &placed {
        assert!(fake.wait_for_end(sid, WAIT).await.is_some());
    }
    let (code, _, page) = api(&fake, reqwest::Method::GET, &format!("Calls.json?To=%2B{}", &a[1..]), &[]).await;
    assert_eq!(code, 200);
    let sids: Vec<_> = page["calls"].as_array().into_iter().flatten().map(|c| c["sid"].clone()).collect();
    assert_eq!(sids, [json!(placed[3]), json!(placed[2]), json!(placed[0])]);
    assert_eq!(
        (page["page"].clone(), page["page_size"].clone(), page["start"].clone()),
        (json!(0), json!(50), json!(0))
    );
    assert_eq!((page["end"].clone(), page["next_page_uri"].clone()), (json!(2), Value::Null));
    let (_, _, completed) = api(&fake, reqwest::Method::GET, "Calls.json?Status=completed", &[]).await;
    assert_eq!(completed["calls"].as_array().map(Vec::len), Some(2));
    let (_, _, first) = api(&fake, reqwest::Method::GET, "Calls.json?PageSize=2", &[]).await;
    assert_eq!(first["calls"][0]["sid"], json!(placed[4]));
    let next = first["next_page_uri"].as_str().expect("a next page").to_string();
    assert!(
        next.starts_with(&format!("/2010-04-01/Accounts/{ACCOUNT}/Calls.json?")) && next.contains("Page=1"),
        "{next}"
    );
    let (_, _, second) = api(&fake, reqwest::Method::GET, next.rsplit('/').next().unwrap_or_default(), &[]).await;
    assert_eq!((second["calls"][0]["sid"].clone(), second["page"].clone()), (json!(placed[2]), json!(1)));
    assert_eq!(fake.calls().iter().map(|c| c.sid.clone()).collect::<Vec<_>>(), placed);
}

#[tokio::test]
async fn unknown_calls_and_bad_parameters_get_twilio_errors() {
    let fake = fake().await;
    let missing = "CA0123456789abcdef0123456789abcdef";
    let (code, _, body) = api(&fake, reqwest::Method::GET, &format!("Calls/{missing}.json"), &[]).await;
    assert_eq!(code, 404);
    assert_eq!(
        body,
        json!({"code": 20404,
               "message": format!("The requested resource /2010-04-01/Accounts/{ACCOUNT}/Calls/{missing}.json was not found"),
               "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404})
    );
    for (form, expected) in [
        (vec![("To", "555-1234"), ("From", FROM), ("Twiml", TWIML)], 21211),
        (vec![("To", TO), ("From", "nobody"), ("Twiml", TWIML)], 21212),
        (vec![("To", TO), ("From", FROM)], 21205),
        (vec![("To", TO), ("From", FROM), ("Url", "not a url")], 21205),
        (vec![("From", FROM), ("Twiml", TWIML)], 21201),
    ] {
        let (code, _, body) = api(&fake, reqwest::Method::POST, "Calls.json", &form).await;
        assert_eq!(
            (code, body["code"].clone(), body["status"].clone()),
            (400, json!(expected), json!(400)),
            "{form:?}"
        );
    }
    let (_, _, body) =
        api(&fake, reqwest::Method::POST, "Calls.json", &[("To", "+1"), ("From", FROM), ("Twiml", TWIML)]).await;
    assert_eq!(body["message"], "Invalid 'To' Phone Number: +1");
    assert!(fake.calls().is_empty());
}

#[tokio::test]
async fn planned_failures_answer_instead() {
    let fake = fake().await;
    let form = [("To", TO), ("From", FROM), ("Twiml", TWIML)];
    fake.fail_with(Failure::from_status(429));
    let (code, headers, body) = api(&fake, reqwest::Method::POST, "Calls.json", &form).await;
    assert_eq!((code, headers["retry-after"].to_str().ok()), (429, Some("1")));
    assert_eq!((body["code"].clone(), body["status"].clone()), (json!(20429), json!(429)));
    let sid = place(&fake, &form).await;

    fake.fail_next(2, Failure::ServerError);
    assert_eq!(api(&fake, reqwest::Method::GET, "Calls.json", &[]).await.0, 500);
    assert_eq!(api(&fake, reqwest::Method::GET, "Calls.json", &[]).await.0, 500);
    assert_eq!(api(&fake, reqwest::Method::GET, "Calls.json", &[]).await.0, 200);

    fake.fail_on(Endpoint::FetchCall, Failure::ServiceUnavailable, true);
    let path = format!("Calls/{sid}.json");
    for _ in 0..2 {
        let (code, _, body) = api(&fake, reqwest::Method::GET, &path, &[]).await;
        assert_eq!((code, body["code"].clone()), (503, json!(20503)));
    }
    assert_eq!(api(&fake, reqwest::Method::GET, "Calls.json", &[]).await.0, 200, "other endpoints are served");
    fake.clear_failures();
    assert_eq!(api(&fake, reqwest::Method::GET, &path, &[]).await.0, 200);
    assert_eq!(fake.requests_to(Endpoint::FetchCall).len(), 3);
}
