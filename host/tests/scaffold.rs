//! `switchboard new`: the crate it makes builds for wasm32-wasip2 as it is, `components check`
//! says it loads with its tool's description and annotations from the WIT docs, and the
//! crate's own test runs it in the host.

use crate::common::{BIN, Fixture};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Cargo for the generated crate, offline (the host's build fetched wit-bindgen already), in a
/// target directory kept between runs.
fn cargo(dir: &Path, args: &[&str]) -> std::process::Output {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scaffold-target");
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .arg("--offline")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .env("SWITCHBOARD", BIN)
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_new_component_builds_checks_and_runs_in_the_host() {
    let fx = Fixture::new();
    let dir = fx.dir.path().join("weather-lookup");
    let (code, out, err) = fx.run(&["new", "weather-lookup", "--path", dir.to_str().unwrap()]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("created") && dir.join("wit/world.wit").exists(), "{out}");
    let (code, _, err) = fx.run(&["new", "weather-lookup", "--path", dir.to_str().unwrap()]).await;
    assert_ne!(code, 0);
    assert!(err.contains("exists already"), "{err}");
    let (code, _, err) = fx.run(&["new", "Weather_Lookup"]).await;
    assert_ne!(code, 0);
    assert!(err.contains("kebab") || err.contains("lowercase letters"), "{err}");

    // The same wit-bindgen the example locks, so that an offline build finds every crate.
    let example_lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/hello-tool/Cargo.lock");
    std::fs::copy(example_lock, dir.join("Cargo.lock")).unwrap();
    let built = cargo(&dir, &["build", "--target", "wasm32-wasip2", "--release"]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let wasm = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scaffold-target/wasm32-wasip2/release/weather_lookup.wasm");
    std::fs::copy(dir.join("weather_lookup.toml"), wasm.with_extension("toml")).unwrap();

    let (code, out, err) = fx.run(&["components", "check", wasm.to_str().unwrap(), "--json"]).await;
    assert_eq!(code, 0, "{out}{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["verdict"], "loads", "{report}");
    let greet = &report["tools"][0];
    assert_eq!(greet["name"], "weather_lookup_greet", "{report}");
    assert!(greet["description"].as_str().unwrap().starts_with("Greets `name`"), "{greet}");
    assert_eq!(greet["annotations"]["title"], "Greet someone", "{greet}");
    assert_eq!(greet["annotations"]["readOnlyHint"], true, "{greet}");

    // The crate's own test: it runs the component in the host.
    let tested = cargo(&dir, &["test"]);
    let said = format!("{}{}", String::from_utf8_lossy(&tested.stdout), String::from_utf8_lossy(&tested.stderr));
    assert!(tested.status.success(), "{said}");
    assert!(said.contains("greet_answers_in_the_host ... ok"), "{said}");
}
