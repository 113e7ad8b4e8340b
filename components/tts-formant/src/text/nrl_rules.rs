//! The letter-to-sound rules of NRL Report 7948: H. S. Elovitz, R. Johnson, A. McHugh and
//! J. E. Shore, "Automatic Translation of English Text to Phonetics by Means of Letter-to-Sound
//! Rules", Naval Research Laboratory, Washington D.C., 1976. The report is a work of the US
//! government and in the public domain. This table was written for this crate from the
//! report's rule set, with its phoneme codes mapped to ARPAbet; `AX` marks the report's schwa
//! (read as an unstressed `AH`).
//!
//! Each rule is `left context [match] right context = phonemes`; the first rule of the letter
//! whose match and contexts fit wins. Context symbols (see `nrl.rs`): ` ` word boundary,
//! `#` one or more vowels, `:` zero or more consonants, `*` one or more consonants, `^` one
//! consonant, `.` a voiced consonant (B D V G J L M N R W Z), `+` a front vowel (E I Y),
//! `%` a suffix (ER E ES ED ING ELY, right context only), `&` a sibilant (S C G Z X J CH SH),
//! `@` a consonant after which long U is /uw/ (T S R D L Z N J TH CH SH).

/// One rule: contexts and match in upper case; output is space-separated ARPAbet.
pub(crate) struct Rule {
    pub left: &'static str,
    pub mid: &'static str,
    pub right: &'static str,
    pub out: &'static str,
}

const fn r(left: &'static str, mid: &'static str, right: &'static str, out: &'static str) -> Rule {
    Rule { left, mid, right, out }
}

/// No requirement on the context.
const ANY: &str = "";
/// A word boundary.
const EDGE: &str = " ";
/// No sound.
const SILENT: &str = "";

static A: &[Rule] = &[
    r(ANY, "A", EDGE, "AX"),
    r(EDGE, "ARE", EDGE, "AA R"),
    r(EDGE, "AR", "O", "AX R"),
    r(ANY, "AR", "#", "EH R"),
    r("^", "AS", "#", "EY S"),
    r(ANY, "A", "WA", "AX"),
    r(ANY, "AW", ANY, "AO"),
    r(" :", "ANY", ANY, "EH N IY"),
    r(ANY, "A", "^+#", "EY"),
    r("#:", "ALLY", ANY, "AX L IY"),
    r(EDGE, "AL", "#", "AX L"),
    r(ANY, "AGAIN", ANY, "AX G EH N"),
    r("#:", "AG", "E", "IH JH"),
    r(ANY, "A", "^+:#", "AE"),
    r(" :", "A", "^+ ", "EY"),
    r(ANY, "A", "^%", "EY"),
    r(EDGE, "ARR", ANY, "AX R"),
    r(ANY, "ARR", ANY, "AE R"),
    r(" :", "AR", EDGE, "AA R"),
    r(ANY, "AR", EDGE, "ER"),
    r(ANY, "AR", ANY, "AA R"),
    r(ANY, "AIR", ANY, "EH R"),
    r(ANY, "AI", ANY, "EY"),
    r(ANY, "AY", ANY, "EY"),
    r(ANY, "AU", ANY, "AO"),
    r("#:", "AL", EDGE, "AX L"),
    r("#:", "ALS", EDGE, "AX L Z"),
    r(ANY, "ALK", ANY, "AO K"),
    r(ANY, "AL", "^", "AO L"),
    r(" :", "ABLE", ANY, "EY B AX L"),
    r(ANY, "ABLE", ANY, "AX B AX L"),
    r(ANY, "ANG", "+", "EY N JH"),
    r(ANY, "A", ANY, "AE"),
];

static B: &[Rule] = &[
    r(EDGE, "BE", "^#", "B IH"),
    r(ANY, "BEING", ANY, "B IY IH NG"),
    r(EDGE, "BOTH", EDGE, "B OW TH"),
    r(EDGE, "BUS", "#", "B IH Z"),
    r(ANY, "BUIL", ANY, "B IH L"),
    r(ANY, "B", ANY, "B"),
];

static C: &[Rule] = &[
    r(EDGE, "CH", "^", "K"),
    r("^E", "CH", ANY, "K"),
    r(ANY, "CH", ANY, "CH"),
    r(" S", "CI", "#", "S AY"),
    r(ANY, "CI", "A", "SH"),
    r(ANY, "CI", "O", "SH"),
    r(ANY, "CI", "EN", "SH"),
    r(ANY, "C", "+", "S"),
    r(ANY, "CK", ANY, "K"),
    r(ANY, "COM", "%", "K AH M"),
    r(ANY, "C", ANY, "K"),
];

static D: &[Rule] = &[
    r("#:", "DED", EDGE, "D IH D"),
    r(".E", "D", EDGE, "D"),
    r("#:^E", "D", EDGE, "T"),
    r(EDGE, "DE", "^#", "D IH"),
    r(EDGE, "DO", EDGE, "D UW"),
    r(EDGE, "DOES", ANY, "D AH Z"),
    r(EDGE, "DOING", ANY, "D UW IH NG"),
    r(EDGE, "DOW", ANY, "D AW"),
    r(ANY, "DU", "A", "JH UW"),
    r(ANY, "D", ANY, "D"),
];

static E: &[Rule] = &[
    r("#:", "E", EDGE, SILENT),
    r("':^", "E", EDGE, SILENT),
    r(" :", "E", EDGE, "IY"),
    r("#", "ED", EDGE, "D"),
    r("#:", "E", "D ", SILENT),
    r(ANY, "EV", "ER", "EH V"),
    r(ANY, "E", "^%", "IY"),
    r(ANY, "ERI", "#", "IY R IY"),
    r(ANY, "ERI", ANY, "EH R IH"),
    r("#:", "ER", "#", "ER"),
    r(ANY, "ER", "#", "EH R"),
    r(ANY, "ER", ANY, "ER"),
    r(EDGE, "EVEN", ANY, "IY V EH N"),
    r("#:", "E", "W", SILENT),
    r("@", "EW", ANY, "UW"),
    r(ANY, "EW", ANY, "Y UW"),
    r(ANY, "E", "O", "IY"),
    r("#:&", "ES", EDGE, "IH Z"),
    r("#:", "E", "S ", SILENT),
    r("#:", "ELY", EDGE, "L IY"),
    r("#:", "EMENT", ANY, "M EH N T"),
    r(ANY, "EFUL", ANY, "F UH L"),
    r(ANY, "EE", ANY, "IY"),
    r(ANY, "EARN", ANY, "ER N"),
    r(EDGE, "EAR", "^", "ER"),
    r(ANY, "EAD", ANY, "EH D"),
    r("#:", "EA", EDGE, "IY AX"),
    r(ANY, "EA", "SU", "EH"),
    r(ANY, "EA", ANY, "IY"),
    r(ANY, "EIGH", ANY, "EY"),
    r(ANY, "EI", ANY, "IY"),
    r(EDGE, "EYE", ANY, "AY"),
    r(ANY, "EY", ANY, "IY"),
    r(ANY, "EU", ANY, "Y UW"),
    r(ANY, "E", ANY, "EH"),
];

static F: &[Rule] = &[r(ANY, "FUL", ANY, "F UH L"), r(ANY, "F", ANY, "F")];

static G: &[Rule] = &[
    r(ANY, "GIV", ANY, "G IH V"),
    r(EDGE, "G", "I^", "G"),
    r(ANY, "GE", "T", "G EH"),
    r("SU", "GGES", ANY, "G JH EH S"),
    r(ANY, "GG", ANY, "G"),
    r(" B#", "G", ANY, "G"),
    r(ANY, "G", "+", "JH"),
    r(ANY, "GREAT", ANY, "G R EY T"),
    r("#", "GH", ANY, SILENT),
    r(ANY, "G", ANY, "G"),
];

static H: &[Rule] = &[
    r(EDGE, "HAV", ANY, "HH AE V"),
    r(EDGE, "HERE", ANY, "HH IY R"),
    r(EDGE, "HOUR", ANY, "AW ER"),
    r(ANY, "HOW", ANY, "HH AW"),
    r(ANY, "H", "#", "HH"),
    r(ANY, "H", ANY, SILENT),
];

static I: &[Rule] = &[
    r(EDGE, "IN", ANY, "IH N"),
    r(EDGE, "I", EDGE, "AY"),
    r(ANY, "IN", "D", "AY N"),
    r(ANY, "IER", ANY, "IY ER"),
    r("#:R", "IED", ANY, "IY D"),
    r(ANY, "IED", EDGE, "AY D"),
    r(ANY, "IEN", ANY, "IY EH N"),
    r(ANY, "IE", "T", "AY EH"),
    r(" :", "I", "%", "AY"),
    r(ANY, "I", "%", "IY"),
    r(ANY, "IE", ANY, "IY"),
    r(ANY, "I", "^+:#", "IH"),
    r(ANY, "IR", "#", "AY R"),
    r(ANY, "IZ", "%", "AY Z"),
    r(ANY, "IS", "%", "AY Z"),
    r(ANY, "I", "D%", "AY"),
    r("+^", "I", "^+", "IH"),
    r(ANY, "I", "T%", "AY"),
    r("#:^", "I", "^+", "IH"),
    r(ANY, "I", "^+", "AY"),
    r(ANY, "IR", ANY, "ER"),
    r(ANY, "IGH", ANY, "AY"),
    r(ANY, "ILD", ANY, "AY L D"),
    r(ANY, "IGN", EDGE, "AY N"),
    r(ANY, "IGN", "^", "AY N"),
    r(ANY, "IGN", "%", "AY N"),
    r(ANY, "IQUE", ANY, "IY K"),
    r(ANY, "I", ANY, "IH"),
];

static J: &[Rule] = &[r(ANY, "J", ANY, "JH")];

static K: &[Rule] = &[r(EDGE, "K", "N", SILENT), r(ANY, "K", ANY, "K")];

static L: &[Rule] = &[
    r(ANY, "LO", "C#", "L OW"),
    r("L", "L", ANY, SILENT),
    r("#:^", "L", "%", "AX L"),
    r(ANY, "LEAD", ANY, "L IY D"),
    r(ANY, "L", ANY, "L"),
];

static M: &[Rule] = &[r(ANY, "MOV", ANY, "M UW V"), r(ANY, "M", ANY, "M")];

static N: &[Rule] = &[
    r("E", "NG", "+", "N JH"),
    r(ANY, "NG", "R", "NG G"),
    r(ANY, "NG", "#", "NG G"),
    r(ANY, "NGL", "%", "NG G AX L"),
    r(ANY, "NG", ANY, "NG"),
    r(ANY, "NK", ANY, "NG K"),
    r(EDGE, "NOW", EDGE, "N AW"),
    r(ANY, "N", ANY, "N"),
];

static O: &[Rule] = &[
    r(ANY, "OF", EDGE, "AX V"),
    r(ANY, "OROUGH", ANY, "ER OW"),
    r("#:", "OR", EDGE, "ER"),
    r("#:", "ORS", EDGE, "ER Z"),
    r(ANY, "OR", ANY, "AO R"),
    r(EDGE, "ONE", ANY, "W AH N"),
    r(ANY, "OW", ANY, "OW"),
    r(EDGE, "OVER", ANY, "OW V ER"),
    r(ANY, "OV", ANY, "AH V"),
    r(ANY, "O", "^%", "OW"),
    r(ANY, "O", "^EN", "OW"),
    r(ANY, "O", "^I#", "OW"),
    r(ANY, "OL", "D", "OW L"),
    r(ANY, "OUGHT", ANY, "AO T"),
    r(ANY, "OUGH", ANY, "AH F"),
    r(EDGE, "OU", ANY, "AW"),
    r("H", "OU", "S#", "AW"),
    r(ANY, "OUS", ANY, "AX S"),
    r(ANY, "OUR", ANY, "AO R"),
    r(ANY, "OULD", ANY, "UH D"),
    r("^", "OU", "^L", "AH"),
    r(ANY, "OUP", ANY, "UW P"),
    r(ANY, "OU", ANY, "AW"),
    r(ANY, "OY", ANY, "OY"),
    r(ANY, "OING", ANY, "OW IH NG"),
    r(ANY, "OI", ANY, "OY"),
    r(ANY, "OOR", ANY, "AO R"),
    r(ANY, "OOK", ANY, "UH K"),
    r(ANY, "OOD", ANY, "UH D"),
    r(ANY, "OO", ANY, "UW"),
    r(ANY, "O", "E", "OW"),
    r(ANY, "O", EDGE, "OW"),
    r(ANY, "OA", ANY, "OW"),
    r(EDGE, "ONLY", ANY, "OW N L IY"),
    r(EDGE, "ONCE", ANY, "W AH N S"),
    r(ANY, "ON'T", ANY, "OW N T"),
    r("C", "O", "N", "AA"),
    r(ANY, "O", "NG", "AO"),
    r(" :^", "O", "N", "AH"),
    r("I", "ON", ANY, "AX N"),
    r("#:", "ON", EDGE, "AX N"),
    r("#^", "ON", ANY, "AX N"),
    r(ANY, "O", "ST ", "OW"),
    r(ANY, "OF", "^", "AO F"),
    r(ANY, "OTHER", ANY, "AH DH ER"),
    r(ANY, "OSS", EDGE, "AO S"),
    r("#:^", "OM", ANY, "AH M"),
    r(ANY, "O", ANY, "AA"),
];

static P: &[Rule] = &[
    r(ANY, "PH", ANY, "F"),
    r(ANY, "PEOP", ANY, "P IY P"),
    r(ANY, "POW", ANY, "P AW"),
    r(ANY, "PUT", EDGE, "P UH T"),
    r(ANY, "P", ANY, "P"),
];

static Q: &[Rule] = &[r(ANY, "QUAR", ANY, "K W AO R"), r(ANY, "QU", ANY, "K W"), r(ANY, "Q", ANY, "K")];

static R: &[Rule] = &[r(EDGE, "RE", "^#", "R IY"), r(ANY, "R", ANY, "R")];

static S: &[Rule] = &[
    r(ANY, "SH", ANY, "SH"),
    r("#", "SION", ANY, "ZH AX N"),
    r(ANY, "SOME", ANY, "S AH M"),
    r("#", "SUR", "#", "ZH ER"),
    r(ANY, "SUR", "#", "SH ER"),
    r("#", "SU", "#", "ZH UW"),
    r("#", "SSU", "#", "SH UW"),
    r("#", "SED", EDGE, "Z D"),
    r("#", "S", "#", "Z"),
    r(ANY, "SAID", ANY, "S EH D"),
    r("^", "SION", ANY, "SH AX N"),
    r(ANY, "S", "S", SILENT),
    r(".", "S", EDGE, "Z"),
    r("#:.E", "S", EDGE, "Z"),
    r("#:^##", "S", EDGE, "Z"),
    r("#:^#", "S", EDGE, "S"),
    r("U", "S", EDGE, "S"),
    r(" :#", "S", EDGE, "Z"),
    r(EDGE, "SCH", ANY, "S K"),
    r(ANY, "S", "C+", SILENT),
    r("#", "SM", ANY, "Z M"),
    r("#", "SN", "'", "Z AX N"),
    r(ANY, "S", ANY, "S"),
];

static T: &[Rule] = &[
    r(EDGE, "THE", EDGE, "DH AX"),
    r(ANY, "TO", EDGE, "T UW"),
    r(ANY, "THAT", EDGE, "DH AE T"),
    r(EDGE, "THIS", EDGE, "DH IH S"),
    r(EDGE, "THEY", ANY, "DH EY"),
    r(EDGE, "THERE", ANY, "DH EH R"),
    r(ANY, "THER", ANY, "DH ER"),
    r(ANY, "THEIR", ANY, "DH EH R"),
    r(EDGE, "THAN", EDGE, "DH AE N"),
    r(EDGE, "THEM", EDGE, "DH EH M"),
    r(ANY, "THESE", EDGE, "DH IY Z"),
    r(EDGE, "THEN", ANY, "DH EH N"),
    r(ANY, "THROUGH", ANY, "TH R UW"),
    r(ANY, "THOSE", ANY, "DH OW Z"),
    r(ANY, "THOUGH", EDGE, "DH OW"),
    r(EDGE, "THUS", ANY, "DH AH S"),
    r(ANY, "TH", ANY, "TH"),
    r("#:", "TED", EDGE, "T IH D"),
    r("S", "TI", "#N", "CH"),
    r(ANY, "TI", "O", "SH"),
    r(ANY, "TI", "A", "SH"),
    r(ANY, "TIEN", ANY, "SH AX N"),
    r(ANY, "TUR", "#", "CH ER"),
    r(ANY, "TU", "A", "CH UW"),
    r(EDGE, "TWO", ANY, "T UW"),
    r(ANY, "T", ANY, "T"),
];

static U: &[Rule] = &[
    r(EDGE, "UN", "I", "Y UW N"),
    r(EDGE, "UN", ANY, "AH N"),
    r(EDGE, "UPON", ANY, "AX P AO N"),
    r("@", "UR", "#", "UH R"),
    r(ANY, "UR", "#", "Y UH R"),
    r(ANY, "UR", ANY, "ER"),
    r(ANY, "U", "^ ", "AH"),
    r(ANY, "U", "^^", "AH"),
    r(ANY, "UY", ANY, "AY"),
    r(" G", "U", "#", SILENT),
    r("G", "U", "%", SILENT),
    r("G", "U", "#", "W"),
    r("#N", "U", ANY, "Y UW"),
    r("@", "U", ANY, "UW"),
    r(ANY, "U", ANY, "Y UW"),
];

static V: &[Rule] = &[r(ANY, "VIEW", ANY, "V Y UW"), r(ANY, "V", ANY, "V")];

static W: &[Rule] = &[
    r(EDGE, "WERE", ANY, "W ER"),
    r(ANY, "WA", "S", "W AA"),
    r(ANY, "WA", "T", "W AA"),
    r(ANY, "WHERE", ANY, "W EH R"),
    r(ANY, "WHAT", ANY, "W AA T"),
    r(ANY, "WHOL", ANY, "HH OW L"),
    r(ANY, "WHO", ANY, "HH UW"),
    r(ANY, "WH", ANY, "W"),
    r(ANY, "WAR", ANY, "W AO R"),
    r(ANY, "WOR", "^", "W ER"),
    r(ANY, "WR", ANY, "R"),
    r(ANY, "W", ANY, "W"),
];

static X: &[Rule] = &[r(ANY, "X", ANY, "K S")];

static Y: &[Rule] = &[
    r(ANY, "YOUNG", ANY, "Y AH NG"),
    r(EDGE, "YOU", ANY, "Y UW"),
    r(EDGE, "YES", ANY, "Y EH S"),
    r(EDGE, "Y", ANY, "Y"),
    r("#:^", "Y", EDGE, "IY"),
    r("#:^", "Y", "I", "IY"),
    r(" :", "Y", EDGE, "AY"),
    r(" :", "Y", "#", "AY"),
    r(" :", "Y", "^+:#", "IH"),
    r(" :", "Y", "^#", "AY"),
    r(ANY, "Y", ANY, "IH"),
];

static Z: &[Rule] = &[r(ANY, "Z", ANY, "Z")];

/// Rules added for this crate, not in the report: tried before the report's rules for the
/// same letter. They fix spellings the report's rules say letter by letter.
pub(crate) static ADDITIONS: &[Rule] = &[
    // "match", "kitchen": the t of "tch" is silent.
    r(ANY, "TCH", ANY, "CH"),
    // "bridge", "judge": the d of "dge" is silent.
    r(ANY, "DG", "E", "JH"),
    // "psychology", "pseudo": initial p is silent.
    r(EDGE, "PS", ANY, "S"),
    // "ghost", "ghetto": initial gh is a plain g.
    r(EDGE, "GH", ANY, "G"),
    // "justify", "qualify": final -fy after i is /f ay/.
    r("IF", "Y", EDGE, "AY"),
];

/// The rules for each letter, A to Z.
pub(crate) static RULES: [&[Rule]; 26] = [A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W, X, Y, Z];
