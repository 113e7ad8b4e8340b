//! Words built from dictionary words: inflections (`-s`, `-es`, `-ed`, `-ing`), derivations
//! (`-er`, `-ly`, `-ness`, `-ment`, `-ful`, `-less`, `-able`, `-ship`, `-hood`), prefixes (`un-`, `re-`, `dis-`
//! ...), contractions and possessives, and compounds of two dictionary words. The stem keeps
//! its dictionary stress; suffixes are unstressed; the weak prefixes (`un-`, `re-`, `dis-`,
//! `mis-`, `pre-`) are unstressed and the others take secondary stress.

use super::lexicon;
use crate::phoneme::{Phone, Phoneme, Stress};

const fn phone(phoneme: Phoneme, stress: Stress) -> Phone {
    Phone { phoneme, stress }
}

const fn c(phoneme: Phoneme) -> Phone {
    phone(phoneme, Stress::Unstressed)
}

const fn v0(phoneme: Phoneme) -> Phone {
    phone(phoneme, Stress::Unstressed)
}

const fn v2(phoneme: Phoneme) -> Phone {
    phone(phoneme, Stress::Secondary)
}

use Phoneme::*;

/// The ending of a plural, possessive or third person: /ih z/ after sibilants, /s/ after
/// other voiceless sounds, /z/ otherwise.
pub(crate) fn s_ending(last: Option<Phoneme>) -> Vec<Phone> {
    match last {
        Some(S | Z | SH | ZH | CH | JH) => vec![v0(IH), c(Z)],
        Some(P | T | K | F | TH) => vec![c(S)],
        _ => vec![c(Z)],
    }
}

/// The ending of a past tense: /ih d/ after t and d, /t/ after other voiceless sounds, /d/
/// otherwise.
fn ed_ending(last: Option<Phoneme>) -> Vec<Phone> {
    match last {
        Some(T | D) => vec![v0(IH), c(D)],
        Some(P | K | F | TH | S | SH | CH) => vec![c(T)],
        _ => vec![c(D)],
    }
}

fn joined(mut stem: Vec<Phone>, ending: &[Phone]) -> Vec<Phone> {
    stem.extend_from_slice(ending);
    stem
}

fn last(stem: &[Phone]) -> Option<Phoneme> {
    stem.last().map(|p| p.phoneme)
}

fn has_primary(p: &[Phone]) -> bool {
    p.iter().any(|p| p.stress == Stress::Primary)
}

/// A stem from the dictionary, or (with depth left) itself derived.
fn stem(word: &str, depth: u8) -> Option<Vec<Phone>> {
    if word.len() < 2 {
        return None;
    }
    lexicon::lookup(word).or_else(|| if depth > 0 { derive(word, depth - 1) } else { None })
}

/// A content-word stem: it must carry a main stress ("for" is not the stem of "forest").
fn content_stem(word: &str, depth: u8) -> Option<Vec<Phone>> {
    stem(word, depth).filter(|p| has_primary(p))
}

/// `stop` for `stopping`: the stem with a doubled final consonant undone.
fn undoubled(stem: &str) -> Option<&str> {
    let b = stem.as_bytes();
    let n = b.len();
    (n >= 3 && b[n - 1] == b[n - 2] && !b"aeiouy".contains(&b[n - 1])).then(|| &stem[..n - 1])
}

/// Stem candidates for a suffix that may have dropped a silent e or doubled a consonant.
fn stem_forms(base: &str) -> Vec<String> {
    let mut forms = vec![base.to_string(), format!("{base}e")];
    if let Some(u) = undoubled(base) {
        forms.push(u.to_string());
    }
    forms
}

fn first_content_stem(forms: &[String], depth: u8) -> Option<Vec<Phone>> {
    forms.iter().find_map(|f| content_stem(f, depth))
}

const PREFIXES: &[(&str, &[Phone], usize)] = &[
    ("un", &[v0(AH), c(N)], 3),
    ("re", &[c(R), v0(IY)], 4),
    ("dis", &[c(D), v0(IH), c(S)], 3),
    ("mis", &[c(M), v0(IH), c(S)], 3),
    ("non", &[c(N), v2(AA), c(N)], 3),
    ("pre", &[c(P), c(R), v0(IY)], 4),
    ("over", &[v2(OW), c(V), v0(ER)], 3),
    ("under", &[v2(AH), c(N), c(D), v0(ER)], 3),
    ("out", &[v2(AW), c(T)], 3),
    ("super", &[c(S), v2(UW), c(P), v0(ER)], 3),
    ("inter", &[v2(IH), c(N), c(T), v0(ER)], 3),
    ("anti", &[v2(AE), c(N), c(T), v0(IY)], 3),
    ("multi", &[c(M), v2(AH), c(L), c(T), v0(IY)], 3),
    ("in", &[v2(IH), c(N)], 6),
    ("im", &[v2(IH), c(M)], 5),
];

/// Derives the pronunciation of a word from dictionary words, `depth` levels deep.
pub(crate) fn derive(word: &str, depth: u8) -> Option<Vec<Phone>> {
    // Contractions and possessives: the base may be any word.
    if let Some(base) = word.strip_suffix("n't") {
        let mut p = stem(base, depth)?;
        if !has_primary(&p)
            && let Some(v) = p.iter_mut().find(|p| p.phoneme.is_vowel())
        {
            v.stress = Stress::Primary;
        }
        return Some(joined(p, &[v0(AH), c(N), c(T)]));
    }
    for (suffix, ending) in
        [("'ll", &[c(L)][..]), ("'re", &[v0(ER)]), ("'ve", &[c(V)]), ("'d", &[c(D)]), ("'m", &[c(M)])]
    {
        if let Some(base) = word.strip_suffix(suffix) {
            return Some(joined(super::pronounce::word(base), ending));
        }
    }
    if let Some(base) = word.strip_suffix("'s") {
        let p = super::pronounce::word(base);
        let ending = s_ending(last(&p));
        return Some(joined(p, &ending));
    }
    if word.contains('\'') {
        return Some(super::pronounce::word(&word.replace('\'', "")));
    }
    inflection(word, depth)
        .or_else(|| derivation(word, depth))
        .or_else(|| prefixed(word, depth))
        .or_else(|| compound(word))
}

fn inflection(word: &str, depth: u8) -> Option<Vec<Phone>> {
    if let Some(base) = word.strip_suffix("ies")
        && let Some(p) = content_stem(&format!("{base}y"), depth)
    {
        return Some(joined(p, &[c(Z)]));
    }
    if let Some(base) = word.strip_suffix('s').filter(|b| !b.ends_with('s') && !b.ends_with('u') && !b.ends_with('i'))
        && let Some(p) = stem(base, depth)
    {
        let ending = s_ending(last(&p));
        return Some(joined(p, &ending));
    }
    if let Some(base) =
        word.strip_suffix("es").filter(|b| b.ends_with(['s', 'x', 'z', 'o']) || b.ends_with("ch") || b.ends_with("sh"))
        && let Some(p) = stem(base, depth)
    {
        let ending = if base.ends_with('o') { vec![c(Z)] } else { vec![v0(IH), c(Z)] };
        return Some(joined(p, &ending));
    }
    if let Some(base) = word.strip_suffix("ied")
        && let Some(p) = content_stem(&format!("{base}y"), depth)
    {
        return Some(joined(p, &[c(D)]));
    }
    if let Some(base) = word.strip_suffix("ed")
        && let Some(p) = first_content_stem(&stem_forms(base), depth)
    {
        let ending = ed_ending(last(&p));
        return Some(joined(p, &ending));
    }
    if let Some(base) = word.strip_suffix("ing")
        && let Some(p) = first_content_stem(&stem_forms(base), depth)
    {
        return Some(joined(p, &[v0(IH), c(NG)]));
    }
    None
}

fn derivation(word: &str, depth: u8) -> Option<Vec<Phone>> {
    const SUFFIXES: &[(&str, &[Phone])] = &[
        ("ers", &[v0(ER), c(Z)]),
        ("er", &[v0(ER)]),
        ("est", &[v0(AH), c(S), c(T)]),
        ("ness", &[c(N), v0(AH), c(S)]),
        ("ments", &[c(M), v0(AH), c(N), c(T), c(S)]),
        ("ment", &[c(M), v0(AH), c(N), c(T)]),
        ("fully", &[c(F), v0(AH), c(L), v0(IY)]),
        ("ful", &[c(F), v0(AH), c(L)]),
        ("less", &[c(L), v0(AH), c(S)]),
        ("able", &[v0(AH), c(B), v0(AH), c(L)]),
        ("ships", &[c(SH), v2(IH), c(P), c(S)]),
        ("ship", &[c(SH), v2(IH), c(P)]),
        ("hood", &[c(HH), v2(UH), c(D)]),
        ("ly", &[c(L), v0(IY)]),
    ];
    if let Some(base) = word.strip_suffix("ily")
        && let Some(mut p) = content_stem(&format!("{base}y"), depth)
    {
        if p.last().is_some_and(|p| p.phoneme == IY) {
            p.pop();
        }
        return Some(joined(p, &[v0(AH), c(L), v0(IY)]));
    }
    for (suffix, ending) in SUFFIXES {
        if let Some(base) = word.strip_suffix(suffix).filter(|b| b.len() >= 3)
            && let Some(p) = first_content_stem(&stem_forms(base), depth)
        {
            return Some(joined(p, ending));
        }
    }
    None
}

fn prefixed(word: &str, depth: u8) -> Option<Vec<Phone>> {
    for (prefix, sound, min_stem) in PREFIXES {
        if let Some(rest) = word.strip_prefix(prefix).filter(|r| r.len() >= *min_stem)
            && let Some(p) = content_stem(rest, depth)
        {
            let nasal_ok = *prefix != "im" || rest.starts_with(['p', 'b', 'm']);
            if nasal_ok {
                return Some(joined(sound.to_vec(), &p));
            }
        }
    }
    None
}

/// Two dictionary words of four letters or more ("voicemail", "password"): the first keeps
/// its main stress, the second's is demoted to secondary.
fn compound(word: &str) -> Option<Vec<Phone>> {
    if !word.is_ascii() || word.len() < 8 {
        return None;
    }
    for cut in 4..=word.len() - 4 {
        let (a, b) = word.split_at(cut);
        if let (Some(first), Some(mut second)) = (content_stem(a, 0), content_stem(b, 0)) {
            for p in second.iter_mut().filter(|p| p.stress == Stress::Primary) {
                p.stress = Stress::Secondary;
            }
            return Some(joined(first, &second));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phoneme::{Sentence, transcription};

    fn show(p: &[Phone]) -> String {
        let sentence = Sentence {
            phrases: vec![crate::phoneme::Phrase {
                words: vec![crate::phoneme::Word { text: String::new(), phones: p.to_vec(), emphasis: false }],
                boundary: crate::phoneme::Boundary::Sentence,
            }],
            tune: crate::phoneme::Tune::Statement,
        };
        transcription(&[sentence])
    }

    fn d(word: &str) -> String {
        derive(word, 2).map(|p| show(&p)).unwrap_or_default()
    }

    #[test]
    fn inflections_take_the_right_allomorph() {
        assert_eq!(d("appointments"), "AH0 P OY1 N T M AH0 N T S");
        assert_eq!(d("schedules"), "S K EH1 JH UH0 L Z");
        assert_eq!(d("churches"), "CH ER1 CH IH0 Z");
        assert_eq!(d("scheduled"), "S K EH1 JH UH0 L D");
        assert_eq!(d("wanted"), "W AA1 N T IH0 D");
        assert_eq!(d("walked"), "W AO1 K T");
        assert_eq!(d("stopping"), "S T AA1 P IH0 NG");
        assert_eq!(d("making"), "M EY1 K IH0 NG");
        assert_eq!(d("companies"), "K AH1 M P AH0 N IY0 Z");
        assert_eq!(d("carried"), "K AE1 R IY0 D");
    }

    #[test]
    fn derivations_prefixes_and_compounds() {
        assert_eq!(d("kindness"), "K AY1 N D N AH0 S");
        assert_eq!(d("easily"), "IY1 Z AH0 L IY0");
        assert_eq!(d("unhappy"), "AH0 N HH AE1 P IY0");
        assert_eq!(d("rebooked"), "R IY0 B UH1 K T");
        assert_eq!(d("doorbell"), "");
        assert_eq!(d("paymentplan"), "P EY1 M AH0 N T P L AE2 N");
        assert_eq!(d("john's"), "JH AA1 N Z");
        assert!(!d("fbi's").is_empty());
    }
}
