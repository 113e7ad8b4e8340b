//! A look at each incoming JSON-RPC message (a stdio line, an HTTP POST body) before rmcp
//! sees it, so that every malformed message gets a JSON-RPC error instead of silence: a
//! message that is not JSON gets -32700, one that is not a JSON-RPC 2.0 message (a batch, a
//! message over [`MAX_MESSAGE_BYTES`]) -32600, and a request to a known method whose params
//! do not fit gets -32602 with serde's reason. Everything else goes to rmcp.

use rmcp::model::{CallToolRequestParams, InitializeRequestParams, PaginatedRequestParams};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const INVALID_PARAMS: i64 = -32602;

/// The largest message read from stdio (a longer line is answered and skipped unread);
/// Streamable HTTP has `[http] max_body_kib`, 4 MiB by default too.
pub const MAX_MESSAGE_BYTES: usize = 4 << 20;

#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// Hand the message to the MCP service; `request` is the id of a request (not of a
    /// response or a notification).
    Forward { request: Option<Value> },
    /// Answer it with this error response; the service never sees it.
    Reply(Value),
    /// Drop it, for this reason: a blank line, or a malformed notification (no id to answer).
    Ignore(String),
}

pub fn error_response(id: Value, code: i64, message: impl Into<String>) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message.into() } })
}

/// The answer to a message of `len` bytes, over the limit of `max`.
pub fn too_large(len: Option<usize>, max: usize) -> Value {
    let len = len.map(|len| format!(" of {} KiB", len.div_ceil(1024))).unwrap_or_default();
    let message = format!("a message{len} is over the limit of {} KiB; send smaller messages", max / 1024);
    error_response(Value::Null, INVALID_REQUEST, message)
}

/// The answer to a request that reuses the id of one still in flight.
pub fn id_in_use(id: Value) -> Value {
    let message = format!("id {id} is in use by a request still in flight; give each request its own id");
    error_response(id, INVALID_REQUEST, message)
}

pub fn check(line: &str) -> Verdict {
    if line.trim().is_empty() {
        return Verdict::Ignore("an empty message".into());
    }
    let value: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return Verdict::Reply(error_response(Value::Null, PARSE_ERROR, format!("parse error: {e}"))),
    };
    let Value::Object(msg) = &value else {
        let why = if value.is_array() {
            "batches are not supported; send one message per line"
        } else {
            "a JSON-RPC message must be an object"
        };
        return Verdict::Reply(error_response(Value::Null, INVALID_REQUEST, why));
    };
    let id = msg.get("id").cloned();
    let reply = |code, message: String| match &id {
        Some(id) => Verdict::Reply(error_response(id.clone(), code, message)),
        None => Verdict::Ignore(format!("a malformed notification: {message}")),
    };
    if msg.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return reply(INVALID_REQUEST, "`jsonrpc` must be \"2.0\"".into());
    }
    if id.as_ref().is_some_and(|id| !(id.is_string() || id.is_i64() || id.is_u64())) {
        return Verdict::Reply(error_response(Value::Null, INVALID_REQUEST, "`id` must be a string or an integer"));
    }
    let Some(method) = msg.get("method") else {
        // A response to one of our requests.
        return if msg.contains_key("result") || msg.contains_key("error") {
            Verdict::Forward { request: None }
        } else {
            reply(INVALID_REQUEST, "a message needs a `method`, or a `result` or `error`".into())
        };
    };
    let Some(method) = method.as_str() else {
        return reply(INVALID_REQUEST, "`method` must be a string".into());
    };
    if id.is_none() {
        return Verdict::Forward { request: None };
    }
    let params = msg.get("params").cloned();
    let problem = match method {
        "tools/call" => params_problem::<CallToolRequestParams>(params, true),
        "initialize" => params_problem::<InitializeRequestParams>(params, true),
        "tools/list" => params_problem::<PaginatedRequestParams>(params, false),
        // rmcp's own parse of an unknown level would answer -32601.
        "logging/setLevel" => set_level_problem(params),
        _ => None,
    };
    match problem {
        Some(why) => reply(INVALID_PARAMS, format!("invalid params for `{method}`: {why}")),
        None => Verdict::Forward { request: id },
    }
}

#[allow(deprecated)] // MCP logging: see transport/client_log.rs
fn set_level_problem(params: Option<Value>) -> Option<String> {
    params_problem::<rmcp::model::SetLevelRequestParams>(params, true)
}

fn params_problem<T: DeserializeOwned>(params: Option<Value>, required: bool) -> Option<String> {
    match params {
        None if required => Some("`params` is missing".into()),
        None | Some(Value::Null) if !required => None,
        Some(p) => serde_json::from_value::<T>(p).err().map(|e| e.to_string()),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(v: Verdict) -> (i64, Value) {
        match v {
            Verdict::Reply(r) => (r["error"]["code"].as_i64().unwrap(), r["id"].clone()),
            other => panic!("expected an error reply, got {other:?}"),
        }
    }

    #[test]
    fn malformed_messages_get_the_right_error() {
        assert_eq!(code(check("{not json")), (PARSE_ERROR, Value::Null));
        assert_eq!(code(check("[1,2]")), (INVALID_REQUEST, Value::Null));
        assert_eq!(code(check(r#"{"id":3,"method":"ping"}"#)), (INVALID_REQUEST, json!(3)));
        assert_eq!(code(check(r#"{"jsonrpc":"2.0","id":4}"#)), (INVALID_REQUEST, json!(4)));
        assert_eq!(code(check(r#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#)), (INVALID_REQUEST, Value::Null));
        let (c, id) = code(check(r#"{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"nam":"t"}}"#));
        assert_eq!((c, id), (INVALID_PARAMS, json!("x")));
        assert_eq!(code(check(r#"{"jsonrpc":"2.0","id":5,"method":"tools/call"}"#)).0, INVALID_PARAMS);
        let loud = r#"{"jsonrpc":"2.0","id":6,"method":"logging/setLevel","params":{"level":"loud"}}"#;
        assert_eq!(code(check(loud)), (INVALID_PARAMS, json!(6)));
    }

    #[test]
    fn good_messages_are_forwarded() {
        for line in [
            r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"t","arguments":{}}}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            r#"{"jsonrpc":"2.0","id":9,"result":{}}"#,
            r#"{"jsonrpc":"2.0","id":9,"method":"no/such/method"}"#,
            r#"{"jsonrpc":"2.0","id":10,"method":"logging/setLevel","params":{"level":"warning"}}"#,
        ] {
            assert!(matches!(check(line), Verdict::Forward { .. }), "{line}");
        }
        assert_eq!(
            check(r#"{"jsonrpc":"2.0","id":"a","method":"ping"}"#),
            Verdict::Forward { request: Some(json!("a")) }
        );
        assert_eq!(check(r#"{"jsonrpc":"2.0","id":9,"result":{}}"#), Verdict::Forward { request: None });
        assert!(matches!(check("   "), Verdict::Ignore(_)));
        assert!(matches!(check(r#"{"jsonrpc":"1.0","method":"notifications/x"}"#), Verdict::Ignore(_)));
    }
}
