//! Calls through Twilio's REST API (2010-04-01): place (`POST .../Calls.json`), look up
//! (`GET .../Calls/{Sid}.json`), end (`POST .../Calls/{Sid}.json` with `Status=completed`),
//! record (`POST .../Calls/{Sid}/Recordings.json`) and list (`GET .../Calls.json`).
//!
//! Everything a request carries is checked before anything is sent; the forms, queries and
//! answer parsing are pure functions.

use crate::config::{Config, FROM_NUMBER_ENV};
use crate::exports::switchboard::telephony::carrier::{
    CallFilter, CallInfo, CallStatus, CarrierError, PlaceCallRequest, RecordingInfo,
};
use crate::http::Twilio;
use crate::number;
use crate::script;
use serde_json::Value;
use wstd::http::Method;

/// The status changes Twilio reports to a status callback.
pub const STATUS_EVENTS: [&str; 4] = ["initiated", "ringing", "answered", "completed"];
/// Seconds to ring, as Twilio takes them.
const TIMEOUT_RANGE: std::ops::RangeInclusive<u32> = 5..=600;
/// Calls per page, as Twilio takes them, and the default.
const PAGE_SIZES: std::ops::RangeInclusive<u32> = 1..=1000;
const DEFAULT_PAGE_SIZE: u32 = 50;
/// The longest inline TwiML Twilio takes.
const TWIML_LIMIT: usize = 4000;

/// Twilio's name of a call status.
pub fn status_name(status: CallStatus) -> &'static str {
    match status {
        CallStatus::Queued => "queued",
        CallStatus::Initiated => "initiated",
        CallStatus::Ringing => "ringing",
        CallStatus::InProgress => "in-progress",
        CallStatus::Completed => "completed",
        CallStatus::Busy => "busy",
        CallStatus::Failed => "failed",
        CallStatus::NoAnswer => "no-answer",
        CallStatus::Canceled => "canceled",
    }
}

/// A call status from Twilio's name of it.
pub fn parse_status(name: &str) -> Option<CallStatus> {
    Some(match name.trim() {
        "queued" => CallStatus::Queued,
        "initiated" => CallStatus::Initiated,
        "ringing" => CallStatus::Ringing,
        "in-progress" => CallStatus::InProgress,
        "completed" => CallStatus::Completed,
        "busy" => CallStatus::Busy,
        "failed" => CallStatus::Failed,
        "no-answer" => CallStatus::NoAnswer,
        "canceled" => CallStatus::Canceled,
        _ => return None,
    })
}

fn invalid(message: impl Into<String>) -> CarrierError {
    CarrierError::InvalidRequest(message.into())
}

/// An optional string, blank counting as absent.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Checks a URL Twilio is to call: absolute http or https, a host, no spaces.
fn check_url(field: &str, url: &str) -> Result<(), CarrierError> {
    if !script::is_http_url(url) {
        return Err(invalid(format!("`{field}` must be an absolute http:// or https:// URL")));
    }
    Ok(())
}

/// What Twilio does when the call connects: exactly one of `instructions_url` (`Url`),
/// `instructions` (`Twiml`) and `script` (rendered here, sent as `Twiml`). Inline TwiML is at
/// most [`TWIML_LIMIT`] characters.
fn instructions(request: &PlaceCallRequest) -> Result<(&'static str, String), CarrierError> {
    let url = given(&request.instructions_url);
    let twiml = given(&request.instructions);
    let given_count = [url.is_some(), twiml.is_some(), request.script.is_some()].iter().filter(|g| **g).count();
    if given_count > 1 {
        return Err(invalid("give exactly one of `instructions_url`, `instructions` and `script`, not several"));
    }
    let too_long = |field: &str| {
        invalid(format!(
            "`{field}` is longer than Twilio's {TWIML_LIMIT} characters of inline TwiML: shorten it, or give \
             `instructions_url` instead"
        ))
    };
    if let Some(url) = url {
        check_url("instructions_url", url)?;
        return Ok(("Url", url.to_string()));
    }
    if let Some(twiml) = twiml {
        if twiml.chars().count() > TWIML_LIMIT {
            return Err(too_long("instructions"));
        }
        return Ok(("Twiml", twiml.to_string()));
    }
    if let Some(call_script) = &request.script {
        if call_script.steps.is_empty() {
            return Err(invalid("`script` has no steps: give at least one (`play`, `gather` or `hang_up`)"));
        }
        let twiml = script::render(call_script).map_err(invalid)?;
        if twiml.chars().count() > TWIML_LIMIT {
            return Err(too_long("script"));
        }
        return Ok(("Twiml", twiml));
    }
    Err(invalid(
        "give exactly one of `instructions_url` (where Twilio fetches TwiML when the call connects, e.g. this \
         component's `voice` webhook URL to connect its voice agent), `instructions` (inline TwiML) and `script` \
         (what the callee hears, step by step)",
    ))
}

/// The form of a place-call request, in the order it is sent, or why it cannot be placed.
/// `configured_from` is the caller ID used when the request gives none.
pub fn place_call_form(
    request: &PlaceCallRequest,
    configured_from: Option<&str>,
) -> Result<Vec<(&'static str, String)>, CarrierError> {
    let to = request.to.trim();
    number::check("to", to)?;
    let from = given(&request.from).or(configured_from).ok_or_else(|| {
        invalid(format!("no caller ID: give `from` or configure the component's number ({FROM_NUMBER_ENV})"))
    })?;
    number::check("from", from)?;
    let mut form = vec![("To", to.to_string()), ("From", from.to_string())];

    let (name, value) = instructions(request)?;
    form.push((name, value));

    let mut events: Vec<&'static str> = Vec::new();
    for event in &request.status_events {
        let name = event.trim().to_ascii_lowercase();
        let Some(known) = STATUS_EVENTS.iter().find(|e| **e == name) else {
            return Err(invalid(format!("`status_events` may hold only {}", STATUS_EVENTS.join(", "))));
        };
        if !events.contains(known) {
            events.push(known);
        }
    }
    match given(&request.status_callback) {
        Some(url) => {
            check_url("status_callback", url)?;
            form.push(("StatusCallback", url.to_string()));
            form.push(("StatusCallbackMethod", "POST".to_string()));
            form.extend(events.iter().map(|e| ("StatusCallbackEvent", e.to_string())));
        }
        None if !events.is_empty() => return Err(invalid("`status_events` needs a `status_callback` to report to")),
        None => {}
    }

    if request.record {
        form.push(("Record", "true".to_string()));
    }
    if let Some(url) = given(&request.recording_status_callback) {
        check_url("recording_status_callback", url)?;
        form.push(("RecordingStatusCallback", url.to_string()));
    }
    if let Some(mode) = given(&request.machine_detection) {
        let mode = ["Enable", "DetectMessageEnd"]
            .into_iter()
            .find(|m| m.eq_ignore_ascii_case(mode))
            .ok_or_else(|| invalid("`machine_detection` is `Enable` or `DetectMessageEnd`"))?;
        form.push(("MachineDetection", mode.to_string()));
    }
    if let Some(seconds) = request.timeout_seconds {
        if !TIMEOUT_RANGE.contains(&seconds) {
            return Err(invalid(format!("`timeout_seconds` is {} to {}", TIMEOUT_RANGE.start(), TIMEOUT_RANGE.end())));
        }
        form.push(("Timeout", seconds.to_string()));
    }
    Ok(form)
}

/// `application/x-www-form-urlencoded` encoding of `pairs`, in their order.
pub fn encode_form(pairs: &[(&str, String)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        out.append_pair(name, value);
    }
    out.finish()
}

/// The query of a list-calls request (`Status`, `To`, `PageSize`), or why not.
pub fn list_query(filter: &CallFilter) -> Result<String, CarrierError> {
    let mut pairs = Vec::new();
    if let Some(status) = filter.status {
        pairs.push(("Status", status_name(status).to_string()));
    }
    if let Some(to) = given(&filter.to) {
        number::check("to", to)?;
        pairs.push(("To", to.to_string()));
    }
    let size = filter.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    if !PAGE_SIZES.contains(&size) {
        return Err(invalid(format!("`page_size` is {} to {}", PAGE_SIZES.start(), PAGE_SIZES.end())));
    }
    pairs.push(("PageSize", size.to_string()));
    Ok(encode_form(&pairs))
}

/// A string field, blank or null counting as absent.
fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Seconds, given as a string of digits or a number; anything else (null, `-1` while a
/// recording runs) is none.
fn seconds(v: &Value, key: &str) -> Option<u32> {
    match v.get(key)? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        _ => None,
    }
}

/// A call from Twilio's call JSON.
pub fn parse_call(v: &Value) -> Result<CallInfo, String> {
    let sid = text(v, "sid").ok_or("a call without a `sid`")?;
    let status_text = text(v, "status").unwrap_or_default();
    let status =
        parse_status(&status_text).ok_or_else(|| format!("call {sid} has an unknown status `{status_text}`"))?;
    Ok(CallInfo {
        to: text(v, "to").unwrap_or_default(),
        from: text(v, "from").unwrap_or_default(),
        status,
        direction: text(v, "direction").unwrap_or_default(),
        start_time: text(v, "start_time"),
        end_time: text(v, "end_time"),
        duration_seconds: seconds(v, "duration"),
        answered_by: text(v, "answered_by"),
        sid,
    })
}

/// The calls of a list answer (`{"calls": [...], ...}`).
pub fn parse_call_list(v: &Value) -> Result<Vec<CallInfo>, String> {
    let calls = v.get("calls").and_then(Value::as_array).ok_or("no `calls` list")?;
    calls.iter().map(parse_call).collect()
}

/// A recording from Twilio's recording JSON. Its audio URL is given once it is complete: the
/// `media_url` when Twilio gives one, else its `uri` without `.json` below `base_url` (which
/// Twilio serves as WAV, or MP3 with `.mp3` added).
pub fn parse_recording(v: &Value, base_url: &str) -> Result<RecordingInfo, String> {
    let sid = text(v, "sid").ok_or("a recording without a `sid`")?;
    let status = text(v, "status").unwrap_or_default();
    let url = if status == "completed" {
        text(v, "media_url").or_else(|| {
            text(v, "uri").map(|uri| {
                let path = uri.strip_suffix(".json").unwrap_or(&uri);
                if path.starts_with("http") { path.to_string() } else { format!("{base_url}{path}") }
            })
        })
    } else {
        None
    };
    Ok(RecordingInfo {
        call_sid: text(v, "call_sid").unwrap_or_default(),
        status,
        url,
        duration_seconds: seconds(v, "duration"),
        sid,
    })
}

fn unexpected(what: &str) -> impl Fn(String) -> CarrierError + '_ {
    move |why| CarrierError::Unavailable(format!("Twilio's answer to {what} is not what was expected: {why}"))
}

fn not_found(sid: &str) -> String {
    format!("no call `{sid}` in this Twilio account")
}

pub async fn place(config: &Config, request: &PlaceCallRequest) -> Result<CallInfo, CarrierError> {
    let form = place_call_form(request, config.from_number.as_deref())?;
    let api = Twilio::new(config)?;
    let answer =
        api.call(Method::POST, "/Calls.json", Some(encode_form(&form)), "Twilio has no Calls endpoint").await?;
    parse_call(&answer).map_err(unexpected("place-call"))
}

pub async fn get(config: &Config, sid: &str) -> Result<CallInfo, CarrierError> {
    let sid = number::check_call_sid(sid)?;
    let api = Twilio::new(config)?;
    let answer = api.call(Method::GET, &format!("/Calls/{sid}.json"), None, &not_found(sid)).await?;
    parse_call(&answer).map_err(unexpected("get-call"))
}

pub async fn end(config: &Config, sid: &str) -> Result<CallInfo, CarrierError> {
    let sid = number::check_call_sid(sid)?;
    let api = Twilio::new(config)?;
    let form = encode_form(&[("Status", "completed".to_string())]);
    let answer = api.call(Method::POST, &format!("/Calls/{sid}.json"), Some(form), &not_found(sid)).await?;
    parse_call(&answer).map_err(unexpected("end-call"))
}

pub async fn start_recording(config: &Config, sid: &str) -> Result<RecordingInfo, CarrierError> {
    let sid = number::check_call_sid(sid)?;
    let api = Twilio::new(config)?;
    let path = format!("/Calls/{sid}/Recordings.json");
    let answer = api.call(Method::POST, &path, Some(String::new()), &not_found(sid)).await?;
    parse_recording(&answer, &config.base_url).map_err(unexpected("start-recording"))
}

pub async fn list(config: &Config, filter: &CallFilter) -> Result<Vec<CallInfo>, CarrierError> {
    let query = list_query(filter)?;
    let api = Twilio::new(config)?;
    let answer = api.call(Method::GET, &format!("/Calls.json?{query}"), None, "Twilio has no Calls endpoint").await?;
    parse_call_list(&answer).map_err(unexpected("list-calls"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exports::switchboard::telephony::carrier::{CallScript, Gather, Step};
    use serde_json::json;

    fn request() -> PlaceCallRequest {
        PlaceCallRequest {
            to: "+13035550123".into(),
            from: None,
            instructions_url: Some("https://host.example/webhooks/telephony_twilio/voice".into()),
            instructions: None,
            script: None,
            status_callback: None,
            status_events: Vec::new(),
            record: false,
            recording_status_callback: None,
            machine_detection: None,
            timeout_seconds: None,
        }
    }

    const FROM: Option<&str> = Some("+12125551234");

    #[test]
    fn the_full_form_in_order_with_repeated_events() {
        let r = PlaceCallRequest {
            status_callback: Some("https://host.example/webhooks/telephony_twilio/status".into()),
            status_events: vec![
                "initiated".into(),
                "Ringing".into(),
                "answered".into(),
                "completed".into(),
                "ringing".into(),
            ],
            record: true,
            recording_status_callback: Some("https://host.example/webhooks/telephony_twilio/recording".into()),
            machine_detection: Some("detectmessageend".into()),
            timeout_seconds: Some(30),
            ..request()
        };
        let form = place_call_form(&r, FROM).unwrap();
        assert_eq!(
            encode_form(&form),
            "To=%2B13035550123&From=%2B12125551234\
             &Url=https%3A%2F%2Fhost.example%2Fwebhooks%2Ftelephony_twilio%2Fvoice\
             &StatusCallback=https%3A%2F%2Fhost.example%2Fwebhooks%2Ftelephony_twilio%2Fstatus\
             &StatusCallbackMethod=POST&StatusCallbackEvent=initiated&StatusCallbackEvent=ringing\
             &StatusCallbackEvent=answered&StatusCallbackEvent=completed&Record=true\
             &RecordingStatusCallback=https%3A%2F%2Fhost.example%2Fwebhooks%2Ftelephony_twilio%2Frecording\
             &MachineDetection=DetectMessageEnd&Timeout=30"
        );
    }

    #[test]
    fn minimal_forms() {
        let form = place_call_form(&request(), FROM).unwrap();
        assert_eq!(form.iter().map(|(k, _)| *k).collect::<Vec<_>>(), ["To", "From", "Url"]);
        let r = PlaceCallRequest {
            from: Some("+442071838750".into()),
            instructions_url: None,
            instructions: Some("<Response><Say>Hi & bye</Say></Response>".into()),
            ..request()
        };
        assert_eq!(
            encode_form(&place_call_form(&r, None).unwrap()),
            "To=%2B13035550123&From=%2B442071838750&Twiml=%3CResponse%3E%3CSay%3EHi+%26+bye%3C%2FSay%3E%3C%2FResponse%3E"
        );
    }

    #[test]
    fn numbers_are_checked_first() {
        let bad_to = PlaceCallRequest { to: "3035550123".into(), ..request() };
        assert!(matches!(place_call_form(&bad_to, FROM), Err(CarrierError::InvalidNumber(m)) if m.starts_with("`to`")));
        let bad_from = PlaceCallRequest { from: Some("+1303555".into()), ..request() };
        assert!(
            matches!(place_call_form(&bad_from, FROM), Err(CarrierError::InvalidNumber(m)) if m.starts_with("`from`"))
        );
        assert!(
            matches!(place_call_form(&request(), Some("+0")), Err(CarrierError::InvalidNumber(m)) if m.starts_with("`from`"))
        );
        assert!(
            matches!(place_call_form(&request(), None), Err(CarrierError::InvalidRequest(m)) if m.contains("TWILIO_FROM_NUMBER"))
        );
    }

    #[test]
    fn invalid_requests() {
        let cases = [
            (PlaceCallRequest { instructions: Some("<Response/>".into()), ..request() }, "not several"),
            (PlaceCallRequest { instructions_url: None, ..request() }, "give exactly one of `instructions_url`"),
            (PlaceCallRequest { instructions_url: Some("ftp://x".into()), ..request() }, "`instructions_url`"),
            (PlaceCallRequest { instructions_url: None, instructions: Some("x".repeat(4001)), ..request() }, "4000"),
            (PlaceCallRequest { status_events: vec!["answered".into()], ..request() }, "needs a `status_callback`"),
            (
                PlaceCallRequest {
                    status_callback: Some("https://h.example/s".into()),
                    status_events: vec!["busy".into()],
                    ..request()
                },
                "`status_events` may hold only",
            ),
            (PlaceCallRequest { status_callback: Some("/relative".into()), ..request() }, "`status_callback`"),
            (PlaceCallRequest { recording_status_callback: Some("https://".into()), ..request() }, "recording"),
            (PlaceCallRequest { machine_detection: Some("yes".into()), ..request() }, "`machine_detection`"),
            (PlaceCallRequest { timeout_seconds: Some(4), ..request() }, "5 to 600"),
            (PlaceCallRequest { timeout_seconds: Some(601), ..request() }, "5 to 600"),
        ];
        for (r, expected) in cases {
            match place_call_form(&r, FROM) {
                Err(CarrierError::InvalidRequest(m)) => assert!(m.contains(expected), "{m} / {expected}"),
                other => panic!("{expected}: {other:?}"),
            }
        }
        // Blank options count as absent; the edges of the timeout pass.
        let r = PlaceCallRequest { from: Some(" ".into()), instructions: Some("".into()), ..request() };
        assert!(place_call_form(&r, FROM).is_ok());
        for t in [5, 600] {
            assert!(place_call_form(&PlaceCallRequest { timeout_seconds: Some(t), ..request() }, FROM).is_ok());
        }
    }

    fn hang_up_script() -> Option<CallScript> {
        Some(CallScript { steps: vec![Step::HangUp] })
    }

    #[test]
    fn exactly_one_of_the_instructions() {
        let url = Some("https://host.example/voice".to_string());
        let twiml = Some("<Response/>".to_string());
        let combinations = [
            (url.clone(), twiml.clone(), None),
            (url.clone(), None, hang_up_script()),
            (None, twiml.clone(), hang_up_script()),
            (url.clone(), twiml.clone(), hang_up_script()),
            (None, None, None),
        ];
        for (instructions_url, instructions, script) in combinations {
            let r = PlaceCallRequest { instructions_url, instructions, script, ..request() };
            match place_call_form(&r, FROM) {
                Err(CarrierError::InvalidRequest(m)) => {
                    assert!(["`instructions_url`", "`instructions`", "`script`"].iter().all(|f| m.contains(f)), "{m}")
                }
                other => panic!("{other:?}"),
            }
        }
        // Each alone is accepted.
        for (instructions_url, instructions, script, name) in
            [(url, None, None, "Url"), (None, twiml, None, "Twiml"), (None, None, hang_up_script(), "Twiml")]
        {
            let r = PlaceCallRequest { instructions_url, instructions, script, ..request() };
            let form = place_call_form(&r, FROM).unwrap();
            assert_eq!(form.get(2).map(|(k, _)| *k), Some(name));
        }
    }

    #[test]
    fn scripts_are_sent_as_inline_twiml() {
        let script = CallScript {
            steps: vec![
                Step::Play("https://host.example/audio/m1".into()),
                Step::Gather(Gather {
                    play: vec!["https://host.example/audio/optout".into()],
                    speech: true,
                    action_url: "https://host.example/webhooks/telephony_twilio/gather?lead_id=L&x=1".into(),
                    timeout_seconds: 5,
                }),
                Step::HangUp,
            ],
        };
        let r = PlaceCallRequest { instructions_url: None, script: Some(script), ..request() };
        let form = place_call_form(&r, FROM).unwrap();
        assert_eq!(form.iter().map(|(k, _)| *k).collect::<Vec<_>>(), ["To", "From", "Twiml"]);
        assert_eq!(
            form[2].1,
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Play>https://host.example/audio/m1</Play><Gather input="dtmf speech" numDigits="1" action="https://host.example/webhooks/telephony_twilio/gather?lead_id=L&amp;x=1" method="POST" timeout="5"><Play>https://host.example/audio/optout</Play></Gather><Hangup/></Response>"#
        );
        // A bad URL, an empty script.
        let bad = CallScript { steps: vec![Step::Play("file:///etc/passwd".into())] };
        let r = PlaceCallRequest { instructions_url: None, script: Some(bad), ..request() };
        assert!(
            matches!(place_call_form(&r, FROM), Err(CarrierError::InvalidRequest(m)) if m.contains("step 1 (play)"))
        );
        let r = PlaceCallRequest { instructions_url: None, script: Some(CallScript { steps: vec![] }), ..request() };
        assert!(matches!(place_call_form(&r, FROM), Err(CarrierError::InvalidRequest(m)) if m.contains("no steps")));
    }

    #[test]
    fn inline_twiml_is_at_most_4000_characters() {
        let play = |n: usize| Step::Play(format!("https://h.example/{}", "a".repeat(n)));
        let overhead = script::render(&CallScript { steps: vec![play(0)] }).unwrap().chars().count();
        let exact = CallScript { steps: vec![play(4000 - overhead)] };
        assert_eq!(script::render(&exact).unwrap().chars().count(), 4000);
        let r = PlaceCallRequest { instructions_url: None, script: Some(exact), ..request() };
        assert!(place_call_form(&r, FROM).is_ok());
        let over = CallScript { steps: vec![play(4001 - overhead)] };
        let r = PlaceCallRequest { instructions_url: None, script: Some(over), ..request() };
        assert!(
            matches!(place_call_form(&r, FROM), Err(CarrierError::InvalidRequest(m)) if m.contains("`script`") && m.contains("4000"))
        );
        // Escaping counts: 800 `&` are 4,000 characters of `&amp;`.
        let amps = CallScript { steps: vec![Step::Play(format!("https://h/?{}", "&".repeat(800)))] };
        let r = PlaceCallRequest { instructions_url: None, script: Some(amps), ..request() };
        assert!(matches!(place_call_form(&r, FROM), Err(CarrierError::InvalidRequest(m)) if m.contains("4000")));
        let r = PlaceCallRequest { instructions_url: None, instructions: Some("é".repeat(4000)), ..request() };
        assert!(place_call_form(&r, FROM).is_ok());
    }

    #[test]
    fn list_queries() {
        let filter =
            CallFilter { status: Some(CallStatus::InProgress), to: Some("+13035550123".into()), page_size: Some(10) };
        assert_eq!(list_query(&filter).unwrap(), "Status=in-progress&To=%2B13035550123&PageSize=10");
        assert_eq!(list_query(&CallFilter { status: None, to: None, page_size: None }).unwrap(), "PageSize=50");
        for size in [0, 1001] {
            let f = CallFilter { status: None, to: None, page_size: Some(size) };
            assert!(matches!(list_query(&f), Err(CarrierError::InvalidRequest(m)) if m.contains("`page_size`")));
        }
        let f = CallFilter { status: None, to: Some("555".into()), page_size: None };
        assert!(matches!(list_query(&f), Err(CarrierError::InvalidNumber(_))));
    }

    #[test]
    fn statuses_round_trip() {
        for name in
            ["queued", "initiated", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"]
        {
            assert_eq!(parse_status(name).map(status_name), Some(name));
        }
        assert_eq!(parse_status("answered"), None);
    }

    #[test]
    fn call_json() {
        let v = json!({
            "sid": "CA0123456789abcdef0123456789abcdef", "to": "+13035550123", "from": "+12125551234",
            "status": "completed", "direction": "outbound-api", "start_time": "Thu, 01 Jan 2026 10:00:00 +0000",
            "end_time": "Thu, 01 Jan 2026 10:01:05 +0000", "duration": "65", "answered_by": "human"
        });
        let call = parse_call(&v).unwrap();
        assert_eq!(call.status, CallStatus::Completed);
        assert_eq!((call.duration_seconds, call.answered_by.as_deref()), (Some(65), Some("human")));
        assert_eq!(call.direction, "outbound-api");
        let v = json!({"sid": "CA1", "to": "+1", "from": "+2", "status": "queued", "direction": "outbound-api",
                       "start_time": null, "end_time": null, "duration": null, "answered_by": null});
        let call = parse_call(&v).unwrap();
        assert_eq!((call.start_time, call.duration_seconds, call.answered_by), (None, None, None));
        assert!(parse_call(&json!({"sid": "CA1", "status": "weird"})).unwrap_err().contains("weird"));
        assert!(parse_call(&json!({"status": "queued"})).is_err());
        let list = json!({"calls": [{"sid": "CA1", "status": "ringing"}, {"sid": "CA2", "status": "busy"}], "page": 0});
        assert_eq!(parse_call_list(&list).unwrap().len(), 2);
        assert!(parse_call_list(&json!({"page": 0})).is_err());
    }

    #[test]
    fn recording_json() {
        let v = json!({"sid": "RE1", "call_sid": "CA1", "status": "in-progress", "duration": "-1",
                       "uri": "/2010-04-01/Accounts/AC1/Recordings/RE1.json"});
        let r = parse_recording(&v, "https://api.twilio.com").unwrap();
        assert_eq!((r.status.as_str(), r.url, r.duration_seconds), ("in-progress", None, None));
        let v = json!({"sid": "RE1", "call_sid": "CA1", "status": "completed", "duration": "12",
                       "uri": "/2010-04-01/Accounts/AC1/Recordings/RE1.json"});
        let r = parse_recording(&v, "https://api.twilio.com").unwrap();
        assert_eq!(r.url.as_deref(), Some("https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"));
        assert_eq!(r.duration_seconds, Some(12));
        let v = json!({"sid": "RE1", "status": "completed", "media_url": "https://api.twilio.com/x/RE1"});
        assert_eq!(parse_recording(&v, "").unwrap().url.as_deref(), Some("https://api.twilio.com/x/RE1"));
    }
}
