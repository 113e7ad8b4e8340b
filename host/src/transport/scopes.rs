//! Which OAuth scope each tool needs (`[http.oauth.scopes]`), and what an access token was
//! granted. A tool whose scope a token lacks is neither listed nor callable with it.
//!
//! A rule's key is a tool name or a glob (`*` any run of characters, `?` one). An exact name
//! wins over globs; among globs, the longest (the most specific) wins. A tool no rule
//! matches needs no scope beyond a valid token.

use crate::catalog::curation::matches;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct ScopeRules {
    exact: BTreeMap<String, String>,
    /// Longest first.
    globs: Vec<(String, String)>,
}

impl ScopeRules {
    pub fn new(rules: &BTreeMap<String, String>) -> Self {
        let (globs, exact): (Vec<_>, Vec<_>) =
            rules.iter().map(|(k, v)| (k.clone(), v.clone())).partition(|(k, _)| k.contains(['*', '?']));
        let mut globs = globs;
        globs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        Self { exact: exact.into_iter().collect(), globs }
    }

    /// The scope `tool` needs, if any.
    pub fn needed(&self, tool: &str) -> Option<&str> {
        if let Some(scope) = self.exact.get(tool) {
            return Some(scope);
        }
        self.globs.iter().find(|(pattern, _)| matches(pattern, tool)).map(|(_, s)| s.as_str())
    }

    /// Every scope a rule names, for the Protected Resource Metadata.
    pub fn all(&self) -> Vec<String> {
        let mut all: Vec<String> = self.exact.values().chain(self.globs.iter().map(|(_, s)| s)).cloned().collect();
        all.sort();
        all.dedup();
        all
    }
}

/// The scopes of the access token a request came with (absent: a static token or none).
#[derive(Clone, Debug)]
pub struct Granted {
    pub scopes: Arc<HashSet<String>>,
    pub rules: Arc<ScopeRules>,
    /// The token's `sub`: whose tasks these are.
    pub subject: Option<Arc<str>>,
}

impl Granted {
    /// The scope `tool` needs that this token lacks.
    pub fn missing(&self, tool: &str) -> Option<&str> {
        self.rules.needed(tool).filter(|scope| !self.scopes.contains(*scope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(pairs: &[(&str, &str)]) -> ScopeRules {
        ScopeRules::new(&pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn exact_names_win_then_the_longest_glob() {
        let r = rules(&[("*", "tools"), ("initiate_*", "calls"), ("initiate_call_with_compliance", "calls:safe")]);
        assert_eq!(r.needed("initiate_call_with_compliance"), Some("calls:safe"));
        assert_eq!(r.needed("initiate_call"), Some("calls"));
        assert_eq!(r.needed("speak"), Some("tools"));
        assert_eq!(r.all(), ["calls", "calls:safe", "tools"]);
        assert_eq!(rules(&[("tts_?", "x")]).needed("tts_ab"), None);
        assert_eq!(rules(&[("tts_?", "x")]).needed("speak"), None);
    }

    #[test]
    fn a_token_sees_what_its_scopes_cover() {
        let granted = Granted {
            scopes: Arc::new(["tools".to_owned()].into()),
            rules: Arc::new(rules(&[("*", "tools"), ("end_call", "calls")])),
            subject: None,
        };
        assert_eq!(granted.missing("speak"), None);
        assert_eq!(granted.missing("end_call"), Some("calls"));
    }
}
