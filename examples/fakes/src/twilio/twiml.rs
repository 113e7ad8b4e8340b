//! Reading TwiML, as far as the fake carries it out: a small XML reader (elements, attributes
//! in double or single quotes, text, the five predefined entities and character references,
//! comments, CDATA, the `<?xml?>` declaration) and the [`Plan`] of a `<Response>`: the URLs
//! its `<Play>` verbs fetch (top level and inside `<Gather>`), its first `<Gather>`, and
//! whether it hangs up.

/// How deep elements may nest (TwiML nests three levels at most).
const MAX_DEPTH: usize = 32;

/// One XML element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    /// Attributes in document order, values unescaped.
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Node>,
}

impl Element {
    /// The child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The text inside, unescaped and trimmed.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for child in &self.children {
            if let Node::Text(t) = child {
                out.push_str(t);
            }
        }
        out.trim().to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
}

/// A `<Gather>` as written: its attributes, and the `<Play>` URLs inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatherVerb {
    pub attributes: Vec<(String, String)>,
    pub plays: Vec<String>,
}

/// What a TwiML document asks the fake to do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Every `<Play>` URL, top level or inside a `<Gather>`, in document order (a `<Play>`
    /// with only `digits` has none).
    pub plays: Vec<String>,
    /// The first `<Gather>`.
    pub gather: Option<GatherVerb>,
    /// A top-level `<Hangup/>` reached without a `<Gather>` before it (after a `<Gather>`, it
    /// is what happens when no input comes: the fake waits for input instead).
    pub hangup: bool,
}

/// The plan of a `<Response>` document.
pub fn plan(xml: &str) -> Result<Plan, String> {
    let root = parse(xml)?;
    if root.name != "Response" {
        return Err(format!("the root element is <{}>, not <Response>", root.name));
    }
    let mut plan = Plan::default();
    let play_url = |e: &Element| Some(e.text()).filter(|t| !t.is_empty());
    for verb in root.elements() {
        match verb.name.as_str() {
            "Play" => plan.plays.extend(play_url(verb)),
            "Gather" => {
                let nested: Vec<String> = verb.elements().filter(|e| e.name == "Play").filter_map(play_url).collect();
                plan.plays.extend(nested.iter().cloned());
                if plan.gather.is_none() {
                    plan.gather = Some(GatherVerb { attributes: verb.attributes.clone(), plays: nested });
                }
            }
            "Hangup" if plan.gather.is_none() => plan.hangup = true,
            _ => {}
        }
    }
    Ok(plan)
}

/// Reads a document: an optional declaration, comments, and one root element.
pub fn parse(xml: &str) -> Result<Element, String> {
    let mut reader = Reader { src: xml.trim_start_matches('\u{feff}'), at: 0 };
    reader.misc()?;
    if reader.rest().starts_with("<?xml") {
        reader.skip_past("?>")?;
    }
    reader.misc()?;
    if !reader.rest().starts_with('<') {
        return Err("the document has no root element".into());
    }
    let root = reader.element(0)?;
    reader.misc()?;
    if !reader.rest().is_empty() {
        return Err(format!("content after the root element at byte {}", reader.at));
    }
    Ok(root)
}

struct Reader<'a> {
    src: &'a str,
    at: usize,
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')
}

impl Reader<'_> {
    fn rest(&self) -> &str {
        &self.src[self.at..]
    }

    fn eat(&mut self, prefix: &str) -> bool {
        let found = self.rest().starts_with(prefix);
        if found {
            self.at += prefix.len();
        }
        found
    }

    fn skip_whitespace(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    fn skip_past(&mut self, end: &str) -> Result<(), String> {
        match self.rest().find(end) {
            Some(i) => {
                self.at += i + end.len();
                Ok(())
            }
            None => Err(format!("no `{end}` after byte {}", self.at)),
        }
    }

    /// Whitespace, comments and processing instructions between elements.
    fn misc(&mut self) -> Result<(), String> {
        loop {
            self.skip_whitespace();
            if self.rest().starts_with("<!--") {
                self.skip_past("-->")?;
            } else if self.rest().starts_with("<?") && !self.rest().starts_with("<?xml") {
                self.skip_past("?>")?;
            } else {
                return Ok(());
            }
        }
    }

    fn name(&mut self) -> Result<String, String> {
        let rest = self.rest();
        let len = rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
        if len == 0 {
            return Err(format!("a name was expected at byte {}", self.at));
        }
        let name = rest[..len].to_string();
        self.at += len;
        Ok(name)
    }

    /// An element, starting at its `<`.
    fn element(&mut self, depth: usize) -> Result<Element, String> {
        if depth > MAX_DEPTH {
            return Err("elements nest too deep".into());
        }
        if !self.eat("<") {
            return Err(format!("`<` expected at byte {}", self.at));
        }
        let name = self.name()?;
        let mut element = Element { name, attributes: Vec::new(), children: Vec::new() };
        loop {
            self.skip_whitespace();
            if self.eat("/>") {
                return Ok(element);
            }
            if self.eat(">") {
                break;
            }
            let attribute = self.name()?;
            self.skip_whitespace();
            if !self.eat("=") {
                return Err(format!("`=` expected after the attribute {attribute}"));
            }
            self.skip_whitespace();
            let quote = match self.rest().chars().next() {
                Some(q @ ('"' | '\'')) => q,
                _ => return Err(format!("the value of {attribute} is not quoted")),
            };
            self.at += 1;
            let end = self.rest().find(quote).ok_or_else(|| format!("the value of {attribute} is not closed"))?;
            let raw = &self.rest()[..end];
            if raw.contains('<') {
                return Err(format!("`<` in the value of {attribute}"));
            }
            let value = unescape(raw)?;
            self.at += end + 1;
            if element.attributes.iter().any(|(k, _)| *k == attribute) {
                return Err(format!("the attribute {attribute} is given twice"));
            }
            element.attributes.push((attribute, value));
        }
        loop {
            if self.eat("</") {
                let closing = self.name()?;
                self.skip_whitespace();
                if closing != element.name || !self.eat(">") {
                    return Err(format!("</{closing}> does not close <{}>", element.name));
                }
                return Ok(element);
            }
            if self.rest().starts_with("<!--") {
                self.skip_past("-->")?;
            } else if self.eat("<![CDATA[") {
                let end = self.rest().find("]]>").ok_or("an unclosed CDATA section")?;
                element.children.push(Node::Text(self.rest()[..end].to_string()));
                self.at += end + 3;
            } else if self.rest().starts_with('<') {
                element.children.push(Node::Element(self.element(depth + 1)?));
            } else if self.rest().is_empty() {
                return Err(format!("<{}> is not closed", element.name));
            } else {
                let end = self.rest().find('<').unwrap_or(self.rest().len());
                let text = unescape(&self.rest()[..end])?;
                element.children.push(Node::Text(text));
                self.at += end;
            }
        }
    }
}

/// Replaces `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` and `&#N;` / `&#xN;`.
pub fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').filter(|&e| e <= 10).ok_or("an `&` that starts no entity")?;
        let entity = &after[..end];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = match entity.strip_prefix("#x").or_else(|| entity.strip_prefix("#X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => entity.strip_prefix('#').and_then(|d| d.parse().ok()),
                };
                code.and_then(char::from_u32).ok_or_else(|| format!("the unknown entity &{entity};"))?
            }
        };
        out.push(c);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elements_attributes_and_entities() {
        let doc = parse(
            "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c --><Response>\n  <Say voice='alice'>Tom &amp; \
             Jerry &lt;3 &#65;&#x42;</Say><Pause length=\"2\"/><![CDATA[<raw>]]></Response>\n",
        )
        .expect("valid");
        assert_eq!(doc.name, "Response");
        let verbs: Vec<&Element> = doc.elements().collect();
        assert_eq!(verbs.len(), 2);
        assert_eq!(verbs[0].attributes, [("voice".to_string(), "alice".to_string())]);
        assert_eq!(verbs[0].text(), "Tom & Jerry <3 AB");
        assert_eq!(verbs[1].attributes, [("length".to_string(), "2".to_string())]);
        assert!(doc.children.contains(&Node::Text("<raw>".into())));
        assert_eq!(unescape("&quot;a&apos;").as_deref(), Ok("\"a'"));
    }

    #[test]
    fn refuses_what_is_not_xml() {
        for bad in [
            "",
            "hello",
            "<Response>",
            "<Response></Say>",
            "<Response><Say>a</Response>",
            "<Response a=b/>",
            "<Response a=\"1\" a=\"2\"/>",
            "<Response a=\"x<y\"/>",
            "<Response>&nbsp;</Response>",
            "<Response>AT&T</Response>",
            "<Response/><Response/>",
            "<Response><!-- open</Response>",
            "<Response>&#xD800;</Response>",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn plans_plays_the_first_gather_and_hangups() {
        let twiml = r#"<Response>
            <Play>https://host.test/audio/1.wav</Play>
            <Gather input="dtmf speech" numDigits="1" action="https://host.test/gather?a=1&amp;b=2" timeout="5">
                <Play>https://host.test/audio/2.wav</Play><Say>Press 9</Say>
            </Gather>
            <Gather action="/second"><Play>https://host.test/audio/3.wav</Play></Gather>
            <Play digits="1234"/>
            <Hangup/>
        </Response>"#;
        let plan = plan(twiml).expect("valid");
        assert_eq!(
            plan.plays,
            ["https://host.test/audio/1.wav", "https://host.test/audio/2.wav", "https://host.test/audio/3.wav"]
        );
        let gather = plan.gather.expect("a gather");
        assert_eq!(gather.plays, ["https://host.test/audio/2.wav"]);
        assert!(gather.attributes.contains(&("action".into(), "https://host.test/gather?a=1&b=2".into())));
        assert!(!plan.hangup, "the hangup comes after the gather");
        let done = super::plan("<Response><Play>u</Play><Hangup/></Response>").expect("valid");
        assert_eq!((done.plays.len(), done.hangup, done.gather), (1, true, None));
        let stream = super::plan(
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://x/y"><Parameter name="a" value="b"/></Stream></Connect></Response>"#,
        )
        .expect("valid");
        assert_eq!(stream, Plan::default());
        assert!(super::plan("<Say>x</Say>").is_err());
    }
}
