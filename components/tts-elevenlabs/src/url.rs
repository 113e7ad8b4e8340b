//! Building request paths: percent-encoding of path segments and query values, and the shape
//! of the ids that go into paths.

/// Percent-encodes everything but RFC 3986's unreserved characters, so a value can sit in a
/// path segment or a query value whatever it contains.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `path?k=v&k=v` with the values encoded; pairs whose value is `None` are left out.
pub fn with_query(path: &str, pairs: &[(&str, Option<&str>)]) -> String {
    let query: Vec<String> = pairs.iter().filter_map(|(k, v)| v.map(|v| format!("{k}={}", encode(v)))).collect();
    if query.is_empty() { path.to_string() } else { format!("{path}?{}", query.join("&")) }
}

/// Whether `id` looks like an ElevenLabs id (voice ids are 20 letters and digits, agent ids
/// `agent_` and more): ASCII letters, digits, `-` and `_`, at most 128. Anything else cannot
/// name a resource and is refused before it reaches a URL.
pub fn is_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_and_queries() {
        assert_eq!(encode("a b/c?d=é"), "a%20b%2Fc%3Fd%3D%C3%A9");
        assert_eq!(encode("Az09-_.~"), "Az09-_.~");
        assert_eq!(
            with_query("/v2/voices", &[("page_size", Some("100")), ("search", None)]),
            "/v2/voices?page_size=100"
        );
        assert_eq!(with_query("/x", &[("a", Some("1&b=2")), ("c", Some(""))]), "/x?a=1%26b%3D2&c=");
        assert_eq!(with_query("/x", &[]), "/x");
    }

    #[test]
    fn ids() {
        assert!(is_id("21m00Tcm4TlvDq8ikWAM") && is_id("agent_01jz-x"));
        assert!(!is_id("") && !is_id("a/b") && !is_id("..") && !is_id(&"a".repeat(129)) && !is_id("é"));
    }
}
