//! The component through its contract: `Guest` calls as the host makes them, checking character
//! spans with multi-byte text, robustness on hostile input, and speed.

use classifier_text::Classifier;
use classifier_text::exports::switchboard::classifier::classify::{
    Guest, IntentLabel, Intonation, Pacing, PersonalDataKind, SentenceKind, TextSpan,
};
use std::time::{Duration, Instant};

/// The characters of `text` covered by `span`.
fn slice(text: &str, span: &TextSpan) -> String {
    text.chars().skip(span.start as usize).take((span.end - span.start) as usize).collect()
}

/// What one sentence should come out as: text, kind, intonation, strongest emotion, pacing.
type Expected = (&'static str, SentenceKind, Intonation, &'static str, Pacing);

#[test]
fn analyze_table() {
    let table: &[(&str, &[Expected])] = &[
        (
            "Hi! Are you coming? Where are you? Call me at 555-123-4567.",
            &[
                ("Hi!", SentenceKind::Exclamation, Intonation::Falling, "neutral", Pacing::Faster),
                ("Are you coming?", SentenceKind::Question, Intonation::Rising, "neutral", Pacing::Normal),
                ("Where are you?", SentenceKind::Question, Intonation::Falling, "neutral", Pacing::Normal),
                ("Call me at 555-123-4567.", SentenceKind::Command, Intonation::Falling, "neutral", Pacing::Slower),
            ],
        ),
        (
            "We're so sorry. Thank you for your patience!",
            &[
                ("We're so sorry.", SentenceKind::Statement, Intonation::Falling, "apology", Pacing::Slower),
                (
                    "Thank you for your patience!",
                    SentenceKind::Exclamation,
                    Intonation::Falling,
                    "gratitude",
                    Pacing::Faster,
                ),
            ],
        ),
        (
            "You got the job?! We're thrilled!",
            &[
                ("You got the job?!", SentenceKind::Question, Intonation::Rising, "neutral", Pacing::Normal),
                ("We're thrilled!", SentenceKind::Exclamation, Intonation::Falling, "excitement", Pacing::Faster),
            ],
        ),
    ];
    for (text, expected) in table {
        let a = Classifier::analyze(text.to_string());
        assert_eq!(a.sentences.len(), expected.len(), "{text:?}: {a:?}");
        for (s, (body, kind, intonation, emotion, pacing)) in a.sentences.iter().zip(expected.iter()) {
            assert_eq!(slice(text, &s.span), *body, "{text:?}");
            assert_eq!(s.kind, *kind, "kind of {body:?}");
            assert_eq!(s.intonation, *intonation, "intonation of {body:?}");
            assert_eq!(s.emotions[0].label, *emotion, "emotion of {body:?}: {:?}", s.emotions);
            assert_eq!(s.pacing, *pacing, "pacing of {body:?}");
            let sum = s.sentiment.positive + s.sentiment.neutral + s.sentiment.negative;
            assert!((sum - 1.0).abs() < 1e-3, "{body:?}: {:?}", s.sentiment);
        }
    }
}

#[test]
fn spans_count_characters_after_multibyte_text() {
    // Emoji (4 bytes, 1 character), accents (2 bytes), CJK (3 bytes) and a combining mark all come
    // before the spans checked.
    let text = "😀 Café 日本 e\u{301}! This is REALLY important. Mail bob@example.com, card 4111 1111 1111 1111.";
    let a = Classifier::analyze(text.to_string());
    let emphasis: Vec<String> = a.sentences.iter().flat_map(|s| s.emphasis.iter().map(|e| slice(text, e))).collect();
    assert_eq!(emphasis, ["REALLY", "important"]);
    let sentences: Vec<String> = a.sentences.iter().map(|s| slice(text, &s.span)).collect();
    assert_eq!(sentences[1], "This is REALLY important.");

    let q = Classifier::check_quality(text.to_string(), 1000);
    assert_eq!(q.characters, text.chars().count() as u32);
    let flagged: Vec<String> = q.unpronounceable.iter().map(|s| slice(text, s)).collect();
    assert_eq!(flagged, ["😀", "日本"]);
    let personal: Vec<(PersonalDataKind, String)> =
        q.personal_data.iter().map(|p| (p.kind, slice(text, &p.span))).collect();
    assert_eq!(
        personal,
        [
            (PersonalDataKind::Email, "bob@example.com".to_string()),
            (PersonalDataKind::CardNumber, "4111 1111 1111 1111".to_string())
        ]
    );
}

#[test]
fn quality_report() {
    let q = Classifier::check_quality("Call 555-123-4567, SSN 123-45-6789 \u{7}".to_string(), 20);
    assert!(q.too_long);
    assert!(!q.empty);
    assert_eq!(q.unpronounceable.len(), 1);
    let kinds: Vec<PersonalDataKind> = q.personal_data.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, [PersonalDataKind::PhoneNumber, PersonalDataKind::Ssn]);
    let q = Classifier::check_quality(" ... ".to_string(), 20);
    assert!(q.empty && !q.too_long);
}

#[test]
fn intent_through_the_contract() {
    let i = Classifier::classify_intent("Please take me off your list".to_string());
    assert_eq!(i.label, IntentLabel::OptOut);
    assert!(i.confidence > 0.9);
    assert_eq!(Classifier::classify_intent("not interested".to_string()).label, IntentLabel::NotInterested);
}

/// Inputs meant to break offsets, loops and assumptions.
fn hostile_inputs() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        " ",
        "\n\n\n",
        ".",
        "...",
        "!?!?!?",
        "…",
        "\u{0}\u{1}\u{7f}\u{85}\u{2028}\u{202e}",
        "\u{301}\u{301}\u{301}",
        "e\u{301}\u{302}\u{303}\u{304}",
        "😀😀😀👨‍👩‍👧‍👦🏳️‍🌈",
        "\u{FFFD}\u{FEFF}\u{E000}\u{10FFFF}",
        "*",
        "**",
        "_*_*_*",
        "*a",
        "a*",
        "not but",
        "but",
        "very",
        "very very very",
        "no no no no",
        "least",
        "kind of",
        "@",
        "@@@@",
        "a@b",
        "+",
        "+1",
        "(",
        "(555",
        "555)",
        "1-",
        "--------",
        "1.1.1.1.1.",
        "Mr.",
        "e.g.",
        "Dr. Dr. Dr.",
        "'",
        "n't",
        "Don't",
        "’’’",
        "ǅ ǈ ǋ İ ß ﬁ",
        "ΣΑΣ σας",
        "stop",
        "STOP STOP",
        "1.\n2.\n3.",
        "- \n- \n-",
        "\t\t\t",
        "\r\n\r\n",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Every ASCII character and a sample of others, alone and in pairs.
    for c in (0u32..0x300).chain([0x2019, 0x2026, 0x1F600, 0x10FFFF]).filter_map(char::from_u32) {
        v.push(c.to_string());
        v.push(format!("a{c}b {c}{c}. {c}"));
    }
    // A deterministic pseudo-random mix of troublesome pieces.
    let pieces = [
        "Mr.", " ", "!", "?", ".", "...", "😀", "é", "e\u{301}", "\n", "*", "_", "not", "but", "very", "555", "-", "(",
        ")", "+", "@", "a.b", "STOP", "no", "'", "日本", "\u{0}", "kind", "of", "least", "never", "4111",
    ];
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..300 {
        let mut s = String::new();
        for _ in 0..(state % 40) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            s.push_str(pieces[(state % pieces.len() as u64) as usize]);
        }
        v.push(s);
    }
    v
}

/// Checks every span of every result is ordered and within the text.
fn check_spans(text: &str, spans: impl IntoIterator<Item = TextSpan>) {
    let len = text.chars().count() as u32;
    for s in spans {
        assert!(s.start <= s.end && s.end <= len, "{text:?}: span {s:?} outside {len} characters");
    }
}

#[test]
fn hostile_input_never_panics_and_spans_stay_in_bounds() {
    for text in hostile_inputs() {
        let a = Classifier::analyze(text.clone());
        check_spans(&text, a.sentences.iter().map(|s| s.span));
        check_spans(&text, a.sentences.iter().flat_map(|s| s.emphasis.iter().copied()));
        for s in &a.sentences {
            assert!(!s.emotions.is_empty(), "{text:?}");
            assert!(s.sentiment.compound.is_finite() && (-1.0..=1.0).contains(&s.sentiment.compound), "{text:?}");
        }
        let q = Classifier::check_quality(text.clone(), 10);
        check_spans(&text, q.unpronounceable.iter().copied());
        check_spans(&text, q.personal_data.iter().map(|p| p.span));
        let i = Classifier::classify_intent(text.clone());
        assert!((0.0..=1.0).contains(&i.confidence), "{text:?}: {i:?}");
    }
}

/// A 100k-character text of ordinary sentences, numbers, emoji and marks.
fn long_text() -> String {
    let unit = "Hello Mr. Smith, this is REALLY important: call 555-123-4567 or mail a@b.com 😀! \
                I'm so sorry, but it's not Monday but Tuesday... Are you coming? *Never* stop. ";
    unit.repeat(100_000 / unit.chars().count() + 1).chars().take(100_000).collect()
}

#[test]
fn a_100k_character_text_is_handled_quickly() {
    let text = long_text();
    assert_eq!(text.chars().count(), 100_000);
    // Debug builds are many times slower than the release build the host runs; the bound is
    // there to catch quadratic behaviour, which would take minutes.
    let budget = Duration::from_secs(20);

    let start = Instant::now();
    let a = Classifier::analyze(text.clone());
    assert!(a.sentences.len() > 1000);
    check_spans(&text, a.sentences.iter().map(|s| s.span));
    let q = Classifier::check_quality(text.clone(), 5000);
    assert!(q.too_long && q.personal_data.len() > 1000);
    let _ = Classifier::classify_intent(text.clone());
    assert!(start.elapsed() < budget, "100k characters took {:?}", start.elapsed());

    // One sentence of 100k characters: nothing to split on.
    let run_on: String = "word and 😀 very good not bad but fine ".repeat(3000).chars().take(100_000).collect();
    let start = Instant::now();
    let a = Classifier::analyze(run_on.clone());
    assert_eq!(a.sentences.len(), 1);
    let _ = Classifier::check_quality(run_on.clone(), 10);
    let _ = Classifier::classify_intent(run_on);
    assert!(start.elapsed() < budget, "a 100k-character sentence took {:?}", start.elapsed());
}

#[test]
fn analyze_on_twenty_words_is_well_under_a_millisecond() {
    let text = "Hi John, this is a REALLY important reminder: please call us back today, we are so grateful!";
    assert_eq!(text.split_whitespace().count(), 17);
    // Warm up the lazily parsed lexicons.
    let _ = Classifier::analyze(text.to_string());
    let runs = 200;
    let start = Instant::now();
    for _ in 0..runs {
        let _ = Classifier::analyze(text.to_string());
    }
    let each = start.elapsed() / runs;
    // Natively in release this is tens of microseconds; the debug build is given ample headroom.
    let limit = if cfg!(debug_assertions) { Duration::from_millis(5) } else { Duration::from_millis(1) };
    assert!(each < limit, "analyze took {each:?} per call");
}
