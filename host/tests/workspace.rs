//! The workspace's build stays shared: the host's test-only dependencies are also the normal
//! dependencies of `host/test-deps`, so `cargo build --release` and `cargo test --release`
//! resolve one feature set and the tests reuse the release build's wasmtime. A dev-dependency
//! added or changed in one place and not the other would quietly bring the second build back.

use std::path::Path;

fn table(manifest: &str, section: &str) -> toml::Table {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(manifest);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let parsed: toml::Table = text.parse().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parsed.get(section).and_then(|t| t.as_table()).cloned().unwrap_or_default()
}

#[test]
fn the_test_only_dependencies_are_the_test_deps_crate_s_dependencies() {
    let mut dev = table("Cargo.toml", "dev-dependencies");
    dev.remove("switchboard-fakes");
    let shared = table("test-deps/Cargo.toml", "dependencies");
    assert_eq!(
        dev, shared,
        "host/Cargo.toml's [dev-dependencies] (but the fakes) and host/test-deps/Cargo.toml's [dependencies] differ: \
         make them the same, or the test build compiles wasmtime a second time"
    );
}
