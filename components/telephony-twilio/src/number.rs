//! The shapes checked before anything goes on the wire: E.164 phone numbers and Twilio SIDs.

use crate::exports::switchboard::telephony::carrier::CarrierError;

/// Whether `number` is E.164: `+`, then 8 to 15 digits, the first not 0. A `+1` number must also
/// have the North American shape: 10 digits after the country code, the area code and the
/// exchange each starting with 2 to 9.
pub fn is_e164(number: &str) -> bool {
    e164_problem(number).is_none()
}

/// What is wrong with `number`, or none.
fn e164_problem(number: &str) -> Option<&'static str> {
    let Some(digits) = number.strip_prefix('+') else {
        return Some("it must start with `+` and the country code");
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some("only digits may follow the `+` (no spaces, dashes or brackets)");
    }
    if !(8..=15).contains(&digits.len()) {
        return Some("it must have 8 to 15 digits after the `+`");
    }
    if digits.starts_with('0') {
        return Some("a country code never starts with 0");
    }
    if let Some(national) = digits.strip_prefix('1') {
        let b = national.as_bytes();
        if b.len() != 10 {
            return Some("a +1 (North American) number has 10 digits after the +1");
        }
        if !(b'2'..=b'9').contains(&b[0]) || !(b'2'..=b'9').contains(&b[3]) {
            return Some("a +1 (North American) number's area code and exchange start with 2 to 9");
        }
    }
    None
}

/// Checks the number given as `field` (`to`, `from`): `invalid-number` naming the field and what
/// is wrong, without quoting the number.
pub fn check(field: &str, number: &str) -> Result<(), CarrierError> {
    match e164_problem(number) {
        None => Ok(()),
        Some(why) => {
            Err(CarrierError::InvalidNumber(format!("`{field}` is not an E.164 number (e.g. +13035550123): {why}")))
        }
    }
}

/// Whether `sid` is a Twilio SID of the given kind: `prefix` (`CA` for calls, `AC` for accounts,
/// `RE` for recordings) and 32 hex digits.
pub fn is_sid(sid: &str, prefix: &str) -> bool {
    sid.len() == prefix.len() + 32
        && sid.starts_with(prefix)
        && sid.bytes().skip(prefix.len()).all(|b| b.is_ascii_hexdigit())
}

/// Checks a call SID before it goes into a path.
pub fn check_call_sid(sid: &str) -> Result<&str, CarrierError> {
    let sid = sid.trim();
    if is_sid(sid, "CA") {
        Ok(sid)
    } else {
        Err(CarrierError::InvalidRequest("`sid` is not a Twilio call SID (`CA` and 32 hex digits)".to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_numbers() {
        for n in ["+13035550123", "+12125551234", "+442071838750", "+4915123456789", "+61291234567", "+861012345678"] {
            assert!(is_e164(n), "{n}");
        }
        // 8 and 15 digits, the extremes.
        assert!(is_e164("+49123456") && is_e164("+491234567890123"));
    }

    #[test]
    fn invalid_numbers() {
        for n in [
            "",
            "+",
            "13035550123",       // no +
            "+1 303 555 0123",   // spaces
            "+1-303-555-0123",   // dashes
            "+4912345",          // 7 digits
            "+4912345678901234", // 16 digits
            "+0123456789",       // country code 0
            "+1303555012",       // +1 with 9 digits
            "+130355501234",     // +1 with 11 digits
            "+11035550123",      // area code starts with 1
            "+10035550123",      // area code starts with 0
            "+13031550123",      // exchange starts with 1
            "+13030550123",      // exchange starts with 0
            "+1303555012a",
            "++13035550123",
            "+١٣٠٣٥٥٥٠١٢٣", // non-ASCII digits
        ] {
            assert!(!is_e164(n), "{n}");
        }
    }

    #[test]
    fn errors_name_the_field_not_the_number() {
        let Err(CarrierError::InvalidNumber(m)) = check("to", "+1212555012") else { panic!("accepted") };
        assert!(m.starts_with("`to` is not an E.164 number") && m.contains("10 digits") && !m.contains("+1212555012"));
        let Err(CarrierError::InvalidNumber(m)) = check("from", "3035550123") else { panic!("accepted") };
        assert!(m.starts_with("`from`") && m.contains("start with `+`"));
        assert_eq!(check("to", "+13035550123"), Ok(()));
    }

    #[test]
    fn sids() {
        let call = "CA0123456789abcdef0123456789ABCDEF";
        assert!(is_sid(call, "CA") && !is_sid(call, "AC"));
        assert!(!is_sid("CA0123456789abcdef0123456789abcde", "CA"));
        assert!(!is_sid("CA0123456789abcdef0123456789abcdeg", "CA"));
        assert!(!is_sid("CA0123456789abcdef0123456789abcdef0", "CA"));
        assert_eq!(check_call_sid(&format!(" {call} ")), Ok(call));
        assert!(matches!(check_call_sid("CA../../x"), Err(CarrierError::InvalidRequest(_))));
    }
}
