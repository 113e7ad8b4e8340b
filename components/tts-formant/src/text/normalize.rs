//! Text normalisation: turns the tokens of one sentence into the words that are said, with
//! phrase breaks. Numbers, dates, times, amounts, phone numbers, URLs and the like are in
//! `patterns.rs` and `web.rs`; this file holds the driver, plain words, acronyms, capitals
//! for emphasis and symbols.

use super::abbrev;
use super::numbers;
use super::pronounce;
use super::token::{Kind, Punct, Token};

/// How a word is pronounced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Say {
    /// As a word: lexicon, morphology or letter-to-sound rules.
    Word,
    /// As the name of a letter, part of a spelled-out group. The `last` letter of a group
    /// takes the main stress ("F B I"); `plural` adds an s ("C Ds").
    Letter { last: bool, plural: bool },
}

/// One word to say.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Spoken {
    /// As `normalize` shows it: `March`, `forty`, `F`.
    pub display: String,
    pub say: Say,
    /// Span of the input it came from, in characters.
    pub start: u32,
    pub end: u32,
    /// Marked in the text: capitals, `*asterisks*` or `_underscores_`.
    pub emphasis: bool,
}

impl Spoken {
    /// The word in lower case, as [`crate::phoneme::Word::text`] holds it.
    pub(crate) fn text(&self) -> String {
        self.display.to_ascii_lowercase()
    }
}

/// One step of what is said.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Item {
    Word(Spoken),
    /// A phrase break: comma, dash, bracket, or the gap between groups of a phone number.
    Break,
}

/// Capitalised words that are always spelled, even though they are also English words.
const ALWAYS_SPELLED: &[&str] = &[
    "us", "it", "am", "pm", "id", "hr", "tv", "pc", "ai", "uk", "eu", "ad", "bc", "iq", "pr", "er", "iv", "cv", "hq",
    "ip", "os", "ms", "dj",
];

/// Capitalised words that are normally written that way: never emphasis.
const CAPS_NORMAL: &[&str] = &["ok"];

/// Reads the tokens of one sentence.
pub(crate) struct Normalizer<'a> {
    pub(super) toks: &'a [Token],
    pub(super) out: Vec<Item>,
    /// The input span of what is being read.
    pub(super) span: (u32, u32),
    /// Inside `*...*` or `_..._`.
    emph: bool,
    /// Most words of the sentence are in capitals: capitals mean nothing.
    shouting: bool,
    /// The word being said is emphasised by its capitals.
    caps_emph: bool,
}

/// The words and breaks of one sentence's tokens.
pub(crate) fn sentence(toks: &[Token]) -> Vec<Item> {
    let (mut words, mut caps) = (0, 0);
    for s in toks.iter().filter_map(Token::text) {
        let letters = s.chars().filter(char::is_ascii_alphabetic);
        let (n, upper) = letters.fold((0, 0), |(n, u), c| (n + 1, u + usize::from(c.is_ascii_uppercase())));
        if n >= 2 {
            words += 1;
            caps += usize::from(upper == n);
        }
    }
    let mut n = Normalizer {
        toks,
        out: Vec::new(),
        span: (0, 0),
        emph: false,
        shouting: words >= 2 && caps * 2 > words,
        caps_emph: false,
    };
    let mut i = 0;
    while i < toks.len() {
        i += n.step(i).max(1);
    }
    n.out
}

impl<'a> Normalizer<'a> {
    /// The text of token `i`, if it is a `Text` token.
    pub(super) fn text_at(&self, i: usize) -> Option<&'a str> {
        self.toks.get(i).and_then(Token::text)
    }

    /// True when token `i` is the punctuation mark `p`.
    pub(super) fn punct_at(&self, i: usize, p: Punct) -> bool {
        self.toks.get(i).is_some_and(|t| t.kind == Kind::Punct(p))
    }

    /// Marks tokens `first..=last` as the source of the words said next.
    pub(super) fn set_span(&mut self, first: usize, last: usize) {
        if let (Some(a), Some(b)) = (self.toks.get(first), self.toks.get(last)) {
            self.span = (a.start, b.end);
        }
    }

    /// True before the first word of the sentence has been said.
    pub(super) fn at_start(&self) -> bool {
        !self.out.iter().any(|item| matches!(item, Item::Word(_)))
    }

    /// Says each space-separated word of `words`.
    pub(super) fn say(&mut self, words: &str) {
        for w in words.split_whitespace() {
            let (start, end) = self.span;
            let emphasis = self.emph || self.caps_emph;
            self.out.push(Item::Word(Spoken { display: w.to_string(), say: Say::Word, start, end, emphasis }));
        }
    }

    /// Says each of `words`.
    pub(super) fn say_all(&mut self, words: &[&str]) {
        for w in words {
            self.say(w);
        }
    }

    /// Spells the letters of `letters` ("F B I"), the last with an s when `plural`. Shown in
    /// capitals unless all were given in lower case ("a m").
    pub(super) fn spell(&mut self, letters: &str, plural: bool) {
        let mut letters: Vec<char> = letters.chars().filter(char::is_ascii_alphabetic).collect();
        if letters.iter().any(char::is_ascii_uppercase) {
            letters.iter_mut().for_each(|c| c.make_ascii_uppercase());
        }
        let (start, end) = self.span;
        for (k, c) in letters.iter().enumerate() {
            let last = k + 1 == letters.len();
            self.out.push(Item::Word(Spoken {
                display: if last && plural { format!("{c}s") } else { c.to_string() },
                say: Say::Letter { last, plural: last && plural },
                start,
                end,
                emphasis: self.emph,
            }));
        }
    }

    /// A phrase break (never two in a row, never before the first word).
    pub(super) fn pause(&mut self) {
        if matches!(self.out.last(), Some(Item::Word(_))) {
            self.out.push(Item::Break);
        }
    }

    /// Reads from token `i`; returns how many tokens were used.
    fn step(&mut self, i: usize) -> usize {
        let tok = &self.toks[i];
        self.span = (tok.start, tok.end);
        match &tok.kind {
            Kind::EmphOpen => self.emph = true,
            Kind::EmphClose => self.emph = false,
            Kind::Punct(Punct::Open) => match self.phone_paren(i) {
                Some(used) => return used,
                None => self.pause(),
            },
            Kind::Punct(Punct::Comma | Punct::Semicolon | Punct::Colon | Punct::Dash | Punct::Close) => self.pause(),
            Kind::Punct(_) => {}
            Kind::Text(_) => return self.text(i),
        }
        1
    }

    /// Reads the text token at `i`, trying the special readings in turn.
    fn text(&mut self, i: usize) -> usize {
        let Some(s) = self.text_at(i) else { return 1 };
        if super::token::is_email(s) {
            self.email(s);
            return 1;
        }
        if super::token::is_url(s) && !abbrev::is_dotted_initialism(s) {
            self.url(s);
            return 1;
        }
        let patterns: [fn(&mut Self, usize) -> Option<usize>; 8] = [
            Self::phone,
            Self::currency,
            Self::time,
            Self::date,
            Self::month_day,
            Self::day_month,
            Self::numeric,
            Self::abbreviation,
        ];
        for pattern in patterns {
            if let Some(used) = pattern(self, i) {
                return used;
            }
        }
        self.set_span(i, i);
        self.mixed(s);
        1
    }

    /// An abbreviation from the table, a dotted initialism such as `U.S.`, or a range of
    /// weekdays or months such as `Mon-Fri`.
    fn abbreviation(&mut self, i: usize) -> Option<usize> {
        let s = self.text_at(i)?;
        if let Some((a, b)) = s.split_once('-')
            && let (Some(first), Some(second)) = (abbrev::calendar_name(a), abbrev::calendar_name(b))
        {
            self.say(first);
            self.say("to");
            self.say(second);
            return Some(1);
        }
        let core = s.strip_suffix('.').unwrap_or(s);
        if abbrev::is_dotted_initialism(core) && abbrev::expand(s, false).is_none() {
            self.spell(core, false);
            return Some(1);
        }
        if let Some(street) = abbrev::street_reading(core) {
            // A street type after a capitalised word that does not start the sentence
            // ("Elm St."); a title otherwise ("Dr. Jones", "see Dr. Jones").
            let prev_capitalised = i >= 2
                && self.text_at(i - 1).is_some_and(|p| p.starts_with(|c: char| c.is_ascii_uppercase()))
                && (0..i - 1).any(|j| self.text_at(j).is_some());
            if prev_capitalised {
                self.say(street);
                return Some(1);
            }
        }
        let before_number = self.text_at(i + 1).is_some_and(|t| t.starts_with(|c: char| c.is_ascii_digit()));
        let words = abbrev::expand(s, before_number)?;
        self.say(words);
        Some(1)
    }

    /// Reads anything else: runs of letters, numbers and symbols in turn.
    pub(super) fn mixed(&mut self, s: &str) {
        if s.eq_ignore_ascii_case("and/or") {
            self.say("and or");
            return;
        }
        let chars: Vec<char> = s.chars().collect();
        let n = chars.len();
        let is_alpha = |k: usize| chars.get(k).is_some_and(char::is_ascii_alphabetic);
        let is_digit = |k: usize| chars.get(k).is_some_and(char::is_ascii_digit);
        let mut k = 0;
        while k < n {
            if is_alpha(k) {
                let start = k;
                while is_alpha(k) || (chars.get(k) == Some(&'\'') && is_alpha(k + 1)) {
                    k += 1;
                }
                let word: String = chars[start..k].iter().collect();
                // Letters run into `&` or digits are a code ("AT&T", "MP3"), not a word.
                let code = |c: Option<&char>| c.is_some_and(|c| *c == '&' || c.is_ascii_digit());
                let in_code = code(start.checked_sub(1).and_then(|p| chars.get(p))) || code(chars.get(k));
                self.letter_word(&word, !in_code);
            } else if is_digit(k) || (chars[k] == '.' && is_digit(k + 1)) {
                let start = k;
                while is_digit(k) || (k > start && matches!(chars.get(k), Some(',' | '.')) && is_digit(k + 1)) {
                    k += 1;
                }
                let digits: String = chars[start..k].iter().collect();
                // "3rd-party": an ordinal inside a longer token.
                let suffix: String = chars[k..].iter().take_while(|c| c.is_ascii_alphabetic()).collect();
                if ["st", "nd", "rd", "th"].contains(&suffix.to_ascii_lowercase().as_str())
                    && let Some(n) = numbers::value(&digits)
                {
                    self.say_all(&numbers::ordinal(n));
                    k += suffix.len();
                    continue;
                }
                // Long digit runs inside codes ("ABC123XYZ") are read digit by digit.
                let in_code = chars.iter().any(char::is_ascii_alphabetic);
                let words = match numbers::number(&digits) {
                    Some(words) if !(in_code && digits.len() >= 3) => words,
                    _ => numbers::digits(&digits),
                };
                self.say_all(&words);
            } else {
                let prev = k.checked_sub(1).and_then(|p| chars.get(p)).copied();
                self.symbol(chars[k], prev, chars.get(k + 1).copied());
                k += 1;
            }
        }
    }

    /// Says a symbol found between other characters.
    fn symbol(&mut self, c: char, prev: Option<char>, next: Option<char>) {
        let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        let digit_next = next.is_some_and(|c| c.is_ascii_digit());
        let words = match c {
            '&' => "and",
            '+' => "plus",
            '=' => "equals",
            '%' => "percent",
            '#' if digit_next => "number",
            '#' if next.is_some_and(|c| c.is_ascii_alphabetic()) => "hashtag",
            '#' => "hash",
            '@' => "at",
            '/' if prev.is_some_and(|c| c.is_ascii_alphabetic()) && next.is_some_and(|c| c.is_ascii_alphabetic()) => {
                "or"
            }
            '/' => "slash",
            '*' if (prev.is_none() && next.is_none()) || (alnum(prev) && alnum(next)) => "times",
            '\\' => "backslash",
            '<' => "less than",
            '>' => "greater than",
            '~' if digit_next => "approximately",
            '~' => "tilde",
            '\u{b0}' => "degrees",
            '\u{d7}' => "times",
            '\u{f7}' => "divided by",
            '\u{b1}' => "plus or minus",
            '-' | '\u{2212}' if digit_next && !alnum(prev) => "minus",
            '$' => "dollars",
            '\u{a3}' => "pounds",
            '\u{20ac}' => "euros",
            '\u{a5}' => "yen",
            '\u{a2}' => "cents",
            '.' if alnum(prev) && alnum(next) => "dot",
            '_' if alnum(prev) && alnum(next) => "underscore",
            ':' if prev.is_some_and(|c| c.is_ascii_digit()) && digit_next => "to",
            ':' if prev.is_some() && next.is_some() => {
                self.pause();
                return;
            }
            _ => return,
        };
        self.say(words);
    }

    /// Reads a run of letters (apostrophes inside allowed): a word, an acronym to spell, or
    /// a word in capitals for emphasis. `whole` is false for letters that are part of a code
    /// such as "AT&T", "MP3" or "SAVE20": capitals there are said as a word only when they
    /// read as one, and are never emphasis.
    pub(super) fn letter_word(&mut self, word: &str, whole: bool) {
        let w = word.trim_end_matches('\'');
        if w.is_empty() {
            return;
        }
        let lower = w.to_ascii_lowercase();
        if w.len() == 1 {
            match w {
                "I" | "i" | "a" => self.say(w),
                "A" if self.at_start() || self.shouting => self.say(w),
                _ => self.spell(w, false),
            }
            return;
        }
        if let Some(core) = acronym_plural(w)
            && !pronounce::is_acronym_word(&core.to_ascii_lowercase())
        {
            self.spell(core, true);
            return;
        }
        if !pronounce::is_known(&lower)
            && let Some(parts) = camel_split(w)
        {
            for part in parts {
                if part.len() == 1 {
                    self.spell(part, false);
                } else {
                    self.letter_word(part, false);
                }
            }
            return;
        }
        let caps = w.bytes().all(|b| !b.is_ascii_lowercase());
        if caps && !whole {
            // Part of a code: a word if it reads as one ("SAVE20"), never emphasis.
            if w.len() >= 4 && (pronounce::is_known(&lower) || pronounceable(&lower)) {
                self.say(w);
            } else {
                self.spell(w, false);
            }
            return;
        }
        if !caps {
            if !lower.bytes().any(|b| b"aeiouy".contains(&b)) && !pronounce::is_known(&lower) {
                self.spell(w, false);
            } else {
                self.say(w);
            }
            return;
        }
        if pronounce::is_acronym_word(&lower) || CAPS_NORMAL.contains(&lower.as_str()) {
            self.say(w);
            return;
        }
        if ALWAYS_SPELLED.contains(&lower.as_str()) {
            self.spell(w, false);
            return;
        }
        let known = pronounce::is_known(&lower);
        if self.shouting {
            if known || (w.len() >= 4 && pronounceable(&lower)) { self.say(w) } else { self.spell(w, false) }
        } else if whole && (known || (w.len() >= 5 && pronounceable(&lower))) {
            self.caps_emph = true;
            self.say(w);
            self.caps_emph = false;
        } else {
            self.spell(w, false);
        }
    }
}

/// Splits `iPhone`, `PayPal`, `XMLHttp` into their parts; `None` when there is nothing to
/// split. `McDonald` stays whole.
fn camel_split(w: &str) -> Option<Vec<&str>> {
    let b = w.as_bytes();
    let mut cuts = Vec::new();
    for k in 1..b.len() {
        let lower_upper = b[k - 1].is_ascii_lowercase() && b[k].is_ascii_uppercase();
        let acronym_word = b[k - 1].is_ascii_uppercase()
            && b[k].is_ascii_uppercase()
            && b.get(k + 1).is_some_and(u8::is_ascii_lowercase);
        let mc = k == 2 && w.starts_with("Mc");
        if (lower_upper || acronym_word) && !mc {
            cuts.push(k);
        }
    }
    if cuts.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    let mut from = 0;
    for cut in cuts {
        parts.push(&w[from..cut]);
        from = cut;
    }
    parts.push(&w[from..]);
    Some(parts)
}

/// `CDs`, `FBI's`: the capitals of an acronym with a plural or possessive s.
fn acronym_plural(w: &str) -> Option<&str> {
    let core = w.strip_suffix("'s").or_else(|| w.strip_suffix('s'))?;
    (core.len() >= 2 && core.bytes().all(|b| b.is_ascii_uppercase())).then_some(core)
}

const ONSETS: &[&str] = &[
    "", "b", "bl", "br", "c", "ch", "cl", "cr", "d", "dr", "dw", "f", "fl", "fr", "g", "gl", "gn", "gr", "h", "j", "k",
    "kl", "kn", "kr", "l", "m", "n", "p", "ph", "pl", "pr", "ps", "qu", "r", "s", "sc", "sch", "scr", "sh", "shr",
    "sk", "sl", "sm", "sn", "sp", "sph", "spl", "spr", "squ", "st", "str", "sw", "t", "th", "thr", "tr", "tw", "v",
    "w", "wh", "wr", "y", "z",
];

/// Whether a lower-case string of letters looks like it can be read as an English word: it has
/// a vowel, starts with a possible English onset, and has no long runs of consonants or vowels.
pub(crate) fn pronounceable(w: &str) -> bool {
    let b = w.as_bytes();
    if b.is_empty() || !b.iter().all(u8::is_ascii_lowercase) {
        return false;
    }
    let vowel = |k: usize| b"aeiou".contains(&b[k]) || (b[k] == b'y' && k > 0);
    let Some(first_vowel) = (0..b.len()).find(|&k| vowel(k)) else { return false };
    let onset = &w[..first_vowel];
    let onset = if onset.ends_with('q') && b.get(first_vowel) == Some(&b'u') { &w[..=first_vowel] } else { onset };
    if !ONSETS.contains(&onset) {
        return false;
    }
    let (mut consonants, mut vowels) = (0, 0);
    for k in 0..b.len() {
        if vowel(k) {
            vowels += 1;
            consonants = 0;
        } else {
            consonants += 1;
            vowels = 0;
        }
        if consonants > 3 || vowels > 2 {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_camel_case() {
        assert_eq!(camel_split("iPhone"), Some(vec!["i", "Phone"]));
        assert_eq!(camel_split("XMLHttp"), Some(vec!["XML", "Http"]));
        assert_eq!(camel_split("McDonald"), None);
        assert_eq!(camel_split("Hello"), None);
        assert_eq!(camel_split("FBI"), None);
    }

    #[test]
    fn judges_pronounceability() {
        assert!(pronounceable("amazing"));
        assert!(pronounceable("strand"));
        assert!(!pronounceable("tcpa"));
        assert!(!pronounceable("fbi"));
        assert!(!pronounceable("gdpr"));
        assert!(!pronounceable("ieee"));
    }
}
