//! The catalog layer: the tool list the agent sees, and the dispatch of a `tools/call` to the
//! component function behind it.
//!
//! Every exported plain-data function of every loaded component is a tool named
//! `<component>_<function>` (`<component>_<interface>_<function>` when two exported
//! interfaces share a function name), kept within MCP's `^[a-zA-Z0-9_-]{1,64}$`. Two tools
//! with one name are a load error, never a silent overwrite.

pub mod calling;
pub mod roles;
pub mod schema;

use crate::roles::{Roles, Routes, SpeechSettings};
use crate::runtime::{CallError, CallOutput, ExportedFunc, LoadedComponent, Runtime, WitType};
use rmcp::model::{CallToolResult, ContentBlock as Content, Tool};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

const MAX_NAME: usize = 64;

/// One tool: its MCP description and the function that serves it.
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

#[derive(Default)]
pub struct Catalog {
    tools: BTreeMap<String, Entry>,
    /// The components serving the roles, and the role tools they make possible.
    routes: Routes,
    role_tools: Vec<Tool>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("tool name `{name}` is taken twice: by {first} and by {second}; rename one component")]
    Collision { name: String, first: String, second: String },
    #[error("{second}: the component name `{name}` is taken by {first}; give one a `name` in its policy")]
    DuplicateComponent { name: String, first: String, second: String },
}

impl Catalog {
    /// Builds the catalog of a set of components. A component whose name, or one of whose
    /// tool names, is already taken is left out whole and returned with the reason.
    pub fn build(
        components: &[Arc<LoadedComponent>],
        speech: &SpeechSettings,
    ) -> (Self, Vec<(Arc<LoadedComponent>, CatalogError)>) {
        let mut catalog = Self::default();
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
            match catalog.entries(component) {
                Ok(entries) => {
                    names.insert(component.name.clone(), component.source.clone());
                    catalog.tools.extend(entries);
                    accepted.push(component.clone());
                }
                Err(e) => rejected.push((component.clone(), e)),
            }
        }
        catalog.routes = Routes::select(&accepted, speech);
        catalog.role_tools = roles::tools(&catalog.routes);
        catalog.role_tools.extend(calling::tools(&catalog.routes.checkers, &catalog.routes.carriers));
        (catalog, rejected)
    }

    /// The tools of one component, checked against each other and against the catalog.
    fn entries(&self, component: &Arc<LoadedComponent>) -> Result<BTreeMap<String, Entry>, CatalogError> {
        let functions = &component.surface.functions;
        let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
        for (index, func) in functions.iter().enumerate() {
            if func.role {
                continue;
            }
            let shared = functions.iter().filter(|f| f.name == func.name).count() > 1;
            let name = tool_name(&component.name, func, shared);
            let origin = format!("`{}` of {}", func.name, component.source);
            if roles::NAMES.contains(&name.as_str()) || calling::is_reserved(&name) {
                let first = "the host's role tool".to_owned();
                return Err(CatalogError::Collision { name, first, second: origin });
            }
            if let Some(existing) = self.tools.get(&name).or_else(|| entries.get(&name)) {
                let first = format!("`{}` of {}", existing.func().name, existing.component.source);
                return Err(CatalogError::Collision { name, first, second: origin });
            }
            let tool = describe(&name, &component.name, func);
            entries.insert(name, Entry { tool, component: component.clone(), index });
        }
        Ok(entries)
    }

    /// The tools derived from components' exports.
    pub fn tools(&self) -> impl Iterator<Item = &Entry> {
        self.tools.values()
    }

    /// Every tool the agent sees: role tools first, then derived ones.
    pub fn all_tools(&self) -> impl Iterator<Item = &Tool> {
        self.role_tools.iter().chain(self.tools.values().map(|e| &e.tool))
    }

    /// Which components serve the roles.
    pub fn routes(&self) -> &Routes {
        &self.routes
    }

    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.tools.get(name)
    }

    pub fn len(&self) -> usize {
        self.tools.len() + self.role_tools.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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

/// Runs a tool call end to end: look-up, call, rendering. `None` when no tool has that name.
pub async fn call(
    catalog: &Catalog,
    roles_: &Roles,
    runtime: &Arc<Runtime>,
    name: &str,
    args: Option<&Map<String, Value>>,
) -> Option<Called> {
    if roles::NAMES.contains(&name) {
        return roles::call(&catalog.routes, roles_, runtime, name, args).await;
    }
    if calling::is_reserved(name) {
        return calling::call(catalog, roles_, runtime, name, args).await;
    }
    let entry = catalog.get(name)?;
    Some(run(entry, runtime, args).await)
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
