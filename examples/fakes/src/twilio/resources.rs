//! Calls and recordings as Twilio's 2010-04-01 API writes them in JSON.

use super::dates::rfc2822;
use super::events::{API_VERSION, recording_url};
use super::state::Shared;
use super::store::{Call, Recording, RecordingStatus};
use serde_json::{Value, json};
use std::time::SystemTime;

fn date(time: Option<SystemTime>) -> Value {
    time.map_or(Value::Null, |t| Value::String(rfc2822(t)))
}

/// A number as Twilio formats it for people: `(415) 555-1212` for North America, else as is.
pub fn formatted(number: &str) -> String {
    match number.strip_prefix("+1") {
        Some(n) if n.len() == 10 && n.bytes().all(|b| b.is_ascii_digit()) => {
            format!("({}) {}-{}", &n[..3], &n[3..6], &n[6..])
        }
        _ => number.to_string(),
    }
}

/// `/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}`, without `.json`.
fn call_path(call: &Call) -> String {
    format!("/2010-04-01/Accounts/{}/Calls/{}", call.account_sid, call.sid)
}

/// A call resource.
pub fn call(call: &Call) -> Value {
    let path = call_path(call);
    let sub = |name: &str| format!("{path}/{name}.json");
    json!({
        "sid": call.sid,
        "account_sid": call.account_sid,
        "annotation": null,
        "answered_by": call.answered_by,
        "api_version": API_VERSION,
        "caller_name": null,
        "date_created": rfc2822(call.created_at),
        "date_updated": rfc2822(call.updated_at),
        "direction": "outbound-api",
        "duration": call.duration().map(|d| d.to_string()),
        "end_time": date(call.ended_at),
        "forwarded_from": null,
        "from": call.from,
        "from_formatted": formatted(&call.from),
        "group_sid": null,
        "parent_call_sid": null,
        "phone_number_sid": null,
        "price": null,
        "price_unit": "USD",
        "queue_time": "0",
        "start_time": date(call.started_at),
        "status": call.status.as_str(),
        "to": call.to,
        "to_formatted": formatted(&call.to),
        "trunk_sid": null,
        "uri": format!("{path}.json"),
        "subresource_uris": {
            "notifications": sub("Notifications"),
            "recordings": sub("Recordings"),
            "payments": sub("Payments"),
            "events": sub("Events"),
            "siprec": sub("Siprec"),
            "streams": sub("Streams"),
            "transcriptions": sub("Transcriptions"),
            "user_defined_message_subscriptions": sub("UserDefinedMessageSubscriptions"),
            "user_defined_messages": sub("UserDefinedMessages"),
        },
    })
}

/// A recording resource, its `uri` under the call (`in_call`) or under the account.
pub fn recording(shared: &Shared, recording: &Recording, in_call: bool) -> Value {
    let account = shared.account_path();
    let uri = if in_call {
        format!("{account}/Calls/{}/Recordings/{}.json", recording.call_sid, recording.sid)
    } else {
        format!("{account}/Recordings/{}.json", recording.sid)
    };
    let duration = match (recording.status, recording.duration) {
        (RecordingStatus::Completed, Some(d)) => d.to_string(),
        _ => "-1".to_string(),
    };
    json!({
        "sid": recording.sid,
        "account_sid": shared.account_sid,
        "api_version": API_VERSION,
        "call_sid": recording.call_sid,
        "conference_sid": null,
        "channels": recording.channels,
        "date_created": rfc2822(recording.started_at),
        "date_updated": rfc2822(recording.ended_at.unwrap_or(recording.started_at)),
        "start_time": rfc2822(recording.started_at),
        "duration": duration,
        "price": null,
        "price_unit": "USD",
        "status": recording.status.as_str(),
        "source": recording.source,
        "error_code": null,
        "encryption_details": null,
        "track": "both",
        "media_url": recording_url(shared, &recording.sid),
        "uri": uri,
        "subresource_uris": {
            "add_on_results": format!("{account}/Recordings/{}/AddOnResults.json", recording.sid),
            "transcriptions": format!("{account}/Recordings/{}/Transcriptions.json", recording.sid),
        },
    })
}

/// One page of a list, in Twilio's envelope: `{key: items, page, page_size, uri, ...}`.
/// `path` is the list's path and `filters` the query it was asked with, without paging.
pub fn page(
    key: &str,
    items: Vec<Value>,
    page: usize,
    page_size: usize,
    more: bool,
    path: &str,
    filters: &str,
) -> Value {
    let uri = |page: usize| {
        let sep = if filters.is_empty() { "" } else { "&" };
        format!("{path}?{filters}{sep}PageSize={page_size}&Page={page}")
    };
    let start = page * page_size;
    let end = start + items.len().saturating_sub(1);
    json!({
        key: items,
        "page": page,
        "page_size": page_size,
        "start": start,
        "end": end,
        "uri": uri(page),
        "first_page_uri": uri(0),
        "next_page_uri": if more { Value::String(uri(page + 1)) } else { Value::Null },
        "previous_page_uri": if page > 0 { Value::String(uri(page - 1)) } else { Value::Null },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(formatted("+14155551212"), "(415) 555-1212");
        assert_eq!(formatted("+442071838750"), "+442071838750");
        assert_eq!(formatted("client:alice"), "client:alice");
    }

    #[test]
    fn pages_link_each_other() {
        let p = page("calls", vec![json!(1), json!(2)], 1, 2, true, "/x/Calls.json", "Status=busy");
        assert_eq!(p["uri"], "/x/Calls.json?Status=busy&PageSize=2&Page=1");
        assert_eq!(p["next_page_uri"], "/x/Calls.json?Status=busy&PageSize=2&Page=2");
        assert_eq!(p["previous_page_uri"], "/x/Calls.json?Status=busy&PageSize=2&Page=0");
        assert_eq!((p["start"].clone(), p["end"].clone()), (json!(2), json!(3)));
        let empty = page("calls", vec![], 0, 50, false, "/x/Calls.json", "");
        assert_eq!((empty["end"].clone(), empty["next_page_uri"].clone()), (json!(0), Value::Null));
        assert_eq!(empty["first_page_uri"], "/x/Calls.json?PageSize=50&Page=0");
    }
}
