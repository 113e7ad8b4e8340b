//! The text front end: normalisation, sentence and phrase segmentation, letter to sound.
//!
//! The pipeline: `token` splits the text into words and punctuation with their character
//! spans; `segment` groups tokens into sentences (an abbreviation's dot ends one only before a
//! new sentence) and decides each sentence's tune; `normalize` turns each sentence's tokens
//! into the words said and the phrase breaks between them, with numbers in context in
//! `patterns`, `phone` and `currency`, and addresses in `web`; `pronounce` gives each word its
//! phones from the exceptions dictionary (`lexicon`), from dictionary words (`morph`), or from
//! the NRL letter-to-sound rules (`nrl`) with stress placed by `stress`.

mod abbrev;
mod currency;
mod lexicon;
mod lexicon_data;
mod morph;
mod normalize;
mod nrl;
mod nrl_rules;
mod numbers;
mod patterns;
mod phone;
mod pronounce;
mod segment;
mod stress;
mod token;
mod web;

#[cfg(test)]
mod tests;

use crate::phoneme::{Boundary, Phrase, Sentence, Word};
use normalize::Item;

/// The text as it will be read, every number, date, time, amount and abbreviation written
/// out as words.
///
/// Words keep their case where the text gave them (`Hello`), generated words are lower case
/// except month and day names (`March`), and spelled letters are capitals (`F B I`). Phrase
/// breaks show as commas and each sentence keeps its final mark (`.`, `?`, `!`, `...`).
pub fn normalize(text: &str) -> String {
    let mut out = String::new();
    for raw in segment::split(token::tokenize(text)) {
        let mut sentence = String::new();
        let mut pending_break = false;
        for item in normalize::sentence(&raw.tokens) {
            match item {
                Item::Break => pending_break = !sentence.is_empty(),
                Item::Word(w) => {
                    if !sentence.is_empty() {
                        if pending_break {
                            sentence.push(',');
                        }
                        sentence.push(' ');
                    }
                    pending_break = false;
                    sentence.push_str(&w.display);
                }
            }
        }
        if sentence.is_empty() {
            continue;
        }
        if let Some(ending) = raw.ending {
            sentence.push_str(ending.mark());
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&sentence);
    }
    out
}

/// What to say: sentences of phrases of words of phones, with stress and tune.
/// `emphasis` lists character spans (Unicode scalar values, end exclusive) of the input
/// to stress, in addition to what the text itself marks (capitals, `*word*`).
pub fn analyse(text: &str, emphasis: &[(u32, u32)]) -> Vec<Sentence> {
    let stressed = |start: u32, end: u32| emphasis.iter().any(|&(a, b)| a < b && a < end && start < b);
    let mut out = Vec::new();
    for raw in segment::split(token::tokenize(text)) {
        let items = normalize::sentence(&raw.tokens);
        let texts: Vec<String> =
            items.iter().filter_map(|i| if let Item::Word(w) = i { Some(w.text()) } else { None }).collect();
        let tune = segment::tune(raw.ending, texts.iter().map(String::as_str));
        let mut phrases = Vec::new();
        let mut words = Vec::new();
        for item in items {
            match item {
                Item::Break => {
                    if !words.is_empty() {
                        split_long(std::mem::take(&mut words), Boundary::Phrase, &mut phrases);
                    }
                }
                Item::Word(w) => {
                    let emphasis = w.emphasis || stressed(w.start, w.end);
                    let phones = pronounce::spoken(&w, emphasis);
                    if !phones.is_empty() {
                        words.push(Word { text: w.text(), phones, emphasis });
                    }
                }
            }
        }
        if !words.is_empty() {
            split_long(words, Boundary::Sentence, &mut phrases);
        } else if let Some(last) = phrases.last_mut() {
            last.boundary = Boundary::Sentence;
        }
        if !phrases.is_empty() {
            out.push(Sentence { phrases, tune });
        }
    }
    out
}

/// Phrases longer than this are split before a conjunction, as a speaker would pause to breathe.
const LONG_PHRASE: usize = 10;

/// Words a long phrase may be split before.
const BREAK_BEFORE: &[&str] =
    &["and", "but", "or", "because", "while", "although", "though", "unless", "whereas", "which", "so", "if", "when"];

/// Pushes `words` as one phrase, or, when it is long, as several split before conjunctions
/// near the middle (never inside an amount such as "dollars and fifty cents").
fn split_long(words: Vec<Word>, boundary: Boundary, out: &mut Vec<Phrase>) {
    let n = words.len();
    let number = |w: &Word| w.text.parse::<u64>().is_ok() || numbers::is_number_word(&w.text);
    let cut = (n > LONG_PHRASE)
        .then(|| {
            (4..=n - 4)
                .filter(|&k| BREAK_BEFORE.contains(&words[k].text.as_str()) && !words.get(k + 1).is_some_and(number))
                .min_by_key(|&k| k.abs_diff(n / 2))
        })
        .flatten();
    match cut {
        Some(k) => {
            let mut words = words;
            let tail = words.split_off(k);
            split_long(words, Boundary::Phrase, out);
            split_long(tail, boundary, out);
        }
        None => out.push(Phrase { words, boundary }),
    }
}
