//! URLs and e-mail addresses.
//!
//! A URL is read without its scheme: `https://www.example.com/path?q=1` is "w w w dot example
//! dot com slash path question mark q equals one". Listeners do not need "h t t p s colon slash
//! slash" to find a page, and it is the longest and least informative part. A trailing slash is
//! dropped. Labels that read as words are said as words; others (and `www`) are spelled.

use super::normalize::{Normalizer, pronounceable};
use super::numbers;
use super::pronounce;

/// Top-level domains said letter by letter rather than as a word.
const SPELLED_LABELS: &[&str] = &["www", "edu", "io", "uk", "us", "ai", "tv", "ca", "de", "fr", "au"];

impl Normalizer<'_> {
    /// Reads a URL (see the module documentation).
    pub(super) fn url(&mut self, s: &str) {
        let rest = match s.find("://") {
            Some(p) => &s[p + 3..],
            None => s,
        };
        let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (host_port, path) = rest.split_at(host_end);
        let (host, port) = match host_port.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        };
        self.host(host);
        if let Some(port) = port.filter(|p| !p.is_empty()) {
            self.say("colon");
            self.web_text(port);
        }
        self.web_text(path.trim_end_matches('/'));
    }

    /// Reads an e-mail address: `jane.doe@example.com` is "jane dot doe at example dot com".
    pub(super) fn email(&mut self, s: &str) {
        let (local, domain) = s.split_once('@').unwrap_or((s, ""));
        self.web_text(local);
        self.say("at");
        self.host(domain);
    }

    fn host(&mut self, host: &str) {
        for (k, label) in host.split('.').enumerate() {
            if k > 0 {
                self.say("dot");
            }
            self.web_text(label);
        }
    }

    /// Reads part of an address: runs of letters as words or spelled, runs of digits as a
    /// number (long ones digit by digit), punctuation by name.
    fn web_text(&mut self, s: &str) {
        let chars: Vec<char> = s.chars().collect();
        let mut k = 0;
        while k < chars.len() {
            let c = chars[k];
            if c.is_ascii_alphabetic() {
                let start = k;
                while chars.get(k).is_some_and(char::is_ascii_alphabetic) {
                    k += 1;
                }
                let run: String = chars[start..k].iter().collect();
                self.web_word(&run);
            } else if c.is_ascii_digit() {
                let start = k;
                while chars.get(k).is_some_and(char::is_ascii_digit) {
                    k += 1;
                }
                let run: String = chars[start..k].iter().collect();
                let words = if run.len() <= 4 && !(run.len() > 1 && run.starts_with('0')) {
                    numbers::integer(&run).unwrap_or_default()
                } else {
                    numbers::digits(&run)
                };
                self.say_all(&words);
            } else {
                let name = match c {
                    '/' => "slash",
                    '.' => "dot",
                    '-' => "dash",
                    '_' => "underscore",
                    '?' => "question mark",
                    '=' => "equals",
                    '&' => "and",
                    '#' => "hash",
                    '~' => "tilde",
                    ':' => "colon",
                    '+' => "plus",
                    '%' => "percent",
                    '@' => "at",
                    _ => "",
                };
                self.say(name);
                k += 1;
            }
        }
    }

    fn web_word(&mut self, run: &str) {
        let lower = run.to_ascii_lowercase();
        if SPELLED_LABELS.contains(&lower.as_str()) {
            self.spell(&lower, false);
            return;
        }
        // "BestBuy", "camelCase": split as in prose.
        let mixed_case =
            run.bytes().skip(1).any(|b| b.is_ascii_uppercase()) && run.bytes().any(|b| b.is_ascii_lowercase());
        if mixed_case && !pronounce::is_known(&lower) {
            self.letter_word(run, false);
            return;
        }
        if pronounce::is_known(&lower) || (lower.len() >= 3 && pronounceable(&lower)) {
            self.say(&lower);
            return;
        }
        self.spell(&lower, false);
    }
}
