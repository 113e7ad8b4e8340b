//! Phone numbers: E.164 parsing, North American Numbering Plan (NANP) validation, and the
//! emergency, service and charged numbers no campaign may dial.

use crate::model::{Error, Reason};

/// A valid NANP number: `+1 NPA NXX XXXX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nanp {
    /// Area code (numbering plan area), 200-999.
    pub npa: u16,
    /// Exchange (central office code), 200-999.
    pub nxx: u16,
    /// Line number, 0000-9999.
    pub line: u16,
}

impl Nanp {
    /// The 10 national digits, e.g. `3035550123`: the key the records are kept under.
    pub fn digits(&self) -> String {
        format!("{:03}{:03}{:04}", self.npa, self.nxx, self.line)
    }

    /// The E.164 form, e.g. `+13035550123`.
    pub fn e164(&self) -> String {
        format!("+1{}", self.digits())
    }

    /// Reads 10 national digits (area code and exchange starting with 2-9).
    pub fn from_digits(digits: &str) -> Result<Self, String> {
        if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("a US number has 10 digits after +1; `{digits}` has {}", digits.len()));
        }
        let npa: u16 = digits[0..3].parse().map_err(|_| "area code is not a number".to_owned())?;
        let nxx: u16 = digits[3..6].parse().map_err(|_| "exchange is not a number".to_owned())?;
        let line: u16 = digits[6..10].parse().map_err(|_| "line is not a number".to_owned())?;
        if npa < 200 {
            return Err(format!("area code {npa:03} is not valid: North American area codes start with 2-9"));
        }
        if nxx < 200 {
            return Err(format!(
                "exchange {nxx:03} (the 3 digits after the area code) is not valid: it starts with 2-9"
            ));
        }
        Ok(Self { npa, nxx, line })
    }
}

/// What a dialled string is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialed {
    /// A `+1` number of 10 digits.
    Nanp(Nanp),
    /// A three-digit service code: N11 (211 ... 911) or 988.
    Short(u16),
    /// A valid-looking E.164 number of another country, as given.
    Foreign(String),
}

/// Parses a number in E.164 form (`+13035550123`). Three-digit service codes (`911`, `+1988`)
/// are recognised so that `check` can refuse them by name.
pub fn parse(input: &str) -> Result<Dialed, Error> {
    let s = input.trim();
    if s.is_empty() {
        return Err(invalid("the phone number is empty; give it in E.164 form, e.g. +13035550123"));
    }
    // Service codes, however written: 911, 1911, +1911.
    let bare = s.strip_prefix('+').unwrap_or(s);
    let bare = if bare.len() == 4 { bare.strip_prefix('1').unwrap_or(bare) } else { bare };
    if bare.len() == 3 && bare.bytes().all(|b| b.is_ascii_digit()) {
        let code: u16 = bare.parse().unwrap_or(0);
        if is_service_code(code) {
            return Ok(Dialed::Short(code));
        }
    }
    let Some(rest) = s.strip_prefix('+') else {
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        let hint = match digits.len() {
            10 => format!(": write it as +1{digits}"),
            11 if digits.starts_with('1') => format!(": write it as +{digits}"),
            _ => ", e.g. +13035550123".to_owned(),
        };
        return Err(invalid(format!("`{s}` is not in E.164 form: start with + and the country code{hint}")));
    };
    if !rest.bytes().all(|b| b.is_ascii_digit()) {
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        return Err(invalid(format!(
            "`{s}` has characters other than digits after the +: write the digits only, e.g. +{digits}"
        )));
    }
    if let Some(national) = rest.strip_prefix('1') {
        return Nanp::from_digits(national).map(Dialed::Nanp).map_err(|m| invalid(format!("`{s}`: {m}")));
    }
    if rest.starts_with('0') || !(7..=15).contains(&rest.len()) {
        return Err(invalid(format!(
            "`{s}` is not a valid E.164 number: a country code (not starting with 0) and at most 15 digits in all"
        )));
    }
    Ok(Dialed::Foreign(s.to_owned()))
}

/// Parses a number the records may be kept for: a `+1` number of 10 digits.
pub fn parse_nanp(input: &str) -> Result<Nanp, Error> {
    match parse(input)? {
        Dialed::Nanp(n) => Ok(n),
        Dialed::Short(code) => {
            Err(invalid(format!("{code} is a service code, not a subscriber number; give a +1 number of 10 digits")))
        }
        Dialed::Foreign(s) => Err(invalid(format!(
            "`{s}` is not a North American (+1) number: these records are kept for US numbers only"
        ))),
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidNumber(message.into())
}

/// N11 service codes (211 community services ... 911 emergency) and 988 (Suicide & Crisis
/// Lifeline).
fn is_service_code(code: u16) -> bool {
    code == 988 || ((200..1000).contains(&code) && code % 100 == 11)
}

/// Toll-free area codes (8YY), the ones in service and the ones NANPA holds for toll-free.
const TOLL_FREE: [u16; 17] = [800, 822, 833, 844, 855, 866, 877, 880, 881, 882, 883, 884, 885, 886, 887, 888, 889];

/// Why a three-digit service code may not be dialled.
pub fn short_code_reason(code: u16) -> Reason {
    // 47 CFR 64.1200(a)(1)(i): no autodialed or artificial-voice call to any emergency line,
    // 911 included. The other N11 codes and 988 reach emergency-adjacent and public services.
    let what = match code {
        911 => "911 is the emergency line",
        988 => "988 is the Suicide & Crisis Lifeline",
        211 => "211 is the community services line",
        311 => "311 is the municipal services line",
        411 => "411 is directory assistance",
        511 => "511 is the traffic information line",
        611 => "611 is the carrier's repair line",
        711 => "711 is the telecommunications relay service for deaf and hard-of-hearing callers",
        811 => "811 is the call-before-you-dig line",
        _ => "this is a service code",
    };
    Reason::new(
        "special-number",
        "47 CFR 64.1200(a)(1)(i)",
        format!("{what}, not a subscriber: never place a campaign call to it; remove it from the list"),
    )
}

/// Why a NANP number is special (no campaign call to it), if it is.
pub fn special_reason(n: &Nanp) -> Option<Reason> {
    if n.npa % 100 == 11 || n.npa == 988 {
        // N11 and 988 are never area codes: a number under them is a service code with digits
        // after it (47 CFR 64.1200(a)(1)(i)).
        return Some(Reason::new(
            "special-number",
            "47 CFR 64.1200(a)(1)(i)",
            format!(
                "{} starts with the service code {}, which is not an area code: never place a campaign call to it",
                n.e164(),
                n.npa
            ),
        ));
    }
    if n.nxx % 100 == 11 {
        // N11 codes are not assignable as exchanges: dialled after an area code they still
        // reach the service (47 CFR 64.1200(a)(1)(i)).
        return Some(Reason::new(
            "special-number",
            "47 CFR 64.1200(a)(1)(i)",
            format!(
                "{} has the service code {} as its exchange, which is not assignable to subscribers: \
                 never place a campaign call to it",
                n.e164(),
                n.nxx
            ),
        ));
    }
    if TOLL_FREE.contains(&n.npa) {
        // 47 CFR 64.1200(a)(1)(iii): no autodialed or artificial-voice call to a number for
        // which the called party is charged; toll-free numbers are paid for by the callee.
        return Some(Reason::new(
            "special-number",
            "47 CFR 64.1200(a)(1)(iii)",
            format!(
                "{} is a toll-free number ({}): the called party pays for the call, and it reaches a \
                 business line, not a consumer; remove it from the list",
                n.e164(),
                n.npa
            ),
        ));
    }
    if n.npa == 900 {
        // Pay-per-call services (47 U.S.C. 228; 47 CFR 64.1501): the caller is billed a premium.
        return Some(Reason::new(
            "special-number",
            "47 U.S.C. 228",
            format!("{} is a premium-rate (900) pay-per-call number, not a consumer line; remove it", n.e164()),
        ));
    }
    if n.nxx == 555 && n.line == 1212 {
        return Some(Reason::new(
            "special-number",
            "47 CFR 64.1200(a)(1)(i)",
            format!("{} is directory assistance (555-1212), not a subscriber; remove it", n.e164()),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nanp(s: &str) -> Nanp {
        match parse(s).unwrap() {
            Dialed::Nanp(n) => n,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_e164() {
        let n = nanp("+13035550123");
        assert_eq!((n.npa, n.nxx, n.line), (303, 555, 123));
        assert_eq!(n.e164(), "+13035550123");
        assert_eq!(nanp(" +12125550199 ").digits(), "2125550199");
    }

    #[test]
    fn rejects_bad_forms_with_a_hint() {
        let cases = [
            ("", "empty"),
            ("3035550123", "write it as +13035550123"),
            ("13035550123", "write it as +13035550123"),
            ("+1 (303) 555-0123", "+13035550123"),
            ("+130355501", "10 digits"),
            ("+11035550123", "area code 103"),
            ("+13031550123", "exchange 155"),
            ("+0123456789", "country code"),
            ("+2", "country code"),
            ("+1303", "has 3"),
        ];
        for (input, want) in cases {
            match parse(input) {
                Err(Error::InvalidNumber(m)) => assert!(m.contains(want), "{input}: {m}"),
                other => panic!("{input}: {other:?}"),
            }
        }
    }

    #[test]
    fn service_codes_and_foreign() {
        assert_eq!(parse("911").unwrap(), Dialed::Short(911));
        assert_eq!(parse("+1988").unwrap(), Dialed::Short(988));
        assert_eq!(parse("+1411").unwrap(), Dialed::Short(411));
        assert_eq!(parse("+442079460000").unwrap(), Dialed::Foreign("+442079460000".into()));
        assert!(matches!(parse_nanp("911"), Err(Error::InvalidNumber(_))));
        assert!(matches!(parse_nanp("+442079460000"), Err(Error::InvalidNumber(_))));
    }

    #[test]
    fn special_numbers() {
        for s in ["+18005550123", "+18885550123", "+18335550123", "+19005550123", "+13039115555", "+19115550123"] {
            let r = special_reason(&nanp(s)).unwrap_or_else(|| panic!("{s} should be special"));
            assert_eq!(r.code, "special-number");
        }
        assert!(special_reason(&nanp("+19885550123")).is_some());
        assert!(special_reason(&nanp("+13035551212")).is_some());
        // 555-01XX is fictional and harmless; 988 as an exchange is an ordinary exchange.
        assert!(special_reason(&nanp("+13035550123")).is_none());
        assert!(special_reason(&nanp("+13039880123")).is_none());
        assert_eq!(short_code_reason(911).rule, "47 CFR 64.1200(a)(1)(i)");
    }
}
