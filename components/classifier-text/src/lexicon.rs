//! The VADER lexicon and emoji table, embedded in the component and parsed on first use.
//!
//! Data: `data/vader_lexicon.tsv` (token, mean valence) and `data/vader_emoji.tsv` (emoji, textual
//! description), derived from vaderSentiment 3.3.2 by `scripts/gen_vader_data.py`.
//! Copyright (c) 2016 C.J. Hutto, MIT licence; the full notice is in `data/LICENSE-VADER`.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// FNV-1a: the lexicon is looked up several times per token with short keys, for which this is
/// several times faster than the default SipHash. The keys are fixed data, so the denial-of-
/// service resistance SipHash buys is not needed.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

const LEXICON_TSV: &str = include_str!("../data/vader_lexicon.tsv");
const EMOJI_TSV: &str = include_str!("../data/vader_emoji.tsv");

/// Token to mean valence. Keys borrow from the embedded text, so building it allocates only the
/// table itself.
fn lexicon() -> &'static FnvMap<&'static str, f64> {
    static LEXICON: OnceLock<FnvMap<&'static str, f64>> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut map = FnvMap::with_capacity_and_hasher(7600, Default::default());
        for line in LEXICON_TSV.lines() {
            // A malformed line is skipped rather than trusted; the data is generated, so none is.
            let Some((token, mean)) = line.split_once('\t') else { continue };
            if let Ok(mean) = mean.trim().parse::<f64>() {
                map.insert(token, mean);
            }
        }
        map
    })
}

/// Single-code-point emoji to their description ("😀" to "grinning face").
fn emoji() -> &'static FnvMap<char, &'static str> {
    static EMOJI: OnceLock<FnvMap<char, &'static str>> = OnceLock::new();
    EMOJI.get_or_init(|| {
        let mut map = FnvMap::with_capacity_and_hasher(1300, Default::default());
        for line in EMOJI_TSV.lines() {
            let Some((key, description)) = line.split_once('\t') else { continue };
            let mut chars = key.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                map.insert(c, description);
            }
        }
        map
    })
}

/// The valence of a lower-cased token, if the lexicon rates it.
pub fn valence(token: &str) -> Option<f64> {
    lexicon().get(token).copied()
}

/// True when the lexicon rates the lower-cased token.
pub fn contains(token: &str) -> bool {
    lexicon().contains_key(token)
}

/// The textual description VADER substitutes for an emoji.
pub fn emoji_description(c: char) -> Option<&'static str> {
    // Every emoji in the table is outside ASCII; skipping the lookup for ASCII keeps the common
    // case free of hashing.
    if c.is_ascii() { None } else { emoji().get(&c).copied() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicon_loads_every_entry() {
        assert_eq!(lexicon().len(), LEXICON_TSV.lines().count());
        assert_eq!(valence("good"), Some(1.9));
        assert_eq!(valence("horrible"), Some(-2.5));
        // Duplicates in the upstream file keep the later value, as the reference's dict does.
        assert_eq!(valence("lol"), Some(1.8));
        assert!(!contains("not"));
    }

    #[test]
    fn emoji_table_loads() {
        assert_eq!(emoji_description('😁'), Some("beaming face with smiling eyes"));
        assert_eq!(emoji_description('a'), None);
        assert!(emoji().len() > 1000);
    }
}
