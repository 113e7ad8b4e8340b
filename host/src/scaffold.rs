//! `switchboard new <name>`: a component crate to start a tool from. It builds with
//! `cargo build --target wasm32-wasip2 --release` and with `cargo component build --release`,
//! has one documented function (its WIT docs are the tool's description and annotations), a
//! policy file, a test that runs it in the host, and a README on growing it.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error(
        "`{0}` cannot name a component: use lowercase letters, digits and single dashes, starting with a letter (e.g. `weather-lookup`)"
    )]
    BadName(String),
    #[error("{} exists already: pick another name or --path", .0.display())]
    Exists(PathBuf),
    #[error("writing {}: {source}", .path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// Whether `name` is a WIT package and world name and a crate name at once (kebab case).
fn valid(name: &str) -> bool {
    let mut parts = name.split('-');
    name.len() <= 48
        && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && name.starts_with(|c: char| c.is_ascii_lowercase())
}

/// Writes the crate for `name` into `dir` (which must not exist); returns the files written.
pub fn new_component(name: &str, dir: &Path) -> Result<Vec<PathBuf>, ScaffoldError> {
    if !valid(name) {
        return Err(ScaffoldError::BadName(name.to_owned()));
    }
    if dir.exists() {
        return Err(ScaffoldError::Exists(dir.to_owned()));
    }
    let component = name.replace('-', "_");
    let fill = |template: &str| template.replace("{{name}}", name).replace("{{component}}", &component);
    let files = [
        ("Cargo.toml".to_owned(), fill(CARGO_TOML)),
        ("wit/world.wit".to_owned(), fill(WORLD_WIT)),
        ("src/lib.rs".to_owned(), fill(LIB_RS)),
        (format!("{component}.toml"), fill(POLICY_TOML)),
        ("tests/in_host.rs".to_owned(), fill(IN_HOST_RS)),
        ("README.md".to_owned(), fill(README_MD)),
        (".gitignore".to_owned(), "/target\n".to_owned()),
    ];
    let mut written = Vec::new();
    for (file, text) in files {
        let path = dir.join(file);
        let io = |source| ScaffoldError::Write { path: path.clone(), source };
        std::fs::create_dir_all(path.parent().unwrap_or(dir)).map_err(io)?;
        std::fs::write(&path, text).map_err(io)?;
        written.push(path);
    }
    Ok(written)
}

const CARGO_TOML: &str = r#"[package]
name = "{{name}}"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
# A cdylib built for wasm32-wasip2 is linked straight into a WebAssembly component.
crate-type = ["cdylib"]

[dependencies]
wit-bindgen = "0.63"

# For `cargo component build`; the plain `cargo build --target wasm32-wasip2` does not need it.
[package.metadata.component]
package = "local:{{name}}"

[package.metadata.component.target]
path = "wit"
world = "{{name}}"

[profile.release]
opt-level = "s"
lto = true
codegen-units = 1

# Its own workspace, so it builds wherever it lives.
[workspace]
"#;

const WORLD_WIT: &str = r#"package local:{{name}}@0.1.0;

/// The tools of {{name}}. Every plain function here becomes one MCP tool, named
/// `{{component}}_<function>` (dashes become underscores).
interface tools {
    /// Greets `name`, e.g. "Hello, Ada!". A function's doc comment is its tool's description:
    /// say what each parameter means here. The tag lines set the tool's MCP annotations.
    ///
    /// @title Greet someone
    /// @read-only @idempotent @closed-world
    greet: func(name: string) -> string;
}

world {{name}} {
    export tools;
}
"#;

const LIB_RS: &str = r#"//! The {{name}} component: the functions of `wit/world.wit`, implemented.

wit_bindgen::generate!({
    path: "wit",
    world: "{{name}}",
});

use exports::local::{{component}}::tools::Guest;

/// The WIT source, kept in the `.wasm` so that Switchboard can show its doc comments as the
/// tools' descriptions (the component toolchain drops them from the binary).
#[unsafe(link_section = "switchboard-wit")]
#[used]
static WIT: [u8; include_bytes!("../wit/world.wit").len()] = *include_bytes!("../wit/world.wit");

struct Component;

impl Guest for Component {
    fn greet(name: String) -> String {
        format!("Hello, {name}!")
    }
}

export!(Component);
"#;

const POLICY_TOML: &str = r#"# What {{component}} may do in the host. Without a line here it gets nothing but the defaults:
# no outbound hosts, no state, no config. See `switchboard components check`.
timeout_ms = 2000
memory_mb = 32
# allowed_hosts = ["api.example.com"]   # for wasi:http outgoing requests
# keyvalue = true                       # for wasi:keyvalue state of its own
# [config]
# greeting = "Hello"                    # read with wasi:config/store
"#;

const IN_HOST_RS: &str = r##"//! Runs the built component in Switchboard, as an agent would call it. Build it first
//! (`cargo build --target wasm32-wasip2 --release`); `SWITCHBOARD` names the host binary
//! (default: `switchboard` on the PATH).

use std::path::Path;
use std::process::Command;

#[test]
fn greet_answers_in_the_host() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), Into::into);
    let wasm = target.join("wasm32-wasip2/release/{{component}}.wasm");
    assert!(wasm.exists(), "build it first: cargo build --target wasm32-wasip2 --release");
    let dir = tempfile_dir();
    std::fs::copy(&wasm, dir.join("{{component}}.wasm")).unwrap();
    std::fs::copy(root.join("{{component}}.toml"), dir.join("{{component}}.toml")).unwrap();
    let host = std::env::var("SWITCHBOARD").unwrap_or_else(|_| "switchboard".into());
    let out = Command::new(host)
        .args(["--no-builtins", "--components-dir"])
        .arg(&dir)
        .args(["call", "{{component}}_greet", r#"{"name": "Ada"}"#])
        .output()
        .expect("running switchboard (set SWITCHBOARD to its path)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Hello, Ada!"), "{stdout}");
}

/// A fresh directory under the target dir (no dev-dependency needed).
fn tempfile_dir() -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("in-host-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
"##;

const README_MD: &str = r#"# {{name}}

A Switchboard tool component. Each plain function of `wit/world.wit` is one MCP tool.

## Build, check, run

```sh
cargo build --target wasm32-wasip2 --release      # or: cargo component build --release
switchboard components check target/wasm32-wasip2/release/{{component}}.wasm
SWITCHBOARD=$(command -v switchboard) cargo test   # runs it in the host
```

Deploy it by copying `target/wasm32-wasip2/release/{{component}}.wasm` and `{{component}}.toml`
(its policy) into the host's components directory; a running host loads it at once.

## Add a tool

1. Add a function to `interface tools` in `wit/world.wit`, with a doc comment: the comment is
   the tool's description (say what each parameter means), and tag lines set its MCP
   annotations (`@title ...`, `@read-only`, `@destructive`, `@idempotent`,
   `@open-world` or `@closed-world`).
2. Implement it in `impl Guest for Component` in `src/lib.rs` (the build tells you its Rust
   signature). Records, variants, enums, options, lists and `result<T, E>` all work: an `err`
   is a tool error the agent reads.
3. If it reaches the network, list the hosts in `{{component}}.toml` (`allowed_hosts`); run
   `switchboard components check` to see what else its policy must grant.
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_kebab_case_and_the_directory_new() {
        assert!(valid("weather-lookup") && valid("t2") && valid("a"));
        for bad in ["", "Weather", "-a", "a-", "a--b", "2fast", "a_b", "a b"] {
            assert!(!valid(bad), "{bad}");
        }
        let dir = tempfile::tempdir().unwrap();
        let made = new_component("my-tool", &dir.path().join("my-tool")).unwrap();
        assert!(made.iter().any(|p| p.ends_with("my_tool.toml")));
        let lib = std::fs::read_to_string(dir.path().join("my-tool/src/lib.rs")).unwrap();
        assert!(lib.contains("exports::local::my_tool::tools::Guest") && !lib.contains("{{"));
        assert!(matches!(new_component("my-tool", &dir.path().join("my-tool")), Err(ScaffoldError::Exists(_))));
    }
}
