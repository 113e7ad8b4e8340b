//! The `[tools]` table: the operator's curation of the tool list, over every tool (the host's
//! and the components'), and per component. Applied by `catalog::curation`.
//!
//! ```toml
//! [tools]
//! exclude = ["switchboard_*", "tts_elevenlabs_*"]   # names or globs (`*`, `?`); hidden = uncallable
//! include = []                                       # when not empty, only these
//! prefix = ""                                        # put before every tool's name
//! rename = { hello_tool_greet = "greet" }
//!
//! [tools.override.check_tcpa_compliance]            # by the tool's own name
//! description = "Check a call before it is placed."
//! title = "TCPA check"
//! read_only = true                                   # also destructive, idempotent, open_world
//!
//! [tools.components.hello_tool]                     # this component's tools only
//! exclude = ["hello_tool_debug_*"]
//! prefix = "hi"                                      # hi_greet instead of hello_tool_greet
//! ```

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ToolsSettings {
    /// When not empty, only the tools these names or globs match are served.
    pub include: Vec<String>,
    /// Tools these names or globs match are not served (listed or callable).
    pub exclude: Vec<String>,
    /// Put before every tool's name, after any rename.
    pub prefix: String,
    /// A tool's own name to the name it is served under.
    pub rename: BTreeMap<String, String>,
    /// By a tool's own name: what the agent is told about it instead.
    #[serde(rename = "override")]
    pub overrides: BTreeMap<String, ToolOverride>,
    /// By component name: curation of that component's tools.
    pub components: BTreeMap<String, ComponentTools>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ComponentTools {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Replaces the component's name at the start of its tools' names.
    pub prefix: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ToolOverride {
    pub description: Option<String>,
    pub title: Option<String>,
    pub read_only: Option<bool>,
    pub destructive: Option<bool>,
    pub idempotent: Option<bool>,
    pub open_world: Option<bool>,
}

/// MCP's rule for a tool name: 1 to 64 of `A-Z a-z 0-9 _ -`.
pub fn valid_tool_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl ToolsSettings {
    /// What the file cannot mean: names no tool could have, and patterns that match nothing.
    pub fn check(&self) -> Result<(), String> {
        let name_part = |what: &str, s: &str| {
            if s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') && s.len() < 64 {
                Ok(())
            } else {
                Err(format!("tools: {what} `{s}` may hold only A-Z, a-z, 0-9, `_` and `-`, and fewer than 64 of them"))
            }
        };
        name_part("prefix", &self.prefix)?;
        for (from, to) in &self.rename {
            if !valid_tool_name(to) {
                return Err(format!(
                    "tools.rename: `{from}` = `{to}`: a tool name is 1 to 64 of A-Z, a-z, 0-9, `_` and `-`"
                ));
            }
        }
        let mut targets: BTreeMap<&str, &str> = BTreeMap::new();
        for (from, to) in &self.rename {
            if let Some(other) = targets.insert(to, from) {
                return Err(format!("tools.rename: `{other}` and `{from}` are both renamed `{to}`"));
            }
        }
        for (name, component) in &self.components {
            if let Some(prefix) = &component.prefix {
                if prefix.is_empty() {
                    return Err(format!(
                        "tools.components.{name}: an empty prefix would leave names starting with `_`"
                    ));
                }
                name_part(&format!("components.{name}.prefix"), prefix)?;
            }
        }
        let patterns = self.include.iter().chain(&self.exclude);
        let per_component = self.components.values().flat_map(|c| c.include.iter().chain(&c.exclude));
        if let Some(empty) = patterns.chain(per_component).find(|p| p.trim().is_empty()) {
            return Err(format!("tools: the pattern `{empty}` is empty and matches no tool"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ToolsSettings, String> {
        let settings: ToolsSettings = toml::from_str(text).map_err(|e| e.to_string())?;
        settings.check().map(|()| settings)
    }

    #[test]
    fn a_curation_table_parses_and_is_checked() {
        let t = parse(
            r#"exclude = ["switchboard_*"]
            rename = { hello_tool_greet = "greet" }
            [override.speak]
            title = "Say it"
            read_only = true
            [components.hello_tool]
            prefix = "hi""#,
        )
        .unwrap();
        assert_eq!(t.rename["hello_tool_greet"], "greet");
        assert_eq!(t.overrides["speak"].read_only, Some(true));
        assert_eq!(t.components["hello_tool"].prefix.as_deref(), Some("hi"));
        assert!(parse(r#"rename = { a = "has space" }"#).unwrap_err().contains("a tool name is"));
        assert!(parse(r#"rename = { a = "x", b = "x" }"#).unwrap_err().contains("both renamed `x`"));
        assert!(parse(r#"prefix = "v1.""#).unwrap_err().contains("may hold only"));
        assert!(parse(r#"exclude = [""]"#).unwrap_err().contains("is empty"));
        assert!(parse("[override.speak]\nreadonly = true").unwrap_err().contains("unknown field"));
    }
}
