//! Carrying out a call's TwiML, minimally, the way Twilio does: each `<Play>` URL is fetched
//! (a plain `GET`, no credentials) and the fetch recorded ([`PlayFetch`]); the first
//! `<Gather>` is remembered ([`Gather`]) until the callee answers it with keys or speech
//! ([`submit`]), which posts Twilio's Gather callback, signed, to its action URL and carries
//! out the TwiML that comes back; a `<Hangup/>` ends the call. Anything else (`<Say>`,
//! `<Pause>`, `<Connect><Stream>`, ...) is not acted on.

use super::events;
use super::state::Shared;
use super::store::{CallStatus, Hook};
use super::twiml::{self, GatherVerb};
use super::webhooks::{Delivery, Kind, Outgoing};
use std::fmt;
use std::time::{Duration, Instant, SystemTime};

/// One `<Play>` URL as the fake fetched it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayFetch {
    /// The URL fetched (resolved against the document's URL when relative).
    pub url: String,
    /// The HTTP status; none when it could not be reached or did not answer in time.
    pub status: Option<u16>,
    /// `Content-Type` of the answer.
    pub content_type: Option<String>,
    /// Body bytes received.
    pub bytes: u64,
    /// From sending the request to the first body byte; none without a body.
    pub first_byte: Option<Duration>,
    /// From sending the request to the end of the body.
    pub total: Duration,
    /// When the fetch started.
    pub at: SystemTime,
    /// Why the fetch failed, if it did.
    pub error: Option<String>,
}

impl PlayFetch {
    /// Whether the audio came: a 2xx with a body.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s)) && self.bytes > 0 && self.error.is_none()
    }
}

/// A `<Gather>` waiting for the callee, with Twilio's defaults for what it leaves out.
#[derive(Debug, Clone, PartialEq)]
pub struct Gather {
    /// Where the callback goes: `action`, resolved against the document's URL; the document's
    /// own URL without `action`; none for inline TwiML without `action`.
    pub action: Option<String>,
    /// `method`: `POST` (default) or `GET`.
    pub method: String,
    /// `input`: `dtmf` (default), `speech`, or `dtmf speech`.
    pub input: String,
    /// `numDigits`: how many keys end the input; none for no limit.
    pub num_digits: Option<u32>,
    /// `timeout`: seconds of silence before Twilio stops listening (default 5; not waited for).
    pub timeout: u32,
    /// `finishOnKey`: the key that ends the input (default `#`; empty for none).
    pub finish_on_key: String,
    /// The `<Play>` URLs inside it.
    pub plays: Vec<String>,
    /// Every attribute, as written.
    pub attributes: Vec<(String, String)>,
}

impl Gather {
    fn from_verb(verb: GatherVerb, base: Option<&str>) -> Self {
        let attr = |name: &str| verb.attributes.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string());
        let action = match attr("action").filter(|a| !a.is_empty()) {
            Some(action) => resolve(base, &action).ok(),
            None => base.map(str::to_string),
        };
        Self {
            action,
            method: attr("method").map(|m| m.to_ascii_uppercase()).filter(|m| m == "GET").unwrap_or("POST".into()),
            input: attr("input").filter(|i| !i.is_empty()).unwrap_or_else(|| "dtmf".into()),
            num_digits: attr("numDigits").and_then(|n| n.parse().ok()).filter(|n| *n > 0),
            timeout: attr("timeout").and_then(|t| t.parse().ok()).unwrap_or(5),
            finish_on_key: attr("finishOnKey").unwrap_or_else(|| "#".into()),
            plays: verb.plays,
            attributes: verb.attributes,
        }
    }

    /// Whether it listens for `kind` (`dtmf` or `speech`).
    pub fn listens_for(&self, kind: &str) -> bool {
        self.input.split_whitespace().any(|i| i.eq_ignore_ascii_case(kind))
    }

    /// The keys Twilio reports for `pressed`: up to `finishOnKey` (left out) or `numDigits`.
    pub fn digits_of(&self, pressed: &str) -> String {
        let mut out = String::new();
        for key in pressed.chars() {
            if self.finish_on_key.contains(key) {
                break;
            }
            out.push(key);
            if self.num_digits.is_some_and(|n| out.len() >= n as usize) {
                break;
            }
        }
        out
    }
}

/// Why keys or speech could not be sent.
#[derive(Debug, Clone, PartialEq)]
pub enum GatherError {
    /// No call has that sid.
    UnknownCall,
    /// The call is not in progress.
    NotInProgress(CallStatus),
    /// The call's TwiML has no `<Gather>` waiting (none yet, or it was answered already).
    NoGather,
    /// The `<Gather>`'s `input` does not take this kind (`dtmf` or `speech`).
    NotListening(&'static str),
    /// The `<Gather>` has nowhere to post (inline TwiML without `action`).
    NoAction,
    /// Keys other than 0-9, `*` and `#`, or none.
    BadDigits(String),
    /// Empty speech, or a confidence outside 0..1.
    BadSpeech(String),
}

impl fmt::Display for GatherError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownCall => write!(f, "no such call"),
            Self::NotInProgress(status) => write!(f, "the call is {}, not in progress", status.as_str()),
            Self::NoGather => write!(f, "the call has no <Gather> waiting for input"),
            Self::NotListening(kind) => write!(f, "the <Gather> does not listen for {kind}"),
            Self::NoAction => write!(f, "the <Gather> has no action URL"),
            Self::BadDigits(d) => write!(f, "{d:?} are not keys (0-9, *, #)"),
            Self::BadSpeech(why) => write!(f, "{why}"),
        }
    }
}

impl std::error::Error for GatherError {}

/// What the callee does.
#[derive(Debug, Clone, PartialEq)]
pub enum Input<'a> {
    Digits(&'a str),
    Speech { text: &'a str, confidence: f32 },
}

/// `url` resolved against `base` (an absolute `url` stands alone).
fn resolve(base: Option<&str>, url: &str) -> Result<String, String> {
    match reqwest::Url::parse(url) {
        // As written: Twilio requests (and signs) the URL it was given.
        Ok(_) => Ok(url.to_string()),
        Err(_) => {
            let base =
                base.ok_or_else(|| format!("the relative URL {url:?} has no document URL to resolve against"))?;
            let base = reqwest::Url::parse(base).map_err(|e| e.to_string())?;
            base.join(url).map(|u| u.to_string()).map_err(|e| e.to_string())
        }
    }
}

/// Fetches one `<Play>` URL and measures it.
async fn fetch_play(shared: &Shared, base: Option<&str>, url: &str) -> PlayFetch {
    let at = SystemTime::now();
    let started = Instant::now();
    let mut fetch = PlayFetch {
        url: url.to_string(),
        status: None,
        content_type: None,
        bytes: 0,
        first_byte: None,
        total: Duration::ZERO,
        at,
        error: None,
    };
    let resolved = match resolve(base, url) {
        Ok(resolved) => resolved,
        Err(e) => {
            fetch.error = Some(e);
            return fetch;
        }
    };
    fetch.url = resolved.clone();
    match shared.client.get(&resolved).header("Accept", "*/*").send().await {
        Ok(mut response) => {
            fetch.status = Some(response.status().as_u16());
            fetch.content_type =
                response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
            loop {
                match response.chunk().await {
                    Ok(Some(chunk)) => {
                        if fetch.first_byte.is_none() && !chunk.is_empty() {
                            fetch.first_byte = Some(started.elapsed());
                        }
                        fetch.bytes += chunk.len() as u64;
                    }
                    Ok(None) => break,
                    Err(e) => {
                        fetch.error = Some(e.to_string());
                        break;
                    }
                }
            }
        }
        Err(e) => fetch.error = Some(e.to_string()),
    }
    fetch.total = started.elapsed();
    fetch
}

/// Carries out `twiml` for the call (its document URL `base`, none for inline TwiML): fetches
/// each `<Play>` in order, remembers the first `<Gather>` (forgetting any earlier one) and
/// hangs up on a `<Hangup/>` reached before any `<Gather>`. TwiML the fake cannot read does
/// nothing. True when it hung up.
pub async fn carry_out(shared: &Shared, sid: &str, base: Option<&str>, twiml: &str) -> bool {
    let Ok(plan) = twiml::plan(twiml) else {
        shared.set_gather(sid, None);
        return false;
    };
    shared.set_gather(sid, plan.gather.map(|verb| Gather::from_verb(verb, base)));
    for url in &plan.plays {
        let fetch = fetch_play(shared, base, url).await;
        shared.push_play_fetch(sid, fetch);
    }
    plan.hangup && shared.advance(sid, &[CallStatus::InProgress], CallStatus::Completed).is_some()
}

/// The callee answers the call's `<Gather>`: Twilio's Gather callback (the call's parameters,
/// `CallStatus=in-progress`, and `Digits`, or `SpeechResult` and `Confidence`) goes to its
/// action, signed, through the call's webhook queue; the answer's TwiML is then carried out.
/// An answer that is not 2xx is an application error: Twilio hangs up.
pub async fn submit(shared: &Shared, sid: &str, input: Input<'_>) -> Result<Delivery, GatherError> {
    match input {
        Input::Digits(d) if d.is_empty() || !d.chars().all(|c| c.is_ascii_digit() || c == '*' || c == '#') => {
            return Err(GatherError::BadDigits(d.to_string()));
        }
        Input::Speech { text, .. } if text.trim().is_empty() => {
            return Err(GatherError::BadSpeech("the speech is empty".into()));
        }
        Input::Speech { confidence, .. } if !(0.0..=1.0).contains(&confidence) => {
            return Err(GatherError::BadSpeech(format!("the confidence {confidence} is not between 0 and 1")));
        }
        _ => {}
    }
    let (hook, params) = shared
        .with_call(sid, |call| {
            if call.status != CallStatus::InProgress {
                return Err(GatherError::NotInProgress(call.status));
            }
            let gather = call.gather.as_ref().ok_or(GatherError::NoGather)?;
            let kind = match input {
                Input::Digits(_) => "dtmf",
                Input::Speech { .. } => "speech",
            };
            if !gather.listens_for(kind) {
                return Err(GatherError::NotListening(kind));
            }
            let url = gather.action.clone().ok_or(GatherError::NoAction)?;
            let mut params = events::call_params(call);
            match input {
                Input::Digits(pressed) => params.push(("Digits".into(), gather.digits_of(pressed))),
                Input::Speech { text, confidence } => {
                    params.push(("SpeechResult".into(), text.to_string()));
                    params.push(("Confidence".into(), format!("{confidence}")));
                }
            }
            let hook = Hook { url, method: gather.method.clone() };
            // Answered: the next <Gather>, if any, comes with the answer's TwiML.
            call.gather = None;
            Ok((hook, params))
        })
        .ok_or(GatherError::UnknownCall)??;
    let reply = shared.queue_webhook(sid, Outgoing::new(Kind::Gather, sid, &hook, params));
    let delivery = match reply {
        Some(reply) => reply.await.map_err(|_| GatherError::NotInProgress(CallStatus::Completed))?,
        None => return Err(GatherError::NotInProgress(CallStatus::Completed)),
    };
    if delivery.succeeded() {
        carry_out(shared, sid, Some(&hook.url), &delivery.body).await;
    } else {
        shared.advance(sid, &[CallStatus::InProgress], CallStatus::Completed);
    }
    Ok(delivery)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gather(attributes: &[(&str, &str)]) -> Gather {
        let verb = GatherVerb {
            attributes: attributes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            plays: Vec::new(),
        };
        Gather::from_verb(verb, Some("https://host.test/twiml/answer?id=1"))
    }

    #[test]
    fn defaults_and_attributes() {
        let g = gather(&[]);
        assert_eq!(g.action.as_deref(), Some("https://host.test/twiml/answer?id=1"));
        assert_eq!((g.method.as_str(), g.input.as_str(), g.num_digits, g.timeout), ("POST", "dtmf", None, 5));
        assert!(g.listens_for("dtmf") && !g.listens_for("speech"));
        let g = gather(&[("action", "../gather?x=1"), ("input", "dtmf speech"), ("numDigits", "1"), ("timeout", "3")]);
        assert_eq!(g.action.as_deref(), Some("https://host.test/gather?x=1"));
        assert_eq!((g.num_digits, g.timeout), (Some(1), 3));
        assert!(g.listens_for("speech"));
        let inline = Gather::from_verb(GatherVerb { attributes: Vec::new(), plays: Vec::new() }, None);
        assert_eq!(inline.action, None);
        let get = gather(&[("method", "get")]);
        assert_eq!(get.method, "GET");
    }

    #[test]
    fn digits_stop_at_the_limit_or_the_finish_key() {
        assert_eq!(gather(&[("numDigits", "1")]).digits_of("93"), "9");
        assert_eq!(gather(&[]).digits_of("12#34"), "12");
        assert_eq!(gather(&[("finishOnKey", "")]).digits_of("12#4"), "12#4");
        assert_eq!(gather(&[("finishOnKey", "*")]).digits_of("1*2"), "1");
    }

    #[test]
    fn relative_urls_resolve_against_the_document() {
        assert_eq!(resolve(Some("http://h.test/a/b"), "c.wav").as_deref(), Ok("http://h.test/a/c.wav"));
        assert_eq!(resolve(Some("http://h.test/a/b"), "/c.wav").as_deref(), Ok("http://h.test/c.wav"));
        assert_eq!(resolve(None, "http://x.test/y").as_deref(), Ok("http://x.test/y"));
        assert!(resolve(None, "/y").is_err());
    }
}
