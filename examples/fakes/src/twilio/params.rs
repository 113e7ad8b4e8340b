//! Form bodies and query strings, decoded (`+` and percent escapes) in order. Twilio takes
//! every request parameter this way; a repeated name (`StatusCallbackEvent`) keeps every value.

/// Decoded name/value pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(raw: &[u8]) -> Self {
        Self(form_urlencoded::parse(raw).into_owned().collect())
    }

    pub fn parse_query(raw: Option<&str>) -> Self {
        Self::parse(raw.unwrap_or_default().as_bytes())
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, when it is not empty (Twilio treats an empty value as absent).
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.trim().is_empty())
    }

    /// Every value of `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Encodes pairs as a form body or query string.
pub fn encode(pairs: &[(String, String)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_encodes() {
        let p = Params::parse(b"To=%2B15005550006&StatusCallbackEvent=ringing&StatusCallbackEvent=answered&Url=&A=b+c");
        assert_eq!(p.get("To"), Some("+15005550006"));
        assert_eq!(p.all("StatusCallbackEvent").collect::<Vec<_>>(), ["ringing", "answered"]);
        assert_eq!((p.get("Url"), p.non_empty("Url")), (Some(""), None));
        assert_eq!(p.get("A"), Some("b c"));
        assert_eq!(Params::parse_query(None), Params::default());
        assert_eq!(encode(&[("To".into(), "+1 5".into())]), "To=%2B1+5");
    }
}
