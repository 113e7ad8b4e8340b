//! The webhooks the fake sends, signed as Twilio signs them, and the record of each delivery.
//!
//! `X-Twilio-Signature` is HMAC-SHA1, keyed with the auth token, over the full URL followed by
//! every POST parameter's name and value, in order of names; base64. A `GET` webhook carries
//! its parameters in the URL's query instead, and the signature covers the URL alone.

use super::params::encode;
use super::state::Shared;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The signature Twilio puts in `X-Twilio-Signature` for a request to `url` with the POST
/// parameters `params` (empty for a `GET`): base64 of HMAC-SHA1 keyed with `auth_token` over
/// `url` followed by each parameter's name and value, sorted by name (then value).
pub fn sign<K: AsRef<str>, V: AsRef<str>>(auth_token: &str, url: &str, params: &[(K, V)]) -> String {
    let mut sorted: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
    sorted.sort_unstable();
    let mut data = url.to_string();
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    // HMAC takes a key of any length; the error arm cannot happen.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()) else { return String::new() };
    mac.update(data.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// How a webhook is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signing {
    /// With the fake's auth token, as Twilio does.
    Valid,
    /// No `X-Twilio-Signature` at all.
    Unsigned,
    /// Signed with another token.
    WithToken(String),
    /// This header value, whatever the request (a stale or made-up signature).
    Header(String),
}

/// What a webhook is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The fetch of the call's `Url` when it is answered.
    Answer,
    /// A status callback.
    Status,
    /// A recording status callback.
    Recording,
    /// The callback of a `<Gather>`: the keys pressed or the words said.
    Gather,
    /// Sent by the test with [`super::FakeTwilio::deliver_callback`].
    Manual,
}

/// A webhook to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub kind: Kind,
    pub call_sid: Option<String>,
    pub url: String,
    pub method: String,
    pub params: Vec<(String, String)>,
}

impl Outgoing {
    pub fn new(kind: Kind, call_sid: &str, hook: &super::store::Hook, params: Vec<(String, String)>) -> Self {
        Self { kind, call_sid: Some(call_sid.to_string()), url: hook.url.clone(), method: hook.method.clone(), params }
    }
}

/// A webhook in a call's queue, and who waits for its delivery.
#[derive(Debug)]
pub struct Queued {
    pub out: Outgoing,
    pub reply: Option<oneshot::Sender<Delivery>>,
}

/// One webhook as sent, and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub kind: Kind,
    pub call_sid: Option<String>,
    /// `GET` or `POST`.
    pub method: String,
    /// The URL requested (for a `GET`, with the parameters in its query).
    pub url: String,
    /// The parameters, in the order sent.
    pub params: Vec<(String, String)>,
    /// The `X-Twilio-Signature` sent, if any.
    pub signature: Option<String>,
    /// The receiver's HTTP status; none when it could not be reached or did not answer in time.
    pub status: Option<u16>,
    /// The receiver's body (the TwiML, for [`Kind::Answer`]).
    pub body: String,
    /// Why there is no status.
    pub error: Option<String>,
}

impl Delivery {
    /// The first value of a parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Whether the receiver answered 2xx.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Sends one webhook and records the delivery.
pub async fn deliver(shared: &Shared, out: Outgoing, signing: Signing) -> Delivery {
    let get = out.method.eq_ignore_ascii_case("GET");
    let url = if get && !out.params.is_empty() {
        let separator = if out.url.contains('?') { '&' } else { '?' };
        format!("{}{separator}{}", out.url, encode(&out.params))
    } else {
        out.url.clone()
    };
    let signed: &[(String, String)] = if get { &[] } else { &out.params };
    let signature = match signing {
        Signing::Valid => Some(sign(&shared.auth_token, &url, signed)),
        Signing::Unsigned => None,
        Signing::WithToken(token) => Some(sign(&token, &url, signed)),
        Signing::Header(value) => Some(value),
    };
    let method = if get { reqwest::Method::GET } else { reqwest::Method::POST };
    let mut request = shared
        .client
        .request(method, &url)
        .header("Accept", "*/*")
        .header("I-Twilio-Idempotency-Token", shared.new_sid(""));
    if !get {
        request = request.header("Content-Type", "application/x-www-form-urlencoded").body(encode(&out.params));
    }
    if let Some(signature) = &signature {
        request = request.header("X-Twilio-Signature", signature);
    }
    let (status, body, error) = match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            match response.bytes().await {
                Ok(bytes) => (Some(status), String::from_utf8_lossy(&bytes).into_owned(), None),
                Err(e) => (Some(status), String::new(), Some(e.to_string())),
            }
        }
        Err(e) => (None, String::new(), Some(e.to_string())),
    };
    let delivery = Delivery {
        kind: out.kind,
        call_sid: out.call_sid,
        method: if get { "GET" } else { "POST" }.to_string(),
        url,
        params: out.params,
        signature,
        status,
        body,
        error,
    };
    shared.record_delivery(delivery.clone());
    delivery
}

/// Sends a call's webhooks one after another, in the order queued, until the queue closes.
pub fn spawn_worker(shared: Arc<Shared>, mut queue: mpsc::UnboundedReceiver<Queued>) {
    let task = {
        let shared = shared.clone();
        tokio::spawn(async move {
            while let Some(Queued { out, reply }) = queue.recv().await {
                let delivery = deliver(&shared, out, Signing::Valid).await;
                if let Some(reply) = reply {
                    let _ = reply.send(delivery);
                }
            }
        })
    };
    shared.keep_task(task);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_like_twilio() {
        // Twilio's documented example (https://www.twilio.com/docs/usage/security).
        let params = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ];
        assert_eq!(
            sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", &params),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
        let mut reversed = params;
        reversed.reverse();
        assert_eq!(sign("12345", "https://x.test/", &params), sign("12345", "https://x.test/", &reversed));
        assert_ne!(sign("12345", "https://x.test/", &params), sign("12346", "https://x.test/", &params));
    }
}
