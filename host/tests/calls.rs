//! Real calls end to end, against the fake Twilio and the fake ElevenLabs on 127.0.0.1:
//!
//! * a message call plays our own voice: Twilio fetches `/audio/{id}` (a WAV that names the
//!   business and offers the opt-out first), inside a `<Gather>` for keys and speech;
//! * the opt-out key pressed, or "stop calling me" said, on that call revokes the consent and
//!   lists the number as do-not-call, with the evidence, and the next decision refuses it;
//! * an agent call reaches the ElevenLabs agent through `register-call`, and the agent's
//!   post-call transcript is attached to the call and read for an opt-out;
//! * forged webhooks change nothing.

use crate::common::calling::{
    ACCOUNT, CALLEE, FROM, NOON_IN_NEW_YORK, TOKEN, audit_of, clear_to_call, fixture_with, free_port, serve_env,
};
use crate::common::{Fixture, Session};
use serde_json::{Value, json};
use std::time::Duration;
use switchboard_fakes::elevenlabs::{self as el, FakeElevenLabs, Turn, Verdict};
use switchboard_fakes::twilio::{FakeTwilio, Outcome};

const EL_KEY: &str = "xi-test-calls-7d2e-never-logged";
const EL_SECRET: &str = "wsec-test-calls-91ab";
const CALLING: &str = "business_name = \"Acme Solar\"\ncallback_number = \"+13035550100\"\n";
const WAIT: Duration = Duration::from_secs(20);
/// No spacing or daily cap in the way: these tests check again right after a call.
const UNCAPPED: &str = "min_interval_minutes = \"0\"\nmax_attempts_per_24h = \"100\"\n";

async fn twilio() -> FakeTwilio {
    let twilio = FakeTwilio::start(ACCOUNT, TOKEN).await.unwrap();
    twilio.set_step_delay(Duration::from_millis(20));
    twilio.set_default_outcome(Outcome::Hold);
    twilio
}

/// A host for message calls (our own voice, the offline one by default).
async fn message_host(twilio: &FakeTwilio) -> (Fixture, Session) {
    let fx = fixture_with(twilio, NOON_IN_NEW_YORK, None, UNCAPPED, "", CALLING);
    let session = serve_env(&fx, free_port(), &[]).await;
    clear_to_call(&session, CALLEE).await;
    (fx, session)
}

async fn place_message(session: &Session, text: &str) -> Value {
    let args = json!({ "phone_number": CALLEE, "lead_id": "lead-7", "subject": "solar", "message": { "text": text } });
    session.ok("initiate_call_with_compliance", args).await
}

fn codes(decision: &Value) -> Vec<String> {
    decision["reasons"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_owned()).collect()
}

async fn check(session: &Session) -> Value {
    let request =
        json!({ "request": { "phone_number": CALLEE, "artificial_voice": true, "purpose": "telemarketing" } });
    session.ok("check_tcpa_compliance", request).await
}

#[tokio::test]
async fn a_message_call_plays_our_voice_and_the_opt_out_key_stops_the_next_call() {
    let twilio = twilio().await;
    let (_fx, session) = message_host(&twilio).await;
    let placed = place_message(&session, "Your solar panels are due for their yearly check.").await;
    let sid = placed["call_sid"].as_str().unwrap().to_owned();
    let plan = &placed["message"];
    assert_eq!(plan["opt_out_key"], "9");
    assert!(plan["audio_url"].as_str().unwrap().contains("/audio/"), "{placed}");

    // Twilio played our audio inside a <Gather> listening for keys and speech.
    let gather = twilio.wait_for_gather(&sid, WAIT).await.expect("the call's TwiML has a <Gather>");
    assert!(gather.input.contains("dtmf") && gather.input.contains("speech"), "{gather:?}");
    assert!(gather.action.as_deref().unwrap().ends_with("/webhooks/telephony_twilio/gather"), "{gather:?}");
    let fetches = twilio.wait_for_play_fetches(&sid, 1, WAIT).await;
    let fetch = &fetches[0];
    assert_eq!(fetch.url, plan["audio_url"].as_str().unwrap());
    assert_eq!((fetch.status, fetch.content_type.as_deref()), (Some(200), Some("audio/wav")), "{fetch:?}");
    let audio = switchboard_fakes::get(&fetch.url).await.unwrap().bytes().await.unwrap();
    let wav = crate::audio::parse_wav(&audio);
    assert_eq!(wav.sample_rate, 16000);
    // Naming the business, the opt-out, the message and the call-back number take a while.
    assert!(wav.duration_ms() > 8000.0, "{} ms", wav.duration_ms());
    assert!(fetch.bytes as usize >= audio.len() - 44, "Twilio got the whole file: {fetch:?}");

    // The callee presses 9.
    let delivery = twilio.press(&sid, "9").await.unwrap();
    assert_eq!(delivery.status, Some(200), "{delivery:?}");
    assert!(delivery.body.contains("<Play>") && delivery.body.contains("<Hangup/>"), "{delivery:?}");
    assert!(delivery.body.contains(plan["confirmation_url"].as_str().unwrap()), "{delivery:?}");

    let call = session.ok("get_call", json!({ "call_sid": sid })).await;
    let opt_out = &call["opt_out"];
    assert_eq!((opt_out["via"].as_str(), opt_out["consent_revoked"].as_bool()), (Some("key"), Some(true)), "{call}");
    assert_eq!(opt_out["dnc_added"], true);
    assert!(opt_out["evidence"].as_str().unwrap().contains("\"9\""), "{opt_out}");

    // The next decision refuses the number, and says why.
    let decision = check(&session).await;
    assert_eq!(decision["allowed"], false);
    let codes = codes(&decision);
    assert!(codes.contains(&"internal-dnc".to_owned()) && codes.contains(&"consent-revoked".to_owned()), "{codes:?}");
    assert!(decision.to_string().contains("opted out on call"), "the reason names the opt-out: {decision}");
    let trail = audit_of(&session, CALLEE).await;
    let revoked = trail.iter().find(|e| e["kind"] == "consent-revoked").expect("the revocation is audited");
    let detail = revoked["detail"].as_str().unwrap();
    assert!(detail.contains(&sid) && detail.contains("opt-out-key-on-call"), "{detail}");
    assert!(trail.iter().any(|e| e["kind"] == "dnc-added" && e["detail"].as_str().unwrap().contains(&sid)));
    let again = session
        .call(
            "initiate_call_with_compliance",
            json!({ "phone_number": CALLEE, "lead_id": "lead-7", "message": { "text": "Hi again." } }),
        )
        .await;
    assert_eq!(again.structured_content.unwrap()["code"], "COMPLIANCE_BLOCKED");
    let logs = session.close().await;
    assert!(!logs.contains("yearly check"), "the words spoken are never logged");
}

#[tokio::test]
async fn saying_stop_opts_out_and_other_words_play_the_message_again() {
    let twilio = twilio().await;
    let (_fx, session) = message_host(&twilio).await;
    let placed = place_message(&session, "We have a new offer for you.").await;
    let sid = placed["call_sid"].as_str().unwrap().to_owned();
    twilio.wait_for_gather(&sid, WAIT).await.unwrap();

    let other = twilio.say(&sid, "what is this about", 0.91).await.unwrap();
    assert!(other.body.contains("<Gather"), "anything else plays the message again: {other:?}");
    assert_eq!(check(&session).await["allowed"], true, "nothing changed");

    let stop = twilio.say(&sid, "please stop calling me", 0.88).await.unwrap();
    assert!(stop.body.contains("<Hangup/>"), "{stop:?}");
    let call = session.ok("get_call", json!({ "call_sid": sid })).await;
    assert_eq!(call["opt_out"]["via"], "speech", "{call}");
    let heard: Vec<&str> = call["heard"].as_array().unwrap().iter().map(|h| h["intent"].as_str().unwrap()).collect();
    assert_eq!(heard.last(), Some(&"opt-out"), "{call}");
    assert!(call["opt_out"]["evidence"].as_str().unwrap().contains("please stop calling me"));
    assert_eq!(check(&session).await["allowed"], false);
    session.close().await;
}

#[tokio::test]
async fn a_forged_gather_changes_nothing() {
    let twilio = twilio().await;
    let fx = fixture_with(&twilio, NOON_IN_NEW_YORK, None, UNCAPPED, "", CALLING);
    let port = free_port();
    let session = serve_env(&fx, port, &[]).await;
    clear_to_call(&session, CALLEE).await;
    let placed = place_message(&session, "Hello.").await;
    let sid = placed["call_sid"].as_str().unwrap().to_owned();
    let url = format!("http://127.0.0.1:{port}/webhooks/telephony_twilio/gather");
    let params = [("AccountSid", ACCOUNT), ("CallSid", sid.as_str()), ("Digits", "9")];
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    for signature in [None, Some(switchboard_fakes::twilio::sign("wrong-token", &url, &params))] {
        let mut request = switchboard_fakes::client()
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone());
        if let Some(s) = signature {
            request = request.header("X-Twilio-Signature", s);
        }
        assert_eq!(request.send().await.unwrap().status(), 403);
    }
    assert_eq!(check(&session).await["allowed"], true, "a forged key press revokes nothing");
    assert!(session.ok("get_call", json!({ "call_sid": sid })).await["opt_out"].is_null());
    session.close().await;
}

#[tokio::test]
async fn a_message_call_needs_the_identification_the_rule_requires() {
    let twilio = twilio().await;
    let fx = fixture_with(&twilio, NOON_IN_NEW_YORK, None, "", "", "");
    let session = serve_env(&fx, free_port(), &[]).await;
    clear_to_call(&session, CALLEE).await;
    let args = json!({ "phone_number": CALLEE, "lead_id": "l", "message": { "text": "Hi." } });
    let message = session.fails("initiate_call_with_compliance", args).await;
    assert!(message.contains("business_name") && message.contains("64.1200(b)(1)"), "{message}");
    let args = json!({ "phone_number": CALLEE, "lead_id": "l", "message": { "text": "Hi.", "voice": "nobody" } });
    let fx2 = fixture_with(&twilio, NOON_IN_NEW_YORK, None, UNCAPPED, "", CALLING);
    let configured = serve_env(&fx2, free_port(), &[]).await;
    clear_to_call(&configured, CALLEE).await;
    let refused = configured.fails("initiate_call_with_compliance", args).await;
    assert!(refused.contains("no voice `nobody`"), "{refused}");
    assert!(twilio.calls().is_empty(), "nothing was dialled");
    // Nothing was dialled, and the decision that allowed it still counts nothing: no
    // reservation was made before the message was checked.
    assert!(audit_of(&configured, CALLEE).await.iter().all(|e| e["kind"] != "decision"));
    configured.close().await;
    session.close().await;
}

/// A host whose carrier connects answered calls to an ElevenLabs agent on the fake.
async fn agent_host(twilio: &FakeTwilio, elevenlabs: &FakeElevenLabs, agent: &str) -> (Fixture, Session, u16) {
    let carrier = format!("elevenlabs_agent_id = \"{agent}\"\nelevenlabs_base_url = \"{}\"\n", elevenlabs.base_url());
    let fx = fixture_with(twilio, NOON_IN_NEW_YORK, None, UNCAPPED, &carrier, CALLING);
    let port = free_port();
    let env = [("ELEVENLABS_API_KEY", EL_KEY), ("ELEVENLABS_WEBHOOK_SECRET", EL_SECRET)];
    let session = serve_env(&fx, port, &env).await;
    clear_to_call(&session, CALLEE).await;
    (fx, session, port)
}

async fn elevenlabs() -> (FakeElevenLabs, String) {
    let fake = FakeElevenLabs::start().await.unwrap();
    fake.set_api_key(EL_KEY);
    let agent = fake.create_agent("Solar reminders");
    (fake, agent)
}

#[tokio::test]
async fn an_agent_call_is_connected_through_register_call() {
    let twilio = twilio().await;
    let (elevenlabs, agent) = elevenlabs().await;
    let (_fx, session, port) = agent_host(&twilio, &elevenlabs, &agent).await;
    let args = json!({ "phone_number": CALLEE, "lead_id": "lead-42", "subject": "solar" });
    let placed = session.ok("initiate_call_with_compliance", args).await;
    let sid = placed["call_sid"].as_str().unwrap().to_owned();
    let twiml = wait_twiml(&twilio, &sid).await;

    let registered = elevenlabs.registered_calls();
    assert_eq!(registered.len(), 1);
    let call = &registered[0];
    assert_eq!(
        (call.agent_id.as_str(), call.from_number.as_str(), call.to_number.as_str()),
        (agent.as_str(), FROM, CALLEE)
    );
    assert_eq!(call.direction.as_str(), "outbound");
    assert_eq!(call.dynamic_variables["lead_id"], "lead-42");
    assert_eq!(call.dynamic_variables["subject"], "solar");
    assert_eq!(call.dynamic_variables["call_id"], sid.as_str());
    assert!(twiml.contains(&call.conversation_id), "Twilio got ElevenLabs' TwiML as is: {twiml}");
    assert!(twiml.contains("<Connect><Stream"), "{twiml}");

    // A forged voice webhook registers nothing with ElevenLabs.
    let url = format!("http://127.0.0.1:{port}/webhooks/telephony_twilio/voice?lead_id=x");
    let params = [("AccountSid", ACCOUNT), ("CallSid", sid.as_str()), ("From", FROM), ("To", CALLEE)];
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    let forged = switchboard_fakes::client()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Twilio-Signature", switchboard_fakes::twilio::sign("wrong-token", &url, &params))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(elevenlabs.registered_calls().len(), 1, "nothing more was registered");
    session.close().await;
}

#[tokio::test]
async fn when_elevenlabs_fails_the_callee_hears_an_apology_not_an_error() {
    let twilio = twilio().await;
    let (elevenlabs, agent) = elevenlabs().await;
    elevenlabs.fail_on(el::Endpoint::RegisterCall, el::Failure::ServerError, true);
    let (_fx, session, _) = agent_host(&twilio, &elevenlabs, &agent).await;
    let placed = session.ok("initiate_call_with_compliance", json!({ "phone_number": CALLEE, "lead_id": "l" })).await;
    let twiml = wait_twiml(&twilio, placed["call_sid"].as_str().unwrap()).await;
    assert!(twiml.contains("<Say>") && twiml.contains("<Hangup/>"), "{twiml}");
    session.close().await;
}

async fn wait_twiml(twilio: &FakeTwilio, sid: &str) -> String {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if let Some(twiml) = twilio.twiml_fetched(sid) {
            return twiml;
        }
        assert!(std::time::Instant::now() < deadline, "Twilio never fetched the call's TwiML");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_agents_transcript_is_attached_and_an_opt_out_said_to_it_is_honoured() {
    let twilio = twilio().await;
    let (elevenlabs, agent) = elevenlabs().await;
    let (_fx, session, port) = agent_host(&twilio, &elevenlabs, &agent).await;
    let placed =
        session.ok("initiate_call_with_compliance", json!({ "phone_number": CALLEE, "lead_id": "lead-9" })).await;
    let sid = placed["call_sid"].as_str().unwrap().to_owned();
    wait_twiml(&twilio, &sid).await;
    let registered = elevenlabs.registered_calls().pop().unwrap();
    let transcript = [
        Turn::agent("Hi, this is Acme Solar calling about your panels.", 1),
        Turn::user("Please stop calling me.", 4),
        Turn::agent("Understood, we will not call again.", 6),
    ];
    let body = el::post_call_transcription(
        &registered,
        &sid,
        &transcript,
        "The callee asked not to be called.",
        Verdict::Failure,
    );
    let body = body.to_string();
    let url = format!("http://127.0.0.1:{port}/webhooks/telephony_twilio/agent-events");

    // Forged, or signed long ago: refused, nothing changes.
    let forged = el::send_webhook(&url, "not-the-secret", &body).await;
    assert_eq!(forged.status, Some(401), "{forged:?}");
    let old = el::sign_webhook(EL_SECRET, now() - 31 * 60, &body);
    assert_eq!(el::send_webhook_with(&url, Some(&old), &body).await.status, Some(401));
    assert_eq!(el::send_webhook_with(&url, None, &body).await.status, Some(401));
    assert_eq!(check(&session).await["allowed"], true, "nothing was revoked");
    assert!(session.ok("get_call", json!({ "call_sid": sid })).await["conversation"].is_null());

    let genuine = elevenlabs.send_webhook(&url, EL_SECRET, &body).await;
    assert_eq!(genuine.status, Some(200), "{genuine:?}");
    let call = session.ok("get_call", json!({ "call_sid": sid })).await;
    let conversation = &call["conversation"];
    assert_eq!(conversation["id"], registered.conversation_id.as_str(), "{call}");
    assert_eq!(conversation["summary"], "The callee asked not to be called.");
    assert_eq!(conversation["call_successful"], "failure");
    assert_eq!(conversation["transcript"].as_array().unwrap().len(), 3);
    assert_eq!(call["opt_out"]["via"], "agent", "{call}");
    assert!(call["opt_out"]["evidence"].as_str().unwrap().contains("Please stop calling me."));
    let decision = check(&session).await;
    assert!(codes(&decision).contains(&"internal-dnc".to_owned()), "{decision}");
    session.close().await;
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}
