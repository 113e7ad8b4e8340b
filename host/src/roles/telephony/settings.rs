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
        Ok(())
    }

    /// The public URL without a trailing slash, when one is set.
    pub fn public_base(&self) -> Option<&str> {
        self.public_url.as_deref().map(|u| u.trim_end_matches('/'))
    }
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
        let ok = CallingSettings { public_url: Some("https://calls.example.com/".into()), ..Default::default() };
        assert_eq!(ok.public_base(), Some("https://calls.example.com"));
    }
}
