//! Components from an OCI registry (a real one: `docker-registry` on 127.0.0.1): pulled by
//! tag or digest and pinned; served from the pin with the registry down; a moved tag followed
//! only when pulled again, and then swapped in by a reload; refused when unsigned under a
//! policy that wants signatures, when signed by another key or for another artifact, when a
//! blob is corrupt, and when the artifact is not a component.

use crate::common::registry::{PASSWORD, Registry, SigningKey, USER, WASM_CONFIG, WASM_LAYER};
use crate::common::{Fixture, PROBE_WASM};
use serde_json::Value;

const TYPES_WASM: &str = env!("SWITCHBOARD_GUEST_TYPES");

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A fixture whose `greeter` component comes from `reference` in `registry`.
fn fixture(registry: &Registry, reference: &str, oci: &str) -> Fixture {
    let fx = Fixture::new();
    fx.append_config(&format!(
        "\n[oci]\ndir = \"oci\"\ninsecure = [\"{addr}\"]\n{oci}\n[components.greeter]\nsource = \"oci://{addr}/{reference}\"\nallowed_hosts = [\"127.0.0.1:9\"]\n",
        addr = registry.addr
    ));
    fx
}

/// `components list --json`: the greeter's digest, or the rejections.
async fn greeter(fx: &Fixture) -> Result<String, String> {
    let (_, out, err) = fx.run(&["components", "list", "--json"]).await;
    let listed: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    let found = listed["components"].as_array().unwrap().iter().find(|c| c["name"] == "greeter");
    match found {
        Some(c) => Ok(c["digest"].as_str().unwrap().to_owned()),
        None => Err(listed["rejected"].to_string()),
    }
}

/// `components pull <reference>`: exit code, stdout, stderr.
async fn pull(fx: &Fixture, registry: &Registry, reference: &str) -> (i32, String, String) {
    fx.run(&["components", "pull", &format!("oci://{}/{reference}", registry.addr)]).await
}

#[tokio::test]
async fn a_pulled_tag_is_pinned_served_offline_and_moves_only_when_pulled_again() {
    let Some(mut registry) = Registry::start().await else { return };
    let first = std::fs::read(TYPES_WASM).unwrap();
    let second = std::fs::read(PROBE_WASM).unwrap();
    let d1 = registry.push_component("tools/greeter:1.0", &first).await;
    let fx = fixture(&registry, "tools/greeter:1.0", "");

    // Checked before deploying: fetched and judged, not pinned.
    let reference = format!("oci://{}/tools/greeter:1.0", registry.addr);
    let (code, out, err) = fx.run(&["components", "check", &reference, "--name", "greeter"]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("verdict: loads") && out.contains("greeter_"), "{out}");
    assert!(greeter(&fx).await.unwrap_err().contains("not pulled yet"), "a check pins nothing");

    // Pulled: pinned, and loaded from the pin.
    let (code, out, err) = pull(&fx, &registry, "tools/greeter:1.0").await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&d1) && out.contains("pinned for the first time"), "{out}");
    assert_eq!(greeter(&fx).await, Ok(sha256(&first)));

    // The tag moves: the host keeps serving what it pinned.
    let d2 = registry.push_component("tools/greeter:1.0", &second).await;
    assert_ne!(d1, d2);
    assert_eq!(greeter(&fx).await, Ok(sha256(&first)), "a moved tag is not followed silently");

    // Pulled again on purpose: the old and the new digest are said, and the new one served.
    let (code, out, _) = pull(&fx, &registry, "tools/greeter:1.0").await;
    assert_eq!(code, 0);
    assert!(out.contains(&format!("moved: it was {d1}")) && out.contains(&d2), "{out}");
    assert_eq!(greeter(&fx).await, Ok(sha256(&second)));

    // By digest, the first version again, beside it.
    let by_digest = format!("tools/greeter@{d1}");
    let (code, out, err) = pull(&fx, &registry, &by_digest).await;
    assert_eq!(code, 0, "{out}{err}");

    // The registry goes away: the pins still load.
    registry.stop().await;
    assert_eq!(greeter(&fx).await, Ok(sha256(&second)), "a warm cache needs no registry");
    let (code, _, err) = pull(&fx, &registry, "tools/greeter:1.0").await;
    assert_ne!(code, 0);
    assert!(err.contains("did not serve it"), "{err}");
    // A reference never pulled is refused with what to run.
    let other = fixture(&registry, "tools/other:1", "");
    let rejected = greeter(&other).await.unwrap_err();
    assert!(rejected.contains("not pulled yet: run `switchboard components pull"), "{rejected}");
}

#[tokio::test]
async fn a_running_host_swaps_in_a_pulled_version_when_its_pin_moves() {
    let Some(registry) = Registry::start().await else { return };
    let first = std::fs::read(TYPES_WASM).unwrap();
    registry.push_component("tools/greeter:2", &first).await;
    let fx = fixture(&registry, "tools/greeter:2", "");
    // `serve` pulls what has no pin yet.
    let session = fx.serve().await;
    let tools = session.client.list_all_tools().await.unwrap();
    assert!(
        tools.iter().any(|t| t.name.starts_with("greeter_")),
        "{:?}",
        tools.iter().map(|t| &t.name).collect::<Vec<_>>()
    );
    assert!(!tools.iter().any(|t| t.name == "greeter_echo"), "the first version is the types guest");

    registry.push_component("tools/greeter:2", &std::fs::read(PROBE_WASM).unwrap()).await;
    let (code, out, err) = pull(&fx, &registry, "tools/greeter:2").await;
    assert_eq!(code, 0, "{out}{err}");
    // The host watches its OCI store: the moved pin is a changed component, swapped in.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !session.client.list_all_tools().await.unwrap().iter().any(|t| t.name == "greeter_echo") {
        assert!(std::time::Instant::now() < deadline, "the pulled version was not swapped in");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let echo = session.ok("greeter_echo", serde_json::json!({ "text": "new" })).await;
    assert_eq!(echo["value"], "new");
    let logs = session.close().await;
    assert!(logs.contains("components reloaded"), "{logs}");
}

#[tokio::test]
async fn signatures_are_required_when_the_policy_says_so() {
    let Some(registry) = Registry::start().await else { return };
    let wasm = std::fs::read(TYPES_WASM).unwrap();
    let trusted = SigningKey::generate();
    let stranger = SigningKey::generate();
    let fx = fixture(&registry, "signed/greeter:1", "trusted_keys = [\"trusted.pub\"]\nrequire_signatures = true\n");
    std::fs::write(fx.dir.path().join("trusted.pub"), trusted.public_pem()).unwrap();

    // Unsigned: refused.
    let digest = registry.push_component("signed/greeter:1", &wasm).await;
    let (code, _, err) = pull(&fx, &registry, "signed/greeter:1").await;
    assert_ne!(code, 0);
    assert!(err.contains("has no cosign signature") && err.contains(".sig"), "{err}");
    // Signed by a key not trusted: refused.
    registry.sign("signed/greeter", &digest, &stranger).await;
    let (code, _, err) = pull(&fx, &registry, "signed/greeter:1").await;
    assert_ne!(code, 0);
    assert!(err.contains("no signature verifies with a trusted key") && err.contains("no trusted key made"), "{err}");
    // A trusted signature of another artifact, moved beside this one: refused.
    let other = format!("sha256:{}", "0".repeat(64));
    registry.sign_payload("signed/greeter", &digest, &trusted, &other).await;
    let (code, _, err) = pull(&fx, &registry, "signed/greeter:1").await;
    assert_ne!(code, 0);
    assert!(err.contains("another artifact"), "{err}");
    assert!(greeter(&fx).await.unwrap_err().contains("not pulled yet"), "nothing refused is pinned");

    // Signed by the trusted key: pulled, and loaded.
    registry.sign("signed/greeter", &digest, &trusted).await;
    let (code, out, err) = pull(&fx, &registry, "signed/greeter:1").await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("signed by the trusted key sha256:"), "{out}");
    assert_eq!(greeter(&fx).await, Ok(sha256(&wasm)));

    // The key is no longer trusted: the pin is refused at load.
    std::fs::write(fx.dir.path().join("trusted.pub"), stranger.public_pem()).unwrap();
    let rejected = greeter(&fx).await.unwrap_err();
    assert!(rejected.contains("pulled without a signature from a key trusted now"), "{rejected}");
}

#[tokio::test]
async fn corrupt_blobs_and_artifacts_that_are_not_components_are_refused() {
    let Some(registry) = Registry::start().await else { return };
    let wasm = std::fs::read(TYPES_WASM).unwrap();
    let fx = fixture(&registry, "bad/greeter:1", "");

    // A layer whose stored bytes no longer match their digest.
    registry.push_component("bad/corrupt:1", &wasm).await;
    let layer = registry.manifest("bad/corrupt:1").await.layers[0].digest.clone();
    registry.corrupt_blob(&layer);
    let (code, _, err) = pull(&fx, &registry, "bad/corrupt:1").await;
    assert_ne!(code, 0);
    assert!(err.contains("the component layer") && err.contains("corrupt or tampered"), "{err}");

    // A core module, bytes that are not Wasm, a container image, two layers.
    let core = b"\0asm\x01\0\0\0".to_vec();
    registry.push("bad/core:1", WASM_CONFIG, WASM_LAYER, &core).await;
    let (_, _, err) = pull(&fx, &registry, "bad/core:1").await;
    assert!(err.contains("is a core Wasm module"), "{err}");
    registry.push("bad/text:1", WASM_CONFIG, WASM_LAYER, b"not wasm at all").await;
    let (_, _, err) = pull(&fx, &registry, "bad/text:1").await;
    assert!(err.contains("not WebAssembly"), "{err}");
    registry
        .push(
            "bad/image:1",
            "application/vnd.oci.image.config.v1+json",
            "application/vnd.oci.image.layer.v1.tar",
            &wasm,
        )
        .await;
    let (_, _, err) = pull(&fx, &registry, "bad/image:1").await;
    assert!(err.contains("is not a Wasm component artifact") && err.contains("wkg oci push"), "{err}");
    let (code, _, err) = pull(&fx, &registry, "bad/missing:1").await;
    assert_ne!(code, 0);
    assert!(err.contains("no such repository or tag"), "{err}");
    let (code, _, err) = fx.run(&["components", "pull", "oci://Not A Reference"]).await;
    assert_ne!(code, 0);
    assert!(err.contains("is not an OCI reference"), "{err}");
}

#[tokio::test]
async fn a_registry_that_wants_a_login_gets_the_one_in_the_docker_config() {
    use base64::Engine as _;
    let Some(registry) = Registry::start_with_login().await else { return };
    let wasm = std::fs::read(TYPES_WASM).unwrap();
    let digest = registry.push_component("private/greeter:1", &wasm).await;
    let fx = fixture(&registry, "private/greeter:1", "");
    let pull_with = |docker: &std::path::Path| {
        let mut command = fx.command(&["components", "pull", &format!("oci://{}/private/greeter:1", registry.addr)]);
        command.env("DOCKER_CONFIG", docker);
        command
    };
    // No login for it: the registry says no, and the host says so.
    let empty = fx.dir.path().join("docker-empty");
    std::fs::create_dir(&empty).unwrap();
    let out = pull_with(&empty).output().await.unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did not serve it") && err.to_lowercase().contains("authoriz"), "{err}");
    // The login the operator's `docker login` left: pulled.
    let docker = fx.dir.path().join("docker");
    std::fs::create_dir(&docker).unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let config = serde_json::json!({ "auths": { registry.addr.clone(): { "auth": auth } } });
    std::fs::write(docker.join("config.json"), config.to_string()).unwrap();
    let out = pull_with(&docker).output().await.unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains(&digest), "{said}");
    assert_eq!(greeter(&fx).await, Ok(sha256(&wasm)));
}
