//! `components check`: before deploying, an author learns whether a component will load here,
//! what it imports and whether the host provides it, which grants its policy lacks, and the
//! tools it will serve; the exit code says the verdict.

use crate::common::{Fixture, PROBE_WASM};
use serde_json::Value;

const KV_WASM: &str = env!("SWITCHBOARD_GUEST_KV");

async fn check(fx: &Fixture, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["components", "check"];
    all.extend_from_slice(args);
    fx.run(&all).await
}

#[tokio::test]
async fn a_component_with_its_policy_loads_and_says_what_it_serves() {
    let fx = Fixture::new();
    let wasm = fx.components_dir().join("probe.wasm");
    let (code, out, err) = check(&fx, &[wasm.to_str().unwrap()]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("verdict: loads"), "{out}");
    assert!(out.contains("wasi:http/outgoing-handler@") && out.contains("provided, granted (allowed_hosts)"), "{out}");
    assert!(out.contains("  probe_echo\n    input:  {"), "{out}");

    let (code, out, _) = check(&fx, &[wasm.to_str().unwrap(), "--json"]).await;
    assert_eq!(code, 0);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["verdict"], "loads");
    let tools: Vec<&str> = report["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert!(tools.contains(&"probe_echo") && tools.contains(&"probe_count"), "{tools:?}");
    let echo = report["tools"].as_array().unwrap().iter().find(|t| t["name"] == "probe_echo").unwrap();
    assert_eq!(echo["inputSchema"]["required"], serde_json::json!(["text"]), "{echo}");
    assert!(report["imports"].as_array().unwrap().iter().all(|i| i["provided"] == true), "{report}");
}

#[tokio::test]
async fn a_policy_that_lacks_a_grant_is_named_at_the_import_at_fault() {
    let fx = Fixture::new();
    // The probe alone, with no policy beside it: it may reach no host.
    let bare = fx.dir.path().join("bare.wasm");
    std::fs::copy(PROBE_WASM, &bare).unwrap();
    let (code, out, _) = check(&fx, &[bare.to_str().unwrap()]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error: import `wasi:http/outgoing-handler@"), "{out}");
    assert!(out.contains("= help: list the hosts it may reach in `allowed_hosts`"), "{out}");
    assert!(out.contains("verdict: refused"), "{out}");
    let (_, out, _) = check(&fx, &[bare.to_str().unwrap(), "--json"]).await;
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["verdict"], "refused");
    assert!(report["errors"][0]["at"].as_str().unwrap().starts_with("import `wasi:http/outgoing-handler@"), "{report}");

    // Key-value state without `keyvalue = true`: it loads, and the author is told its calls fail.
    let kv = fx.dir.path().join("kv.wasm");
    std::fs::copy(KV_WASM, &kv).unwrap();
    let (code, out, err) = check(&fx, &[kv.to_str().unwrap()]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("NOT GRANTED: needs keyvalue = true"), "{out}");
    assert!(out.contains("warning: import `wasi:keyvalue/"), "{out}");

    // Not a component at all.
    let text = fx.dir.path().join("notes.wasm");
    std::fs::write(&text, "not wasm").unwrap();
    let (code, out, _) = check(&fx, &[text.to_str().unwrap()]).await;
    assert_eq!(code, 1);
    assert!(out.contains("error: component:"), "{out}");
}
