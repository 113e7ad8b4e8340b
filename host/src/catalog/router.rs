//! The one table of tools. Every tool the agent can see or call is registered here once,
//! with its MCP description and the handler that serves it; `tools/list` lists this table and
//! `tools/call` dispatches through it. No name is matched against lists elsewhere.

use super::calling::CallTool;
use super::operator::OperatorTool;
use super::roles::RoleTool;
use crate::runtime::LoadedComponent;
use rmcp::model::Tool;
use std::collections::HashMap;
use std::sync::Arc;

/// What serves a tool.
#[derive(Clone)]
pub enum Handler {
    /// A plain-data function a component exports, by its index in the component's surface.
    Derived { component: Arc<LoadedComponent>, index: usize },
    /// A function of the compliance checker in service, with the schema its WIT gives.
    Checker { function: &'static str },
    /// A role tool the host composes (speech, classification).
    Role(RoleTool),
    /// A calling tool the host orchestrates.
    Call(CallTool),
    /// An operator tool: served by the host itself (`crate::operator`).
    Operator(OperatorTool),
}

impl Handler {
    /// Whether a call may be abandoned halfway when its client cancels it or goes away.
    ///
    /// A component's own function runs in a fresh instance that is dropped whole, like a call
    /// at its deadline, and the read-only role tools leave nothing behind. The compliance
    /// checker, the calling tools and the operator tools change records over several steps (an
    /// attempt reserved, then a call placed and booked): they run to the end, and only their
    /// reply is dropped.
    pub fn abandonable(&self) -> bool {
        match self {
            Self::Derived { .. } => true,
            Self::Role(tool) => !matches!(tool, RoleTool::SetDefaultVoice),
            Self::Checker { .. } | Self::Call(_) | Self::Operator(_) => false,
        }
    }
}

impl Handler {
    /// Whether this is one of the host's own tools that run long (a call placed and followed
    /// to its end, speech of long text): these run as MCP tasks when the client can take one.
    pub fn runs_long(&self) -> bool {
        matches!(self, Self::Call(CallTool::Initiate) | Self::Role(RoleTool::Speak))
    }
}

/// One tool: its MCP description and its handler.
#[derive(Clone)]
pub struct Route {
    pub tool: Tool,
    pub handler: Handler,
}

impl Route {
    pub fn new(tool: Tool, handler: Handler) -> Self {
        Self { tool, handler }
    }
}

/// The tools, in the order `tools/list` gives them.
#[derive(Default)]
pub struct Router {
    routes: Vec<Route>,
    by_name: HashMap<String, usize>,
}

impl Router {
    /// Adds a route; a name already taken is refused, with who took it.
    pub fn add(&mut self, route: Route) -> Result<(), String> {
        let name = route.tool.name.to_string();
        if let Some(&i) = self.by_name.get(&name) {
            return Err(owner(&self.routes[i].handler));
        }
        self.by_name.insert(name, self.routes.len());
        self.routes.push(route);
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&Route> {
        self.by_name.get(name).map(|&i| &self.routes[i])
    }

    pub fn routes(&self) -> impl Iterator<Item = &Route> {
        self.routes.iter()
    }

    pub fn len(&self) -> usize {
        self.routes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }
}

/// Who holds a route, for a collision's message.
pub fn owner(handler: &Handler) -> String {
    match handler {
        Handler::Derived { component, index } => {
            format!("`{}` of {}", component.surface.functions[*index].name, component.source)
        }
        _ => "the host's own tool".to_owned(),
    }
}

/// Every name the host's own tools use, served now or not: a component's tool may not take
/// one, so that loading a role or turning on operator tools never changes what a name means.
pub fn reserved(name: &str) -> bool {
    RoleTool::ALL.iter().any(|t| t.name() == name)
        || CallTool::ALL.iter().any(|t| t.name() == name)
        || super::calling::COMPLIANCE_TOOLS.iter().any(|(tool, _)| *tool == name)
        || OperatorTool::ALL.iter().any(|t| t.name() == name)
}
