//! The catalog layer: the tool list the agent sees, and the dispatch of a `tools/call` to the
//! component function behind it.
//!
//! Every exported plain-data function of every loaded component is a tool named
//! `<component>_<function>` (`<component>_<interface>_<function>` when two exported
//! interfaces share a function name), kept within MCP's `^[a-zA-Z0-9_-]{1,64}$`. Two tools
//! with one name are a load error, never a silent overwrite.

pub mod annotations;
pub mod calling;
pub mod curation;
pub mod operator;
pub mod roles;
pub mod router;
pub mod schema;

use crate::config::tools::ToolsSettings;
use crate::roles::{Roles, Routes, SpeechSettings};
use crate::runtime::{CallError, CallOutput, ExportedFunc, LoadedComponent, Runtime, WitType};
use futures::future::BoxFuture;
use operator::OperatorTool;
use rmcp::model::{CallToolResult, ContentBlock as Content, Tool};
use router::{Handler, Route, Router};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

const MAX_NAME: usize = 64;

/// A component function behind a tool.
#[derive(Clone)]
pub struct Entry {
    pub tool: Tool,
    pub component: Arc<LoadedComponent>,
    pub index: usize,
}

impl Entry {
    pub fn func(&self) -> &ExportedFunc {
        &self.component.surface.functions[self.index]
    }
}

/// The tools of the loaded components and of the host, in one [`Router`], and the components
/// serving the roles.
#[derive(Default)]
pub struct Catalog {
    router: Router,
    routes: Routes,
    /// What the operator's curation asked that could not be done.
    curation_problems: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("tool name `{name}` is taken twice: by {first} and by {second}; rename one component")]
    Collision { name: String, first: String, second: String },
    #[error("{second}: the component name `{name}` is taken by {first}; give one a `name` in its policy")]
    DuplicateComponent { name: String, first: String, second: String },
}

impl Catalog {
    /// Builds the catalog of a set of components, with the operator tools when `operator`,
    /// curated by `tools`. A component whose name, or one of whose tool names, is already
    /// taken is left out whole and returned with the reason.
    pub fn build(
        components: &[Arc<LoadedComponent>],
        speech: &SpeechSettings,
        operator: bool,
        tools: &ToolsSettings,
    ) -> (Self, Vec<(Arc<LoadedComponent>, CatalogError)>) {
        let mut derived: BTreeMap<String, Entry> = BTreeMap::new();
        let mut accepted = Vec::new();
        let mut names: HashMap<String, String> = HashMap::new();
        let mut rejected = Vec::new();
        for component in components {
            if let Some(first) = names.get(&component.name) {
                let e = CatalogError::DuplicateComponent {
                    name: component.name.clone(),
                    first: first.clone(),
                    second: component.source.clone(),
                };
                rejected.push((component.clone(), e));
                continue;
            }
            match entries(component, &derived) {
                Ok(entries) => {
                    names.insert(component.name.clone(), component.source.clone());
                    derived.extend(entries);
                    accepted.push(component.clone());
                }
                Err(e) => rejected.push((component.clone(), e)),
            }
        }
        let routes = Routes::select(&accepted, speech);
        let mut router = Router::default();
        let host_tools = roles::routes(&routes).into_iter().chain(calling::routes(&routes));
        let operator_tools = operator.then(operator::routes).unwrap_or_default();
        let component_tools = derived
            .into_values()
            .map(|e| Route::new(e.tool, Handler::Derived { component: e.component, index: e.index }));
        let annotated = |mut route: Route| {
            route.tool.annotations = annotations::of(&route.tool.name);
            route
        };
        let (host_tools, operator_tools) = (host_tools.map(annotated), operator_tools.into_iter().map(annotated));
        let all = host_tools.chain(component_tools).chain(operator_tools).collect();
        let (curated, curation_problems) = curation::apply(tools, all);
        for route in curated {
            // Names were checked against the reserved ones and each other above, and
            // curated names against each other.
            let _ = router.add(route);
        }
        (Self { router, routes, curation_problems }, rejected)
    }

    /// Every tool the agent sees, in order: role tools, calling tools, component tools,
    /// operator tools.
    pub fn all_tools(&self) -> impl Iterator<Item = &Tool> {
        self.router.routes().map(|r| &r.tool)
    }

    /// The tools derived from `component`'s exports.
    pub fn tools_of<'a>(&'a self, component: &'a Arc<LoadedComponent>) -> impl Iterator<Item = &'a Tool> + 'a {
        self.router.routes().filter_map(move |r| match &r.handler {
            Handler::Derived { component: c, .. } if Arc::ptr_eq(c, component) => Some(&r.tool),
            _ => None,
        })
    }

    /// What the operator's curation asked that could not be done (a name taken, too long).
    pub fn curation_problems(&self) -> &[String] {
        &self.curation_problems
    }

    /// Which components serve the roles.
    pub fn routes(&self) -> &Routes {
        &self.routes
    }

    /// Whether a call of `name` stops when its client cancels it (see [`Handler::abandonable`]).
    pub fn abandonable(&self, name: &str) -> bool {
        self.router.get(name).is_some_and(|r| r.handler.abandonable())
    }

    /// Whether `name` is one of the host's own long tools (see [`Handler::runs_long`]).
    pub fn runs_long(&self, name: &str) -> bool {
        self.router.get(name).is_some_and(|r| r.handler.runs_long())
    }

    pub fn route(&self, name: &str) -> Option<&Route> {
        self.router.get(name)
    }

    pub fn len(&self) -> usize {
        self.router.len()
    }

    pub fn is_empty(&self) -> bool {
        self.router.is_empty()
    }
}

/// The tools of one component, checked against the host's names, each other and `taken`.
fn entries(
    component: &Arc<LoadedComponent>,
    taken: &BTreeMap<String, Entry>,
) -> Result<BTreeMap<String, Entry>, CatalogError> {
    let functions = &component.surface.functions;
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    for (index, func) in functions.iter().enumerate() {
        if func.role {
            continue;
        }
        let shared = functions.iter().filter(|f| f.name == func.name).count() > 1;
        let name = tool_name(&component.name, func, shared);
        let origin = format!("`{}` of {}", func.name, component.source);
        if router::reserved(&name) {
            let first = "the host's own tool".to_owned();
            return Err(CatalogError::Collision { name, first, second: origin });
        }
        if let Some(existing) = taken.get(&name).or_else(|| entries.get(&name)) {
            let first = format!("`{}` of {}", existing.func().name, existing.component.source);
            return Err(CatalogError::Collision { name, first, second: origin });
        }
        let tool = describe(&name, &component.name, func);
        entries.insert(name, Entry { tool, component: component.clone(), index });
    }
    Ok(entries)
}

/// `<component>_<function>`, made to fit MCP's tool-name rule.
pub fn tool_name(component: &str, func: &ExportedFunc, with_interface: bool) -> String {
    let mut parts = vec![component.to_owned()];
    if with_interface && let Some(iface) = &func.interface_name {
        parts.push(iface.clone());
    }
    parts.push(func.name.clone());
    let raw = parts.join("_").replace('-', "_");
    let name: String =
        raw.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
    if name.len() <= MAX_NAME {
        return name;
    }
    // Too long: keep a readable prefix and make it unique with a digest of the full name.
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(raw.as_bytes()));
    format!("{}_{}", &name[..MAX_NAME - 9], &digest[..8])
}

fn describe(name: &str, component: &str, func: &ExportedFunc) -> Tool {
    let description = func
        .docs
        .clone()
        .unwrap_or_else(|| format!("Calls `{}` of the `{component}` component (it has no doc comment).", func.name));
    let mut tool = Tool::new(name.to_owned(), description, Arc::new(schema::input(func)));
    if let Some(out) = schema::output(func) {
        tool = tool.with_raw_output_schema(Arc::new(out));
    }
    if !func.hints.is_empty() {
        let hints = &func.hints;
        let mut annotations = rmcp::model::ToolAnnotations::new();
        annotations.title = hints.title.clone();
        annotations.read_only_hint = hints.read_only;
        annotations.destructive_hint = hints.destructive;
        annotations.idempotent_hint = hints.idempotent;
        annotations.open_world_hint = hints.open_world;
        tool.title = hints.title.clone();
        tool.annotations = Some(annotations);
    }
    tool
}

/// The MCP result of a finished call: structured content plus a text rendering, or a tool
/// error the agent can act on.
pub fn render(entry: &Entry, outcome: Result<CallOutput, CallError>) -> CallToolResult {
    let name = &entry.tool.name;
    let out = match outcome {
        Ok(out) => out,
        Err(e) => return CallToolResult::error(vec![Content::text(format!("`{name}` failed: {e}"))]),
    };
    let func = entry.func();
    let denied = (!out.denied_hosts.is_empty()).then(|| {
        format!(
            " (the host refused outbound requests to {}: not in the component's allowed_hosts)",
            out.denied_hosts.join(", ")
        )
    });
    let value = out.value.unwrap_or(Value::Null);
    let success = match (&func.result, value) {
        (Some(WitType::Result { err, .. }), Value::Object(mut obj)) if obj.contains_key("err") => {
            let e = obj.remove("err").unwrap_or(Value::Null);
            let detail = match (&e, err) {
                (Value::Null, None) => "no detail".to_string(),
                (Value::String(s), _) => s.clone(),
                (other, _) => other.to_string(),
            };
            let text = format!("`{name}` returned an error: {detail}{}", denied.unwrap_or_default());
            let mut result = CallToolResult::error(vec![Content::text(text)]);
            result.structured_content = Some(json!({ "error": e }));
            return result;
        }
        (Some(WitType::Result { .. }), Value::Object(mut obj)) => obj.remove("ok").unwrap_or(Value::Null),
        (_, value) => value,
    };
    let Some(ty) = schema::success_type(func) else {
        return CallToolResult::success(vec![Content::text("done")]);
    };
    let text = match &success {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let structured = if schema::wraps(ty) {
        let mut obj = Map::new();
        obj.insert("value".into(), success);
        Value::Object(obj)
    } else {
        success
    };
    let mut result = CallToolResult::success(vec![Content::text(text)]);
    result.structured_content = Some(structured);
    result
}

/// A tool call that failed in the host (bad arguments, a role that cannot serve): the
/// message the agent sees, and a fixed label for logs and metrics.
#[derive(Debug)]
pub struct ToolError {
    pub message: String,
    pub kind: &'static str,
}

impl ToolError {
    pub fn new(message: impl Into<String>, kind: &'static str) -> Self {
        Self { message: message.into(), kind }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(message, "invalid_arguments")
    }
}

impl Called {
    /// A call the host served itself (a role or calling tool): its result, or its error as a
    /// tool error the agent can act on.
    pub fn host(tool: &str, outcome: Result<CallToolResult, ToolError>) -> Self {
        let (result, outcome) = match outcome {
            Ok(result) => (result, "ok"),
            Err(e) => (CallToolResult::error(vec![Content::text(format!("`{tool}` failed: {}", e.message))]), e.kind),
        };
        Self { result, outcome, instantiate: None, component: String::new(), memory_peak: None }
    }
}

/// A finished tool call: the MCP result and what happened, for logs and metrics.
pub struct Called {
    pub result: CallToolResult,
    /// `ok`, `tool_error` (the function returned `err`) or the kind of [`CallError`].
    pub outcome: &'static str,
    pub instantiate: Option<std::time::Duration>,
    /// The component that ran, and the most memory its instance used, in bytes.
    pub component: String,
    pub memory_peak: Option<u64>,
}

/// Where a `tools/call` went.
pub enum Dispatched {
    /// Served here.
    Done(Box<Called>),
    /// An operator tool: the host serves it.
    Operator(OperatorTool),
    /// No tool has that name.
    Unknown,
}

/// Runs a tool call end to end: look-up in the router, call, rendering. Boxed: the MCP
/// service wraps it in progress, log and cancellation scopes that then move a pointer, not
/// the call's state; and its state machine is compiled here, not again in each binary.
pub fn call<'a>(
    catalog: &'a Catalog,
    roles_: &'a Roles,
    runtime: &'a Arc<Runtime>,
    name: &'a str,
    args: Option<&'a Map<String, Value>>,
) -> BoxFuture<'a, Dispatched> {
    Box::pin(async move {
        let Some(route) = catalog.route(name) else { return Dispatched::Unknown };
        // The host's own tools compose many steps, and their futures are large (the placing of a
        // call is hundreds of KiB): boxed, they are allocated only by the calls that take them,
        // and a component's call, spawned as a task per request, stays small.
        let called = match &route.handler {
            Handler::Derived { component, index } => {
                let entry = Entry { tool: route.tool.clone(), component: component.clone(), index: *index };
                run(&entry, runtime, args).await
            }
            Handler::Role(tool) => Box::pin(roles::call(*tool, &catalog.routes, roles_, runtime, args)).await,
            Handler::Checker { function } => {
                Box::pin(calling::check(&route.tool, function, &catalog.routes, roles_, runtime, args)).await
            }
            Handler::Call(tool) => Box::pin(calling::call(*tool, &catalog.routes, roles_, runtime, args)).await,
            Handler::Operator(tool) => return Dispatched::Operator(*tool),
        };
        Dispatched::Done(Box::new(called))
    })
}

/// What a call of `name` leads to, for a caller that waits for it (an MCP task) and not only
/// for the call's answer: a placed call is followed until it ends, or until `until`, and
/// `result` becomes the call's record as it then stands.
pub async fn follow(
    catalog: &Catalog,
    roles_: &Roles,
    name: &str,
    result: &mut CallToolResult,
    until: tokio::time::Instant,
) {
    if catalog.route(name).is_some_and(|r| matches!(r.handler, Handler::Call(calling::CallTool::Initiate))) {
        Box::pin(calling::follow(result, roles_, until)).await;
    }
}

/// Calls the component function behind `entry` and renders its result.
async fn run(entry: &Entry, runtime: &Runtime, args: Option<&Map<String, Value>>) -> Called {
    let outcome = runtime.call(&entry.component, entry.index, args).await;
    let (kind, instantiate, memory_peak) = match &outcome {
        Ok(out) => ("ok", Some(out.instantiate_time), Some(out.memory_peak)),
        Err(e) => (e.kind(), None, None),
    };
    let result = render(entry, outcome);
    let outcome = if kind == "ok" && result.is_error == Some(true) { "tool_error" } else { kind };
    Called { result, outcome, instantiate, component: entry.component.name.clone(), memory_peak }
}
