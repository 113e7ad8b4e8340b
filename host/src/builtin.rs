//! Components built into the binary by `build.rs`: the first-party components and the
//! hello-tool example, so that `switchboard serve` works with no other file.

/// One embedded component and its default policy.
pub struct Builtin {
    pub name: &'static str,
    pub wasm: &'static [u8],
    pub policy: Option<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
