//! The first-party components' own unit tests (text normalisation, letter to sound, the
//! synthesiser's listener checks, VADER against its reference ...), run natively through
//! their workspace so that `cargo test` at the root runs every test there is.

use std::path::Path;
use std::process::Command;

#[test]
fn component_unit_tests_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["test", "--manifest-path"])
        .arg(root.join("components/Cargo.toml"))
        .arg("--target-dir")
        .arg(root.join("target/components-native"));
    // This build is for the host's own target, with the components' settings only.
    for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_TARGET_DIR", "CARGO_BUILD_TARGET", "RUSTC_WRAPPER"] {
        cmd.env_remove(var);
    }
    let out = cmd.output().expect("running cargo test for the components");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "component tests failed:\n{stdout}\n{stderr}");
    let passed: usize = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("test result: ok. "))
        .filter_map(|l| l.split(' ').next()?.parse::<usize>().ok())
        .sum();
    assert!(passed > 100, "expected the components' tests to run, saw {passed} pass:\n{stdout}");
}
