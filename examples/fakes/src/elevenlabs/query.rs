//! Query strings, decoded (`+` and percent escapes) in order.

/// The decoded pairs of a query string.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(pub Vec<(String, String)>);

impl Query {
    pub fn parse(raw: Option<&str>) -> Self {
        Self(raw.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default())
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes() {
        let q = Query::parse(Some("search=r%C3%A9mi+x&page_size=5&page_size=6&flag"));
        assert_eq!(q.get("search"), Some("rémi x"));
        assert_eq!(q.get("page_size"), Some("5"));
        assert_eq!(q.get("flag"), Some(""));
        assert_eq!(Query::parse(None).get("x"), None);
    }
}
