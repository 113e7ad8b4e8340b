//! Components from OCI registries, as the CNCF Wasm OCI artifact layout has them (config
//! `application/vnd.wasm.config.v0+json`, one `application/wasm` layer; what `wkg` publishes).
//!
//! A reference resolves to a digest once, when it is first pulled, and the digest is *pinned*
//! (`pins.json` in the OCI directory): the host loads the pinned bytes from its own store,
//! with no registry reachable, and a tag that moves later is not followed until the operator
//! pulls again (`switchboard components pull`), which says the old and the new digest. Bytes
//! are stored by digest and checked against it each time they are read.
//!
//! With `[oci] require_signatures`, a component must carry a cosign signature from one of
//! `[oci] trusted_keys` (`cosign.rs`); one without is refused, not loaded with a warning.

pub mod cosign;
pub mod registry;

use crate::config::OciSettings;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use oci_client::Reference;

/// What a component pulled from a registry may fail at, for the operator.
#[derive(Debug, thiserror::Error)]
pub enum OciError {
    #[error(
        "{0:?} is not an OCI reference: write oci://registry/repository:tag or oci://registry/repository@sha256:<digest>"
    )]
    BadReference(String),
    #[error("{reference}: the registry did not serve it: {message}")]
    Registry { reference: String, message: String },
    #[error("{reference} is not a Wasm component artifact: {why}")]
    NotAComponent { reference: String, why: String },
    #[error("{reference}: {what} has digest {got}, not the {expected} it is named by (a corrupt or tampered blob)")]
    DigestMismatch { reference: String, what: &'static str, expected: String, got: String },
    #[error("{reference} has no cosign signature (no {tag} beside it), and [oci] require_signatures is on")]
    Unsigned { reference: String, tag: String },
    #[error("{reference}: no signature verifies with a trusted key: {why}")]
    BadSignature { reference: String, why: String },
    #[error("[oci] trusted_keys: {0}")]
    Keys(String),
    #[error("not pulled yet: run `switchboard components pull {reference}`")]
    NotPulled { reference: String },
    #[error(
        "pulled without a signature from a key trusted now, and [oci] require_signatures is on: `switchboard components pull {reference}` again"
    )]
    PinUnsigned { reference: String },
    #[error("the OCI store {}: {source}", .path.display())]
    Store { path: PathBuf, source: std::io::Error },
}

/// A parsed `oci://` reference.
#[derive(Debug, Clone)]
pub struct Source {
    pub reference: Reference,
}

impl Source {
    pub fn parse(text: &str) -> Result<Self, OciError> {
        let bare = text.strip_prefix("oci://").unwrap_or(text);
        let reference: Reference = bare.parse().map_err(|_| OciError::BadReference(text.to_owned()))?;
        if bare.contains("://") || reference.registry().is_empty() {
            return Err(OciError::BadReference(text.to_owned()));
        }
        Ok(Self { reference })
    }

    /// The key of its pin: `oci://` and the whole reference, registry included.
    pub fn key(&self) -> String {
        format!("oci://{}", self.reference.whole())
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key())
    }
}

/// What a reference resolved to when it was pulled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pin {
    /// The manifest's digest: what a tag pointed to.
    pub manifest: String,
    /// The component's (the layer's) digest: the bytes loaded.
    pub layer: String,
    pub size: u64,
    /// Unix seconds.
    pub pulled_at: i64,
    /// The fingerprint of the trusted key whose signature verified, if one did.
    pub signed_by: Option<String>,
}

/// The OCI directory: `blobs/sha256/<hex>` and `pins.json`.
pub struct Store {
    dir: PathBuf,
}

impl Store {
    pub fn new(settings: &OciSettings) -> Self {
        Self { dir: settings.dir() }
    }

    fn pins_file(&self) -> PathBuf {
        self.dir.join("pins.json")
    }

    fn io(&self, path: &Path) -> impl FnOnce(std::io::Error) -> OciError {
        let path = path.to_owned();
        move |source| OciError::Store { path, source }
    }

    pub fn pins(&self) -> Result<BTreeMap<String, Pin>, OciError> {
        let file = self.pins_file();
        match std::fs::read(&file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| OciError::Store {
                path: file,
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(self.io(&file)(e)),
        }
    }

    pub fn pin(&self, source: &Source) -> Result<Option<Pin>, OciError> {
        Ok(self.pins()?.remove(&source.key()))
    }

    /// Records `source`'s pin (replacing the one before), written whole then renamed, so a
    /// crash leaves the old file or the new one.
    pub fn record(&self, source: &Source, pin: Pin) -> Result<(), OciError> {
        let mut pins = self.pins()?;
        pins.insert(source.key(), pin);
        let bytes = serde_json::to_vec_pretty(&pins).expect("pins serialize");
        write_atomically(&self.pins_file(), &bytes).map_err(self.io(&self.pins_file()))
    }

    fn blob_path(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        self.dir.join("blobs").join("sha256").join(hex)
    }

    pub fn put_blob(&self, digest: &str, bytes: &[u8]) -> Result<(), OciError> {
        let path = self.blob_path(digest);
        write_atomically(&path, bytes).map_err(self.io(&path))
    }

    /// The bytes stored under `digest`, checked against it.
    pub fn blob(&self, reference: &str, digest: &str) -> Result<Vec<u8>, OciError> {
        let path = self.blob_path(digest);
        let bytes = std::fs::read(&path).map_err(self.io(&path))?;
        let got = sha256(&bytes);
        if got != digest {
            return Err(OciError::DigestMismatch {
                reference: reference.to_owned(),
                what: "the stored component",
                expected: digest.to_owned(),
                got,
            });
        }
        Ok(bytes)
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut file, bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// The pinned bytes of `source`, for loading: no registry is asked. Refused when it was never
/// pulled, or when signatures are required and no key trusted now signed it.
pub fn pinned_component(settings: &OciSettings, source: &str) -> Result<Vec<u8>, OciError> {
    let source = Source::parse(source)?;
    let store = Store::new(settings);
    let pin = store.pin(&source)?.ok_or_else(|| OciError::NotPulled { reference: source.key() })?;
    if settings.require_signatures {
        let trusted = cosign::TrustedKey::read_all(&settings.trusted_keys)?;
        if !pin.signed_by.as_ref().is_some_and(|by| trusted.iter().any(|k| &k.fingerprint == by)) {
            return Err(OciError::PinUnsigned { reference: source.key() });
        }
    }
    store.blob(&source.key(), &pin.layer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_with_or_without_the_scheme_and_name_their_pin() {
        let s = Source::parse("oci://127.0.0.1:5000/tools/greeter:1.0").unwrap();
        assert_eq!(s.reference.registry(), "127.0.0.1:5000");
        assert_eq!(s.reference.repository(), "tools/greeter");
        assert_eq!(s.reference.tag(), Some("1.0"));
        assert_eq!(s.key(), "oci://127.0.0.1:5000/tools/greeter:1.0");
        let d = format!("oci://ghcr.io/org/tool@sha256:{}", "a".repeat(64));
        assert!(Source::parse(&d).unwrap().reference.digest().is_some());
        for bad in ["oci://", "oci://UPPER/Case:tag", "https://ghcr.io/x:1"] {
            assert!(Source::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pins_and_blobs_survive_a_round_trip_and_a_changed_blob_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let settings = OciSettings { dir: Some(dir.path().into()), ..Default::default() };
        let store = Store::new(&settings);
        let source = Source::parse("oci://r.example/a/b:1").unwrap();
        assert!(matches!(pinned_component(&settings, "oci://r.example/a/b:1"), Err(OciError::NotPulled { .. })));
        let bytes = b"\0asm\x0d\0\x01\0".to_vec();
        let digest = sha256(&bytes);
        store.put_blob(&digest, &bytes).unwrap();
        let pin = Pin { manifest: "sha256:m".into(), layer: digest.clone(), size: 8, pulled_at: 1, signed_by: None };
        store.record(&source, pin.clone()).unwrap();
        assert_eq!(store.pin(&source).unwrap(), Some(pin));
        assert_eq!(pinned_component(&settings, "oci://r.example/a/b:1").unwrap(), bytes);
        std::fs::write(store.blob_path(&digest), b"tampered").unwrap();
        let err = pinned_component(&settings, "oci://r.example/a/b:1").unwrap_err();
        assert!(matches!(err, OciError::DigestMismatch { .. }), "{err}");
    }
}
