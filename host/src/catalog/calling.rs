//! The calling tools. The compliance tools (`check_tcpa_compliance`, `verify_consent`, ...)
//! call the active checker's function of the same meaning, with the schema and description its
//! WIT gives; the call tools (`initiate_call_with_compliance`, `get_call`, `list_calls`,
//! `end_call`, `record_call`) are the host's own orchestration.

use super::roles::{object, parse, structured, tool};
use super::router::{Handler, Route};
use super::{Called, Entry, ToolError, schema};
use crate::contracts::compliance::{CHECKER as COMPLIANCE, CallPurpose, Decision};
use crate::contracts::telephony::RecordingInfo;
use crate::roles::Roles;
use crate::roles::telephony::book::Filter;
use crate::roles::telephony::record::{CallRecord, Status};
use crate::roles::telephony::{CallingError, InitiateRequest, Initiation, Message};
use crate::runtime::{LoadedComponent, Runtime};
use rmcp::model::{CallToolResult, ContentBlock as Content, Tool};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Each compliance tool and the `switchboard:compliance/checker` function behind it.
pub const COMPLIANCE_TOOLS: [(&str, &str); 9] = [
    ("check_tcpa_compliance", "check"),
    ("verify_consent", "verify-consent"),
    ("record_consent", "record-consent"),
    ("revoke_consent", "revoke-consent"),
    ("check_dnc_status", "check-dnc"),
    ("add_to_dnc", "add-to-dnc"),
    ("remove_from_dnc", "remove-from-dnc"),
    ("import_dnc_registry", "import-dnc-registry"),
    ("get_compliance_audit", "audit"),
];

/// The calling tools the host orchestrates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallTool {
    Initiate,
    GetCall,
    ListCalls,
    EndCall,
    RecordCall,
}

impl CallTool {
    pub const ALL: [CallTool; 5] = [Self::Initiate, Self::GetCall, Self::ListCalls, Self::EndCall, Self::RecordCall];

    pub fn name(self) -> &'static str {
        match self {
            Self::Initiate => "initiate_call_with_compliance",
            Self::GetCall => "get_call",
            Self::ListCalls => "list_calls",
            Self::EndCall => "end_call",
            Self::RecordCall => "record_call",
        }
    }
}

/// The index of checker function `func` in a component's exports.
fn checker_function(component: &LoadedComponent, func: &str) -> Option<usize> {
    component.surface.functions.iter().position(|f| f.interface.as_deref() == Some(COMPLIANCE) && f.name == func)
}

/// The calling tools the loaded components make possible.
pub fn routes(routes: &crate::roles::Routes) -> Vec<Route> {
    let mut tools = Vec::new();
    // Every checker implements one interface: the first one's schemas are everyone's.
    if let Some(checker) = routes.checkers.first() {
        for (name, function) in COMPLIANCE_TOOLS {
            let Some(index) = checker_function(checker, function) else { continue };
            let func = &checker.surface.functions[index];
            let doc = func.docs.clone().unwrap_or_else(|| format!("Calls `{}` of the compliance checker.", func.name));
            let tool = tool(name, &doc, schema::input(func), schema::output(func));
            tools.push(Route::new(tool, Handler::Checker { function }));
        }
    }
    if !routes.carriers.is_empty() && !routes.checkers.is_empty() {
        let calls = [
            (CallTool::Initiate, INITIATE_DOC, initiate_input()),
            (CallTool::GetCall, GET_CALL_DOC, call_sid_input(true)),
            (CallTool::ListCalls, LIST_CALLS_DOC, list_calls_input()),
            (CallTool::EndCall, END_CALL_DOC, call_sid_input(false)),
            (CallTool::RecordCall, RECORD_CALL_DOC, call_sid_input(false)),
        ];
        for (t, doc, input) in calls {
            tools.push(Route::new(tool(t.name(), doc, input, None), Handler::Call(t)));
        }
    }
    tools
}

const INITIATE_DOC: &str = "Places an outbound call to a lead, only if the compliance checker allows it now. \
If it does not, no call is placed and the result is an error with code COMPLIANCE_BLOCKED, every reason (a stable \
code, the rule and what it means) and, when only time rules stand in the way, next_allowed_at: when the number may \
next be called. Allowed or not, the decision is in the compliance audit trail. A placed call's status then follows \
the carrier's signed callbacks (see get_call).";
const GET_CALL_DOC: &str = "A call this host placed: status (initiated, ringing, in-progress, completed, failed, \
busy, no-answer, canceled), its history, duration, recordings, lead and compliance decision. With refresh, asks the \
carrier first.";
const LIST_CALLS_DOC: &str = "Calls this host placed, newest first: of one lead, in one status, or only those not \
yet ended (active_only).";
const END_CALL_DOC: &str = "Ends a call: hangs up one in progress, cancels one not yet answered. A call already \
ended is returned as it is.";
const RECORD_CALL_DOC: &str = "Starts recording a call in progress; the recording's URL arrives with the carrier's \
recording callback (see get_call).";

fn initiate_input() -> Map<String, Value> {
    object(
        json!({
            "phone_number": { "type": "string", "description": "The number to call, E.164, e.g. +13035550123." },
            "lead_id": { "type": "string", "minLength": 1, "description": "Your id of the lead; the call is linked to it (list_calls lead_id)." },
            "subject": { "type": "string", "description": "The subject or campaign: state limits count calls on one subject." },
            "purpose": { "type": "string", "enum": ["telemarketing", "informational"], "default": "telemarketing" },
            "artificial_voice": { "type": "boolean", "description": "Whether an AI or prerecorded voice speaks (then prior express written consent is needed). Default: the operator's setting, normally true." },
            "consent_scope": { "type": "string", "description": "The seller or campaign the consent must cover; default: any consent on record." },
            "from": { "type": "string", "description": "Caller ID, E.164; default: the carrier's configured number." },
            "record": { "type": "boolean", "description": "Record the call from the start (default: the operator's setting)." },
            "machine_detection": { "type": "string", "enum": ["Enable", "DetectMessageEnd"], "description": "Answering-machine detection." },
            "instructions_url": { "type": "string", "description": "Where the carrier fetches call instructions (TwiML); default: the host's voice-agent webhook." },
            "message": {
                "type": "object",
                "description": "Our own voice on the call instead of a voice agent: the host speaks `text` through its TTS chain (the offline voice included) and the call plays it, after naming the business and offering the opt-out (press the key or say stop), then gives the call-back number. A key or words of opt-out revoke consent and list the number as do-not-call at once.",
                "properties": {
                    "text": { "type": "string", "minLength": 1, "description": "What to tell the callee." },
                    "voice": { "type": "string", "description": "A voice id (list_voices); default: the provider's default voice." },
                    "provider": { "type": "string", "description": "The TTS provider to speak first (a component name or provider id); the operator's chain stands in if it fails." }
                },
                "required": ["text"],
                "additionalProperties": false
            }
        }),
        &["phone_number", "lead_id"],
    )
}

fn call_sid_input(refresh: bool) -> Map<String, Value> {
    let mut properties = json!({ "call_sid": { "type": "string", "description": "The call's id, from initiate_call_with_compliance or list_calls." } });
    if refresh {
        properties["refresh"] = json!({ "type": "boolean", "default": false, "description": "Ask the carrier for the latest status first." });
    }
    object(properties, &["call_sid"])
}

fn list_calls_input() -> Map<String, Value> {
    object(
        json!({
            "lead_id": { "type": "string", "description": "Only the calls of this lead." },
            "status": { "type": "string", "enum": Status::ALL.map(Status::as_str) },
            "active_only": { "type": "boolean", "default": false, "description": "Only calls not yet ended." },
            "limit": { "type": "integer", "minimum": 1, "maximum": 500, "default": 50 }
        }),
        &[],
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InitiateArgs {
    phone_number: String,
    lead_id: String,
    subject: Option<String>,
    #[serde(default)]
    purpose: Purpose,
    artificial_voice: Option<bool>,
    consent_scope: Option<String>,
    from: Option<String>,
    record: Option<bool>,
    machine_detection: Option<String>,
    instructions_url: Option<String>,
    message: Option<MessageArgs>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageArgs {
    text: String,
    voice: Option<String>,
    provider: Option<String>,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Purpose {
    #[default]
    Telemarketing,
    Informational,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CallArgs {
    call_sid: String,
    #[serde(default)]
    refresh: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListArgs {
    lead_id: Option<String>,
    status: Option<String>,
    #[serde(default)]
    active_only: bool,
    limit: Option<usize>,
}

type Outcome = Result<CallToolResult, ToolError>;

/// Serves a compliance tool: `function` of the checker in service.
pub async fn check(
    tool: &Tool,
    function: &str,
    routes: &crate::roles::Routes,
    roles: &Roles,
    runtime: &Runtime,
    args: Option<&Map<String, Value>>,
) -> Called {
    let checker = match roles.telephony.checker(&routes.checkers) {
        Ok(checker) => checker,
        Err(e) => return Called::host(&tool.name, Err(ToolError::new(e.to_string(), "unavailable"))),
    };
    let Some(index) = checker_function(checker, function) else {
        let missing = format!("the checker `{}` has no `{function}`", checker.name);
        return Called::host(&tool.name, Err(ToolError::new(missing, "unavailable")));
    };
    let entry = Entry { tool: tool.clone(), component: checker.clone(), index };
    super::run(&entry, runtime, args).await
}

/// Serves a calling tool.
pub async fn call(
    tool: CallTool,
    routes: &crate::roles::Routes,
    roles: &Roles,
    runtime: &Arc<Runtime>,
    args: Option<&Map<String, Value>>,
) -> Called {
    let telephony = &roles.telephony;
    let carriers = &routes.carriers;
    let outcome: Outcome = match tool {
        CallTool::Initiate => match parse::<InitiateArgs>(args) {
            Ok(a) => initiate(roles, routes, runtime, a).await,
            Err(e) => Err(e),
        },
        CallTool::GetCall => match parse::<CallArgs>(args) {
            Ok(a) => telephony
                .get(carriers, runtime, &a.call_sid, a.refresh)
                .await
                .map(|r| structured(record_json(&r)))
                .map_err(calling_failed),
            Err(e) => Err(e),
        },
        CallTool::ListCalls => match parse::<ListArgs>(args).and_then(list_filter) {
            Ok(filter) => telephony
                .list(&filter)
                .await
                .map(|calls| {
                    let calls: Vec<Value> = calls.iter().map(record_json).collect();
                    structured(json!({ "count": calls.len(), "calls": calls }))
                })
                .map_err(calling_failed),
            Err(e) => Err(e),
        },
        CallTool::EndCall => match parse::<CallArgs>(args) {
            Ok(a) => telephony
                .end(carriers, runtime, &a.call_sid)
                .await
                .map(|r| structured(record_json(&r)))
                .map_err(calling_failed),
            Err(e) => Err(e),
        },
        CallTool::RecordCall => match parse::<CallArgs>(args) {
            Ok(a) => telephony
                .record(carriers, runtime, &a.call_sid)
                .await
                .map(|(r, rec)| structured(json!({ "recording": recording_json(&rec), "call": record_json(&r) })))
                .map_err(calling_failed),
            Err(e) => Err(e),
        },
    };
    Called::host(tool.name(), outcome)
}

fn calling_failed(e: CallingError) -> ToolError {
    let kind = match &e {
        CallingError::UnknownCall(_) | CallingError::Compliance(_) | CallingError::Message(_) => "invalid_arguments",
        CallingError::Speech(e) => e.kind(),
        CallingError::Carrier(_) => "tool_error",
        _ => "unavailable",
    };
    ToolError::new(e.to_string(), kind)
}

fn list_filter(a: ListArgs) -> Result<Filter, ToolError> {
    let status = match a.status.as_deref().map(|s| (s, Status::parse(s))) {
        None => None,
        Some((_, Some(status))) => Some(status),
        Some((s, None)) => return Err(ToolError::invalid(format!("invalid arguments: unknown status {s:?}"))),
    };
    let limit = a.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ToolError::invalid(format!("invalid arguments: limit is {limit}; use 1 to 500")));
    }
    Ok(Filter { lead_id: a.lead_id, status, active_only: a.active_only, limit })
}

async fn initiate(roles: &Roles, routes: &crate::roles::Routes, runtime: &Arc<Runtime>, a: InitiateArgs) -> Outcome {
    if a.lead_id.trim().is_empty() {
        return Err(ToolError::invalid("invalid arguments: lead_id is empty; give your id of the lead"));
    }
    let request = InitiateRequest {
        phone_number: a.phone_number.trim().to_owned(),
        lead_id: a.lead_id,
        from: a.from,
        subject: a.subject,
        purpose: match a.purpose {
            Purpose::Telemarketing => CallPurpose::Telemarketing,
            Purpose::Informational => CallPurpose::Informational,
        },
        artificial_voice: a.artificial_voice,
        consent_scope: a.consent_scope,
        record: a.record,
        machine_detection: a.machine_detection,
        instructions_url: a.instructions_url,
        message: a.message.map(|m| Message { text: m.text, voice: m.voice, provider: m.provider }),
    };
    let phone = request.phone_number.clone();
    let lead = request.lead_id.clone();
    match roles.telephony.initiate(&roles.speech, routes, runtime, request).await {
        Ok(Initiation::Placed { record, decision, warnings }) => {
            let mut value = record_json(&record);
            value["compliance"] = decision_json(&decision);
            value["warnings"] = json!(warnings);
            Ok(structured(value))
        }
        Ok(Initiation::Blocked { decision, checker }) => Ok(blocked(&phone, &lead, &checker, &decision)),
        Err(e) => Err(calling_failed(e)),
    }
}

/// A placed call's result, once the call has ended (or `until` came first): its record as
/// it stands then, with the decision and warnings of the placing.
pub async fn follow(result: &mut CallToolResult, roles: &Roles, until: tokio::time::Instant) {
    if result.is_error == Some(true) {
        return; // refused or failed: nothing was placed
    }
    let Some(placed) = result.structured_content.as_mut() else { return };
    let Some(sid) = placed["call_sid"].as_str().map(str::to_owned) else { return };
    let warning = match roles.telephony.follow(&sid, until).await {
        Ok(record) => {
            let mut value = record_json(&record);
            value["compliance"] = placed["compliance"].take();
            value["warnings"] = placed["warnings"].take();
            *placed = value;
            (!record.status.is_final()).then(|| {
                format!("call {sid} had not ended when this task's time ran out; get_call tells how it goes on")
            })
        }
        Err(e) => Some(format!("call {sid} is placed, but its record could not be read again: {e}")),
    };
    result.content = vec![Content::text(placed.to_string())];
    if let Some(warning) = warning {
        add_warning(result, &warning);
    }
}

/// Adds `warning` to a successful structured result's `warnings`.
pub fn add_warning(result: &mut CallToolResult, warning: &str) {
    let Some(value) = result.structured_content.as_mut().filter(|v| v.is_object()) else { return };
    match value["warnings"].as_array_mut() {
        Some(warnings) => warnings.push(json!(warning)),
        None => value["warnings"] = json!([warning]),
    }
    result.content = vec![Content::text(value.to_string())];
}

/// The structured refusal: an error result the agent can branch on.
fn blocked(phone: &str, lead: &str, checker: &str, decision: &Decision) -> CallToolResult {
    let mut text = format!("COMPLIANCE_BLOCKED: no call was placed to {phone}.");
    for (n, r) in decision.reasons.iter().enumerate() {
        text.push_str(&format!(" ({}) {}: {} [{}]", n + 1, r.code, r.message, r.rule));
    }
    match decision.next_allowed_at {
        Some(at) => text.push_str(&format!(" It may next be called at {}.", rfc3339(at))),
        None => text.push_str(" Waiting will not make it callable: the reasons above must be resolved first."),
    }
    let mut value = decision_json(decision);
    value["code"] = json!("COMPLIANCE_BLOCKED");
    value["phone_number"] = json!(phone);
    value["lead_id"] = json!(lead);
    value["checker"] = json!(checker);
    let mut result = CallToolResult::error(vec![Content::text(text)]);
    result.structured_content = Some(value);
    result
}

fn decision_json(d: &Decision) -> Value {
    let reasons: Vec<Value> =
        d.reasons.iter().map(|r| json!({ "code": r.code, "rule": r.rule, "message": r.message })).collect();
    let zones: Vec<Value> = d.local_times.iter().map(|t| json!({ "zone": t.zone, "time": t.time })).collect();
    json!({
        "allowed": d.allowed,
        "audit_id": d.audit_id,
        "reasons": reasons,
        "next_allowed_at": d.next_allowed_at,
        "next_allowed_at_utc": d.next_allowed_at.map(rfc3339),
        "checked_at": d.checked_at,
        "state": d.state,
        "local_times": zones,
    })
}

fn record_json(r: &CallRecord) -> Value {
    let mut value = serde_json::to_value(r).unwrap_or(Value::Null);
    value["created_at_utc"] = json!(rfc3339(r.created_at));
    value["updated_at_utc"] = json!(rfc3339(r.updated_at));
    value
}

fn recording_json(r: &RecordingInfo) -> Value {
    json!({ "sid": r.sid, "call_sid": r.call_sid, "status": r.status, "url": r.url, "duration_seconds": r.duration_seconds })
}

fn rfc3339(unix: i64) -> String {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix.max(0) as u64);
    humantime::format_rfc3339_seconds(at).to_string()
}
