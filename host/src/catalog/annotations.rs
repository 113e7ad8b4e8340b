//! MCP tool annotations of the host's own tools: a title, and the hints a client uses to
//! decide which calls need its user's confirmation. `read-only` tools change nothing;
//! `destructive` ones may undo something (a consent revoked, a call hung up); `idempotent` ones
//! do nothing more when repeated; `open-world` ones reach a service outside the host (a TTS
//! provider, the carrier). Components' tools carry what their WIT doc tags say
//! (`runtime::hints`).

use rmcp::model::ToolAnnotations;

const RO: u8 = 1;
const DESTRUCTIVE: u8 = 2;
const IDEMPOTENT: u8 = 4;
const OPEN: u8 = 8;

/// Every host tool: its name, title and hints.
const TABLE: [(&str, &str, u8); 25] = [
    ("speak", "Speak text aloud", RO | IDEMPOTENT | OPEN),
    ("list_voices", "List the voices", RO | IDEMPOTENT | OPEN),
    ("set_default_voice", "Set the default voice", IDEMPOTENT),
    ("get_default_voice", "Get the default voice", RO | IDEMPOTENT),
    ("get_server_status", "Server status", RO | IDEMPOTENT),
    ("classify_text", "Classify text", RO | IDEMPOTENT),
    ("check_tcpa_compliance", "Check a call against the TCPA", RO | IDEMPOTENT),
    ("verify_consent", "Verify consent", RO | IDEMPOTENT),
    ("record_consent", "Record consent", 0),
    ("revoke_consent", "Revoke consent", DESTRUCTIVE | IDEMPOTENT),
    ("check_dnc_status", "Check the do-not-call lists", RO | IDEMPOTENT),
    ("add_to_dnc", "Add a number to the do-not-call list", IDEMPOTENT),
    ("remove_from_dnc", "Remove a number from the do-not-call list", DESTRUCTIVE | IDEMPOTENT),
    ("import_dnc_registry", "Import a do-not-call registry", IDEMPOTENT),
    ("get_compliance_audit", "Compliance audit trail", RO | IDEMPOTENT),
    ("initiate_call_with_compliance", "Place a call, if compliant", OPEN),
    ("get_call", "Get a call", RO | IDEMPOTENT | OPEN),
    ("list_calls", "List calls", RO | IDEMPOTENT),
    ("end_call", "End a call", DESTRUCTIVE | IDEMPOTENT | OPEN),
    ("record_call", "Record a call", OPEN),
    ("switchboard_list_components", "List the components", RO | IDEMPOTENT),
    ("switchboard_reload_components", "Reload the components", IDEMPOTENT),
    ("switchboard_unload_component", "Unload a component", DESTRUCTIVE | IDEMPOTENT),
    ("switchboard_load_component", "Load a component", 0),
    ("switchboard_set_tts_providers", "Set the speech providers", IDEMPOTENT),
];

/// The annotations of host tool `name`, if it is one.
pub fn of(name: &str) -> Option<ToolAnnotations> {
    let &(_, title, hints) = TABLE.iter().find(|(n, ..)| *n == name)?;
    let read_only = hints & RO != 0;
    let mut annotations = ToolAnnotations::with_title(title).read_only(read_only).open_world(hints & OPEN != 0);
    // The spec gives these two meaning only for tools that write.
    if !read_only {
        annotations = annotations.destructive(hints & DESTRUCTIVE != 0).idempotent(hints & IDEMPOTENT != 0);
    }
    Some(annotations)
}

#[cfg(test)]
mod tests {
    use super::super::calling::{COMPLIANCE_TOOLS, CallTool};
    use super::super::operator::OperatorTool;
    use super::super::roles::RoleTool;
    use super::*;

    #[test]
    fn every_host_tool_is_annotated_once() {
        let names = RoleTool::ALL
            .iter()
            .map(|t| t.name())
            .chain(CallTool::ALL.iter().map(|t| t.name()))
            .chain(COMPLIANCE_TOOLS.iter().map(|(name, _)| *name))
            .chain(OperatorTool::ALL.iter().map(|t| t.name()));
        let names: Vec<&str> = names.collect();
        assert_eq!(names.len(), TABLE.len());
        for name in names {
            assert_eq!(TABLE.iter().filter(|(n, ..)| *n == name).count(), 1, "{name}");
        }
    }

    #[test]
    fn the_hints_say_what_the_tools_do() {
        let check = of("check_tcpa_compliance").unwrap();
        assert_eq!((check.read_only_hint, check.destructive_hint), (Some(true), None));
        let end = of("end_call").unwrap();
        assert_eq!(
            (end.read_only_hint, end.destructive_hint, end.open_world_hint),
            (Some(false), Some(true), Some(true))
        );
        assert_eq!(of("speak").unwrap().open_world_hint, Some(true));
        assert!(of("hello_tool_greet").is_none());
    }
}
