//! The `[calling]` table of the operator's config.

use serde::Deserialize;

/// How the host places calls: which components check and carry them, where the carrier reaches
/// the host's webhooks, and the defaults of `initiate_call_with_compliance`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CallingSettings {
    /// The carrier component; by default the built-in `telephony_twilio`, else the first
    /// carrier loaded.
    pub carrier: Option<String>,
    /// The compliance checker; by default the built-in `compliance_tcpa`, else the first
    /// checker loaded.
    pub checker: Option<String>,
    /// The URL the carrier reaches this host at (`https://calls.example.com`), for status
    /// callbacks and call instructions, and to check webhook signatures against. By default
    /// `http://` plus the address `--http` listens on, which only a carrier on this network
    /// can reach.
    pub public_url: Option<String>,
    /// The status changes the carrier reports.
    pub status_events: Vec<String>,
    /// Record every call from the start.
    pub record: bool,
    /// Answering-machine detection for every call: `Enable` or `DetectMessageEnd`.
    pub machine_detection: Option<String>,
    /// Seconds to let a phone ring.
    pub ring_timeout_seconds: u32,
    /// Whether calls speak with an artificial (AI) voice unless the agent says otherwise: such
    /// calls need prior express written consent.
    pub artificial_voice: bool,
    /// The business responsible for the calls, named at the start of every message call
    /// (47 CFR 64.1200(b)(1)). Message calls need it.
    pub business_name: Option<String>,
    /// The number a callee can call back, E.164, spoken in every message call
    /// (47 CFR 64.1200(b)(2)). Message calls need it.
    pub callback_number: Option<String>,
    /// The key that opts out during a message call (47 CFR 64.1200(b)(3)): 0-9.
    pub opt_out_key: String,
    /// The audio format of message calls (Twilio's `<Play>` takes WAV).
    pub message_format: String,
}

impl Default for CallingSettings {
    fn default() -> Self {
        Self {
            carrier: None,
            checker: None,
            public_url: None,
            status_events: ["initiated", "ringing", "answered", "completed"].map(String::from).to_vec(),
            record: false,
            machine_detection: None,
            ring_timeout_seconds: 30,
            artificial_voice: true,
            business_name: None,
            callback_number: None,
            opt_out_key: "9".into(),
            message_format: "wav_16000".into(),
        }
    }
}

impl CallingSettings {
    /// Checks what the types allow but makes no sense; says what to change.
    pub fn check(&self) -> Result<(), String> {
        if let Some(url) = &self.public_url {
            let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
            match rest {
                Some(rest) if !rest.is_empty() && !rest.contains(['?', '#', ' ']) => {}
                _ => {
                    return Err(format!(
                        "calling.public_url is {url:?}: give an http(s) URL without query, e.g. https://calls.example.com"
                    ));
                }
            }
        }
        for event in &self.status_events {
            if !["initiated", "ringing", "answered", "completed"].contains(&event.as_str()) {
                return Err(format!(
                    "calling.status_events has {event:?}: use initiated, ringing, answered and completed"
                ));
            }
        }
        if let Some(amd) = &self.machine_detection
            && !["Enable", "DetectMessageEnd"].contains(&amd.as_str())
        {
            return Err(format!(
                "calling.machine_detection is {amd:?}: use Enable or DetectMessageEnd, or leave it out"
            ));
        }
        if !(5..=600).contains(&self.ring_timeout_seconds) {
            return Err(format!("calling.ring_timeout_seconds is {}: use 5 to 600", self.ring_timeout_seconds));
        }
        if self.opt_out_key.len() != 1 || !self.opt_out_key.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("calling.opt_out_key is {:?}: use one digit, 0 to 9", self.opt_out_key));
        }
        if let Some(name) = &self.business_name
            && (name.trim().is_empty() || name.len() > 100)
        {
            return Err("calling.business_name must name the business in 1 to 100 characters".into());
        }
        if let Some(number) = &self.callback_number
            && !is_e164(number)
        {
            return Err(format!("calling.callback_number is {number:?}: give it in E.164 form, e.g. +13035550100"));
        }
        match crate::media::Format::parse(&self.message_format) {
            Ok(f) if f.codec == crate::media::Codec::Wav => {}
            _ => {
                return Err(format!(
                    "calling.message_format is {:?}: use a WAV format (wav_16000, wav_22050 or wav_24000), which Twilio's <Play> takes",
                    self.message_format
                ));
            }
        }
        Ok(())
    }

    /// The public URL without a trailing slash, when one is set.
    pub fn public_base(&self) -> Option<&str> {
        self.public_url.as_deref().map(|u| u.trim_end_matches('/'))
    }
}

/// `+` and 8 to 15 digits, the first not 0.
fn is_e164(number: &str) -> bool {
    number
        .strip_prefix('+')
        .is_some_and(|d| (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()) && !d.starts_with('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonsense_settings_say_what_to_change() {
        assert!(CallingSettings::default().check().is_ok());
        let bad = |f: fn(&mut CallingSettings)| {
            let mut s = CallingSettings::default();
            f(&mut s);
            s.check().unwrap_err()
        };
        assert!(bad(|s| s.public_url = Some("calls.example.com".into())).contains("public_url"));
        assert!(bad(|s| s.status_events.push("answerd".into())).contains("answerd"));
        assert!(bad(|s| s.machine_detection = Some("yes".into())).contains("machine_detection"));
        assert!(bad(|s| s.ring_timeout_seconds = 1).contains("ring_timeout_seconds"));
        assert!(bad(|s| s.opt_out_key = "#".into()).contains("opt_out_key"));
        assert!(bad(|s| s.callback_number = Some("303-555-0100".into())).contains("callback_number"));
        assert!(bad(|s| s.message_format = "ulaw_8000".into()).contains("message_format"));
        assert!(bad(|s| s.business_name = Some(" ".into())).contains("business_name"));
        let ok = CallingSettings { public_url: Some("https://calls.example.com/".into()), ..Default::default() };
        assert_eq!(ok.public_base(), Some("https://calls.example.com"));
    }
}
