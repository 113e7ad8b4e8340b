//! The fake Twilio carrying out TwiML: `<Play>` fetches, `<Gather>` with keys and speech,
//! `<Hangup/>`, inline TwiML, and a `<Connect><Stream>` from the fake ElevenLabs.

use super::{ACCOUNT, FROM, TO, TOKEN, WAIT, expected_signature, fake, place};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use switchboard_fakes::elevenlabs::{DEFAULT_API_KEY, FakeElevenLabs};
use switchboard_fakes::twilio::{CallStatus, GatherError, Kind};

/// Bytes of every audio file served.
const AUDIO_BYTES: usize = 8_000;
/// How long the audio server waits before the body.
const AUDIO_DELAY: Duration = Duration::from_millis(30);

/// A Gather callback as the app got it.
#[derive(Debug, Clone)]
struct Callback {
    path: String,
    params: Vec<(String, String)>,
    signature_valid: bool,
}

impl Callback {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A voice app: TwiML at `/answer`, audio at `/audio/*`, Gather callbacks at `/gather` (keys:
/// 9 says goodbye and hangs up, anything else gets a `<Say>`; speech asks again with relative
/// URLs), 500 at `/broken`, 404 for other `GET`s.
struct App {
    base: String,
    got: Arc<Mutex<Vec<Callback>>>,
}

impl App {
    async fn start() -> Self {
        let got = Arc::new(Mutex::new(Vec::new()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let app = axum::Router::new().fallback(serve).with_state(got.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        Self { base, got }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn callbacks(&self) -> Vec<Callback> {
        self.got.lock().expect("not poisoned").clone()
    }
}

fn twiml(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/xml")], body).into_response()
}

async fn serve(State(got): State<Arc<Mutex<Vec<Callback>>>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
    let header = |headers: &HeaderMap, name: &str| {
        headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
    };
    let base = format!("http://{}", header(&parts.headers, "host"));
    let path = parts.uri.path().to_string();
    if path.starts_with("/audio/") {
        assert!(parts.headers.get(header::AUTHORIZATION).is_none(), "audio is fetched without credentials");
        tokio::time::sleep(AUDIO_DELAY).await;
        return ([(header::CONTENT_TYPE, "audio/wav")], vec![0u8; AUDIO_BYTES]).into_response();
    }
    if parts.method == axum::http::Method::GET {
        return StatusCode::NOT_FOUND.into_response();
    }
    let params: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let url = format!("{base}{}", parts.uri);
    let signature_valid = header(&parts.headers, "x-twilio-signature") == expected_signature(TOKEN, &url, &params);
    if !signature_valid {
        return StatusCode::FORBIDDEN.into_response();
    }
    let callback = Callback { path: path.clone(), params, signature_valid };
    got.lock().expect("not poisoned").push(callback.clone());
    match path.as_str() {
        "/answer" => twiml(format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Play>{base}/audio/greeting.wav</Play>
  <Gather input="dtmf speech" numDigits="1" action="{base}/gather?step=1&amp;id=a" timeout="4">
    <Play>{base}/audio/menu.wav</Play>
  </Gather>
  <Hangup/>
</Response>"#
        )),
        "/gather" if callback.param("Digits") == Some("9") => {
            twiml(format!("<Response><Play>{base}/audio/bye.wav</Play><Hangup/></Response>"))
        }
        "/gather" if callback.param("SpeechResult").is_some() => twiml(
            r#"<Response><Gather input="dtmf" action="/gather?step=2"><Play>/audio/again.wav</Play></Gather></Response>"#
                .to_string(),
        ),
        "/gather" => twiml("<Response><Say>Sorry?</Say></Response>".to_string()),
        "/broken" => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        _ => StatusCode::NO_CONTENT.into_response(),
    }
}

#[tokio::test]
async fn plays_are_fetched_and_the_gather_is_answered_until_a_hangup() {
    let fake = fake().await;
    let app = App::start().await;
    fake.hold_in_progress(TO);
    let sid = place(
        &fake,
        &[("To", TO), ("From", FROM), ("Url", &app.url("/answer")), ("StatusCallback", &app.url("/status"))],
    )
    .await;
    let gather = fake.wait_for_gather(&sid, WAIT).await.expect("a gather");
    assert_eq!(gather.action.as_deref(), Some(app.url("/gather?step=1&id=a").as_str()));
    assert_eq!((gather.input.as_str(), gather.num_digits, gather.timeout), ("dtmf speech", Some(1), 4));
    assert_eq!(gather.method, "POST");
    assert_eq!(gather.plays, [app.url("/audio/menu.wav")]);

    let plays = fake.wait_for_play_fetches(&sid, 2, WAIT).await;
    let urls: Vec<&str> = plays.iter().map(|p| p.url.as_str()).collect();
    assert_eq!(urls, [app.url("/audio/greeting.wav"), app.url("/audio/menu.wav")]);
    for play in &plays {
        assert!(play.succeeded(), "{play:?}");
        assert_eq!((play.status, play.content_type.as_deref()), (Some(200), Some("audio/wav")));
        assert_eq!(play.bytes, AUDIO_BYTES as u64);
        let first = play.first_byte.expect("a first byte");
        assert!(first >= AUDIO_DELAY && first <= play.total, "{play:?}");
    }
    assert!(plays[0].at <= plays[1].at, "in document order");
    assert_eq!(fake.call(&sid).map(|c| c.status), Some(CallStatus::InProgress), "the hangup waits on the gather");

    // Speech first: the answer asks again, with URLs relative to the action.
    let said = fake.say(&sid, "stop calling me", 0.87).await.expect("sent");
    assert_eq!((said.kind, said.status), (Kind::Gather, Some(200)));
    assert_eq!((said.param("SpeechResult"), said.param("Confidence")), (Some("stop calling me"), Some("0.87")));
    assert_eq!(said.param("Digits"), None);
    let again = fake.gather_of(&sid).expect("the answer's gather");
    assert_eq!((again.action.as_deref(), again.input.as_str()), (Some(app.url("/gather?step=2").as_str()), "dtmf"));
    assert_eq!(fake.play_fetches(&sid).last().map(|p| p.url.clone()), Some(app.url("/audio/again.wav")));
    assert_eq!(fake.say(&sid, "hello", 0.5).await, Err(GatherError::NotListening("speech")));

    // Keys: 9 says goodbye and hangs up.
    let pressed = fake.press(&sid, "9").await.expect("sent");
    assert_eq!((pressed.status, pressed.param("Digits")), (Some(200), Some("9")));
    assert!(pressed.body.contains("<Hangup/>"));
    let plays = fake.play_fetches(&sid);
    assert_eq!(plays.len(), 4);
    assert_eq!(plays[3].url, app.url("/audio/bye.wav"), "fetched before press returns");
    let ended = fake.wait_for_end(&sid, WAIT).await.expect("ends");
    assert_eq!(ended.status, CallStatus::Completed);
    assert_eq!(fake.press(&sid, "1").await, Err(GatherError::NotInProgress(CallStatus::Completed)));

    let callbacks: Vec<Callback> = app.callbacks().into_iter().filter(|c| c.path == "/gather").collect();
    assert_eq!(callbacks.len(), 2);
    for callback in &callbacks {
        assert!(callback.signature_valid);
        for (name, value) in [
            ("CallSid", sid.as_str()),
            ("AccountSid", ACCOUNT),
            ("From", FROM),
            ("To", TO),
            ("CallStatus", "in-progress"),
            ("Direction", "outbound-api"),
            ("ApiVersion", "2010-04-01"),
        ] {
            assert_eq!(callback.param(name), Some(value), "{name} in {callback:?}");
        }
    }
    let sent = fake.wait_for_callbacks(Some(&sid), 4, WAIT).await;
    let kinds: Vec<Kind> = sent.iter().map(|d| d.kind).collect();
    assert_eq!(kinds, [Kind::Answer, Kind::Gather, Kind::Gather, Kind::Status]);
    assert_eq!(sent[3].param("CallStatus"), Some("completed"));
}

#[tokio::test]
async fn inline_twiml_is_carried_out_and_input_is_checked() {
    let fake = fake().await;
    let app = App::start().await;
    fake.hold_in_progress(TO);
    let hangs_up = format!("<Response><Play>{}</Play><Hangup/></Response>", app.url("/audio/notice.wav"));
    let sid = place(&fake, &[("To", TO), ("From", FROM), ("Twiml", &hangs_up)]).await;
    let ended = fake.wait_for_end(&sid, WAIT).await.expect("ends");
    assert_eq!(ended.status, CallStatus::Completed, "a held call hangs up on <Hangup/>");
    assert_eq!(fake.play_fetches(&sid).iter().map(|p| p.bytes).collect::<Vec<_>>(), [AUDIO_BYTES as u64]);
    assert_eq!(fake.twiml_fetched(&sid), None, "inline TwiML is not fetched");

    let waits = format!(
        "<Response><Gather numDigits=\"2\" action=\"{}\"><Play>{}</Play></Gather></Response>",
        app.url("/gather"),
        app.url("/missing.wav")
    );
    let sid = place(&fake, &[("To", TO), ("From", FROM), ("Twiml", &waits)]).await;
    assert!(fake.wait_for_gather(&sid, WAIT).await.is_some());
    let plays = fake.play_fetches(&sid);
    assert_eq!((plays.len(), plays[0].status, plays[0].succeeded()), (1, Some(404), false));
    assert_eq!(fake.say(&sid, "hi", 0.9).await, Err(GatherError::NotListening("speech")));
    assert!(matches!(fake.press(&sid, "1a").await, Err(GatherError::BadDigits(_))));
    assert!(matches!(fake.press(&sid, "").await, Err(GatherError::BadDigits(_))));
    assert!(matches!(fake.say(&sid, "hi", 1.5).await, Err(GatherError::BadSpeech(_))));
    let pressed = fake.press(&sid, "123").await.expect("sent");
    assert_eq!(pressed.param("Digits"), Some("12"), "numDigits=2");
    assert_eq!(fake.press(&sid, "1").await, Err(GatherError::NoGather), "answered; the reply has none");
    assert_eq!(fake.call(&sid).map(|c| c.status), Some(CallStatus::InProgress));
    assert_eq!(fake.press("CA0123456789abcdef0123456789abcdef", "1").await, Err(GatherError::UnknownCall));

    let no_action = "<Response><Gather><Say>Press 1</Say></Gather></Response>";
    let sid = place(&fake, &[("To", TO), ("From", FROM), ("Twiml", no_action)]).await;
    assert!(fake.wait_for_gather(&sid, WAIT).await.is_some());
    assert_eq!(fake.press(&sid, "1").await, Err(GatherError::NoAction));
}

#[tokio::test]
async fn a_failed_gather_callback_hangs_up() {
    let fake = fake().await;
    let app = App::start().await;
    fake.hold_in_progress(TO);
    let broken = format!("<Response><Gather action=\"{}\"/></Response>", app.url("/broken"));
    let sid = place(&fake, &[("To", TO), ("From", FROM), ("Twiml", &broken)]).await;
    assert!(fake.wait_for_gather(&sid, WAIT).await.is_some());
    let delivery = fake.press(&sid, "5").await.expect("sent");
    assert_eq!(delivery.status, Some(500));
    let ended = fake.wait_for_end(&sid, WAIT).await.expect("ends");
    assert_eq!(ended.status, CallStatus::Completed, "Twilio's application error");
}

#[tokio::test]
async fn an_agents_stream_answer_plays_nothing() {
    let elevenlabs = FakeElevenLabs::start().await.expect("starts");
    let agent = elevenlabs.create_agent("Receptionist");
    let answer = switchboard_fakes::client()
        .post(format!("{}/v1/convai/twilio/register-call", elevenlabs.base_url()))
        .header("xi-api-key", DEFAULT_API_KEY)
        .header("content-type", "application/json")
        .body(
            serde_json::json!({"agent_id": agent, "from_number": FROM, "to_number": TO, "direction": "outbound"})
                .to_string(),
        )
        .send()
        .await
        .expect("answers");
    assert_eq!(answer.status().as_u16(), 200);
    let stream = answer.text().await.expect("TwiML");

    let fake = fake().await;
    fake.hold_in_progress(TO);
    let sid = place(&fake, &[("To", TO), ("From", FROM), ("Twiml", &stream)]).await;
    assert!(fake.wait_for_status(&sid, CallStatus::InProgress, WAIT).await.is_some());
    tokio::time::sleep(Duration::from_millis(50)).await;
    let call = fake.call(&sid).expect("kept");
    assert_eq!((call.status, call.play_fetches.len(), call.gather), (CallStatus::InProgress, 0, None));
    assert_eq!(call.twiml.as_deref(), Some(stream.as_str()));
    assert_eq!(elevenlabs.registered_calls().len(), 1);
}
