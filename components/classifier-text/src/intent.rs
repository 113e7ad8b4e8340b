//! What a caller meant by a short utterance: interested, not interested, call back later, wrong
//! number, opt-out, or unknown.
//!
//! The utterance is normalised (see `intent_patterns.rs`) and matched against phrase patterns,
//! each giving evidence for one label with a weight. Evidence for a label is combined as a
//! noisy-or. Negation is respected: a pattern marked `Skip` does not count after "not" or "never"
//! within two words ("not busy"), and one marked `Flip` counts for not-interested instead ("not
//! interested", "don't want it").
//!
//! Opt-out wins over everything when present: a caller who says "yes, but stop calling me" has
//! revoked consent, and under the FCC's 2024 order (47 CFR 64.1200(a)(10)) consent may be revoked
//! by "any reasonable means". The revocation words themselves are judged in context:
//!
//! - "revoke", "unsubscribe" and "opt out" revoke unless negated;
//! - "stop" revokes alone or as a command ("Stop!", "please stop", "stop it", "stop calling",
//!   "I want to stop receiving these"), but not when negated ("don't stop", "I can't stop
//!   smiling"), as a phrasal verb ("stop by"), before another gerund ("stop worrying"), or as a
//!   noun ("the bus stop");
//! - "quit" revokes alone, with "it", or before a contact verb ("quit calling"), not in
//!   "quit my job" or "quit smoking";
//! - "end" revokes only as a near-bare command ("End", "end it", "end the calls"), since the
//!   word is too common to trust elsewhere;
//! - "cancel" revokes as a near-bare command ("cancel", "I want to cancel") or with a contact
//!   object ("cancel my subscription", "cancel these calls"), not with others ("cancel my order").
//!
//! Ambiguous paraphrases lean towards opt-out: a missed revocation is a TCPA violation, a
//! spurious one costs a call.
//!
//! Evidence after the first "but" or "however" weighs 1.15 times as much, evidence before it
//! 0.85 times ("I'm interested but busy right now" asks for a call back).
//!
//! Otherwise the label with the most evidence wins (ties: wrong number, call back later, not
//! interested, interested); below 0.35 the intent is unknown. Confidence is the winner's
//! evidence less half the runner-up's; for unknown, one less the strongest evidence.

use crate::intent_patterns::{FILLERS, PATTERNS, TRAILERS};
use crate::text::{self, Word};
use std::ops::Range;
use std::sync::OnceLock;

/// The intents of a call utterance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    /// Wants to hear more.
    Interested,
    /// Declines.
    NotInterested,
    /// Asks to be called at another time.
    CallBackLater,
    /// Is not the person called.
    WrongNumber,
    /// Revokes consent to be contacted.
    OptOut,
    /// None of the above.
    Unknown,
}

/// What a preceding "not" or "never" does to a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Neg {
    /// The pattern does not count.
    Skip,
    /// The pattern counts for not-interested instead.
    Flip,
    /// The pattern counts regardless (it carries its own negation, or none applies).
    Keep,
}

/// The intent of an utterance.
#[derive(Clone, Debug, PartialEq)]
pub struct Intent {
    /// What the caller meant.
    pub label: Label,
    /// 0 to 1.
    pub confidence: f32,
    /// The phrases, as written, that decided it.
    pub evidence: Vec<String>,
}

/// Below this much evidence, the intent is unknown.
const MIN_EVIDENCE: f32 = 0.35;

/// Tie-break order among the labels other than opt-out.
const ORDER: [Label; 4] = [Label::WrongNumber, Label::CallBackLater, Label::NotInterested, Label::Interested];

/// A normalised token, the word it came from and the clause it is in.
struct Tok {
    word: String,
    src: usize,
    /// Clauses are separated by punctuation: negation does not reach across one ("Don't stop,
    /// tell me more").
    clause: usize,
}

/// One piece of evidence: a label, its weight, and the tokens that showed it.
struct Hit {
    label: Label,
    weight: f32,
    toks: Range<usize>,
}

/// Classifies an utterance.
pub fn classify(utterance: &str) -> Intent {
    let words = text::words(utterance, false);
    let toks = tokens(utterance, &words);
    let mut hits = pattern_hits(&toks);
    hits.extend(revocations(&toks));
    but_shift(&toks, &mut hits);

    let score = |label: Label| {
        1.0 - hits.iter().filter(|h| h.label == label).fold(1.0f32, |r, h| r * (1.0 - h.weight.clamp(0.0, 0.99)))
    };
    let (label, confidence) = if hits.iter().any(|h| h.label == Label::OptOut) {
        (Label::OptOut, score(Label::OptOut))
    } else {
        let mut ranked: Vec<(Label, f32)> = ORDER.iter().map(|&l| (l, score(l))).collect();
        // Stable: equal scores keep the tie-break order.
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let (best, best_score) = ranked[0];
        let second = ranked[1].1;
        if best_score < MIN_EVIDENCE {
            (Label::Unknown, 1.0 - best_score)
        } else {
            (best, (best_score - 0.5 * second).clamp(0.05, 0.99))
        }
    };

    let mut winning: Vec<&Hit> = hits.iter().filter(|h| h.label == label).collect();
    // A phrase inside a longer one that also decided it ("take me off" in "take me off your
    // list") adds nothing. Sorted by start, longest first, a hit is inside another exactly when
    // an earlier one reaches at least as far.
    winning.sort_by_key(|h| (h.toks.start, std::cmp::Reverse(h.toks.end)));
    let mut reach = 0;
    let mut evidence: Vec<String> = Vec::new();
    for h in winning {
        if h.toks.end <= reach {
            continue;
        }
        reach = h.toks.end;
        let phrase = phrase(utterance, &words, &toks, &h.toks);
        if !phrase.is_empty() && !evidence.contains(&phrase) {
            evidence.push(phrase);
        }
    }
    Intent { label, confidence: confidence.clamp(0.0, 1.0), evidence }
}

/// Weights evidence around the first "but" or "however" as VADER weights sentiment: what follows
/// the contrast is what the caller means ("I'm interested but busy right now").
fn but_shift(toks: &[Tok], hits: &mut [Hit]) {
    let Some(b) = toks.iter().position(|t| matches!(t.word.as_str(), "but" | "however")) else { return };
    for h in hits {
        h.weight = if h.toks.start > b { (h.weight * 1.15).min(0.99) } else { h.weight * 0.85 };
    }
}

/// The original text covered by tokens `range`.
fn phrase(utterance: &str, words: &[Word], toks: &[Tok], range: &Range<usize>) -> String {
    let first = toks.get(range.start).and_then(|t| words.get(t.src));
    let last = range.end.checked_sub(1).and_then(|k| toks.get(k)).and_then(|t| words.get(t.src));
    match (first, last) {
        (Some(a), Some(b)) if a.start <= b.end => utterance.get(a.start..b.end).unwrap_or("").to_string(),
        _ => String::new(),
    }
}

/// Normalised tokens: lower case, contractions expanded.
fn tokens(utterance: &str, words: &[Word]) -> Vec<Tok> {
    let mut out = Vec::with_capacity(words.len());
    let mut clause = 0;
    let mut previous_end = 0;
    for (src, w) in words.iter().enumerate() {
        let gap = utterance.get(previous_end..w.start).unwrap_or("");
        if gap.contains([',', '.', ';', ':', '!', '?', '\u{2014}', '\u{2013}']) {
            clause += 1;
        }
        previous_end = w.end;
        for word in expand(&text::normalize(w.text)) {
            out.push(Tok { word, src, clause });
        }
    }
    out
}

/// Spells out one lower-cased word: "don't" is "do not", "i'm" is "i am", "ok" is "okay".
fn expand(w: &str) -> Vec<String> {
    let fixed: &[&str] = match w {
        "dont" => &["do", "not"],
        "doesnt" => &["does", "not"],
        "didnt" => &["did", "not"],
        "cant" | "cannot" => &["can", "not"],
        "wont" => &["will", "not"],
        "isnt" | "aint" => &["is", "not"],
        "arent" => &["are", "not"],
        "wasnt" => &["was", "not"],
        "werent" => &["were", "not"],
        "havent" => &["have", "not"],
        "hasnt" => &["has", "not"],
        "shouldnt" => &["should", "not"],
        "wouldnt" => &["would", "not"],
        "couldnt" => &["could", "not"],
        "im" => &["i", "am"],
        "youre" => &["you", "are"],
        "thats" => &["that", "is"],
        "theres" => &["there", "is"],
        "whats" => &["what", "is"],
        "gonna" => &["going", "to"],
        "wanna" => &["want", "to"],
        "gotta" => &["got", "to"],
        "ok" | "k" | "kk" => &["okay"],
        "optout" => &["opt", "out"],
        "unsub" => &["unsubscribe"],
        "noone" => &["no", "one"],
        "let's" => &["let", "us"],
        _ => &[],
    };
    if !fixed.is_empty() {
        return fixed.iter().map(|s| s.to_string()).collect();
    }
    if let Some(base) = w.strip_suffix("n't") {
        let base = match base {
            "ca" => "can",
            "wo" => "will",
            "ai" => "is",
            "sha" => "shall",
            other => other,
        };
        return vec![base.to_string(), "not".to_string()];
    }
    if let Some((head, tail)) = w.split_once('\'') {
        let tail = match tail {
            "m" => Some("am"),
            "re" => Some("are"),
            "ll" => Some("will"),
            "ve" => Some("have"),
            "d" => Some("would"),
            "s" if matches!(
                head,
                "it" | "that" | "there" | "what" | "he" | "she" | "who" | "here" | "where" | "how" | "this"
            ) =>
            {
                Some("is")
            }
            // Possessive "'s" ("John's") adds nothing to intent.
            "s" => None,
            _ => return vec![w.to_string()],
        };
        let mut out = vec![head.to_string()];
        out.extend(tail.map(str::to_string));
        return out;
    }
    vec![w.to_string()]
}

/// One element of a compiled pattern.
enum Elem {
    /// One token, one of these.
    Word(Vec<&'static str>),
    /// Optionally one token, one of these.
    Optional(Vec<&'static str>),
    /// The next token is none of these; consumes nothing.
    Not(Vec<&'static str>),
    /// Zero to three tokens.
    Gap,
    /// Only fillers before.
    Start,
    /// Only trailers after.
    End,
}

/// A pattern ready to match.
struct Compiled {
    elems: Vec<Elem>,
    label: Label,
    weight: f32,
    neg: Neg,
}

fn compiled() -> &'static [Compiled] {
    static COMPILED: OnceLock<Vec<Compiled>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        PATTERNS
            .iter()
            .map(|&(pattern, label, weight, neg)| Compiled {
                elems: pattern
                    .split(' ')
                    .map(|e| match e {
                        "*" => Elem::Gap,
                        "^" => Elem::Start,
                        "$" => Elem::End,
                        _ => {
                            if let Some(opt) = e.strip_prefix('?') {
                                Elem::Optional(opt.split('|').collect())
                            } else if let Some(not) = e.strip_prefix('!') {
                                Elem::Not(not.split('|').collect())
                            } else {
                                Elem::Word(e.split('|').collect())
                            }
                        }
                    })
                    .collect(),
                label,
                weight,
                neg,
            })
            .collect()
    })
}

/// Where the anchors may match: `^` at or before `start`, `$` at or after `end`.
struct Anchors {
    start: usize,
    end: usize,
}

/// The end of a match of `elems` starting at token `i`, if any.
fn match_at(elems: &[Elem], toks: &[Tok], i: usize, anchors: &Anchors) -> Option<usize> {
    let is = |k: usize, options: &[&str]| {
        toks.get(k).is_some_and(|t| {
            // An hour or a day of the month ("after 5", "on the 21"), not a phone number.
            let number = (1..=2).contains(&t.word.len()) && t.word.bytes().all(|b| b.is_ascii_digit());
            options.iter().any(|&o| o == t.word || (o == "#" && number))
        })
    };
    match elems.split_first() {
        None => Some(i),
        Some((Elem::Word(options), rest)) => {
            if is(i, options) {
                match_at(rest, toks, i + 1, anchors)
            } else {
                None
            }
        }
        Some((Elem::Optional(options), rest)) => {
            let taken = if is(i, options) { match_at(rest, toks, i + 1, anchors) } else { None };
            taken.or_else(|| match_at(rest, toks, i, anchors))
        }
        Some((Elem::Not(options), rest)) => {
            if is(i, options) {
                None
            } else {
                match_at(rest, toks, i, anchors)
            }
        }
        Some((Elem::Gap, rest)) => {
            (0..=3).filter(|k| i + k <= toks.len()).find_map(|k| match_at(rest, toks, i + k, anchors))
        }
        Some((Elem::Start, rest)) => {
            if i <= anchors.start {
                match_at(rest, toks, i, anchors)
            } else {
                None
            }
        }
        Some((Elem::End, rest)) => {
            if i >= anchors.end {
                match_at(rest, toks, i, anchors)
            } else {
                None
            }
        }
    }
}

/// The position of a "not" or "never" among the two tokens before token `i`, in its clause.
/// "Why don't you call me tomorrow" suggests rather than negates.
fn negator_before(toks: &[Tok], i: usize) -> Option<usize> {
    let clause = toks.get(i)?.clause;
    let word = |k: usize| toks.get(k).map_or("", |t| t.word.as_str());
    (i.saturating_sub(2)..i).find(|&k| {
        let suggestion = k >= 2 && word(k - 1) == "do" && word(k - 2) == "why";
        toks[k].clause == clause && matches!(word(k), "not" | "never") && !suggestion
    })
}

/// True when token `i` is negated.
fn negated(toks: &[Tok], i: usize) -> bool {
    negator_before(toks, i).is_some()
}

/// Evidence from the phrase patterns.
fn pattern_hits(toks: &[Tok]) -> Vec<Hit> {
    let is_filler = |t: &Tok| FILLERS.contains(&t.word.as_str());
    let is_trailer = |t: &Tok| TRAILERS.contains(&t.word.as_str());
    let anchors = Anchors {
        start: toks.iter().position(|t| !is_filler(t)).unwrap_or(toks.len()),
        end: toks.iter().rposition(|t| !is_trailer(t)).map_or(0, |k| k + 1),
    };
    let mut hits = Vec::new();
    for pattern in compiled() {
        for i in 0..toks.len() {
            let Some(end) = match_at(&pattern.elems, toks, i, &anchors) else { continue };
            if end == i {
                continue;
            }
            let (label, start) = match (pattern.neg, negator_before(toks, i)) {
                (Neg::Keep, _) | (_, None) => (pattern.label, i),
                (Neg::Skip, Some(_)) => continue,
                (Neg::Flip, Some(k)) => (Label::NotInterested, k),
            };
            hits.push(Hit { label, weight: pattern.weight, toks: start..end });
        }
    }
    hits
}

/// Tokens that show a "stop"/"quit" is about being contacted.
const CONTACT: &[&str] = &[
    "calling",
    "texting",
    "messaging",
    "contacting",
    "emailing",
    "bothering",
    "harassing",
    "sending",
    "receiving",
    "getting",
    "ringing",
    "phoning",
    "dialing",
    "dialling",
    "spamming",
    "pestering",
    "bugging",
    "it",
    "this",
    "that",
    "these",
    "them",
    "all",
    "now",
    "please",
    "calls",
    "texts",
    "messages",
    "immediately",
];

/// Objects that make "cancel" a revocation.
const CANCEL_OBJECTS: &[&str] = &[
    "calls",
    "call",
    "messages",
    "texts",
    "subscription",
    "consent",
    "it",
    "this",
    "that",
    "everything",
    "me",
    "us",
    "number",
    "these",
    "them",
];

/// Words that may surround a revocation word in a bare command ("I want to cancel, please").
const BARE: &[&str] = &[
    "please",
    "now",
    "it",
    "this",
    "that",
    "just",
    "the",
    "call",
    "calls",
    "all",
    "oh",
    "okay",
    "so",
    "these",
    "them",
    "right",
    "immediately",
    "here",
    "i",
    "we",
    "want",
    "would",
    "like",
    "need",
    "to",
    "you",
    "can",
    "could",
    "everything",
];

/// True for words that may come before a command ("oh, please end it").
fn opens_command(word: &str) -> bool {
    matches!(word, "please" | "just" | "now") || FILLERS.contains(&word)
}

/// True when every token but `i` may surround a bare command.
fn bare(toks: &[Tok], i: usize) -> bool {
    toks.iter()
        .enumerate()
        .all(|(k, t)| k == i || BARE.contains(&t.word.as_str()) || FILLERS.contains(&t.word.as_str()))
}

/// Evidence from the FCC revocation words, judged in context (see the module documentation).
fn revocations(toks: &[Tok]) -> Vec<Hit> {
    let mut hits = Vec::new();
    let word = |k: usize| toks.get(k).map_or("", |t| t.word.as_str());
    for i in 0..toks.len() {
        if negated(toks, i) {
            continue;
        }
        let next = word(i + 1);
        let prev = if i > 0 { word(i - 1) } else { "" };
        let contact_next = CONTACT.contains(&next);
        let hit = |weight: f32, len: usize| Hit { label: Label::OptOut, weight, toks: i..(i + len).min(toks.len()) };
        match word(i) {
            "revoke" | "revoking" | "revoked" | "revocation" | "unsubscribe" | "unsubscribing" | "unsubscribed" => {
                hits.push(hit(0.95, 1));
            }
            "opt" | "opting" | "opted" if next == "out" => hits.push(hit(0.95, 2)),
            "opt" | "opting" if matches!(next, "me" | "us") && word(i + 2) == "out" => hits.push(hit(0.95, 3)),
            "stop" | "quit" => {
                let phrasal = matches!(next, "by" | "in" | "over" | "at" | "for" | "to" | "off" | "up");
                let gerund = next.ends_with("ing") && !contact_next;
                let noun = matches!(
                    prev,
                    "the"
                        | "a"
                        | "an"
                        | "next"
                        | "last"
                        | "my"
                        | "your"
                        | "bus"
                        | "full"
                        | "pit"
                        | "one"
                        | "truck"
                        | "rest"
                        | "door"
                        | "first"
                        | "final"
                        | "non"
                        | "this"
                        | "that"
                );
                let alone = next.is_empty() || TRAILERS.contains(&next);
                let ok = if word(i) == "quit" { alone || contact_next } else { !phrasal && !gerund && !noun };
                if ok {
                    hits.push(hit(if alone || contact_next { 0.95 } else { 0.85 }, if contact_next { 2 } else { 1 }));
                }
            }
            // "End" opens the command ("End", "please end the calls"); "the end" is no revocation.
            "end" if bare(toks, i) && toks[..i].iter().all(|t| opens_command(&t.word)) => hits.push(hit(0.85, 1)),
            "cancel" => {
                let object = toks[i + 1..].iter().take(3).map(|t| t.word.as_str()).find(|w| {
                    !matches!(*w, "my" | "the" | "all" | "these" | "this" | "your" | "any" | "our" | "those")
                });
                if bare(toks, i) {
                    hits.push(hit(0.9, 1));
                } else if object.is_some_and(|o| CANCEL_OBJECTS.contains(&o)) {
                    let len = toks[i + 1..].iter().position(|t| Some(t.word.as_str()) == object).map_or(1, |p| p + 2);
                    hits.push(hit(0.9, len));
                }
            }
            _ => {}
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansions() {
        assert_eq!(expand("don't"), ["do", "not"]);
        assert_eq!(expand("can't"), ["can", "not"]);
        assert_eq!(expand("won't"), ["will", "not"]);
        assert_eq!(expand("i'm"), ["i", "am"]);
        assert_eq!(expand("there's"), ["there", "is"]);
        assert_eq!(expand("john's"), ["john"]);
        assert_eq!(expand("ok"), ["okay"]);
    }

    #[test]
    fn evidence_quotes_the_original_text() {
        let i = classify("Please TAKE me off your list!");
        assert_eq!(i.label, Label::OptOut);
        assert_eq!(i.evidence, ["TAKE me off your list"]);
        let i = classify("I'm not interested.");
        assert_eq!(i.evidence, ["not interested"]);
    }
}
