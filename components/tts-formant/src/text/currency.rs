//! Amounts of money: `$42.50`, `$1`, `-$5`, `$3.5 million`, `$5k`, `£2.50`, `€10`, `50¢`.

use super::normalize::Normalizer;
use super::numbers::{self, cardinal, is_number};

/// A currency: its symbol and the names of its unit and sub-unit.
struct Currency {
    one: &'static str,
    many: &'static str,
    /// Singular and plural of the hundredth, when the currency has one.
    sub: Option<(&'static str, &'static str)>,
}

fn currency_of(symbol: char) -> Option<Currency> {
    Some(match symbol {
        '$' => Currency { one: "dollar", many: "dollars", sub: Some(("cent", "cents")) },
        '\u{a3}' => Currency { one: "pound", many: "pounds", sub: Some(("penny", "pence")) },
        '\u{20ac}' => Currency { one: "euro", many: "euros", sub: Some(("cent", "cents")) },
        '\u{a5}' => Currency { one: "yen", many: "yen", sub: None },
        _ => return None,
    })
}

impl Normalizer<'_> {
    /// `$42.50`, `$1`, `-$5`, `$3.5 million`, `$5k`, `£2.50`, `€10`, `50¢`, a lone `$`.
    pub(super) fn currency(&mut self, i: usize) -> Option<usize> {
        let s = self.text_at(i)?;
        let (negative, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let first = s.chars().next()?;
        if let Some(cents) = s.strip_suffix('\u{a2}') {
            let n = numbers::value(cents).filter(|_| !cents.is_empty())?;
            self.say_all(&cardinal(n));
            self.say(if n == 1 { "cent" } else { "cents" });
            return Some(1);
        }
        let (cur, mut amount, mut used) = match currency_of(first) {
            Some(cur) => {
                let rest = &s[first.len_utf8()..];
                if !rest.is_empty() {
                    (cur, rest, 1)
                } else if let Some(next) = self.text_at(i + 1).filter(|t| t.starts_with(|c: char| c.is_ascii_digit())) {
                    (cur, next, 2)
                } else {
                    self.say(cur.many);
                    return Some(1);
                }
            }
            None => {
                let last = s.chars().last()?;
                let cur = currency_of(last).filter(|_| last != '$')?;
                (cur, &s[..s.len() - last.len_utf8()], 1)
            }
        };
        let mut scale = None;
        for (suffix, word) in
            [("k", "thousand"), ("m", "million"), ("mn", "million"), ("bn", "billion"), ("b", "billion")]
        {
            if let Some(rest) =
                amount.strip_suffix(suffix).or_else(|| amount.strip_suffix(&suffix.to_ascii_uppercase()))
            {
                amount = rest;
                scale = Some(word);
                break;
            }
        }
        if scale.is_none()
            && let Some(word) =
                self.text_at(i + used).filter(|t| ["thousand", "million", "billion", "trillion"].contains(t))
        {
            scale = Some(word);
            used += 1;
        }
        let (int, frac) = match amount.split_once('.') {
            Some((a, b)) => (a, Some(b)),
            None => (amount, None),
        };
        if !is_number(amount) || amount.starts_with('-') {
            return None;
        }
        self.set_span(i, i + used - 1);
        if negative {
            self.say("minus");
        }
        let plain = numbers::strip_separators(if int.is_empty() { "0" } else { int })?;
        let units = numbers::value(&plain).filter(|&n| n <= numbers::MAX_CARDINAL);
        let cents = frac.filter(|f| (1..=2).contains(&f.len())).and_then(|f| numbers::value(&format!("{f:0<2}")));
        match (scale, units, cents, cur.sub) {
            (Some(scale), ..) => {
                self.say_all(&numbers::number(amount)?);
                self.say(scale);
                self.say(cur.many);
            }
            (None, Some(0), Some(c), Some((one, many))) if c > 0 => {
                self.say_all(&cardinal(c));
                self.say(if c == 1 { one } else { many });
            }
            (None, Some(n), Some(c), Some((one, many))) => {
                self.say_all(&cardinal(n));
                self.say(if n == 1 { cur.one } else { cur.many });
                if c > 0 {
                    self.say("and");
                    self.say_all(&cardinal(c));
                    self.say(if c == 1 { one } else { many });
                }
            }
            (None, Some(n), None, _) if frac.is_none() => {
                self.say_all(&cardinal(n));
                self.say(if n == 1 { cur.one } else { cur.many });
            }
            _ => {
                self.say_all(&numbers::number(amount)?);
                self.say(cur.many);
            }
        }
        Some(used)
    }
}
