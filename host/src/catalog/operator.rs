//! The operator tools, as the catalog lists them (off unless the operator turns them on).
//! The host serves them (`crate::operator`): they change what is loaded.

use super::roles::{object, tool};
use super::router::{Handler, Route};
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperatorTool {
    ListComponents,
    ReloadComponents,
    UnloadComponent,
    LoadComponent,
    SetTtsProviders,
}

impl OperatorTool {
    pub const ALL: [OperatorTool; 5] = [
        Self::ListComponents,
        Self::ReloadComponents,
        Self::UnloadComponent,
        Self::LoadComponent,
        Self::SetTtsProviders,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::ListComponents => "switchboard_list_components",
            Self::ReloadComponents => "switchboard_reload_components",
            Self::UnloadComponent => "switchboard_unload_component",
            Self::LoadComponent => "switchboard_load_component",
            Self::SetTtsProviders => "switchboard_set_tts_providers",
        }
    }

    fn doc(self) -> &'static str {
        match self {
            Self::ListComponents => {
                "Lists the loaded components: source, SHA-256, policy, tools; and those rejected or unloaded."
            }
            Self::ReloadComponents => "Reads the components directory and the config again and swaps in what changed.",
            Self::UnloadComponent => "Unloads a component until it is loaded again; calls in flight finish.",
            Self::LoadComponent => {
                "Loads again a component that was unloaded (from the operator's directory or config)."
            }
            Self::SetTtsProviders => {
                "Sets the order of the text-to-speech providers (component names, first preferred) until the config \
                 changes or the host restarts; an empty list means every loaded provider. Calls in flight finish on \
                 the provider they started with."
            }
        }
    }

    fn input(self) -> serde_json::Map<String, serde_json::Value> {
        let name = || json!({ "name": { "type": "string", "description": "The component's name (its file stem)." } });
        match self {
            Self::ListComponents | Self::ReloadComponents => object(json!({}), &[]),
            Self::UnloadComponent | Self::LoadComponent => object(name(), &["name"]),
            Self::SetTtsProviders => {
                object(json!({ "providers": { "type": "array", "items": { "type": "string" } } }), &["providers"])
            }
        }
    }
}

/// The operator tools' routes.
pub fn routes() -> Vec<Route> {
    OperatorTool::ALL
        .iter()
        .map(|&t| Route::new(tool(t.name(), t.doc(), t.input(), None), Handler::Operator(t)))
        .collect()
}
