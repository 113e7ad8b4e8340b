//! Lexical stress for words pronounced by the letter-to-sound rules, and vowel reduction.
//!
//! The rules give phonemes but no stress. Stress is placed from the spelling, in order:
//! 1. a suffix that puts the stress on the syllable before it (`-tion`, `-ic`, `-ity`,
//!    `-ical`, `-ify`, `-ial`, `-ious`, `-logy`...): "fanTAStic", "inforMAtion", "bioLOgy";
//! 2. a suffix that takes the stress itself (`-ee`, `-eer`, `-ese`, `-ette`, `-ique`):
//!    "engiNEER";
//! 3. `-ate`, `-ize`, `-ise`, `-ator` put it two syllables before their own ("CONcentrate");
//! 4. otherwise, leaving out stress-neutral suffixes (`-ing`, `-ed`, `-s`, `-er`, `-ly`,
//!    `-ness`, `-ment`, `-ful`, `-less`, `-able`...) and, from a two-syllable stem, an
//!    unstressed prefix (`be-`, `de-`, `re-`, `con-`, `ex-`, `in-`, `at-`...), the stem takes
//!    it on: its only syllable; the first of two (the second if the first is a schwa, or is
//!    light before a long vowel with a silent e: "diVIDE"); of three or more, the penult if heavy (a long
//!    vowel, or consonants after it that cannot all begin the next syllable), else the
//!    antepenult.
//!
//! A syllable two or more before the main stress takes secondary stress, as does a final long
//! vowel after it ("investiGATE" -> `EY2`). A schwa never takes stress. Unstressed short
//! vowels other than /ih uh er/ are reduced to schwa (unstressed `AH`).

use super::nrl::RulePhone;
use crate::phoneme::{Phone, Phoneme, Stress};

/// Suffixes that stress the syllable just before them (longest first where they overlap).
const PRE_STRESSING: &[&str] = &[
    "ically",
    "ical",
    "ually",
    "ities",
    "ity",
    "ification",
    "ifies",
    "ified",
    "ify",
    "tions",
    "tion",
    "sions",
    "sion",
    "cian",
    "tial",
    "cial",
    "cious",
    "tious",
    "ious",
    "eous",
    "ial",
    "ian",
    "ians",
    "ient",
    "ience",
    "iency",
    "ics",
    "ic",
    "ular",
    "ety",
    "logist",
    "logy",
    "graphy",
    "meter",
    "itude",
    "itis",
    "ior",
    "ium",
    "ual",
    "uous",
];

/// Suffixes that take the main stress.
const STRESSED: &[&str] = &["eers", "eer", "ees", "ee", "ese", "ettes", "ette", "esque", "ique", "oon", "aire"];

/// Suffixes that leave the stress of the stem where it was.
const NEUTRAL: &[&str] = &[
    "ings", "ing", "ed", "es", "s", "ers", "er", "est", "ly", "ness", "ments", "ment", "ful", "less", "able", "ably",
    "ible", "ism", "ists", "ist", "ize", "izes", "ized", "izing", "ive", "graphs", "graph",
];

/// Prefixes that do not take the main stress of a two-syllable stem ("conFIRM", "inFORM",
/// "atTACH"). Longer words are left to the syllable-weight rule.
const PREFIXES: &[&str] = &[
    "be", "de", "re", "con", "com", "col", "cor", "ex", "dis", "mis", "un", "pre", "per", "ob", "ab", "ad", "in", "im",
    "em", "en", "es", "sub", "sup", "sus", "acc", "aff", "agg", "all", "ann", "app", "arr", "ass", "att",
];

/// Suffixes after which the main stress falls two syllables before the suffix's own
/// ("CONcentrate", "RECognize").
const ANTEPENULT: &[&str] =
    &["ates", "ated", "ating", "ate", "izes", "ized", "izing", "ize", "ises", "ised", "ising", "ise", "ator", "ators"];

fn is_tense(p: Phoneme) -> bool {
    use Phoneme::*;
    matches!(p, EY | IY | AY | OW | UW | AW | OY)
}

/// Whether the consonant letters after the vowel at letter `from`, up to the next vowel at
/// letter `to`, close its syllable: two or more (a doubled letter counts: "umBRELla"), except
/// a digraph for one sound or a stop followed by r or l, which begin the next syllable
/// ("PHOtograph").
fn closes_syllable(word: &[u8], from: usize, to: usize) -> bool {
    let vowel = |b: u8| b"aeiouy".contains(&b);
    let mut k = from;
    while k < to && word.get(k).is_some_and(|&b| vowel(b)) {
        k += 1;
    }
    let consonants = word.get(k..to).unwrap_or(&[]);
    match consonants {
        [] | [_] => false,
        [a, b] => {
            let digraph = matches!([*a, *b], [b't' | b'c' | b's' | b'p' | b'g' | b'w', b'h']);
            let onset = b"bcdfgkpt".contains(a) && matches!(b, b'r' | b'l');
            !(digraph || onset)
        }
        _ => true,
    }
}

/// Index of the last nucleus starting before letter `at`.
fn last_before(nuclei: &[(usize, RulePhone)], at: usize) -> Option<usize> {
    nuclei.iter().rposition(|(_, p)| p.letter < at)
}

/// Where the main stress goes, as an index into `nuclei`.
fn primary(word: &str, nuclei: &[(usize, RulePhone)]) -> usize {
    if nuclei.len() == 1 {
        return 0;
    }
    for suffix in PRE_STRESSING {
        if let Some(stem) = word.strip_suffix(suffix)
            && let Some(k) = last_before(nuclei, stem.len())
        {
            return k;
        }
    }
    for suffix in STRESSED {
        if word.len() > suffix.len() + 1
            && let Some(stem) = word.strip_suffix(suffix)
            && let Some(k) = nuclei.iter().position(|(_, p)| p.letter >= stem.len())
        {
            return k;
        }
    }
    for suffix in ANTEPENULT {
        if let Some(stem) = word.strip_suffix(suffix)
            && let Some(last) = last_before(nuclei, stem.len() + 1)
            && last >= 2
            && nuclei[last].1.letter == stem.len()
        {
            let k = last - 2;
            if !nuclei[k].1.reduced {
                return k;
            }
        }
    }
    // The stem: without neutral suffixes, as long as a syllable is left.
    let mut end = word.len();
    for _ in 0..2 {
        let stem = &word[..end];
        let Some(suffix) = NEUTRAL.iter().find(|s| {
            // "-sist" verbs (consist, insist) are not "-ist" nouns.
            let sist = s.starts_with("ist") && stem.ends_with(&format!("s{s}"));
            stem.len() > s.len() + 1 && stem.ends_with(*s) && !sist
        }) else {
            break;
        };
        let shorter = end - suffix.len();
        if nuclei.iter().any(|(_, p)| p.letter < shorter) {
            end = shorter;
        } else {
            break;
        }
    }
    let in_stem: Vec<usize> = (0..nuclei.len()).filter(|&k| nuclei[k].1.letter < end).collect();
    let mut begin = 0;
    if in_stem.len() == 2
        && let Some(prefix) = PREFIXES.iter().find(|p| word.len() > p.len() + 2 && word.starts_with(*p))
    {
        let after = in_stem.iter().filter(|&&k| nuclei[k].1.letter >= prefix.len()).count();
        if after == 1 {
            begin = prefix.len();
        }
    }
    let region: Vec<usize> = in_stem.into_iter().filter(|&k| nuclei[k].1.letter >= begin).collect();
    let chosen = match region.as_slice() {
        [] => 0,
        [only] => *only,
        [first, second] => {
            // "diVIDE", "deRIVE": a light first syllable before a long vowel and silent e.
            let (a, b) = (nuclei[*first].1, nuclei[*second].1);
            let stem = &word.as_bytes()[..end];
            let magic_e = stem.len() >= 3
                && stem[stem.len() - 1] == b'e'
                && !b"aeiouy".contains(&stem[stem.len() - 2])
                && b.letter + 3 == stem.len();
            let light_first = !is_tense(a.phoneme)
                && !closes_syllable(word.as_bytes(), a.letter, b.letter)
                && a.phoneme != Phoneme::ER;
            if a.reduced || (magic_e && is_tense(b.phoneme) && light_first) { *second } else { *first }
        }
        _ => {
            let n = region.len();
            let (penult, antepenult) = (region[n - 2], region[n - 3]);
            let nucleus = nuclei[penult].1;
            let next_letter = nuclei.get(penult + 1).map_or(word.len(), |(_, p)| p.letter);
            let heavy = !nucleus.reduced
                && (is_tense(nucleus.phoneme) || closes_syllable(word.as_bytes(), nucleus.letter, next_letter));
            if heavy { penult } else { antepenult }
        }
    };
    // A schwa never takes stress: move to the nearest full vowel, earlier ones first.
    if !nuclei[chosen].1.reduced {
        return chosen;
    }
    let full = |k: &usize| !nuclei[*k].1.reduced;
    (0..chosen).rev().find(full).or_else(|| (chosen + 1..nuclei.len()).find(full)).unwrap_or(chosen)
}

/// Stressed, reduced phones for a word from its rule phonemes; `word` is the lower-case
/// spelling the rules were given.
pub(crate) fn assign(word: &str, phones: &[RulePhone]) -> Vec<Phone> {
    let nuclei: Vec<(usize, RulePhone)> =
        phones.iter().copied().enumerate().filter(|(_, p)| p.phoneme.is_vowel()).collect();
    let mut stresses = vec![Stress::Unstressed; nuclei.len()];
    if !nuclei.is_empty() {
        let main = primary(word, &nuclei);
        stresses[main] = Stress::Primary;
        if let Some(k) = (0..main.saturating_sub(1)).find(|&k| !nuclei[k].1.reduced) {
            stresses[k] = Stress::Secondary;
        }
        // A long vowel in a final syllable after the main stress keeps some stress: "-ate".
        let last = nuclei.len() - 1;
        if last > main
            && !nuclei[last].1.reduced
            && is_tense(nuclei[last].1.phoneme)
            && nuclei[last].1.phoneme != Phoneme::IY
        {
            stresses[last] = Stress::Secondary;
        }
    }
    let mut out = Vec::with_capacity(phones.len());
    let mut nucleus = 0;
    for p in phones {
        if !p.phoneme.is_vowel() {
            out.push(Phone { phoneme: p.phoneme, stress: Stress::Unstressed });
            continue;
        }
        let stress = stresses[nucleus];
        nucleus += 1;
        let phoneme = match (stress, p.phoneme) {
            (Stress::Unstressed, Phoneme::AE | Phoneme::EH | Phoneme::AA | Phoneme::AO) => Phoneme::AH,
            (_, other) => other,
        };
        out.push(Phone { phoneme, stress });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::nrl::translate;

    fn stressed(word: &str) -> String {
        assign(word, &translate(word))
            .iter()
            .map(|p| match (p.phoneme.is_vowel(), p.stress) {
                (false, _) => p.phoneme.symbol().to_string(),
                (true, Stress::Unstressed) => format!("{}0", p.phoneme.symbol()),
                (true, Stress::Primary) => format!("{}1", p.phoneme.symbol()),
                (true, Stress::Secondary) => format!("{}2", p.phoneme.symbol()),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn places_stress_from_spelling() {
        assert_eq!(stressed("blimp"), "B L IH1 M P");
        assert_eq!(stressed("fantastic"), "F AH0 N T AE1 S T IH0 K");
        assert_eq!(stressed("nation"), "N EY1 SH AH0 N");
        assert_eq!(stressed("rabbit"), "R AE1 B IH0 T");
        assert_eq!(stressed("engineer"), "EH2 N JH IH0 N IY1 R");
        assert_eq!(stressed("decide"), "D IH0 S AY1 D");
        assert_eq!(stressed("divide"), "D IH0 V AY1 D");
        assert_eq!(stressed("blinking"), "B L IH1 NG K IH0 NG");
    }

    #[test]
    fn no_vowels_no_stress() {
        assert_eq!(stressed("tsk"), "T S K");
        assert!(assign("", &[]).is_empty());
    }
}
