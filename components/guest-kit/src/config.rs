//! Reading a component's configuration values one key at a time, collecting what could not be
//! read instead of stopping at it, so the component can start and report the problem on its
//! first call.

/// Reads keys through `get`, which answers a value, none, or why it could not.
pub struct Reader<F> {
    get: F,
    problems: Vec<String>,
}

impl<F: Fn(&str) -> Result<Option<String>, String>> Reader<F> {
    pub fn new(get: F) -> Self {
        Self { get, problems: Vec::new() }
    }

    /// The value of `key`, trimmed; a blank value counts as none. A value that could not be
    /// read is none too, and its reason is kept for [`Reader::into_problems`].
    pub fn value(&mut self, key: &str) -> Option<String> {
        match (self.get)(key) {
            Ok(v) => v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()),
            Err(e) => {
                self.problems.push(format!("cannot read the `{key}` configuration value: {e}"));
                None
            }
        }
    }

    /// What could not be read, in the order it was asked for.
    pub fn into_problems(self) -> Vec<String> {
        self.problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_trimmed_blank_is_none_and_failures_are_kept() {
        let mut reader = Reader::new(|key: &str| match key {
            "a" => Ok(Some("  x ".to_string())),
            "blank" => Ok(Some("   ".to_string())),
            "broken" => Err("the store is down".to_string()),
            _ => Ok(None),
        });
        assert_eq!(reader.value("a").as_deref(), Some("x"));
        assert_eq!(reader.value("blank"), None);
        assert_eq!(reader.value("absent"), None);
        assert_eq!(reader.value("broken"), None);
        assert_eq!(reader.into_problems(), ["cannot read the `broken` configuration value: the store is down"]);
    }
}
