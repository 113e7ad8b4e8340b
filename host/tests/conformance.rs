//! The official MCP conformance suite (`@modelcontextprotocol/conformance`, pinned in
//! `tests/conformance/package.json`) against `switchboard serve --http`: every generic server
//! scenario passes, and the only failures of the whole suite are the scenarios that need its
//! fixture tools (`tests/conformance/fixture-scenarios.yaml`).
//!
//! The suite is installed with `npm ci` into the target directory on first use. Without npm
//! the test says so and skips, unless `SWITCHBOARD_REQUIRE_CONFORMANCE=1` (as `.ci/run` sets,
//! after installing Node), where it fails.

use crate::common::Fixture;
use crate::http::start_with_token;
use std::path::{Path, PathBuf};
use std::process::Command;

const PINNED: &str = "0.1.13";

/// The scenarios a server passes without the suite's fixtures.
const GENERIC: [&str; 10] = [
    "server-initialize",
    "ping",
    "logging-set-level",
    "completion-complete",
    "tools-list",
    "resources-list",
    "prompts-list",
    "server-sse-multiple-streams",
    "server-sse-polling",
    "dns-rebinding-protection",
];

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
}

/// The suite's entry point, installed when missing; `None` when npm is not there to do it.
fn installed_suite() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance");
    let entry = dir.join("node_modules/@modelcontextprotocol/conformance/dist/index.js");
    let manifest = dir.join("node_modules/@modelcontextprotocol/conformance/package.json");
    let version = std::fs::read_to_string(&manifest).ok().and_then(|text| {
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        v["version"].as_str().map(str::to_owned)
    });
    if version.as_deref() == Some(PINNED) && entry.exists() {
        return Some(entry);
    }
    let required = std::env::var("SWITCHBOARD_REQUIRE_CONFORMANCE").is_ok_and(|v| v == "1");
    if Command::new("npm").arg("--version").output().is_err() {
        assert!(!required, "SWITCHBOARD_REQUIRE_CONFORMANCE=1 but npm is not installed");
        eprintln!("SKIPPED: the MCP conformance suite needs Node and npm (apt-get install nodejs npm)");
        return None;
    }
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(spec_dir().join(file), dir.join(file)).unwrap();
    }
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .output()
        .expect("running npm ci");
    assert!(
        out.status.success(),
        "npm ci of the conformance suite failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(entry.exists(), "npm ci did not install {}", entry.display());
    Some(entry)
}

fn run_suite(entry: &Path, url: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new("node")
        .arg(entry)
        .args(["server", "--url", url])
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("running node");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[tokio::test]
async fn the_official_conformance_suite_passes_every_generic_scenario() {
    let Some(entry) = tokio::task::spawn_blocking(installed_suite).await.unwrap() else { return };
    let fx = Fixture::new();
    // As a local inspector would find it: on loopback, with no token.
    let (_server, base) = start_with_token(&fx, None).await;
    let url = format!("{base}/mcp");
    for scenario in GENERIC {
        let (entry, url) = (entry.clone(), url.clone());
        let (passed, output) =
            tokio::task::spawn_blocking(move || run_suite(&entry, &url, &["--scenario", scenario])).await.unwrap();
        assert!(passed, "conformance scenario {scenario} failed:\n{output}");
        assert!(output.contains(" 0 failed"), "{scenario}:\n{output}");
    }
    let baseline = spec_dir().join("fixture-scenarios.yaml");
    let (passed, output) = tokio::task::spawn_blocking(move || {
        run_suite(&entry, &url, &["--suite", "all", "--expected-failures", baseline.to_str().unwrap()])
    })
    .await
    .unwrap();
    assert!(passed, "the full suite failed beyond its fixture scenarios:\n{output}");
}
