//! Twilio's webhook signature (`X-Twilio-Signature`), checked as Twilio specifies it:
//!
//! - `application/x-www-form-urlencoded` POST: HMAC-SHA1, keyed by the auth token, over the full
//!   URL followed by every POST parameter's name and value, concatenated without delimiters,
//!   sorted by name (byte order, then by value for repeated names); base64.
//! - GET (or a POST without form parameters): over the URL alone.
//! - JSON body: the URL carries `bodySHA256`, the hex SHA-256 of the body; the signature is over
//!   the URL alone and the body's hash must equal `bodySHA256`.
//!
//! Twilio's own libraries also accept the URL with the scheme's default port added when it has
//! none (`:443` for https, `:80` for http), or removed when it has it, because Twilio is not
//! consistent about it; so does this. Comparisons are constant-time.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What the signature covers besides the URL.
#[derive(Debug, Clone, Copy)]
pub enum Signed<'a> {
    /// The decoded parameters of a form-encoded POST body, in any order.
    Form(&'a [(String, String)]),
    /// A raw JSON body, whose hash the URL's `bodySHA256` carries.
    Json(&'a [u8]),
    /// Nothing: a GET, whose parameters are in the URL.
    UrlOnly,
}

/// The base64 signature Twilio computes for `url` and `params` (already in the order to sign).
pub fn compute(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()) else {
        unreachable!("HMAC takes a key of any length");
    };
    mac.update(url.as_bytes());
    for (name, value) in params {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    BASE64.encode(mac.finalize().into_bytes())
}

/// Whether `signature` is Twilio's for this request, under `auth_token`.
pub fn verify(auth_token: &str, url: &str, signature: &str, signed: Signed<'_>) -> bool {
    let signature = signature.trim().as_bytes();
    let mut orders: Vec<Vec<(String, String)>> = Vec::with_capacity(2);
    match signed {
        Signed::Form(params) => {
            let mut sorted = params.to_vec();
            sorted.sort();
            // twilio-python drops exact duplicate pairs, twilio-node keeps them: accept either.
            let mut unique = sorted.clone();
            unique.dedup();
            let had_duplicates = unique.len() != sorted.len();
            orders.push(sorted);
            if had_duplicates {
                orders.push(unique);
            }
        }
        Signed::Json(body) => {
            let Some(claimed) = query_param(url, "bodySHA256") else { return false };
            let actual = body_sha256_hex(body);
            if !bool::from(actual.as_bytes().ct_eq(claimed.to_ascii_lowercase().as_bytes())) {
                return false;
            }
            orders.push(Vec::new());
        }
        Signed::UrlOnly => orders.push(Vec::new()),
    }
    let mut valid = false;
    for variant in url_variants(url) {
        for params in &orders {
            valid |= bool::from(compute(auth_token, &variant, params).as_bytes().ct_eq(signature));
        }
    }
    valid
}

/// The lowercase hex SHA-256 of a body, as Twilio puts it in `bodySHA256`.
pub fn body_sha256_hex(body: &[u8]) -> String {
    Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect()
}

/// The first value of the query parameter `name` in `url`, decoded.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    query_pairs(url).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// The decoded query parameters of `url`, in order.
pub fn query_pairs(url: &str) -> Vec<(String, String)> {
    let without_fragment = url.split('#').next().unwrap_or_default();
    match without_fragment.split_once('?') {
        Some((_, query)) => form_urlencoded::parse(query.as_bytes()).into_owned().collect(),
        None => Vec::new(),
    }
}

/// The URL as given, then, for an http or https URL, the same with the scheme's default port
/// added when it has no port, or removed when it has the default one. Another port is kept as
/// it is: Twilio signs what it connected to.
pub fn url_variants(url: &str) -> Vec<String> {
    let mut variants = vec![url.to_string()];
    let Some((scheme, rest)) = url.split_once("://") else { return variants };
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "https" => "443",
        "http" => "80",
        _ => return variants,
    };
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_len);
    // Credentials (`user:pass@`) come before the host and may contain `:`.
    let host_start = authority.rfind('@').map_or(0, |at| at + 1);
    let (userinfo, host_port) = authority.split_at(host_start);
    let host_end = if host_port.starts_with('[') {
        // An IPv6 literal: the port, if any, follows the `]`.
        host_port.find(']').map_or(host_port.len(), |end| end + 1)
    } else {
        host_port.find(':').unwrap_or(host_port.len())
    };
    let (host, port) = host_port.split_at(host_end);
    if host.is_empty() {
        return variants;
    }
    let other = match port.strip_prefix(':') {
        None if port.is_empty() => format!("{scheme}://{userinfo}{host}:{default_port}{tail}"),
        Some(p) if p == default_port => format!("{scheme}://{userinfo}{host}{tail}"),
        _ => return variants,
    };
    variants.push(other);
    variants
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "12345";
    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// Twilio's documented example (in the order the body had them).
    fn params() -> Vec<(String, String)> {
        pairs(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ])
    }

    // The expected values below were computed independently with python3's hmac, hashlib and
    // base64 modules, e.g. for the first:
    //   base64.b64encode(hmac.new(b"12345", (URL + "CallSid" "CA1234567890ABCDE" "Caller"
    //   "+12349013030" "Digits" "1234" "From" "+12349013030" "To" "+18005551212").encode(),
    //   hashlib.sha1).digest())
    const FORM_SIG: &str = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

    #[test]
    fn known_good_form_vector() {
        let mut sorted = params();
        sorted.sort();
        assert_eq!(compute(TOKEN, URL, &sorted), FORM_SIG);
        let mut shuffled = params();
        shuffled.reverse();
        assert!(verify(TOKEN, URL, FORM_SIG, Signed::Form(&shuffled)));
    }

    #[test]
    fn tampering_and_wrong_token_fail() {
        let mut tampered = params();
        tampered[2].1 = "9999".into();
        assert!(!verify(TOKEN, URL, FORM_SIG, Signed::Form(&tampered)));
        let mut extra = params();
        extra.push(("X".into(), "y".into()));
        assert!(!verify(TOKEN, URL, FORM_SIG, Signed::Form(&extra)));
        assert!(!verify("54321", URL, FORM_SIG, Signed::Form(&params())));
        assert!(!verify(TOKEN, &URL.replace("foo=1", "foo=2"), FORM_SIG, Signed::Form(&params())));
        assert!(!verify(TOKEN, URL, "", Signed::Form(&params())));
        assert!(!verify(TOKEN, URL, "0/KCTR6DLpKmkAf8muzZqo1nDgQ", Signed::Form(&params())));
    }

    #[test]
    fn repeated_names_sort_by_value() {
        let p = pairs(&[("StatusCallbackEvent", "ringing"), ("A", "1"), ("StatusCallbackEvent", "answered")]);
        // python3: URL + "A1" "StatusCallbackEventanswered" "StatusCallbackEventringing"
        let sig = "nQBTtBNqJINSHshtTvatrpdjvbs=";
        assert!(verify(TOKEN, URL, sig, Signed::Form(&p)));
        // An exact duplicate pair: either kept (twilio-node) or dropped (twilio-python).
        let dup = pairs(&[("A", "1"), ("A", "1")]);
        assert!(verify(TOKEN, URL, &compute(TOKEN, URL, &dup), Signed::Form(&dup)));
        assert!(verify(TOKEN, URL, &compute(TOKEN, URL, &dup[..1]), Signed::Form(&dup)));
    }

    #[test]
    fn default_port_variants_both_ways() {
        let with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
        // python3: signed over the URL with :443.
        let sig_with_port = "EpDEmp1PyjDYp77YxYU3GILBWzE=";
        let mut sorted = params();
        sorted.sort();
        assert_eq!(compute(TOKEN, with_port, &sorted), sig_with_port);
        // Signed with :443, received without; and signed without, received with.
        assert!(verify(TOKEN, URL, sig_with_port, Signed::Form(&params())));
        assert!(verify(TOKEN, with_port, FORM_SIG, Signed::Form(&params())));
        // Another port is not the same URL.
        let other = "https://mycompany.com:8443/myapp.php?foo=1&bar=2";
        assert!(!verify(TOKEN, other, FORM_SIG, Signed::Form(&params())));
        assert!(!verify(TOKEN, other, sig_with_port, Signed::Form(&params())));
    }

    #[test]
    fn url_variant_shapes() {
        assert_eq!(url_variants("http://a.io/x"), ["http://a.io/x", "http://a.io:80/x"]);
        assert_eq!(url_variants("http://a.io:80"), ["http://a.io:80", "http://a.io"]);
        assert_eq!(url_variants("https://u:p@a.io?x=1"), ["https://u:p@a.io?x=1", "https://u:p@a.io:443?x=1"]);
        assert_eq!(url_variants("https://[::1]:443/w"), ["https://[::1]:443/w", "https://[::1]/w"]);
        assert_eq!(url_variants("https://a.io:80/w"), ["https://a.io:80/w"]);
        assert_eq!(url_variants("wss://a.io/w"), ["wss://a.io/w"]);
        assert_eq!(url_variants("nonsense"), ["nonsense"]);
    }

    #[test]
    fn get_signs_the_url_alone() {
        let url = "https://example.com/webhooks/telephony_twilio/status?CallSid=CA1&CallStatus=ringing";
        // python3: base64(hmac(b"12345", url, sha1))
        let sig = "OKVlejaxLQtsr2IfuMBIHUxukOE=";
        assert!(verify(TOKEN, url, sig, Signed::UrlOnly));
        assert!(!verify(TOKEN, &url.replace("ringing", "completed"), sig, Signed::UrlOnly));
        // Form parameters that were not signed break it.
        assert!(!verify(TOKEN, url, sig, Signed::Form(&pairs(&[("A", "1")]))));
    }

    #[test]
    fn json_bodies_carry_their_hash_in_the_url() {
        let body = br#"{"property": "value", "boolean": true}"#;
        let hash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
        assert_eq!(body_sha256_hex(body), hash);
        let url = format!("https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256={hash}");
        // python3: base64(hmac(b"12345", url, sha1))
        let sig = "a9nBmqA0ju/hNViExpshrM61xv4=";
        assert!(verify(TOKEN, &url, sig, Signed::Json(body)));
        assert!(verify(TOKEN, &url.replace(".com/", ".com:443/"), sig, Signed::Json(body)));
        let tampered = br#"{"property": "value", "boolean": false}"#;
        assert!(!verify(TOKEN, &url, sig, Signed::Json(tampered)));
        // Without bodySHA256 a JSON body cannot be checked.
        assert!(!verify(TOKEN, URL, &compute(TOKEN, URL, &[]), Signed::Json(body)));
        assert!(!verify("54321", &url, sig, Signed::Json(body)));
    }

    #[test]
    fn query_parsing() {
        assert_eq!(query_param("https://a.io/x?a=1&b=%2B1+2#f", "b").as_deref(), Some("+1 2"));
        assert_eq!(query_param("https://a.io/x", "b"), None);
        assert_eq!(query_pairs("https://a.io/x?a=1&a=2").len(), 2);
    }
}
