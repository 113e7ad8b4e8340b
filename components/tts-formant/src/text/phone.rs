//! Phone numbers, read digit by digit in their groups with a pause between groups:
//! `(555) 123-4567`, `555-123-4567`, `1-800-555-1234`, `555-1234`, `+1 555 123 4567`,
//! `555 123 4567`, `5551234567`.

use super::normalize::Normalizer;
use super::numbers::digits;
use super::token::Punct;

/// `s` made only of ASCII digits, `n` of them.
fn digits_len(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// `555-123-4567` or `555.123.4567` as its groups of digits.
fn digit_groups(s: &str) -> Option<Vec<&str>> {
    let sep = if s.contains('-') { '-' } else { '.' };
    let groups: Vec<&str> = s.split(sep).collect();
    groups.iter().all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit())).then_some(groups)
}

impl Normalizer<'_> {
    /// Says a phone number: optional country code, then the groups digit by digit with a
    /// pause between groups.
    fn read_phone(&mut self, country: Option<&str>, groups: &[&str]) {
        if let Some(cc) = country {
            self.say("plus");
            self.say_all(&digits(cc));
            self.pause();
        }
        for (k, group) in groups.iter().enumerate() {
            if k > 0 {
                self.pause();
            }
            self.say_all(&digits(group));
        }
    }

    /// `(555) 123-4567`, starting at the `(`.
    pub(super) fn phone_paren(&mut self, i: usize) -> Option<usize> {
        let area = self.text_at(i + 1).filter(|s| digits_len(s, 3))?;
        if !self.punct_at(i + 2, Punct::Close) {
            return None;
        }
        let rest = self.text_at(i + 3)?;
        let (groups, used) = match digit_groups(rest) {
            Some(g) if g.len() == 2 && g[0].len() == 3 && g[1].len() == 4 => (vec![area, g[0], g[1]], 4),
            _ if digits_len(rest, 3) => {
                let last = self.text_at(i + 4).filter(|s| digits_len(s, 4))?;
                (vec![area, rest, last], 5)
            }
            _ => return None,
        };
        self.set_span(i, i + used - 1);
        self.read_phone(None, &groups);
        Some(used)
    }

    /// `555-123-4567`, `1-800-555-1234`, `555-1234`, `+1 555 123 4567`, `555 123 4567`.
    pub(super) fn phone(&mut self, i: usize) -> Option<usize> {
        let s = self.text_at(i)?;
        let (plus, body) = match s.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let groups = digit_groups(body)?;
        let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        let total: usize = lens.iter().sum();
        if groups.len() >= 2 {
            // "555.1234" is more likely a decimal than a phone number.
            let seven = lens == [3, 4] && body.contains('-');
            let national = matches!(lens.as_slice(), [3, 3, 4] | [1, 3, 3, 4]) || seven;
            let international = plus && groups.len() >= 3 && total >= 8 && lens.iter().all(|&n| n <= 4);
            if !(national || international) {
                return None;
            }
            if plus {
                self.read_phone(Some(groups[0]), &groups[1..]);
            } else {
                self.read_phone(None, &groups);
            }
            return Some(1);
        }
        // Ten digits run together ("5551234567"), or eleven after a 1: still a phone number.
        if groups.len() == 1 && !plus {
            let national = match (body.len(), body.strip_prefix('1')) {
                (10, _) => Some((None, body)),
                (11, Some(rest)) => Some((Some("1"), rest)),
                _ => None,
            };
            if let Some((lead, rest)) = national {
                let mut parts: Vec<&str> = lead.into_iter().collect();
                parts.extend([&rest[..3], &rest[3..6], &rest[6..]]);
                self.read_phone(None, &parts);
                return Some(1);
            }
        }
        // The groups are separate tokens.
        let mut rest = Vec::new();
        let mut j = i + 1;
        while let Some(g) = self.text_at(j).and_then(digit_groups) {
            if g.iter().any(|p| p.len() > 4) || rest.len() >= 6 {
                break;
            }
            rest.extend(g);
            j += 1;
        }
        let rest_digits: usize = rest.iter().map(|g| g.len()).sum();
        if plus && (1..=3).contains(&total) && rest.len() >= 2 && rest_digits >= 7 {
            self.set_span(i, j - 1);
            self.read_phone(Some(body), &rest);
            return Some(j - i);
        }
        let bare = !plus
            && lens == [3]
            && rest.len() >= 2
            && rest[0].len() == 3
            && rest[1].len() == 4
            && self.text_at(i + 1).is_some_and(|t| digits_len(t, 3))
            && self.text_at(i + 2).is_some_and(|t| digits_len(t, 4));
        if bare {
            self.set_span(i, i + 2);
            self.read_phone(None, &[body, rest[0], rest[1]]);
            return Some(3);
        }
        None
    }
}
