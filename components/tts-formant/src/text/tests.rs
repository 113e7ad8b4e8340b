//! Tests of the whole front end: normalisation, segmentation, pronunciation, robustness.

use super::{analyse, normalize};
use crate::phoneme::{Boundary, Phoneme, Sentence, Stress, Tune, Word, transcription};

/// (input, what `normalize` must give).
const NORMALIZATION: &[(&str, &str)] = &[
    // The case in the brief, exactly.
    ("$42.50 on 3/14 at 9:30am", "forty two dollars and fifty cents on March fourteenth at nine thirty a m"),
    // Cardinals, separators, negatives, decimals, big numbers.
    ("I have 3 cats.", "I have three cats."),
    ("1,234,567 people", "one million two hundred thirty four thousand five hundred sixty seven people"),
    ("It was -5 today", "It was minus five today"),
    ("pi is 3.14", "pi is three point one four"),
    ("about .5 of it", "about point five of it"),
    ("5,000,000,000,000", "five trillion"),
    (
        "123456789012345678901",
        "one two three four five six seven eight nine zero one two three four five six seven eight nine zero one",
    ),
    // Ordinals.
    ("the 1st, 2nd, 3rd, 23rd and 101st", "the first, second, third, twenty third and one hundred first"),
    ("the 11th and 112th", "the eleventh and one hundred twelfth"),
    // Money.
    ("$1", "one dollar"),
    ("$0.99", "ninety nine cents"),
    ("$1.01", "one dollar and one cent"),
    ("$1,000,000", "one million dollars"),
    ("$3.5 million", "three point five million dollars"),
    ("$5k", "five thousand dollars"),
    ("\u{a3}2.50", "two pounds and fifty pence"),
    ("\u{20ac}10", "ten euros"),
    ("50\u{a2}", "fifty cents"),
    ("-$5", "minus five dollars"),
    // Percentages.
    ("50% off", "fifty percent off"),
    ("up 3.5 %", "up three point five percent"),
    // Times.
    ("at 10:05", "at ten oh five"),
    ("at 12:00 pm", "at twelve p m"),
    ("at 9 a.m. sharp", "at nine a m sharp"),
    ("at 7PM", "at seven p m"),
    ("at 14:00", "at fourteen hundred"),
    ("at 3:00", "at three o'clock"),
    // Dates and years.
    ("on 3/14/2025", "on March fourteenth, twenty twenty five"),
    ("on 2025-03-14", "on March fourteenth, twenty twenty five"),
    ("on March 14", "on March fourteenth"),
    ("on Mar. 14th, 2025", "on March fourteenth, twenty twenty five"),
    ("on 14 March", "on the fourteenth of March"),
    ("born in 1999", "born in nineteen ninety nine"),
    ("since 2005", "since two thousand five"),
    ("in 1905", "in nineteen oh five"),
    ("the 1990s", "the nineteen nineties"),
    ("the '80s", "the eighties"),
    ("1999 apples", "one thousand nine hundred ninety nine apples"),
    // Fractions and ranges.
    ("1/2 cup", "one half cup"),
    ("open 24/7", "open twenty four seven"),
    ("ages 10-20", "ages ten to twenty"),
    // Phone numbers, digit by digit with a pause between groups.
    ("(555) 123-4567", "five five five, one two three, four five six seven"),
    ("555-123-4567", "five five five, one two three, four five six seven"),
    ("+1 555 123 4567", "plus one, five five five, one two three, four five six seven"),
    ("1-800-555-0199", "one, eight zero zero, five five five, zero one nine nine"),
    // Abbreviations.
    ("Mr. Smith", "mister Smith"),
    ("Mrs. Jones and Dr. Who", "missus Jones and doctor Who"),
    ("42 Elm St.", "forty two Elm street."),
    ("St. Louis", "saint Louis"),
    ("5 Main Ave.", "five Main avenue."),
    ("apples, pears, etc.", "apples, pears, et cetera."),
    ("fruit, e.g. apples", "fruit, for example apples"),
    ("fruit, i.e. apples", "fruit, that is apples"),
    ("cats vs. dogs", "cats versus dogs"),
    ("approx. 10 ft", "approximately ten feet"),
    ("1 ft", "one foot"),
    ("5 lb", "five pounds"),
    ("12 km", "twelve kilometers"),
    ("No. 5", "number five"),
    ("Jan. to Dec.", "January to December."),
    ("Mon. and Fri.", "Monday and Friday."),
    // Acronyms.
    ("the FBI", "the F B I"),
    ("the USA", "the U S A"),
    ("the TCPA", "the T C P A"),
    ("NASA and NATO", "NASA and NATO"),
    ("two CDs", "two C Ds"),
    ("AT&T", "A T and T"),
    // URLs and e-mail.
    ("https://example.com/path", "example dot com slash path"),
    ("www.example.com", "w w w dot example dot com"),
    ("jane.doe@example.com", "jane dot doe at example dot com"),
    // Symbols.
    ("salt & pepper", "salt and pepper"),
    ("2 + 2 = 4", "two plus two equals four"),
    ("#1 fan", "number one fan"),
    ("and/or", "and or"),
    ("72\u{b0}F", "seventy two degrees Fahrenheit"),
];

#[test]
fn normalization_table() {
    let mut failures = Vec::new();
    for (input, expected) in NORMALIZATION {
        let got = normalize(input);
        if got != *expected {
            failures.push(format!("{input:?}\n  expected {expected:?}\n  got      {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn abbreviation_dots_end_sentences_only_before_a_new_sentence() {
    assert_eq!(analyse("We met Mr. Smith at 5 p.m. and left.", &[]).len(), 1);
    assert_eq!(analyse("Bring apples, pears, etc. Then go.", &[]).len(), 2);
    assert_eq!(analyse("It is approx. 5 miles.", &[]).len(), 1);
    assert_eq!(normalize("We left at 5 p.m. Then it rained."), "We left at five p m. Then it rained.");
}

fn words(sentence: &Sentence) -> Vec<&Word> {
    sentence.phrases.iter().flat_map(|p| &p.words).collect()
}

fn tune(text: &str) -> Tune {
    analyse(text, &[])[0].tune
}

#[test]
fn sentences_phrases_and_tunes() {
    let s = analyse("Hello, world. How are you?", &[]);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].phrases.len(), 2);
    assert_eq!(s[0].phrases[0].boundary, Boundary::Phrase);
    assert_eq!(s[0].phrases[1].boundary, Boundary::Sentence);
    assert_eq!(s[0].tune, Tune::Statement);
    assert_eq!(s[1].tune, Tune::WhQuestion);

    assert_eq!(tune("You are coming?"), Tune::YesNoQuestion);
    assert_eq!(tune("Where are you going?"), Tune::WhQuestion);
    assert_eq!(tune("And why not?"), Tune::WhQuestion);
    assert_eq!(tune("Who's calling?"), Tune::WhQuestion);
    assert_eq!(tune("Is it ready?"), Tune::YesNoQuestion);
    assert_eq!(tune("Watch out!"), Tune::Exclamation);
    assert_eq!(tune("Really?!"), Tune::YesNoQuestion);
    assert_eq!(tune("No punctuation"), Tune::Statement);

    // A long stretch without punctuation is split before a conjunction near its middle.
    let long = analyse("I called the office this morning to ask about the bill and they said it was paid already", &[]);
    assert_eq!(long[0].phrases.len(), 2);
    assert_eq!(long[0].phrases[1].words[0].text, "and");
    let amount = analyse("the total comes to one hundred twenty three dollars and forty five cents in all", &[]);
    assert_eq!(amount[0].phrases.len(), 1);

    let phrases = |t: &str| analyse(t, &[])[0].phrases.len();
    assert_eq!(phrases("one; two: three (four) five \u{2014} six"), 6);
    assert_eq!(phrases("Call (555) 123-4567 now"), 3);
    assert_eq!(analyse("Wait... what", &[]).len(), 2);
}

#[test]
fn emphasis_from_capitals_markup_and_spans() {
    let s = analyse("I did NOT say the FBI was *very* _late_, honestly.", &[(38, 46)]);
    let emphasised: Vec<&str> = words(&s[0]).into_iter().filter(|w| w.emphasis).map(|w| w.text.as_str()).collect();
    assert_eq!(emphasised, ["not", "very", "late", "honestly"]);
    // Emphasis gives even a function word a main stress to carry it.
    let s = analyse("the *and* bit", &[]);
    let and = words(&s[0])[1];
    assert!(and.emphasis && and.phones.iter().any(|p| p.stress == Stress::Primary));
    // A shouted sentence is read, not spelled, and capitals mean nothing there.
    let s = analyse("I LOVE THIS SO MUCH!", &[]);
    assert!(words(&s[0]).iter().all(|w| !w.emphasis));
    assert_eq!(words(&s[0]).len(), 5);
    // An unknown, unpronounceable capitalised word is an acronym, not emphasis.
    let s = analyse("call the TCPA now", &[]);
    assert_eq!(words(&s[0]).len(), 7);
    assert!(words(&s[0]).iter().all(|w| !w.emphasis));
}

fn arpabet(text: &str) -> String {
    transcription(&analyse(text, &[]))
}

#[test]
fn letter_to_sound_on_words_outside_the_dictionary() {
    assert_eq!(arpabet("blimp"), "B L IH1 M P");
    assert_eq!(arpabet("strand"), "S T R AE1 N D");
    assert_eq!(arpabet("fantastic"), "F AH0 N T AE1 S T IH0 K");
    assert_eq!(arpabet("plinth"), "P L IH1 N TH");
    assert_eq!(arpabet("rabbit"), "R AE1 B IH0 T");
    assert_eq!(arpabet("nation"), "N EY1 SH AH0 N");
    assert_eq!(arpabet("photography"), "F AH0 T AA1 G R AH0 F IY0");
    assert_eq!(arpabet("probability"), "P R AA2 B AH0 B IH1 L IH0 T IY0");
}

#[test]
fn dictionary_words_with_stress_and_derived_forms() {
    assert_eq!(arpabet("appointment"), "AH0 P OY1 N T M AH0 N T");
    assert_eq!(arpabet("insurance"), "IH0 N SH UH1 R AH0 N S");
    assert_eq!(arpabet("the"), "DH AH0");
    assert_eq!(arpabet("of"), "AH0 V");
    // Plural, past and -ing of dictionary words with the right allomorph.
    assert_eq!(arpabet("schedules"), "S K EH1 JH UH0 L Z");
    assert_eq!(arpabet("scheduled"), "S K EH1 JH UH0 L D");
    assert_eq!(arpabet("scheduling"), "S K EH1 JH UH0 L IH0 NG");
    assert_eq!(arpabet("walked"), "W AO1 K T");
    assert_eq!(arpabet("wanted"), "W AA1 N T IH0 D");
    assert_eq!(arpabet("churches"), "CH ER1 CH IH0 Z");
    assert_eq!(arpabet("books"), "B UH1 K S");
    // Apostrophes and hyphens.
    assert_eq!(arpabet("don't"), "D OW1 N T");
    assert_eq!(arpabet("it's"), "IH1 T S");
    assert_eq!(arpabet("John's"), "JH AA1 N Z");
    assert_eq!(arpabet("well-known"), "W EH1 L  N OW1 N");
    // Spelled letters: the last takes the main stress.
    assert_eq!(arpabet("FBI"), "EH2 F  B IY2  AY1");
}

#[test]
fn every_word_has_phones_and_content_words_have_stress() {
    let text = "Your appointment with Doctor Patel is available on Tuesday the 3rd at 10:45 a.m.; \
                please call 555-0199 to confirm, reschedule or cancel your insurance payment.";
    for sentence in analyse(text, &[]) {
        for w in words(&sentence) {
            assert!(!w.phones.is_empty(), "{} has no phones", w.text);
            assert!(w.text.chars().all(|c| !c.is_ascii_uppercase()), "{} is not lower case", w.text);
            for p in &w.phones {
                assert!(p.phoneme.is_vowel() || p.stress == Stress::Unstressed, "stressed consonant in {}", w.text);
            }
        }
        for content in ["appointment", "available", "tuesday", "confirm", "insurance", "payment", "patel"] {
            if let Some(w) = words(&sentence).into_iter().find(|w| w.text == content) {
                assert!(w.phones.iter().any(|p| p.stress == Stress::Primary), "{content} unstressed");
            }
        }
    }
}

/// Inputs that must not panic, and must give sane output.
#[test]
fn weird_input_does_not_panic() {
    let long = "word, ".repeat(2000);
    let huge_word = "a".repeat(10_000);
    let digits = "9".repeat(5_000);
    let possessives = "x's".repeat(3_000);
    let camel = "aB".repeat(3_000);
    let inputs: Vec<&str> = vec![
        "",
        " ",
        "\u{1f600}\u{1f680}",
        "\u{0}\u{7}\u{1b}[31m",
        "...",
        "?!?!",
        "\u{2014}\u{2014}",
        "$",
        "$$$",
        "$.",
        "1/0",
        "0/0/0",
        "99:99",
        "25:00pm",
        "-",
        "--5",
        "+",
        "++1",
        "@",
        "a@b",
        "@.com",
        "http://",
        "https://.",
        "www.",
        "\u{2019}\u{2019}",
        "'s",
        "*",
        "**",
        "_*_",
        "(((",
        ")))",
        "1,2,3",
        "1.2.3.4",
        "3.",
        ".",
        "$1.2.3",
        "\u{a3}",
        "12:",
        ":30",
        "31/31/31",
        "2025-13-45",
        "Mar.",
        "No.",
        "St.",
        "e.g.",
        "\u{5b57}\u{6f22}",
        "\u{645}\u{631}\u{62d}\u{628}\u{627}",
        "caf\u{e9} na\u{ef}ve \u{c5}ngstr\u{f6}m",
        &long,
        &huge_word,
        &digits,
        &possessives,
        &camel,
    ];
    for input in inputs {
        let sentences = analyse(input, &[(0, 3), (5, 2), (u32::MAX - 1, u32::MAX)]);
        let _ = normalize(input);
        for s in &sentences {
            assert!(!s.phrases.is_empty());
            assert_eq!(s.phrases.last().map(|p| p.boundary), Some(Boundary::Sentence));
            assert!(s.phrases.iter().all(|p| !p.words.is_empty()));
        }
    }
    // Beyond the supported range, digits are read one by one.
    let n = normalize(&digits);
    assert!(n.split(' ').all(|w| w == "nine") && n.split(' ').count() == 5_000);
    assert!(analyse("\u{1f600}", &[]).is_empty());
}

#[test]
fn unknown_scripts_and_symbols_are_dropped_but_latin_accents_kept() {
    assert_eq!(normalize("caf\u{e9} \u{1f600} ok"), "cafe ok");
    assert_eq!(normalize("\u{5b57} hi"), "hi");
}

#[test]
fn words_keep_their_input_spans() {
    let s = analyse("Call me at noon.", &[(8, 10)]);
    let w = words(&s[0]);
    assert!(w[2].emphasis && !w[1].emphasis && !w[3].emphasis);
}

#[test]
fn a_twenty_word_sentence_is_fast() {
    let sentence = "Hello Mrs. Patel, this is a reminder that your appointment with Doctor Jones is on \
                    Tuesday, March 14th at 9:30am; call (555) 123-4567 to reschedule.";
    let _ = analyse(sentence, &[]);
    let runs = 200;
    let start = std::time::Instant::now();
    for _ in 0..runs {
        assert!(!analyse(sentence, &[]).is_empty());
    }
    let per_call = start.elapsed() / runs;
    println!("analyse: {per_call:?} per 20-word sentence");
    // Well under 1 ms natively even in a debug build; the release build is far faster.
    assert!(per_call.as_micros() < 5_000, "{per_call:?} per sentence");
}

#[test]
fn phoneme_inventory_is_covered() {
    let text = "the quick brown fox jumps over the lazy dog; she measures thin leather, \
                enjoying the boy's cheap orange hat, singing good tunes at noon in the yard by the white pine";
    let mut seen = std::collections::HashSet::new();
    for s in analyse(text, &[]) {
        for w in words(&s) {
            seen.extend(w.phones.iter().map(|p| p.phoneme));
        }
    }
    let missing: Vec<Phoneme> = Phoneme::ALL.into_iter().filter(|p| !seen.contains(p)).collect();
    assert!(missing.is_empty(), "never produced: {missing:?}");
}
