//! The operator's curation (`[tools]`, see `config::tools`) applied to the catalog's routes
//! as the last step of building it, so that a hidden tool is gone from the router: not
//! listed, and a call of it is a call of an unknown tool.
//!
//! For each tool, by its own name (the one the host or the component gives it):
//!
//! 1. hidden if its component's `include` (when not empty) misses it or its `exclude` hits
//!    it, and the same for the global lists;
//! 2. `override` sets its description, title and hints;
//! 3. named `rename`'s name, or else with its component's `prefix` in place of the
//!    component's name; then the global `prefix` goes before it.
//!
//! A name that comes out too long or taken by another tool is not used: the tool keeps its
//! own name, and the problem is reported like a component that did not load.

use super::router::{Handler, Route};
use crate::config::tools::{ToolOverride, ToolsSettings, valid_tool_name};
use rmcp::model::ToolAnnotations;
use std::collections::HashSet;

/// Whether `name` matches `pattern`: `*` any run of characters, `?` one.
pub fn matches(pattern: &str, name: &str) -> bool {
    fn glob(pattern: &[u8], name: &[u8]) -> bool {
        match pattern.split_first() {
            None => name.is_empty(),
            Some((b'*', rest)) => (0..=name.len()).any(|skip| glob(rest, &name[skip..])),
            Some((b'?', rest)) => !name.is_empty() && glob(rest, &name[1..]),
            Some((c, rest)) => name.first() == Some(c) && glob(rest, &name[1..]),
        }
    }
    glob(pattern.as_bytes(), name.as_bytes())
}

fn kept(include: &[String], exclude: &[String], name: &str) -> bool {
    (include.is_empty() || include.iter().any(|p| matches(p, name))) && !exclude.iter().any(|p| matches(p, name))
}

/// The routes as curated, and what could not be done.
pub fn apply(settings: &ToolsSettings, routes: Vec<Route>) -> (Vec<Route>, Vec<String>) {
    if *settings == ToolsSettings::default() {
        return (routes, Vec::new());
    }
    let mut problems = Vec::new();
    let mut visible = Vec::new();
    for route in routes {
        let own = route.tool.name.to_string();
        let component = match &route.handler {
            Handler::Derived { component, .. } => Some(component.name.as_str()),
            _ => None,
        };
        let local = component.and_then(|c| settings.components.get(c));
        if local.is_some_and(|l| !kept(&l.include, &l.exclude, &own))
            || !kept(&settings.include, &settings.exclude, &own)
        {
            continue;
        }
        let wanted = match (settings.rename.get(&own), component, local.and_then(|l| l.prefix.as_deref())) {
            (Some(renamed), ..) => renamed.clone(),
            (None, Some(component), Some(prefix)) => {
                let rest = own.strip_prefix(&format!("{}_", component.replace('-', "_"))).unwrap_or(&own);
                format!("{prefix}_{rest}")
            }
            _ => own.clone(),
        };
        visible.push((route, own, format!("{}{wanted}", settings.prefix)));
    }
    let mut taken: HashSet<String> = HashSet::new();
    let wanted_twice: HashSet<String> = {
        let mut seen = HashSet::new();
        visible.iter().filter(|(.., wanted)| !seen.insert(wanted.clone())).map(|(.., w)| w.clone()).collect()
    };
    let mut curated = Vec::with_capacity(visible.len());
    for (mut route, own, wanted) in visible {
        let name = if !valid_tool_name(&wanted) {
            problems.push(format!(
                "tools: `{own}` would be named `{wanted}`, which is not a valid MCP tool name; it keeps its own name"
            ));
            own.clone()
        } else if wanted_twice.contains(&wanted) && wanted != own {
            problems.push(format!(
                "tools: `{own}` would be named `{wanted}`, which another tool takes; it keeps its own name"
            ));
            own.clone()
        } else {
            wanted
        };
        if !taken.insert(name.clone()) {
            problems
                .push(format!("tools: `{own}` collides with another tool's curated name `{name}`; it is not served"));
            continue;
        }
        if let Some(change) = settings.overrides.get(&own) {
            apply_override(&mut route, change);
        }
        route.tool.name = name.into();
        curated.push(route);
    }
    (curated, problems)
}

fn apply_override(route: &mut Route, change: &ToolOverride) {
    let tool = &mut route.tool;
    if let Some(description) = &change.description {
        tool.description = Some(description.clone().into());
    }
    let hints = [change.read_only, change.destructive, change.idempotent, change.open_world];
    if change.title.is_none() && hints.iter().all(Option::is_none) {
        return;
    }
    let annotations = tool.annotations.get_or_insert_with(ToolAnnotations::new);
    if let Some(title) = &change.title {
        tool.title = Some(title.clone());
        annotations.title = Some(title.clone());
    }
    let slots = [
        &mut annotations.read_only_hint,
        &mut annotations.destructive_hint,
        &mut annotations.idempotent_hint,
        &mut annotations.open_world_hint,
    ];
    for (slot, hint) in slots.into_iter().zip(hints) {
        if hint.is_some() {
            *slot = hint;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::roles::RoleTool;
    use rmcp::model::Tool;
    use std::sync::Arc;

    fn route(name: &str) -> Route {
        let tool = Tool::new(name.to_owned(), "about it", Arc::new(serde_json::Map::new()));
        Route::new(tool, Handler::Role(RoleTool::ListVoices))
    }

    fn names(routes: &[Route]) -> Vec<&str> {
        routes.iter().map(|r| r.tool.name.as_ref()).collect()
    }

    fn settings(text: &str) -> ToolsSettings {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn hidden_tools_are_gone_and_the_rest_renamed_and_prefixed() {
        let routes = ["speak", "list_voices", "switchboard_reload_components", "end_call"].map(route).to_vec();
        let s = settings(
            r#"exclude = ["switchboard_*"]
            prefix = "v_"
            rename = { list_voices = "voices" }"#,
        );
        let (curated, problems) = apply(&s, routes.clone());
        assert_eq!(names(&curated), ["v_speak", "v_voices", "v_end_call"]);
        assert!(problems.is_empty(), "{problems:?}");
        let (curated, _) = apply(&settings(r#"include = ["speak", "end_*"]"#), routes);
        assert_eq!(names(&curated), ["speak", "end_call"]);
    }

    #[test]
    fn a_name_that_cannot_be_used_is_reported_and_not_used() {
        let routes = ["speak", "list_voices"].map(route).to_vec();
        let (curated, problems) = apply(&settings(r#"rename = { list_voices = "speak" }"#), routes.clone());
        assert_eq!(names(&curated), ["speak", "list_voices"], "the renamed one keeps its own name");
        assert_eq!(problems.len(), 1, "{problems:?}");
        let long = "x".repeat(60);
        let (curated, problems) = apply(&settings(&format!("prefix = \"{long}\"")), routes);
        assert_eq!(names(&curated), ["speak", "list_voices"]);
        assert!(problems[0].contains("not a valid MCP tool name"), "{problems:?}");
    }

    #[test]
    fn overrides_change_what_the_agent_is_told() {
        let s = settings(
            r#"[override.speak]
            description = "Say it."
            title = "Say"
            read_only = false
            destructive = true"#,
        );
        let (curated, _) = apply(&s, vec![route("speak")]);
        let tool = &curated[0].tool;
        assert_eq!(tool.description.as_deref(), Some("Say it."));
        assert_eq!(tool.title.as_deref(), Some("Say"));
        let a = tool.annotations.as_ref().unwrap();
        assert_eq!((a.read_only_hint, a.destructive_hint, a.idempotent_hint), (Some(false), Some(true), None));
    }

    #[test]
    fn globs_match_whole_names() {
        assert!(matches("a*c", "abbbc") && matches("a*c", "ac") && matches("*", ""));
        assert!(!matches("a*c", "abcd") && !matches("a?c", "ac"));
    }
}
