//! Builds the guest components this crate ships or tests with, the way wasmtime builds its
//! test programs: a nested `cargo build --target wasm32-wasip2 --release` per guest workspace,
//! into its own target directory, then a generated list of artifacts.
//!
//! * built-in components (`components/*` and `examples/hello-tool`) are embedded in the binary
//!   through `$OUT_DIR/builtin.rs`, so `switchboard serve` runs them with no other file;
//! * test guests (`host/tests/guests`) are exposed to the integration tests as paths through
//!   `SWITCHBOARD_GUEST_<NAME>` compile-time environment variables.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-wasip2";

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir.parent().expect("host/ sits in the repository root").to_path_buf();
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    let target_dir = root.join("target").join("guests");

    ensure_wasm_target();
    // Guests read the contracts from the shared WIT directory (`path = "../../wit/..."`).
    println!("cargo:rerun-if-changed={}", root.join("wit").display());

    // Built-in components: every member of the components workspace, plus the example.
    let components = root.join("components");
    let mut builtins = build_workspace(&components, &target_dir);
    builtins.extend(build_workspace(&root.join("examples/hello-tool"), &target_dir));
    // The library the components share is built into them, not on its own.
    let kit = components.join("guest-kit");
    if kit.exists() {
        watch_crate(&kit);
    }

    // Test guests, built by this harness rather than committed.
    for artifact in build_workspace(&root.join("host/tests/guests"), &target_dir) {
        let var = format!("SWITCHBOARD_GUEST_{}", artifact.name.to_uppercase());
        println!("cargo:rustc-env={var}={}", artifact.wasm.display());
    }

    let mut code = String::from(
        "/// Components embedded in the binary, loaded unless the operator turns them off.\n\
         pub static BUILTINS: &[Builtin] = &[\n",
    );
    for b in &builtins {
        let policy = match &b.policy {
            Some(p) => format!("Some(include_str!({:?}))", p.display().to_string()),
            None => "None".to_string(),
        };
        writeln!(
            code,
            "    Builtin {{ name: {:?}, wasm: include_bytes!({:?}), policy: {policy} }},",
            b.name,
            b.wasm.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    fs::write(out_dir.join("builtin.rs"), code).unwrap();
}

struct Artifact {
    name: String,
    wasm: PathBuf,
    policy: Option<PathBuf>,
}

/// Builds a guest workspace in one cargo run (its members compile side by side, and the
/// dependencies they share once) and returns where each member's component landed. A
/// workspace of one package (the example) is its own only member.
fn build_workspace(dir: &Path, target_dir: &Path) -> Vec<Artifact> {
    let manifest = dir.join("Cargo.toml");
    let members = workspace_members(dir);
    let crates: Vec<PathBuf> = if !members.is_empty() {
        members.iter().map(|m| dir.join(m)).collect()
    } else if manifest.exists() {
        vec![dir.to_path_buf()]
    } else {
        return Vec::new();
    };
    for crate_dir in &crates {
        watch_crate(crate_dir);
    }

    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--release")
        .arg("--workspace")
        .arg("--target")
        .arg(TARGET)
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target-dir")
        .arg(target_dir);
    // The outer build's flags and wrappers (clippy, coverage, host RUSTFLAGS) are not meant
    // for the guest build.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_PROFILE_RELEASE_DEBUG",
        "CARGO_BUILD_RUSTFLAGS",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd.status().expect("failed to run cargo for the guest components");
    assert!(status.success(), "building the guest components of {} failed", manifest.display());

    crates.iter().map(|crate_dir| artifact(crate_dir, target_dir)).collect()
}

/// Where a built guest crate's component is, and its policy file if it ships one.
fn artifact(crate_dir: &Path, target_dir: &Path) -> Artifact {
    let package = package_name(&crate_dir.join("Cargo.toml"));
    let stem = package.replace('-', "_");
    let wasm = target_dir.join(TARGET).join("release").join(format!("{stem}.wasm"));
    assert!(wasm.exists(), "guest build produced no {}", wasm.display());
    let policy = crate_dir.join(format!("{stem}.toml"));
    Artifact { name: stem, wasm, policy: policy.exists().then_some(policy) }
}

/// Asks cargo to rerun this script when anything a guest build reads changes: the crate's
/// own files (its `target/`, if someone built it in place, excluded) and the shared WIT.
///
/// Only paths that exist are named: cargo treats a missing `rerun-if-changed` path as changed
/// on every build, which once made every no-op `cargo build` rebuild the host.
fn watch_crate(crate_dir: &Path) {
    let entries = fs::read_dir(crate_dir).unwrap_or_else(|e| panic!("{}: {e}", crate_dir.display()));
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name == "target" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        println!("cargo:rerun-if-changed={}", entry.path().display());
    }
}

/// The `members` of a guest workspace manifest, or nothing when there is none yet.
fn workspace_members(dir: &Path) -> Vec<String> {
    let manifest = dir.join("Cargo.toml");
    for file in [&manifest, &dir.join("Cargo.lock")] {
        if file.exists() {
            println!("cargo:rerun-if-changed={}", file.display());
        }
    }
    let Ok(text) = fs::read_to_string(&manifest) else { return Vec::new() };
    let Some(start) = text.find("members") else { return Vec::new() };
    let rest = &text[start..];
    let (Some(open), Some(close)) = (rest.find('['), rest.find(']')) else { return Vec::new() };
    rest[open + 1..close].split(',').map(|m| m.trim().trim_matches('"').to_string()).filter(|m| !m.is_empty()).collect()
}

fn package_name(manifest: &Path) -> String {
    let text = fs::read_to_string(manifest).unwrap();
    text.lines()
        .find_map(|line| {
            let line = line.trim();
            let value = line.strip_prefix("name")?.trim_start().strip_prefix('=')?;
            Some(value.trim().trim_matches('"').to_string())
        })
        .unwrap_or_else(|| panic!("{} has no package name", manifest.display()))
}

/// rustup only installs the targets of rust-toolchain.toml when it installs the toolchain
/// itself; a machine that already had 1.95.0 lacks wasm32-wasip2. Add it here so that a
/// fresh clone needs no manual step.
fn ensure_wasm_target() {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(&rustc).args(["--print", "sysroot"]).output().ok();
    let installed = sysroot
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .is_some_and(|s| s.join("lib/rustlib").join(TARGET).exists());
    if installed {
        return;
    }
    let mut cmd = Command::new("rustup");
    cmd.args(["target", "add", TARGET]);
    if let Ok(toolchain) = env::var("RUSTUP_TOOLCHAIN") {
        cmd.args(["--toolchain", &toolchain]);
    }
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("the {TARGET} target is missing and rustup could not be run to add it: {e}"));
    assert!(status.success(), "`rustup target add {TARGET}` failed");
}
