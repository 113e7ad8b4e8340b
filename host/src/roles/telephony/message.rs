//! Message calls: our own voice on the call. The host speaks the message through the TTS
//! chain into audio served by URL, and scripts the call so that it plays what 47 CFR
//! 64.1200(b) requires of an artificial-voice call:
//!
//! 1. at the start, the identity of the business responsible ((b)(1));
//! 2. right after it (well within two seconds), the automated opt-out: press the key, or say
//!    so, at any time ((b)(3)), the carrier listening throughout;
//! 3. the message;
//! 4. the number to call back ((b)(2)).
//!
//! All in one voice, in one clip, inside the carrier's `gather`, so that a key pressed or a
//! word said at any point of it reaches the host. A second clip confirms an opt-out.

use super::CallingError;
use super::heard::MessagePlan;
use crate::config::CallingSettings;
use crate::contracts::telephony::{CallScript, Gather, Step};
use crate::roles::Routes;
use crate::roles::tts::{SpeakRequest, Speech};
use crate::runtime::Runtime;
use std::sync::Arc;

/// Seconds the carrier keeps listening after the audio ends.
const LISTEN_AFTER_SECONDS: u32 = 5;

/// A message an agent asked to be spoken on the call.
#[derive(Debug, Clone)]
pub struct Message {
    pub text: String,
    pub voice: Option<String>,
    /// The TTS component (or provider id) to speak first; the operator's chain stands in.
    pub provider: Option<String>,
}

/// The words of a message call, in the order the callee hears them.
pub fn spoken(settings: &CallingSettings, business: &str, callback: &str, message: &str) -> String {
    let key = &settings.opt_out_key;
    format!(
        "This is an automated call from {business}. To stop calls from us, press {key} or say stop, at any time. \
         {} To reach {business}, call {}. Goodbye.",
        message.trim(),
        spoken_number(callback)
    )
}

/// What the callee hears after opting out.
pub fn confirmation(business: &str) -> String {
    format!("You will not get calls from {business} again. Goodbye.")
}

/// A number as a voice reads it well: `+13035550100` as `303-555-0100`.
pub fn spoken_number(e164: &str) -> String {
    match e164.strip_prefix("+1") {
        Some(d) if d.len() == 10 => format!("{}-{}-{}", &d[..3], &d[3..6], &d[6..]),
        _ => e164.trim_start_matches('+').chars().map(String::from).collect::<Vec<_>>().join(" "),
    }
}

/// The script of a message call: play the message while listening, then hang up.
pub fn script(plan: &MessagePlan) -> CallScript {
    CallScript {
        steps: vec![
            Step::Gather(Gather {
                play: vec![plan.audio_url.clone()],
                speech: true,
                action_url: plan.gather_url.clone(),
                timeout_seconds: LISTEN_AFTER_SECONDS,
            }),
            Step::HangUp,
        ],
    }
}

/// The script after an opt-out: the confirmation, then hang up.
pub fn confirmed(plan: &MessagePlan) -> CallScript {
    CallScript { steps: vec![Step::Play(plan.confirmation_url.clone()), Step::HangUp] }
}

/// Routes whose TTS chain starts with `provider` (by component name or provider id) when the
/// agent named one.
async fn routes_for(
    speech: &Speech,
    runtime: &Runtime,
    routes: &Routes,
    provider: Option<&str>,
) -> Result<Routes, CallingError> {
    let Some(name) = provider else { return Ok(routes.clone()) };
    let mut first = None;
    for component in &routes.tts {
        let id = speech.info(runtime, component).await.map(|i| i.id.clone()).unwrap_or_default();
        if component.name == name || id == name {
            first = Some(component.clone());
            break;
        }
    }
    let Some(first) = first else {
        let known: Vec<&str> = routes.tts.iter().map(|c| c.name.as_str()).collect();
        return Err(CallingError::Message(format!(
            "message.provider is `{name}`, which is not a loaded TTS provider; use one of: {}",
            known.join(", ")
        )));
    };
    let mut chosen = routes.clone();
    chosen.tts.retain(|c| !Arc::ptr_eq(c, &first));
    chosen.tts.insert(0, first);
    Ok(chosen)
}

/// What a message call needs before anything is decided: the settings the rule requires, and
/// a request the TTS chain accepts (text, voice, provider).
pub async fn prepare(
    speech: &Speech,
    runtime: &Runtime,
    routes: &Routes,
    settings: &CallingSettings,
    message: &Message,
) -> Result<(Routes, SpeakRequest, SpeakRequest), CallingError> {
    let business = settings.business_name.as_deref().ok_or_else(|| {
        CallingError::Message(
            "the operator has not set [calling] business_name: every artificial-voice message must name the business \
             responsible (47 CFR 64.1200(b)(1))"
                .into(),
        )
    })?;
    let callback = settings.callback_number.as_deref().ok_or_else(|| {
        CallingError::Message(
            "the operator has not set [calling] callback_number: every artificial-voice message must give a number to \
             call back (47 CFR 64.1200(b)(2))"
                .into(),
        )
    })?;
    if message.text.trim().is_empty() {
        return Err(CallingError::Message("message.text is empty: give the words to speak on the call".into()));
    }
    let routes = routes_for(speech, runtime, routes, message.provider.as_deref()).await?;
    let request = |text: String| SpeakRequest {
        text,
        voice: message.voice.clone(),
        format: Some(settings.message_format.clone()),
        context_aware: true,
        // The message is the agent's to word: speaking a phone number is what it is for.
        refuse_personal_data: Some(false),
        ..SpeakRequest::default()
    };
    let full = request(spoken(settings, business, callback, &message.text));
    let confirm = request(confirmation(business));
    speech.check(runtime, &routes, &full).await.map_err(CallingError::Speech)?;
    Ok((routes, full, confirm))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identification_comes_first_and_the_opt_out_right_after() {
        let settings = CallingSettings { opt_out_key: "9".into(), ..CallingSettings::default() };
        let text = spoken(&settings, "Acme Solar", "+13035550100", " Your panels are due for a check. ");
        assert!(
            text.starts_with("This is an automated call from Acme Solar. To stop calls from us, press 9"),
            "{text}"
        );
        assert!(text.contains("Your panels are due for a check. To reach Acme Solar, call 303-555-0100."), "{text}");
        // The opt-out offer starts within the first dozen words: well inside two seconds.
        let before: Vec<&str> = text.split("press 9").next().unwrap().split_whitespace().collect();
        assert!(before.len() <= 14, "{before:?}");
        assert_eq!(spoken_number("+442071838750"), "4 4 2 0 7 1 8 3 8 7 5 0");
    }
}
