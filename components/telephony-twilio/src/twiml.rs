//! The TwiML this component answers Twilio with. Every attribute value and every text is
//! XML-escaped.

/// The content type of TwiML answers.
pub const CONTENT_TYPE: &str = "text/xml";

const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// What a connected call hears when no voice agent is configured (or it cannot be reached).
pub const NO_AGENT: &str = "Sorry, no agent is available to take this call. Goodbye.";

/// Escapes `&`, `<`, `>`, `"` and `'`, so that `text` can sit in an attribute or an element.
/// Control characters XML 1.0 does not allow are dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A whole TwiML document: the XML declaration, then `<Response>` around `verbs` (already
/// escaped TwiML).
pub fn response(verbs: &str) -> String {
    format!("{DECLARATION}<Response>{verbs}</Response>")
}

/// Connects the call's audio, both ways, to a WebSocket (`<Connect><Stream>`), passing
/// `parameters` as the stream's custom parameters (they arrive in its `start` message).
pub fn connect_stream(url: &str, parameters: &[(&str, &str)]) -> String {
    let mut xml = format!(r#"{DECLARATION}<Response><Connect><Stream url="{}">"#, escape(url));
    for (name, value) in parameters {
        xml.push_str(&format!(r#"<Parameter name="{}" value="{}"/>"#, escape(name), escape(value)));
    }
    xml.push_str("</Stream></Connect></Response>");
    xml
}

/// Says `text`, then hangs up.
pub fn say_and_hang_up(text: &str) -> String {
    response(&format!("<Say>{}</Say><Hangup/>", escape(text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape(r#"a&b<c>d"e'f"#), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
        assert_eq!(escape("plain é"), "plain é");
        assert_eq!(escape("x\u{0}y\u{1b}z\n"), "xyz\n");
        assert_eq!(escape("&amp;"), "&amp;amp;");
    }

    #[test]
    fn stream_answer() {
        let xml = connect_stream("wss://agent.example/s?a=1&b=\"2\"", &[("call_sid", "CA<1>")]);
        assert_eq!(
            xml,
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://agent.example/s?a=1&amp;b=&quot;2&quot;"><Parameter name="call_sid" value="CA&lt;1&gt;"/></Stream></Connect></Response>"#
        );
        assert!(connect_stream("wss://a", &[]).contains(r#"<Stream url="wss://a"></Stream>"#));
    }

    #[test]
    fn documents() {
        assert_eq!(response(""), r#"<?xml version="1.0" encoding="UTF-8"?><Response></Response>"#);
        assert_eq!(response("<Hangup/>"), r#"<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>"#);
    }

    #[test]
    fn no_agent_answer() {
        assert_eq!(
            say_and_hang_up("Sorry & goodbye"),
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say>Sorry &amp; goodbye</Say><Hangup/></Response>"#
        );
    }
}
