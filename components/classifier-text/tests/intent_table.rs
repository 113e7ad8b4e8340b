//! `classify-intent` on short call utterances.

use classifier_text::intent::{Label, classify};

#[test]
fn intent_table() {
    use Label::*;
    let table = [
        // Opt-out: the FCC revocation words.
        ("Stop", OptOut),
        ("STOP!", OptOut),
        ("stop.", OptOut),
        ("Please stop.", OptOut),
        ("Quit", OptOut),
        ("End", OptOut),
        ("Revoke", OptOut),
        ("I revoke my consent.", OptOut),
        ("Opt out", OptOut),
        ("opt-out please", OptOut),
        ("Opt me out.", OptOut),
        ("Cancel", OptOut),
        ("I want to cancel.", OptOut),
        ("Unsubscribe", OptOut),
        ("Stop calling me!", OptOut),
        ("Quit calling this number", OptOut),
        ("Cancel these calls.", OptOut),
        // Opt-out: paraphrases.
        ("Take me off your list.", OptOut),
        ("Please take my number off your calling list", OptOut),
        ("Don't call me again.", OptOut),
        ("Do not call this number", OptOut),
        ("Remove my number.", OptOut),
        ("Remove me from your list", OptOut),
        ("Leave me alone!", OptOut),
        ("No more calls, please.", OptOut),
        ("Do not contact me.", OptOut),
        ("I want to stop receiving these.", OptOut),
        ("Put me on your do not call list", OptOut),
        ("I don't want any more calls", OptOut),
        ("I'd like to be removed.", OptOut),
        ("I withdraw my consent", OptOut),
        // Opt-out wins over everything.
        ("Yes, but stop calling me", OptOut),
        ("Wrong number, and stop calling", OptOut),
        ("Sounds good but take me off your list", OptOut),
        // Not opt-outs.
        ("Don't stop, tell me more!", Interested),
        ("I can't stop smiling, sounds great", Interested),
        ("I'll stop by tomorrow, call me then", CallBackLater),
        ("I need to cancel my order", Unknown),
        ("At the end of the day I'm not interested", NotInterested),
        ("I quit my job, so I'm not interested", NotInterested),
        // Interested.
        ("Yes, tell me more.", Interested),
        ("Sounds good.", Interested),
        ("Sure", Interested),
        ("I'm interested.", Interested),
        ("Yeah, go ahead", Interested),
        ("How much does it cost?", Interested),
        ("Sign me up!", Interested),
        ("I'd love to hear more", Interested),
        ("No, I'm interested, keep going", Interested),
        // Not interested.
        ("No thanks.", NotInterested),
        ("Not interested.", NotInterested),
        ("I'm not really interested", NotInterested),
        ("No.", NotInterested),
        ("Nope", NotInterested),
        ("We already have one, thanks", NotInterested),
        ("I'll pass.", NotInterested),
        ("I don't need it", NotInterested),
        ("I'm good, thanks", NotInterested),
        ("Not sure I am interested at all, no thank you", NotInterested),
        // Call back later.
        ("Call me back tomorrow.", CallBackLater),
        ("I'm busy right now.", CallBackLater),
        ("Can you call later?", CallBackLater),
        ("Not a good time, I'm driving", CallBackLater),
        ("I'm in a meeting, try again in an hour", CallBackLater),
        ("I can't talk right now", CallBackLater),
        ("Call me next week", CallBackLater),
        ("Sure, but call me back on Monday", CallBackLater),
        ("No, call me later", CallBackLater),
        // Wrong number.
        ("Wrong number.", WrongNumber),
        ("There's no John here.", WrongNumber),
        ("You have the wrong person.", WrongNumber),
        ("No one here by that name", WrongNumber),
        ("He doesn't live here anymore", WrongNumber),
        ("You've got the wrong number, buddy", WrongNumber),
        ("I don't know anyone called Sarah", WrongNumber),
        // Contrast, suggestion and negative answers.
        ("I'm interested but busy right now", CallBackLater),
        ("Why don't you call me tomorrow", CallBackLater),
        ("I'm at work, call me after 5", CallBackLater),
        ("Absolutely not.", NotInterested),
        ("Definitely not interested", NotInterested),
        ("I am not the person you are looking for", WrongNumber),
        ("Uh-uh", NotInterested),
        // Unknown.
        ("", Unknown),
        ("The end", Unknown),
        ("Hello?", Unknown),
        ("Who is this?", Unknown),
        ("What's the weather like", Unknown),
        ("😀", Unknown),
        ("I'm not sure", Unknown),
    ];
    let mut failures = Vec::new();
    for (utterance, expected) in table {
        let got = classify(utterance);
        if got.label != expected {
            failures.push(format!("{utterance:?}: expected {expected:?}, got {got:?}"));
        }
        assert!((0.0..=1.0).contains(&got.confidence), "{utterance:?}: {got:?}");
        if got.label != Unknown {
            assert!(!got.evidence.is_empty(), "{utterance:?} has no evidence: {got:?}");
            for e in &got.evidence {
                assert!(utterance.contains(e.as_str()), "{utterance:?}: evidence {e:?} is not quoted from it");
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} wrong:\n{}", failures.len(), table.len(), failures.join("\n"));
}

#[test]
fn confidence_reflects_competition() {
    let clear = classify("Not interested.");
    let mixed = classify("Sounds good, but not interested");
    assert_eq!(clear.label, Label::NotInterested);
    assert_eq!(mixed.label, Label::NotInterested);
    assert!(clear.confidence > mixed.confidence, "{clear:?} vs {mixed:?}");
    assert!(classify("Stop").confidence >= 0.9);
    assert_eq!(classify("").confidence, 1.0);
}

#[test]
fn evidence_names_the_deciding_phrases() {
    let i = classify("Yes, but stop calling me");
    assert_eq!(i.evidence, ["stop calling"]);
    let i = classify("There's no John here.");
    assert_eq!(i.evidence, ["There's no John here"]);
}
