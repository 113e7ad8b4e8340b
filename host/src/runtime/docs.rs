//! Doc comments for tool descriptions, read from the WIT source a component embeds.
//!
//! Today's component toolchains (wit-bindgen + wasm-component-ld, cargo-component) drop WIT
//! doc comments when they build the component. A component keeps them by embedding its WIT
//! source in a custom section named [`SECTION`]; a Rust guest does it with one static:
//!
//! ```ignore
//! #[unsafe(link_section = "switchboard-wit")]
//! #[used]
//! static WIT: [u8; include_bytes!("../wit/world.wit").len()] = *include_bytes!("../wit/world.wit");
//! ```
//!
//! The section may sit in the component or in any core module inside it. Its text is parsed
//! on its own (dependencies need not be present); a section that does not parse is reported
//! and ignored, and the host falls back to generated descriptions.

use std::collections::HashMap;
use wit_parser::{TypeDefKind, UnresolvedPackageGroup, WorldItem};

/// Name of the custom section that carries a component's WIT source.
pub const SECTION: &str = "switchboard-wit";

/// Doc comments keyed by interface (None for world-level items) and item name.
#[derive(Debug, Default, Clone)]
pub struct DocIndex {
    functions: HashMap<(Option<String>, String), String>,
    types: HashMap<(Option<String>, String), String>,
    members: HashMap<(Option<String>, String, String), String>,
}

impl DocIndex {
    /// Collects the docs of every embedded WIT section; returns the problems it met.
    pub fn from_component(bytes: &[u8]) -> (Self, Vec<String>) {
        let mut index = Self::default();
        let mut problems = Vec::new();
        // The host knows the role contracts' docs itself; a component's own docs come later
        // and take precedence.
        for (n, text) in crate::contracts::ROLE_WIT.iter().enumerate() {
            if let Ok(group) = UnresolvedPackageGroup::parse(format!("role-{n}.wit"), text) {
                index.add(&group.main);
            }
        }
        for (n, text) in embedded_sources(bytes).into_iter().enumerate() {
            let Ok(text) = String::from_utf8(text) else {
                problems.push(format!("embedded WIT section {n} is not UTF-8"));
                continue;
            };
            match UnresolvedPackageGroup::parse(format!("embedded-{n}.wit"), &text) {
                Ok(group) => {
                    index.add(&group.main);
                    for pkg in &group.nested {
                        index.add(pkg);
                    }
                }
                Err((_, e)) => problems.push(format!("embedded WIT does not parse: {e}")),
            }
        }
        (index, problems)
    }

    pub fn function(&self, iface: Option<&str>, name: &str) -> Option<String> {
        self.functions.get(&(iface.map(str::to_owned), name.to_owned())).cloned()
    }

    pub fn ty(&self, iface: Option<&str>, name: &str) -> Option<String> {
        self.types.get(&(iface.map(str::to_owned), name.to_owned())).cloned()
    }

    pub fn member(&self, iface: Option<&str>, ty: &str, member: &str) -> Option<String> {
        let key = (iface.map(str::to_owned), ty.to_owned(), member.to_owned());
        self.members.get(&key).cloned()
    }

    fn add(&mut self, pkg: &wit_parser::UnresolvedPackage) {
        for (_, iface) in pkg.interfaces.iter() {
            let scope = iface.name.clone();
            for (name, func) in &iface.functions {
                insert(&mut self.functions, (scope.clone(), name.clone()), &func.docs);
            }
            for (name, id) in &iface.types {
                let def = &pkg.types[*id];
                insert(&mut self.types, (scope.clone(), name.clone()), &def.docs);
                let mut member = |m: &str, docs: &wit_parser::Docs| {
                    insert(&mut self.members, (scope.clone(), name.clone(), m.to_owned()), docs)
                };
                match &def.kind {
                    TypeDefKind::Record(r) => r.fields.iter().for_each(|f| member(&f.name, &f.docs)),
                    TypeDefKind::Variant(v) => v.cases.iter().for_each(|c| member(&c.name, &c.docs)),
                    TypeDefKind::Enum(e) => e.cases.iter().for_each(|c| member(&c.name, &c.docs)),
                    TypeDefKind::Flags(f) => f.flags.iter().for_each(|c| member(&c.name, &c.docs)),
                    _ => {}
                }
            }
        }
        for (_, world) in pkg.worlds.iter() {
            for item in world.exports.values() {
                if let WorldItem::Function(func) = item {
                    insert(&mut self.functions, (None, func.name.clone()), &func.docs);
                }
            }
        }
    }
}

fn insert<K: std::hash::Hash + Eq>(map: &mut HashMap<K, String>, key: K, docs: &wit_parser::Docs) {
    if let Some(text) = docs.contents.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        map.insert(key, text.to_owned());
    }
}

/// The contents of every `switchboard-wit` custom section, at any nesting depth.
fn embedded_sources(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut found = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let Ok(payload) = payload else { break };
        if let wasmparser::Payload::CustomSection(section) = payload
            && section.name() == SECTION
        {
            found.push(section.data().to_vec());
        }
    }
    found
}
