//! Splits raw text into tokens: runs of word characters with punctuation peeled off into tokens
//! of their own, each tagged with its span in the input in characters (Unicode scalar values),
//! so that emphasis spans given by the caller can be matched to the words read.
//!
//! Characters are folded first: accented Latin letters lose their accents, typographic quotes
//! become ASCII, control characters become spaces, and characters that cannot be read (emoji,
//! other scripts) separate words and are otherwise dropped.

use super::abbrev;

/// A punctuation mark that matters for phrasing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Punct {
    Comma,
    Semicolon,
    Colon,
    /// A dash between words (`--`, em dash, en dash, a lone `-`).
    Dash,
    /// `(`, `[` or `{`.
    Open,
    /// `)`, `]` or `}`.
    Close,
    Period,
    Question,
    Exclamation,
    Ellipsis,
    /// A double quote: no pause of its own.
    Quote,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    /// Word characters; a trailing dot is kept when it belongs to an abbreviation (`Mr.`).
    Text(String),
    Punct(Punct),
    /// `*` or `_` opening an emphasised stretch.
    EmphOpen,
    /// `*` or `_` closing an emphasised stretch.
    EmphClose,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub kind: Kind,
    /// First character of the token in the input.
    pub start: u32,
    /// One past its last character.
    pub end: u32,
}

impl Token {
    /// The text of a `Text` token.
    pub(crate) fn text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// Characters kept besides ASCII: currency, degree and arithmetic signs, dashes, ellipsis.
fn is_kept_symbol(c: char) -> bool {
    matches!(c, '\u{20ac}' | '\u{a3}' | '\u{a5}' | '\u{a2}' | '\u{b0}' | '\u{d7}' | '\u{f7}' | '\u{b1}' | '\u{2014}')
        || matches!(c, '\u{2013}' | '\u{2026}' | '\u{2212}')
}

/// Folds one character to what the tokenizer works with, pushing the result (zero, one or
/// two characters) to `out`; false for a character that separates words.
fn fold(c: char, out: &mut Vec<char>) -> bool {
    let mapped = match c {
        c if c.is_whitespace() || c.is_control() => return false,
        c if c.is_ascii() => c,
        '\u{2018}' | '\u{2019}' | '\u{201b}' | '\u{2032}' | '\u{2bc}' => '\'',
        '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{2033}' | '\u{ab}' | '\u{bb}' => '"',
        '\u{2010}' | '\u{2011}' => '-',
        c if is_kept_symbol(c) => c,
        c => match strip_accent(c) {
            Some(s) => {
                out.extend(s.chars());
                return true;
            }
            None => return false,
        },
    };
    out.push(mapped);
    true
}

/// The unaccented form of a Latin letter: `é` -> `e`, `ß` -> `ss`.
fn strip_accent(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' => "A",
        'ç' | 'ć' | 'č' => "c",
        'Ç' | 'Ć' | 'Č' => "C",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ę' | 'Ě' => "E",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => "I",
        'ñ' | 'ń' | 'ň' => "n",
        'Ñ' | 'Ń' | 'Ň' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' => "O",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' | 'Ÿ' => "Y",
        'š' | 'ś' => "s",
        'Š' | 'Ś' => "S",
        'ž' | 'ź' | 'ż' => "z",
        'Ž' | 'Ź' | 'Ż' => "Z",
        'ł' => "l",
        'Ł' => "L",
        'ř' => "r",
        'Ř' => "R",
        'ß' => "ss",
        'æ' => "ae",
        'Æ' => "AE",
        'œ' => "oe",
        'Œ' => "OE",
        _ => return None,
    })
}

/// One character of a chunk with the position it came from.
type Pc = (u32, char);

/// Splits `text` into tokens.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chunk: Vec<Pc> = Vec::new();
    let mut folded = Vec::with_capacity(2);
    for (i, c) in text.chars().enumerate() {
        let pos = u32::try_from(i).unwrap_or(u32::MAX);
        folded.clear();
        if fold(c, &mut folded) {
            chunk.extend(folded.iter().map(|&f| (pos, f)));
        } else if !chunk.is_empty() {
            split_chunk(&mut chunk, &mut tokens);
            chunk.clear();
        }
    }
    if !chunk.is_empty() {
        split_chunk(&mut chunk, &mut tokens);
    }
    tokens
}

const TLDS: &[&str] = &[
    "com", "org", "net", "edu", "gov", "io", "co", "uk", "us", "ai", "app", "dev", "info", "biz", "me", "tv", "ca",
    "de",
];

/// True for a bare domain such as `example.com` or `shop.example.co.uk/help`.
pub(crate) fn is_domain(s: &str) -> bool {
    let host = s.split(['/', '?', '#']).next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        && labels.iter().any(|l| l.bytes().any(|b| b.is_ascii_alphabetic()))
        && labels.last().is_some_and(|tld| TLDS.contains(&tld.to_ascii_lowercase().as_str()))
}

/// True for an e-mail address: `local@domain.tld`.
pub(crate) fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && local.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-+%".contains(&b))
                && domain.contains('.')
                && domain.split('.').all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        }
        None => false,
    }
}

/// True for a URL with a scheme or a `www.` host.
pub(crate) fn is_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    (lower.contains("://") && lower.len() > 3) || (lower.starts_with("www.") && lower.len() > 4) || is_domain(s)
}

fn trailing_web_punct(c: char) -> Option<Punct> {
    Some(match c {
        '.' => Punct::Period,
        ',' => Punct::Comma,
        ';' => Punct::Semicolon,
        ':' => Punct::Colon,
        '!' => Punct::Exclamation,
        '?' => Punct::Question,
        ')' | ']' | '>' => Punct::Close,
        '"' | '\'' => Punct::Quote,
        _ => return None,
    })
}

fn push(tokens: &mut Vec<Token>, kind: Kind, first: &Pc, last: &Pc) {
    tokens.push(Token { kind, start: first.0, end: last.0.saturating_add(1) });
}

fn push_text(tokens: &mut Vec<Token>, chars: &[Pc]) {
    if let (Some(first), Some(last)) = (chars.first(), chars.last()) {
        let text: String = chars.iter().map(|&(_, c)| c).collect();
        push(tokens, Kind::Text(text), first, last);
    }
}

/// A URL or e-mail address stays whole, less the punctuation around it.
fn split_web(chunk: &[Pc], tokens: &mut Vec<Token>) -> bool {
    let mut lo = 0;
    while lo < chunk.len() && matches!(chunk[lo].1, '(' | '[' | '<' | '"' | '\'') {
        push(tokens, Kind::Punct(if chunk[lo].1 == '"' { Punct::Quote } else { Punct::Open }), &chunk[lo], &chunk[lo]);
        lo += 1;
    }
    let mut hi = chunk.len();
    let mut after = Vec::new();
    while hi > lo {
        match trailing_web_punct(chunk[hi - 1].1) {
            Some(p) => {
                after.push((p, chunk[hi - 1]));
                hi -= 1;
            }
            None => break,
        }
    }
    let core: String = chunk[lo..hi].iter().map(|&(_, c)| c).collect();
    if !(is_url(&core) || is_email(&core)) {
        tokens.truncate(tokens.len() - lo);
        return false;
    }
    push_text(tokens, &chunk[lo..hi]);
    for (p, pc) in after.iter().rev() {
        push(tokens, Kind::Punct(*p), pc, pc);
    }
    true
}

/// Splits one whitespace-delimited chunk at the punctuation that always separates words.
fn split_chunk(chunk: &mut [Pc], tokens: &mut Vec<Token>) {
    if chunk.iter().any(|&(_, c)| c == '@' || c == '.' || c == '/') && split_web(chunk, tokens) {
        return;
    }
    let digit_at = |chunk: &[Pc], i: usize| chunk.get(i).is_some_and(|&(_, c)| c.is_ascii_digit());
    let mut start = 0;
    let mut k = 0;
    while k < chunk.len() {
        let c = chunk[k].1;
        let between_digits = k > 0 && digit_at(chunk, k - 1) && digit_at(chunk, k + 1);
        let run = |ch: char| chunk[k..].iter().take_while(|&&(_, x)| x == ch).count();
        let sep = match c {
            ',' if !between_digits => Some((Punct::Comma, 1)),
            ';' => Some((Punct::Semicolon, 1)),
            '!' => Some((Punct::Exclamation, 1)),
            '?' => Some((Punct::Question, 1)),
            '(' | '[' | '{' => Some((Punct::Open, 1)),
            ')' | ']' | '}' => Some((Punct::Close, 1)),
            '"' => Some((Punct::Quote, 1)),
            '\u{2026}' => Some((Punct::Ellipsis, 1)),
            '\u{2014}' => Some((Punct::Dash, 1)),
            '\u{2013}' if between_digits => {
                chunk[k].1 = '-';
                None
            }
            '\u{2013}' => Some((Punct::Dash, 1)),
            '.' if run('.') >= 2 => Some((Punct::Ellipsis, run('.'))),
            '-' if run('-') >= 2 => Some((Punct::Dash, run('-'))),
            _ => None,
        };
        match sep {
            Some((p, len)) => {
                piece(&chunk[start..k], tokens);
                push(tokens, Kind::Punct(p), &chunk[k], &chunk[k + len - 1]);
                k += len;
                start = k;
            }
            None => k += 1,
        }
    }
    piece(&chunk[start..], tokens);
}

/// Peels emphasis markers, quotes, dashes and dots off the ends of a piece of a chunk.
fn piece(p: &[Pc], tokens: &mut Vec<Token>) {
    if p.iter().all(|&(_, c)| c == '*' || c == '_') {
        // A lone `*` between spaces is arithmetic ("2 * 3"); rules of `*` or `_` are decoration.
        if p.len() == 1 && p[0].1 == '*' {
            push_text(tokens, p);
        }
        return;
    }
    let next_is = |i: usize, f: &dyn Fn(char) -> bool| p.get(i).is_some_and(|&(_, c)| f(c));
    let mut lo = 0;
    while lo < p.len() {
        let digit_follows = next_is(lo + 1, &|c| c.is_ascii_digit());
        match p[lo].1 {
            '*' | '_' => push(tokens, Kind::EmphOpen, &p[lo], &p[lo]),
            '\'' | '.' if digit_follows => break,
            '\'' | '.' | ':' => {}
            '-' if digit_follows || next_is(lo + 1, &|c| "$.\u{a3}\u{20ac}\u{a5}".contains(c)) => break,
            '-' => push(tokens, Kind::Punct(Punct::Dash), &p[lo], &p[lo]),
            _ => break,
        }
        lo += 1;
    }
    let mut hi = p.len();
    let mut after: Vec<(Kind, Pc)> = Vec::new();
    while hi > lo {
        let last = p[hi - 1];
        let kind = match last.1 {
            '*' | '_' => Some(Kind::EmphClose),
            '\'' => None,
            ':' => Some(Kind::Punct(Punct::Colon)),
            '-' => Some(Kind::Punct(Punct::Dash)),
            '.' => {
                let core: String = p[lo..hi - 1].iter().map(|&(_, c)| c).collect();
                if !core.is_empty() && abbrev::takes_dot(&core) {
                    break;
                }
                Some(Kind::Punct(Punct::Period))
            }
            _ => break,
        };
        if let Some(kind) = kind {
            after.push((kind, last));
        }
        hi -= 1;
    }
    push_text(tokens, &p[lo..hi]);
    for (kind, pc) in after.into_iter().rev() {
        push(tokens, kind, &pc, &pc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str) -> Vec<String> {
        tokenize(text)
            .into_iter()
            .map(|t| match t.kind {
                Kind::Text(s) => s,
                Kind::Punct(p) => format!("<{p:?}>"),
                Kind::EmphOpen => "<*".to_string(),
                Kind::EmphClose => "*>".to_string(),
            })
            .collect()
    }

    #[test]
    fn peels_punctuation() {
        assert_eq!(show("Hello, world."), ["Hello", "<Comma>", "world", "<Period>"]);
        assert_eq!(show("Mr. Smith"), ["Mr.", "Smith"]);
        assert_eq!(show("(555) 123-4567"), ["<Open>", "555", "<Close>", "123-4567"]);
        assert_eq!(show("It's *very* good!"), ["It's", "<*", "very", "*>", "good", "<Exclamation>"]);
        assert_eq!(
            show("1,000,000 e.g., wait... what?!"),
            ["1,000,000", "e.g.", "<Comma>", "wait", "<Ellipsis>", "what", "<Question>", "<Exclamation>"]
        );
        assert_eq!(show("see https://example.com/path."), ["see", "https://example.com/path", "<Period>"]);
        assert_eq!(show("caf\u{e9} \u{1f600} ok"), ["cafe", "ok"]);
        assert_eq!(show("9\u{2013}5 well\u{2014}maybe"), ["9-5", "well", "<Dash>", "maybe"]);
    }

    #[test]
    fn spans_count_characters() {
        let toks = tokenize("\u{e9}t\u{e9} now");
        assert_eq!((toks[0].start, toks[0].end), (0, 3));
        assert_eq!((toks[1].start, toks[1].end), (4, 7));
    }
}
