//! `switchboard components check`: will this component load here, and what will it be
//! allowed to do? The component goes through the host's real loader and catalog (beside the
//! components loaded now, so a name taken counts), and the report says its imports and
//! whether the host provides them, the grants it needs that its policy does not give, the
//! tools it will serve with their schemas, and a verdict.

use crate::capabilities::{Grant, PROVIDED};
use crate::host::Host;
use crate::runtime::Surface;
use serde::Serialize;
use serde_json::Value;
use std::fmt::Write as _;
use std::sync::Arc;

#[derive(Debug, Serialize)]
pub struct Report {
    pub component: String,
    pub source: String,
    /// `loads` or `refused`.
    pub verdict: &'static str,
    /// Why it would not load: each names the WIT item or the policy key at fault.
    pub errors: Vec<Finding>,
    /// What loads but will not work as the author may think (a grant missing, a function
    /// that is no tool, a doc tag not understood).
    pub warnings: Vec<Finding>,
    pub imports: Vec<Import>,
    pub exports: Vec<String>,
    /// The tools it will serve, as `tools/list` gives them.
    pub tools: Vec<Value>,
}

#[derive(Debug, Serialize)]
pub struct Finding {
    /// The WIT item or the policy key at fault.
    pub at: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Import {
    pub name: String,
    pub provided: bool,
    /// What the policy must say for it to do anything.
    pub grant: Option<&'static str>,
    pub granted: bool,
}

impl Report {
    pub fn loads(&self) -> bool {
        self.errors.is_empty()
    }

    /// The report as a person reads it, errors first, the way a compiler says them.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{} ({})", self.component, self.source);
        for (kind, findings) in [("error", &self.errors), ("warning", &self.warnings)] {
            for f in findings {
                let _ = writeln!(out, "{kind}: {}: {}", f.at, f.message);
                if let Some(help) = &f.help {
                    let _ = writeln!(out, "  = help: {help}");
                }
            }
        }
        let _ = writeln!(out, "imports:");
        for i in &self.imports {
            let state = match (i.provided, i.grant, i.granted) {
                (false, _, _) => "NOT PROVIDED by this host".to_owned(),
                (true, None, _) => "provided".to_owned(),
                (true, Some(grant), true) => format!("provided, granted ({grant})"),
                (true, Some(grant), false) => format!("provided, NOT GRANTED: needs {grant}"),
            };
            let _ = writeln!(out, "  {}  {state}", i.name);
        }
        if !self.exports.is_empty() {
            let _ = writeln!(out, "exports:\n  {}", self.exports.join("\n  "));
        }
        let _ = writeln!(out, "tools:");
        for t in &self.tools {
            let _ = writeln!(out, "  {}", t["name"].as_str().unwrap_or_default());
            let _ = writeln!(out, "    input:  {}", t["inputSchema"]);
            if let Some(output) = t.get("outputSchema") {
                let _ = writeln!(out, "    output: {output}");
            }
        }
        let _ = writeln!(
            out,
            "verdict: {}",
            if self.loads() { "loads" } else { "refused: it would not load with this configuration" }
        );
        out
    }
}

/// Checks the component `bytes` (from `source`) under the name `name`, with the policy the
/// host would give it: its `[components.<name>]` table, else the policy file `beside` it.
pub fn check(host: &Host, name: &str, bytes: &[u8], source: &str, beside: Option<&std::path::Path>) -> Report {
    let mut report = Report {
        component: name.to_owned(),
        source: source.to_owned(),
        verdict: "refused",
        errors: Vec::new(),
        warnings: Vec::new(),
        imports: Vec::new(),
        exports: Vec::new(),
        tools: Vec::new(),
    };
    let surface = match crate::runtime::inspect(bytes) {
        Ok(surface) => surface,
        Err(e) => {
            let message = format!("{e:#}");
            report.errors.push(Finding { at: "component".into(), message, help: None });
            return report;
        }
    };
    let policy = match host.policy_for(name, beside) {
        Ok(policy) => policy,
        Err(message) => {
            report.errors.push(Finding { at: "policy".into(), message, help: None });
            return report;
        }
    };
    describe(&mut report, &policy, &surface);
    let loaded = match host.runtime.load(name, bytes, policy, source) {
        Ok(loaded) => Arc::new(loaded),
        Err(e) => {
            report.errors.push(finding_of(&e.to_string()));
            return report;
        }
    };
    for problem in &loaded.doc_problems {
        report.warnings.push(Finding { at: "WIT docs".into(), message: problem.clone(), help: None });
    }
    let (catalog, refused) = host.catalog_with(loaded.clone());
    for (component, reason) in refused {
        if Arc::ptr_eq(&component, &loaded) {
            report.errors.push(Finding { at: format!("component `{name}`"), message: reason.to_string(), help: None });
        }
    }
    report.tools = catalog.tools_of(&loaded).map(|t| serde_json::to_value(t).unwrap_or(Value::Null)).collect();
    if report.loads() {
        report.verdict = "loads";
    }
    report
}

/// Imports with what each needs, and the warnings of a component that loaded.
fn describe(report: &mut Report, policy: &crate::policy::Policy, surface: &Surface) {
    for name in &surface.imports {
        let provided = PROVIDED.iter().find(|(prefix, _)| name.starts_with(prefix));
        let grant = provided.and_then(|(_, grant)| *grant);
        let granted = grant.is_none_or(|g| g.given(policy));
        // No outbound host at all is an error of the loader's own (below), not a warning.
        let effect = match grant {
            Some(Grant::KeyValue) => Some("its calls will fail"),
            Some(Grant::Config) => Some("every key it reads will be absent"),
            Some(Grant::AllowedHosts) | None => None,
        };
        if let (false, Some(effect)) = (granted, effect) {
            report.warnings.push(Finding {
                at: format!("import `{name}`"),
                message: format!("the host provides it, but this policy grants nothing through it: {effect}"),
                help: grant.map(|g| format!("set {} in the component's policy", g.key())),
            });
        }
        let grant = grant.map(Grant::key);
        report.imports.push(Import { name: name.clone(), provided: provided.is_some(), grant, granted });
    }
    report.exports = surface.exports.clone();
    if surface.exports.iter().any(|e| e.starts_with("wasi:http/incoming-handler")) && !policy.webhooks {
        report.warnings.push(Finding {
            at: "export `wasi:http/incoming-handler`".into(),
            message: "no webhook reaches it: the policy does not set `webhooks = true`".into(),
            help: Some("set webhooks = true to route /webhooks/<component>/... to it".into()),
        });
    }
    for skipped in &surface.skipped {
        report.warnings.push(Finding {
            at: format!("export `{}`", skipped.name),
            message: format!("not served as a tool: {}", skipped.reason),
            help: None,
        });
    }
}

/// A load error as a finding: the import it names (the policy's check says "imports `x`",
/// wasmtime's linker "imports instance `x`"), else the component.
fn finding_of(message: &str) -> Finding {
    let at = ["imports `", "imports instance `"]
        .iter()
        .find_map(|marker| message.split_once(marker))
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(item, _)| format!("import `{item}`"))
        .unwrap_or_else(|| "component".to_owned());
    let help = message.contains("allowed_hosts").then(|| "list the hosts it may reach in `allowed_hosts`".to_owned());
    Finding { at, message: message.to_owned(), help }
}
