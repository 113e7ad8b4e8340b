//! The Calls resource: `POST .../Calls.json` places a call, `GET .../Calls.json` lists calls
//! (newest first, filtered by `Status`, `To`, `From`, paged by `PageSize` and `Page`),
//! `GET .../Calls/{Sid}.json` fetches one, and `POST .../Calls/{Sid}.json` ends one
//! (`Status=completed|canceled`) or redirects it (`Url`/`Twiml`, accepted and ignored).

use super::errors::{
    INVALID_CALLBACK, INVALID_FROM, INVALID_PARAMETER, INVALID_TO, NO_FROM, NO_TO, TwilioError, URL_REQUIRED,
    json_response,
};
use super::params::{Params, encode};
use super::store::{Call, CallStatus, Hook, not_in_progress};
use super::{progress, resources, webhooks};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::SystemTime;
use tokio::sync::mpsc;

use super::state::{Shared, lock};

/// The largest page Twilio serves.
const MAX_PAGE_SIZE: usize = 1000;
/// The page size when none is asked for.
const DEFAULT_PAGE_SIZE: usize = 50;

/// Whether `number` is E.164: `+`, then 2 to 15 digits, the first not 0.
pub fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
    })
}

/// Whether `to` is something Twilio dials: an E.164 number, `client:name` or `sip:address`.
fn is_destination(to: &str) -> bool {
    is_e164(to)
        || to.strip_prefix("client:").is_some_and(|c| !c.is_empty())
        || to.strip_prefix("sip:").is_some_and(|s| s.contains('@'))
}

/// Whether `url` is an absolute http(s) URL with a host.
pub fn is_url(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// `GET` or `POST` (any case) from `name`, `POST` when absent.
fn method(form: &Params, name: &str) -> Result<String, TwilioError> {
    match form.non_empty(name).map(str::to_ascii_uppercase) {
        None => Ok("POST".to_string()),
        Some(m) if m == "GET" || m == "POST" => Ok(m),
        Some(other) => {
            Err(TwilioError::bad_request(INVALID_PARAMETER, format!("{name} must be GET or POST, not {other}")))
        }
    }
}

/// A callback URL and its method, when the URL is given.
fn hook(form: &Params, url: &str, method_name: &str) -> Result<Option<Hook>, TwilioError> {
    let Some(given) = form.non_empty(url) else { return Ok(None) };
    if !is_url(given) {
        return Err(TwilioError::bad_request(INVALID_CALLBACK, format!("{url} is not a valid URL: {given}")));
    }
    Ok(Some(Hook { url: given.to_string(), method: method(form, method_name)? }))
}

/// Every value of a repeated list parameter, each also split at spaces (both forms are sent).
fn events(form: &Params, name: &str) -> Vec<String> {
    form.all(name).flat_map(str::split_whitespace).map(str::to_string).collect()
}

/// `RecordingChannels`: `mono` (1, the default) or `dual` (2).
pub fn channels(form: &Params) -> Result<u32, TwilioError> {
    match form.non_empty("RecordingChannels") {
        None | Some("mono") => Ok(1),
        Some("dual") => Ok(2),
        Some(other) => Err(TwilioError::bad_request(
            INVALID_PARAMETER,
            format!("RecordingChannels must be mono or dual, not {other}"),
        )),
    }
}

/// Checks a create-call form; the call to place, or the error to answer.
fn validate(shared: &Shared, form: &Params) -> Result<Call, TwilioError> {
    let to = form.non_empty("To").ok_or_else(|| TwilioError::bad_request(NO_TO, "No 'To' number is specified"))?;
    if !is_destination(to) {
        return Err(TwilioError::bad_request(INVALID_TO, format!("Invalid 'To' Phone Number: {to}")));
    }
    let from = form
        .non_empty("From")
        .ok_or_else(|| TwilioError::bad_request(NO_FROM, "A 'From' phone number is required."))?;
    if !is_e164(from) {
        return Err(TwilioError::bad_request(INVALID_FROM, format!("Invalid 'From' Phone Number: {from}")));
    }
    let (url, twiml) = match (form.non_empty("Url"), form.non_empty("Twiml")) {
        (None, None) => return Err(TwilioError::bad_request(URL_REQUIRED, "Url parameter is required.")),
        (Some(_), Some(_)) => {
            return Err(TwilioError::bad_request(URL_REQUIRED, "Only one of Url and Twiml may be given."));
        }
        (Some(url), None) if !is_url(url) => {
            return Err(TwilioError::bad_request(URL_REQUIRED, format!("Url is not a valid URL: {url}")));
        }
        (Some(url), None) => (Some(Hook { url: url.to_string(), method: method(form, "Method")? }), None),
        (None, Some(twiml)) => (None, Some(twiml.to_string())),
    };
    let record = match form.non_empty("Record").map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(TwilioError::bad_request(
                INVALID_PARAMETER,
                format!("Record must be true or false, not {other}"),
            ));
        }
    };
    let machine_detection = match form.non_empty("MachineDetection") {
        None => None,
        Some(m @ ("Enable" | "DetectMessageEnd")) => Some(m.to_string()),
        Some(other) => {
            return Err(TwilioError::bad_request(
                INVALID_PARAMETER,
                format!("MachineDetection must be Enable or DetectMessageEnd, not {other}"),
            ));
        }
    };
    let timeout = match form.non_empty("Timeout") {
        None => 60,
        Some(t) => t.trim().parse::<u32>().ok().filter(|t| (1..=600).contains(t)).ok_or_else(|| {
            TwilioError::bad_request(INVALID_PARAMETER, format!("Timeout must be a number from 1 to 600, not {t}"))
        })?,
    };
    let now = SystemTime::now();
    Ok(Call {
        sid: shared.new_sid("CA"),
        account_sid: shared.account_sid.clone(),
        to: to.to_string(),
        from: from.to_string(),
        status: CallStatus::Queued,
        url,
        twiml,
        fetched_twiml: None,
        play_fetches: Vec::new(),
        gather: None,
        status_callback: hook(form, "StatusCallback", "StatusCallbackMethod")?,
        status_callback_events: events(form, "StatusCallbackEvent"),
        record,
        recording_status_callback: hook(form, "RecordingStatusCallback", "RecordingStatusCallbackMethod")?,
        recording_status_callback_events: events(form, "RecordingStatusCallbackEvent"),
        recording_channels: channels(form)?,
        machine_detection,
        timeout,
        answered_by: None,
        created_at: now,
        updated_at: now,
        started_at: None,
        answered_at: None,
        ended_at: None,
        recordings: Vec::new(),
    })
}

/// `POST .../Calls.json`: 201 with the queued call, which then progresses by itself.
pub fn create(shared: &Arc<Shared>, form: &Params) -> Response {
    let call = match validate(shared, form) {
        Ok(call) => call,
        Err(e) => return e.into_response(),
    };
    let knobs = shared.knobs();
    let body = resources::call(&call);
    let (sid, outcome) = (call.sid.clone(), knobs.outcome_for(&call.to));
    let (outbox, queue) = mpsc::unbounded_channel();
    shared.insert_call(call, outbox);
    webhooks::spawn_worker(shared.clone(), queue);
    progress::spawn(shared.clone(), sid, outcome, knobs.step_delay);
    json_response(StatusCode::CREATED, &body)
}

/// `GET .../Calls/{Sid}.json`.
pub fn fetch(shared: &Shared, sid: &str, path: &str) -> Response {
    match shared.call(sid) {
        Some(call) => json_response(StatusCode::OK, &resources::call(&call)),
        None => super::errors::not_found(path),
    }
}

/// `POST .../Calls/{Sid}.json`: `Status=completed` hangs up (cancels a call not yet
/// answered), `Status=canceled` cancels a call not yet answered; `Url` or `Twiml` redirect a
/// live call (accepted, not acted on). Answers the call as it is now.
pub fn update(shared: &Shared, sid: &str, path: &str, form: &Params) -> Response {
    let Some(call) = shared.call(sid) else { return super::errors::not_found(path) };
    let result = match form.non_empty("Status") {
        Some(status @ ("completed" | "canceled")) => {
            shared.end_call(sid, CallStatus::parse(status).unwrap_or(CallStatus::Completed))
        }
        Some(other) => Err(TwilioError::bad_request(
            INVALID_PARAMETER,
            format!("Status must be one of completed, canceled, not {other}"),
        )),
        None if form.non_empty("Url").is_some_and(|u| !is_url(u)) => {
            Err(TwilioError::bad_request(URL_REQUIRED, "Url is not a valid URL"))
        }
        None if (form.non_empty("Url").is_some() || form.non_empty("Twiml").is_some()) && call.status.is_terminal() => {
            Err(not_in_progress())
        }
        None => Ok(call),
    };
    match result {
        Ok(call) => json_response(StatusCode::OK, &resources::call(&call)),
        Err(e) => e.into_response(),
    }
}

/// `GET .../Calls.json`.
pub fn list(shared: &Shared, query: &Params) -> Response {
    let page_size = match query.non_empty("PageSize").map(|s| s.trim().parse::<usize>()) {
        None => DEFAULT_PAGE_SIZE,
        Some(Ok(n)) if n > 0 => n.min(MAX_PAGE_SIZE),
        Some(_) => {
            return TwilioError::bad_request(INVALID_PARAMETER, "PageSize must be a positive number").into_response();
        }
    };
    let page = match query.non_empty("Page").map(|s| s.trim().parse::<usize>()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return TwilioError::bad_request(INVALID_PARAMETER, "Page must be a number").into_response(),
    };
    let filters: Vec<(String, String)> = ["To", "From", "Status"]
        .into_iter()
        .filter_map(|name| query.non_empty(name).map(|v| (name.to_string(), v.to_string())))
        .collect();
    let matches = |call: &Call| {
        filters.iter().all(|(name, value)| match name.as_str() {
            "To" => &call.to == value,
            "From" => &call.from == value,
            _ => call.status.as_str() == value,
        })
    };
    let (calls, more) = {
        let store = lock(&shared.store);
        let mut found = store.newest_first().filter(|c| matches(c)).skip(page.saturating_mul(page_size));
        let calls: Vec<_> = found.by_ref().take(page_size).map(resources::call).collect();
        (calls, found.next().is_some())
    };
    let path = format!("{}/Calls.json", shared.account_path());
    json_response(StatusCode::OK, &resources::page("calls", calls, page, page_size, more, &path, &encode(&filters)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_urls() {
        assert!(is_e164("+15005550006") && is_e164("+442071838750"));
        assert!(!is_e164("15005550006") && !is_e164("+0123") && !is_e164("+1") && !is_e164("+1555abc0006"));
        assert!(!is_e164("+1234567890123456"));
        assert!(is_destination("client:alice") && is_destination("sip:bob@example.com") && !is_destination("client:"));
        assert!(is_url("http://127.0.0.1:8080/twiml?x=1") && is_url("https://example.com"));
        assert!(!is_url("ftp://example.com") && !is_url("/relative") && !is_url("not a url"));
    }

    #[test]
    fn list_parameters() {
        let form = Params::parse(b"StatusCallbackEvent=initiated ringing&StatusCallbackEvent=answered&Method=get");
        assert_eq!(events(&form, "StatusCallbackEvent"), ["initiated", "ringing", "answered"]);
        assert_eq!(method(&form, "Method"), Ok("GET".to_string()));
        assert_eq!(method(&form, "StatusCallbackMethod"), Ok("POST".to_string()));
        assert!(method(&Params::parse(b"Method=PUT"), "Method").is_err());
        assert_eq!(channels(&Params::parse(b"RecordingChannels=dual")), Ok(2));
    }
}
