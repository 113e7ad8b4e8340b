//! cosign keyed signatures, as `cosign sign --key` stores them (cosign's SIGNATURE_SPEC):
//! beside the artifact, under the tag `sha256-<hex of its manifest digest>.sig`, a manifest
//! whose layers are *simple signing* payloads (`application/vnd.dev.cosign.simplesigning.v1+json`,
//! JSON naming the signed manifest's digest), each with its base64 ECDSA P-256 / SHA-256
//! signature in the `dev.cosignproject.cosign/signature` annotation.
//!
//! A component is signed when one payload verifies with a trusted key *and* names this
//! manifest's digest: a valid signature of another artifact does not count. Keyless
//! signatures (Fulcio certificates, Rekor) and sigstore bundles are not read.

use super::{OciError, sha256};
use base64::Engine as _;
use oci_client::Reference;
use oci_client::client::Client;
use oci_client::manifest::{IMAGE_MANIFEST_MEDIA_TYPE, OCI_IMAGE_MEDIA_TYPE, OciImageManifest};
use oci_client::secrets::RegistryAuth;
use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};
use serde_json::Value;
use std::path::PathBuf;

pub const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
const PAYLOAD_TYPE: &str = "cosign container image signature";

/// The DER of a P-256 SubjectPublicKeyInfo up to the key's 65-byte uncompressed point: the
/// only kind of key `cosign generate-key-pair` makes.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
    0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// A public key whose signatures are trusted.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// `sha256:` of the key's DER, as `cosign public-key` files can be told apart.
    pub fingerprint: String,
    point: Vec<u8>,
}

impl TrustedKey {
    /// A `-----BEGIN PUBLIC KEY-----` PEM of an ECDSA P-256 key.
    pub fn from_pem(pem: &str) -> Result<Self, String> {
        let body: String = pem
            .lines()
            .map(str::trim)
            .skip_while(|l| *l != "-----BEGIN PUBLIC KEY-----")
            .skip(1)
            .take_while(|l| *l != "-----END PUBLIC KEY-----")
            .collect();
        if body.is_empty() {
            return Err("not a PEM public key (no BEGIN PUBLIC KEY block)".into());
        }
        let der = base64::engine::general_purpose::STANDARD.decode(body).map_err(|_| "the PEM is not base64")?;
        match der.strip_prefix(&P256_SPKI_PREFIX[..]) {
            Some(point) if point.len() == 65 && point[0] == 4 => {
                Ok(Self { fingerprint: sha256(&der), point: point.to_vec() })
            }
            _ => Err("only ECDSA P-256 keys are supported (what `cosign generate-key-pair` makes)".into()),
        }
    }

    pub fn read_all(paths: &[PathBuf]) -> Result<Vec<Self>, OciError> {
        paths
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| OciError::Keys(format!("{}: cannot read it: {e}", path.display())))?;
                Self::from_pem(&text).map_err(|e| OciError::Keys(format!("{}: {e}", path.display())))
            })
            .collect()
    }

    fn verifies(&self, payload: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &self.point).verify(payload, signature).is_ok()
    }
}

/// The tag cosign keeps `digest`'s signatures under.
pub fn signature_tag(digest: &str) -> String {
    format!("{}.sig", digest.replace(':', "-"))
}

/// The fingerprint of the trusted key that signed the manifest `digest` of `reference`.
pub async fn verify(
    client: &Client,
    auth: &RegistryAuth,
    reference: &Reference,
    digest: &str,
    keys: &[TrustedKey],
) -> Result<String, OciError> {
    let name = format!("oci://{}", reference.whole());
    let tag = signature_tag(digest);
    let signatures =
        Reference::with_tag(reference.registry().to_owned(), reference.repository().to_owned(), tag.clone());
    let accepted = [OCI_IMAGE_MEDIA_TYPE, IMAGE_MANIFEST_MEDIA_TYPE];
    let raw = match client.pull_manifest_raw(&signatures, auth, &accepted).await {
        Ok((raw, _)) => raw,
        Err(e) if is_not_found(&e) => return Err(OciError::Unsigned { reference: name, tag }),
        Err(e) => return Err(OciError::Registry { reference: name, message: format!("{tag}: {e}") }),
    };
    let bad = |why: String| OciError::BadSignature { reference: name.clone(), why };
    let manifest: OciImageManifest =
        serde_json::from_slice(&raw).map_err(|e| bad(format!("{tag} is not an image manifest: {e}")))?;
    let mut seen = Vec::new();
    for layer in manifest.layers.iter().filter(|l| l.media_type == SIMPLE_SIGNING) {
        let Some(encoded) = layer.annotations.as_ref().and_then(|a| a.get(SIGNATURE_ANNOTATION)) else {
            seen.push("a payload without a signature annotation".to_owned());
            continue;
        };
        let Ok(signature) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
            seen.push("a signature that is not base64".to_owned());
            continue;
        };
        let mut payload = Vec::new();
        client
            .pull_blob(&signatures, layer, &mut payload)
            .await
            .map_err(|e| OciError::Registry { reference: name.clone(), message: format!("a payload of {tag}: {e}") })?;
        let Some(key) = keys.iter().find(|k| k.verifies(&payload, &signature)) else {
            seen.push("a signature no trusted key made".to_owned());
            continue;
        };
        match signed_digest(&payload) {
            Some(signed) if signed == digest => return Ok(key.fingerprint.clone()),
            Some(signed) => seen.push(format!("a trusted signature of another artifact ({signed})")),
            None => seen.push("a trusted signature over a payload that is not cosign's".to_owned()),
        }
    }
    if seen.is_empty() {
        seen.push(format!("{tag} holds no simple signing payload"));
    }
    Err(bad(seen.join("; ")))
}

/// The manifest digest a simple signing payload vouches for.
fn signed_digest(payload: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(payload).ok()?;
    let critical = value.get("critical")?;
    (critical.get("type")?.as_str()? == PAYLOAD_TYPE).then_some(())?;
    Some(critical.get("image")?.get("docker-manifest-digest")?.as_str()?.to_owned())
}

pub(super) fn is_not_found(e: &oci_client::errors::OciDistributionError) -> bool {
    use oci_client::errors::OciDistributionError as E;
    match e {
        E::ImageManifestNotFoundError(_) => true,
        E::RegistryError { envelope, .. } => envelope.errors.iter().any(|e| {
            matches!(
                e.code,
                oci_client::errors::OciErrorCode::ManifestUnknown | oci_client::errors::OciErrorCode::NameUnknown
            )
        }),
        E::ServerError { code, .. } => *code == 404,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_p256_pem_is_read_and_other_keys_are_named() {
        // The public half of a key `cosign generate-key-pair` made.
        let pem = "-----BEGIN PUBLIC KEY-----\n\
                   MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE0ZS2Kf9Ko5vCaGdjxqiKDNk+W3rt\n\
                   YSRvpiBPcgBDJqDhZMoGqEbZy8Vr+9nWsMh0gjsC4uMGcXexsNOgcBqGDg==\n\
                   -----END PUBLIC KEY-----\n";
        let key = TrustedKey::from_pem(pem).unwrap();
        assert!(key.fingerprint.starts_with("sha256:"));
        assert!(TrustedKey::from_pem("hello").unwrap_err().contains("PEM"));
        // An Ed25519 key (SPKI of another algorithm).
        let ed = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----";
        assert!(TrustedKey::from_pem(ed).unwrap_err().contains("P-256"));
        assert_eq!(signature_tag("sha256:abc"), "sha256-abc.sig");
    }

    #[test]
    fn the_payload_must_be_cosign_s_and_name_a_digest() {
        let good = br#"{"critical":{"identity":{"docker-reference":"r/x"},"image":{"docker-manifest-digest":"sha256:ab"},"type":"cosign container image signature"},"optional":null}"#;
        assert_eq!(signed_digest(good).as_deref(), Some("sha256:ab"));
        let other = br#"{"critical":{"image":{"docker-manifest-digest":"sha256:ab"},"type":"something else"}}"#;
        assert_eq!(signed_digest(other), None);
    }
}
