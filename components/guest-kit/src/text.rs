//! Quoting text a remote service sent, inside a message of ours.

/// One line, printable, at most `limit` characters (`...` marks a cut).
pub fn clean(text: &str, limit: usize) -> String {
    let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let trimmed = one_line.trim();
    match trimmed.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}...", &trimmed[..cut]),
        None => trimmed.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_go_and_long_text_is_cut_on_a_character() {
        assert_eq!(clean(" a\nb\tc ", 10), "a b c");
        assert_eq!(clean("ééééé", 3), "ééé...");
        assert_eq!(clean("abc", 3), "abc");
    }
}
