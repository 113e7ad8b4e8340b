//! The contract between the text front end (`text`) and the synthesiser (`synth`): what to
//! say, as phones grouped into words, phrases and sentences, with the tune of each sentence.

/// The 39 ARPAbet phonemes of General American English (as in CMUdict).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phoneme {
    // Vowels and diphthongs.
    AA,
    AE,
    AH,
    AO,
    AW,
    AY,
    EH,
    ER,
    EY,
    IH,
    IY,
    OW,
    OY,
    UH,
    UW,
    // Stops.
    B,
    D,
    G,
    K,
    P,
    T,
    // Affricates.
    CH,
    JH,
    // Fricatives.
    DH,
    F,
    S,
    SH,
    TH,
    V,
    Z,
    ZH,
    HH,
    // Nasals.
    M,
    N,
    NG,
    // Liquids and glides.
    L,
    R,
    W,
    Y,
}

impl Phoneme {
    pub const ALL: [Phoneme; 39] = {
        use Phoneme::*;
        [
            AA, AE, AH, AO, AW, AY, EH, ER, EY, IH, IY, OW, OY, UH, UW, B, D, G, K, P, T, CH, JH, DH, F, S, SH, TH, V,
            Z, ZH, HH, M, N, NG, L, R, W, Y,
        ]
    };

    pub fn is_vowel(self) -> bool {
        use Phoneme::*;
        matches!(self, AA | AE | AH | AO | AW | AY | EH | ER | EY | IH | IY | OW | OY | UH | UW)
    }

    /// The ARPAbet symbol, e.g. `AA`.
    pub fn symbol(self) -> &'static str {
        use Phoneme::*;
        match self {
            AA => "AA",
            AE => "AE",
            AH => "AH",
            AO => "AO",
            AW => "AW",
            AY => "AY",
            EH => "EH",
            ER => "ER",
            EY => "EY",
            IH => "IH",
            IY => "IY",
            OW => "OW",
            OY => "OY",
            UH => "UH",
            UW => "UW",
            B => "B",
            D => "D",
            G => "G",
            K => "K",
            P => "P",
            T => "T",
            CH => "CH",
            JH => "JH",
            DH => "DH",
            F => "F",
            S => "S",
            SH => "SH",
            TH => "TH",
            V => "V",
            Z => "Z",
            ZH => "ZH",
            HH => "HH",
            M => "M",
            N => "N",
            NG => "NG",
            L => "L",
            R => "R",
            W => "W",
            Y => "Y",
        }
    }

    /// Parses an ARPAbet symbol (without stress digit), case-insensitively.
    pub fn parse(symbol: &str) -> Option<Phoneme> {
        Self::ALL.into_iter().find(|p| p.symbol().eq_ignore_ascii_case(symbol))
    }
}

/// Lexical stress of a vowel (consonants are always `Unstressed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stress {
    Unstressed,
    Primary,
    Secondary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Phone {
    pub phoneme: Phoneme,
    pub stress: Stress,
}

/// One spoken word.
#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    /// The word as read after normalisation, lower case (e.g. `forty-two` became `forty`, `two`).
    pub text: String,
    pub phones: Vec<Phone>,
    /// Spoken with emphasis: higher pitch, longer and louder stressed vowel.
    pub emphasis: bool,
}

/// What follows a phrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Boundary {
    /// A minor break: comma, semicolon, colon, dash, parenthesis. A short pause and a
    /// continuation rise.
    Phrase,
    /// The end of a sentence: a longer pause, the sentence's tune completes.
    Sentence,
}

/// The melody of a whole sentence, decided by its punctuation and first word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tune {
    /// Falls at the end.
    Statement,
    /// "You are coming?", "Is it ready?": rises at the end.
    YesNoQuestion,
    /// "Where are you?": falls at the end, starts higher.
    WhQuestion,
    /// Wider range, falls at the end.
    Exclamation,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Phrase {
    pub words: Vec<Word>,
    pub boundary: Boundary,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sentence {
    pub phrases: Vec<Phrase>,
    pub tune: Tune,
}

/// ARPAbet with stress digits on vowels, words separated by spaces and phrases by ` | `.
pub fn transcription(sentences: &[Sentence]) -> String {
    let mut phrases = Vec::new();
    for sentence in sentences {
        for phrase in &sentence.phrases {
            let words: Vec<String> = phrase
                .words
                .iter()
                .map(|w| {
                    w.phones
                        .iter()
                        .map(|p| match (p.phoneme.is_vowel(), p.stress) {
                            (false, _) => p.phoneme.symbol().to_string(),
                            (true, Stress::Unstressed) => format!("{}0", p.phoneme.symbol()),
                            (true, Stress::Primary) => format!("{}1", p.phoneme.symbol()),
                            (true, Stress::Secondary) => format!("{}2", p.phoneme.symbol()),
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
            phrases.push(words.join("  "));
        }
    }
    phrases.join(" | ")
}
