//! A tool's MCP annotations, written by the component's author in the function's WIT doc
//! comment as lines that start with a tag:
//!
//! ```wit
//! /// Greets someone by name.
//! ///
//! /// @title Greet someone
//! /// @read-only @idempotent
//! greet: func(name: string) -> string;
//! ```
//!
//! `@read-only`, `@destructive` / `@non-destructive`, `@idempotent`, `@open-world` /
//! `@closed-world` set the hints (several may share a line); `@title` takes the rest of its
//! line. The tag lines are taken out of the description. Only what is written is claimed:
//! a hint without a tag is left unset, so the client assumes MCP's default. A line whose
//! first word is an unknown tag stays in the description and is reported as a doc problem.

/// The hints a function's docs give; `None` where they say nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ToolHints {
    pub title: Option<String>,
    pub read_only: Option<bool>,
    pub destructive: Option<bool>,
    pub idempotent: Option<bool>,
    pub open_world: Option<bool>,
}

const TAGS: &str = "@title, @read-only, @destructive, @non-destructive, @idempotent, @open-world, @closed-world";

impl ToolHints {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    fn set(&mut self, tag: &str) -> bool {
        let (slot, value) = match tag {
            "@read-only" => (&mut self.read_only, true),
            "@destructive" => (&mut self.destructive, true),
            "@non-destructive" => (&mut self.destructive, false),
            "@idempotent" => (&mut self.idempotent, true),
            "@open-world" => (&mut self.open_world, true),
            "@closed-world" => (&mut self.open_world, false),
            _ => return false,
        };
        *slot = Some(value);
        true
    }
}

/// Splits `function`'s docs into its description (without the tag lines), its hints, and
/// the problems met.
pub fn split(function: &str, docs: &str) -> (Option<String>, ToolHints, Vec<String>) {
    let mut hints = ToolHints::default();
    let mut problems = Vec::new();
    let mut kept = Vec::new();
    for line in docs.lines() {
        let trimmed = line.trim();
        if let Some(title) =
            trimmed.strip_prefix("@title").filter(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
        {
            match title.trim() {
                "" => problems.push(format!("`{function}`: `@title` needs the title after it")),
                title => hints.title = Some(title.to_owned()),
            }
            continue;
        }
        if !trimmed.starts_with('@') {
            kept.push(line);
            continue;
        }
        let mut line_hints = hints.clone();
        match trimmed.split_whitespace().find(|tag| !line_hints.set(tag)) {
            None => hints = line_hints,
            Some(unknown) => {
                problems.push(format!(
                    "`{function}`: unknown tag `{unknown}` in its docs (known: {TAGS}); the line is kept as text"
                ));
                kept.push(line);
            }
        }
    }
    let description = kept.join("\n").trim().to_owned();
    (Some(description).filter(|d| !d.is_empty()), hints, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_lines_become_hints_and_leave_the_description() {
        let (description, hints, problems) =
            split("greet", "Greets someone.\n\n@title Greet someone\n@read-only @idempotent\n@closed-world");
        assert_eq!(description.as_deref(), Some("Greets someone."));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            hints,
            ToolHints {
                title: Some("Greet someone".into()),
                read_only: Some(true),
                destructive: None,
                idempotent: Some(true),
                open_world: Some(false),
            }
        );
    }

    #[test]
    fn an_unknown_tag_is_reported_and_kept_as_text() {
        let (description, hints, problems) = split("f", "Does it.\n@readonly\n@title");
        assert_eq!(description.as_deref(), Some("Does it.\n@readonly"));
        assert!(hints.is_empty());
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("unknown tag `@readonly`"), "{problems:?}");
        let (description, hints, _) = split("f", "@destructive");
        assert_eq!((description, hints.destructive), (None, Some(true)));
    }
}
