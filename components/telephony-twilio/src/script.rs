//! A `call-script` as TwiML: what the callee of a scripted call hears, step by step.
//!
//! - `play(url)`: `<Play>url</Play>`;
//! - `gather`: `<Gather input="dtmf speech" numDigits="1" action="..." method="POST"
//!   timeout="N">` (`input="dtmf"` without speech) around one `<Play>` per URL, then
//!   `</Gather>`: Twilio posts the key pressed (`Digits`) or the words said (`SpeechResult`,
//!   `Confidence`) to the action URL, the host's `gather` webhook;
//! - `hang-up`: `<Hangup/>`;
//!
//! all inside `<?xml ...?><Response>...</Response>`. Every URL is an absolute http(s) URL and is
//! XML-escaped.

use crate::exports::switchboard::telephony::carrier::{CallScript, Gather, Step, WebhookResponse};
use crate::twiml;

/// Whether `url` is an absolute http:// or https:// URL with a host and no spaces or control
/// characters.
pub fn is_http_url(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with(['/', '?', '#']))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The script as TwiML, or what is wrong with it (naming the step): a URL that is not an
/// absolute http(s) URL, a gather without a timeout. Used for a call's inline instructions,
/// where a mistake is the caller's to fix before anything is sent.
pub fn render(script: &CallScript) -> Result<String, String> {
    write(script, true)
}

/// The script as TwiML, leaving out what cannot be rendered (a play of a URL that is not http(s),
/// a gather whose action URL is not): for a webhook's answer, which has no way to fail.
pub fn render_lenient(script: &CallScript) -> String {
    write(script, false).unwrap_or_else(|_| twiml::response(""))
}

/// The answer to a webhook that carries on with `script`: 200 `text/xml`, no event. An empty
/// script is an empty `<Response></Response>` (Twilio then ends the call).
pub fn answer(script: &CallScript) -> WebhookResponse {
    WebhookResponse {
        status: 200,
        content_type: twiml::CONTENT_TYPE.to_string(),
        body: render_lenient(script),
        event: None,
    }
}

fn write(script: &CallScript, strict: bool) -> Result<String, String> {
    let mut verbs = String::new();
    for (index, step) in script.steps.iter().enumerate() {
        let n = index + 1;
        match step {
            Step::Play(url) => match checked(url) {
                Some(url) => verbs.push_str(&play(url)),
                None if strict => return Err(format!("`script` step {n} (play): {}", url_problem())),
                None => {}
            },
            Step::Gather(gather) => match gather_verb(gather, n, strict) {
                Ok(Some(xml)) => verbs.push_str(&xml),
                Ok(None) => {}
                Err(e) => return Err(e),
            },
            Step::HangUp => verbs.push_str("<Hangup/>"),
        }
    }
    Ok(twiml::response(&verbs))
}

/// The URL, trimmed, when it is one Twilio can fetch.
fn checked(url: &str) -> Option<&str> {
    let url = url.trim();
    is_http_url(url).then_some(url)
}

fn url_problem() -> &'static str {
    "each URL must be an absolute http:// or https:// URL"
}

fn play(url: &str) -> String {
    format!("<Play>{}</Play>", twiml::escape(url))
}

/// The `<Gather>` of step `n`; none when leniently left out.
fn gather_verb(gather: &Gather, n: usize, strict: bool) -> Result<Option<String>, String> {
    let Some(action) = checked(&gather.action_url) else {
        return if strict {
            Err(format!("`script` step {n} (gather): `action_url` is not valid: {}", url_problem()))
        } else {
            Ok(None)
        };
    };
    if strict && gather.timeout_seconds == 0 {
        return Err(format!("`script` step {n} (gather): `timeout_seconds` must be at least 1"));
    }
    let input = if gather.speech { "dtmf speech" } else { "dtmf" };
    let mut xml = format!(
        r#"<Gather input="{input}" numDigits="1" action="{}" method="POST" timeout="{}">"#,
        twiml::escape(action),
        gather.timeout_seconds.max(1)
    );
    for (i, url) in gather.play.iter().enumerate() {
        match checked(url) {
            Some(url) => xml.push_str(&play(url)),
            None if strict => {
                return Err(format!("`script` step {n} (gather), play {}: {}", i + 1, url_problem()));
            }
            None => {}
        }
    }
    xml.push_str("</Gather>");
    Ok(Some(xml))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DECL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

    fn script(steps: Vec<Step>) -> CallScript {
        CallScript { steps }
    }

    fn gather(play: &[&str], speech: bool, action: &str, timeout: u32) -> Step {
        Step::Gather(Gather {
            play: play.iter().map(|u| u.to_string()).collect(),
            speech,
            action_url: action.to_string(),
            timeout_seconds: timeout,
        })
    }

    #[test]
    fn each_step() {
        let s = script(vec![Step::Play("https://h.example/audio/a1".into())]);
        assert_eq!(render(&s).unwrap(), format!("{DECL}<Response><Play>https://h.example/audio/a1</Play></Response>"));
        let s = script(vec![Step::HangUp]);
        assert_eq!(render(&s).unwrap(), format!("{DECL}<Response><Hangup/></Response>"));
        let s = script(vec![gather(&["https://h/u1"], true, "https://h/webhooks/t/gather", 5), Step::HangUp]);
        assert_eq!(
            render(&s).unwrap(),
            format!(
                r#"{DECL}<Response><Gather input="dtmf speech" numDigits="1" action="https://h/webhooks/t/gather" method="POST" timeout="5"><Play>https://h/u1</Play></Gather><Hangup/></Response>"#
            )
        );
        let s = script(vec![gather(&["http://h/1", "http://h/2"], false, "http://h/g", 8)]);
        assert_eq!(
            render(&s).unwrap(),
            format!(
                r#"{DECL}<Response><Gather input="dtmf" numDigits="1" action="http://h/g" method="POST" timeout="8"><Play>http://h/1</Play><Play>http://h/2</Play></Gather></Response>"#
            )
        );
        let s = script(vec![gather(&[], false, "http://h/g", 3)]);
        assert!(render(&s).unwrap().contains(r#"timeout="3"></Gather></Response>"#));
        assert_eq!(render(&script(vec![])).unwrap(), format!("{DECL}<Response></Response>"));
    }

    #[test]
    fn urls_are_escaped() {
        let s = script(vec![
            Step::Play(" https://h.example/audio?id=1&x=<2> ".into()),
            gather(&["https://h/a?b=1&c='d'"], true, "https://h/g?lead=\"L\"&s=1", 5),
        ]);
        assert_eq!(
            render(&s).unwrap(),
            format!(
                r#"{DECL}<Response><Play>https://h.example/audio?id=1&amp;x=&lt;2&gt;</Play><Gather input="dtmf speech" numDigits="1" action="https://h/g?lead=&quot;L&quot;&amp;s=1" method="POST" timeout="5"><Play>https://h/a?b=1&amp;c=&apos;d&apos;</Play></Gather></Response>"#
            )
        );
    }

    #[test]
    fn bad_urls_are_refused_naming_the_step() {
        let cases = [
            (script(vec![Step::HangUp, Step::Play("ftp://h/a".into())]), "step 2 (play)"),
            (script(vec![Step::Play("/audio/1".into())]), "step 1 (play)"),
            (script(vec![gather(&["https://h/1"], true, "javascript:alert(1)", 5)]), "`action_url`"),
            (script(vec![gather(&["https://h/1", "https://h/a b"], true, "https://h/g", 5)]), "play 2"),
            (script(vec![gather(&[], true, "https://h/g", 0)]), "`timeout_seconds`"),
            (script(vec![Step::Play("https://".into())]), "http://"),
        ];
        for (s, expected) in cases {
            let e = render(&s).unwrap_err();
            assert!(e.contains(expected) && e.starts_with("`script` step"), "{e} / {expected}");
        }
    }

    #[test]
    fn answers_refuse_nothing() {
        let r = answer(&script(vec![]));
        assert_eq!((r.status, r.content_type.as_str(), r.event), (200, "text/xml", None));
        assert_eq!(r.body, format!("{DECL}<Response></Response>"));
        let r = answer(&script(vec![
            Step::Play("https://h/confirm".into()),
            Step::Play("not a url".into()),
            gather(&["https://h/1"], true, "nope", 5),
            gather(&["https://h/2", "bad"], false, "https://h/g", 0),
            Step::HangUp,
        ]));
        assert_eq!(
            r.body,
            format!(
                r#"{DECL}<Response><Play>https://h/confirm</Play><Gather input="dtmf" numDigits="1" action="https://h/g" method="POST" timeout="1"><Play>https://h/2</Play></Gather><Hangup/></Response>"#
            )
        );
    }
}
