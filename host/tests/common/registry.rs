//! A real OCI registry for the tests: Debian's `docker-registry` (the CNCF distribution
//! server) on 127.0.0.1 with its storage in a temporary directory, and what a publisher does
//! to it: push a component as `wkg` lays it out, sign it as `cosign sign --key` does.
//!
//! Without the binary the tests that need it say so and pass, unless
//! `SWITCHBOARD_REQUIRE_REGISTRY=1` (as `.ci/run` sets, having installed it).

use base64::Engine as _;
use oci_client::client::{Client, ClientConfig, ClientProtocol, Config, ImageLayer};
use oci_client::secrets::RegistryAuth;
use oci_client::{Reference, manifest::OciImageManifest};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair as _};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tokio::process::{Child, Command};

pub const BINARY: &str = "/usr/bin/docker-registry";
pub const WASM_CONFIG: &str = "application/vnd.wasm.config.v0+json";
pub const WASM_LAYER: &str = "application/wasm";

pub struct Registry {
    child: Option<Child>,
    /// `127.0.0.1:<port>`.
    pub addr: String,
    root: TempDir,
    client: Client,
    /// What this test's publisher logs in with.
    auth: RegistryAuth,
}

/// The one user of [`Registry::start_with_login`], and the bcrypt of its password (htpasswd
/// wants bcrypt; a fixed hash spares the tests a bcrypt crate).
pub const USER: &str = "switch";
pub const PASSWORD: &str = "test-password";
const PASSWORD_BCRYPT: &str = "$2b$04$3xfQE/VhTjZ24OwABTA15O6UHdDp07Lx.MClV/Nvxl6ryMa9lZpR.";

impl Registry {
    /// A fresh registry, or `None` when the binary is missing and not required.
    pub async fn start() -> Option<Self> {
        Self::start_as(false).await
    }

    /// A registry that wants [`USER`]'s login (HTTP basic, htpasswd) for everything.
    pub async fn start_with_login() -> Option<Self> {
        Self::start_as(true).await
    }

    async fn start_as(login: bool) -> Option<Self> {
        if !std::path::Path::new(BINARY).exists() {
            assert!(
                std::env::var("SWITCHBOARD_REQUIRE_REGISTRY").is_err(),
                "SWITCHBOARD_REQUIRE_REGISTRY is set but {BINARY} is missing (apt-get install docker-registry)"
            );
            eprintln!("skipped: {BINARY} is not installed (apt-get install docker-registry)");
            return None;
        }
        let root = tempfile::tempdir().unwrap();
        let port = super::calling::free_port();
        let addr = format!("127.0.0.1:{port}");
        let config = root.path().join("config.yml");
        let storage = root.path().join("data");
        let mut text = format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {addr}\n",
            storage.display()
        );
        let mut auth = RegistryAuth::Anonymous;
        if login {
            let htpasswd = root.path().join("htpasswd");
            std::fs::write(&htpasswd, format!("{USER}:{PASSWORD_BCRYPT}\n")).unwrap();
            text.push_str(&format!("auth:\n  htpasswd:\n    realm: test\n    path: {}\n", htpasswd.display()));
            auth = RegistryAuth::Basic(USER.into(), PASSWORD.into());
        }
        std::fs::write(&config, text).unwrap();
        let mut registry = Self {
            child: None,
            addr,
            root,
            client: Client::new(ClientConfig { protocol: ClientProtocol::Http, ..Default::default() }),
            auth,
        };
        registry.run(&config).await;
        Some(registry)
    }

    async fn run(&mut self, config: &std::path::Path) {
        let child = Command::new(BINARY)
            .arg("serve")
            .arg(config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let started = Instant::now();
        // Up means answering, with 200 or (wanting a login) 401.
        while switchboard_fakes::get(format!("http://{}/v2/", self.addr)).await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "the registry did not come up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the registry: what a host does then, it does offline.
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    pub fn reference(&self, name: &str) -> Reference {
        format!("{}/{name}", self.addr).parse().unwrap()
    }

    /// Pushes an artifact of one layer; returns its manifest's digest.
    pub async fn push(&self, name: &str, config_type: &str, layer_type: &str, bytes: &[u8]) -> String {
        self.push_with(name, config_type, vec![ImageLayer::new(bytes.to_vec(), layer_type.to_owned(), None)]).await
    }

    /// Pushes a component as `wkg oci push` lays it out.
    pub async fn push_component(&self, name: &str, wasm: &[u8]) -> String {
        self.push(name, WASM_CONFIG, WASM_LAYER, wasm).await
    }

    async fn push_with(&self, name: &str, config_type: &str, layers: Vec<ImageLayer>) -> String {
        let reference = self.reference(name);
        let config = Config::new(
            br#"{"architecture":"wasm","os":"wasip2","layerDigests":[]}"#.to_vec(),
            config_type.to_owned(),
            None,
        );
        self.client.push(&reference, &layers, config, &self.auth, None).await.unwrap();
        self.client.fetch_manifest_digest(&reference, &self.auth).await.unwrap()
    }

    /// Signs `repository`'s manifest `digest` with `key`, as `cosign sign --key` stores it.
    pub async fn sign(&self, repository: &str, digest: &str, key: &SigningKey) {
        self.sign_payload(repository, digest, key, digest).await;
    }

    /// A signature under `digest`'s signature tag over a payload naming `names` (which a
    /// forger would make another artifact's).
    pub async fn sign_payload(&self, repository: &str, digest: &str, key: &SigningKey, names: &str) {
        let payload = serde_json::json!({
            "critical": {
                "identity": { "docker-reference": format!("{}/{repository}", self.addr) },
                "image": { "docker-manifest-digest": names },
                "type": "cosign container image signature",
            },
            "optional": null,
        })
        .to_string();
        let signature = key.pair.sign(&SystemRandom::new(), payload.as_bytes()).unwrap();
        let annotations = BTreeMap::from([(
            "dev.cosignproject.cosign/signature".to_owned(),
            base64::engine::general_purpose::STANDARD.encode(signature.as_ref()),
        )]);
        let layer = ImageLayer::new(
            payload.into_bytes(),
            "application/vnd.dev.cosign.simplesigning.v1+json".to_owned(),
            Some(annotations),
        );
        let tag = format!("{repository}:{}.sig", digest.replace(':', "-"));
        self.push_with(&tag, "application/vnd.oci.image.config.v1+json", vec![layer]).await;
    }

    /// The manifest `name` points at, as the registry serves it.
    pub async fn manifest(&self, name: &str) -> OciImageManifest {
        let (manifest, _) = self.client.pull_image_manifest(&self.reference(name), &self.auth).await.unwrap();
        manifest
    }

    /// Overwrites the stored bytes of blob `digest` (same length, other content).
    pub fn corrupt_blob(&self, digest: &str) {
        let hex = digest.strip_prefix("sha256:").unwrap();
        let path: PathBuf =
            self.root.path().join("data/docker/registry/v2/blobs/sha256").join(&hex[..2]).join(hex).join("data");
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&path, bytes).unwrap();
    }
}

/// A cosign-style ECDSA P-256 key pair.
pub struct SigningKey {
    pair: EcdsaKeyPair,
}

impl SigningKey {
    pub fn generate() -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        Self { pair: EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng).unwrap() }
    }

    /// The public key as `cosign.pub` holds it.
    pub fn public_pem(&self) -> String {
        const P256_SPKI_PREFIX: [u8; 26] = [
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
            0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ];
        let mut der = P256_SPKI_PREFIX.to_vec();
        der.extend_from_slice(self.pair.public_key().as_ref());
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = body.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
        format!("-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n", lines.join("\n"))
    }
}
