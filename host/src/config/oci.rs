//! The `[oci]` table: components pulled from OCI registries (`source = "oci://..."` in a
//! `[components.<name>]` table, or `switchboard components pull <ref>`).
//!
//! ```toml
//! [oci]
//! dir = "/var/lib/switchboard/oci"        # pulled components and their pins (default: the data dir)
//! insecure = ["127.0.0.1:5000"]           # registries reached over plain HTTP; all others over TLS
//! trusted_keys = ["keys/cosign.pub"]      # cosign public keys (PEM, ECDSA P-256)
//! require_signatures = true               # refuse a component no trusted key signed
//! ```

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OciSettings {
    pub dir: Option<PathBuf>,
    /// Registries (`host` or `host:port`) spoken to over plain HTTP.
    pub insecure: Vec<String>,
    /// PEM files of the public keys whose cosign signatures are trusted.
    pub trusted_keys: Vec<PathBuf>,
    /// Refuse a component without a valid signature from one of `trusted_keys`.
    pub require_signatures: bool,
}

impl OciSettings {
    /// Checks values the types alone allow but that make no sense; says what to change.
    pub fn check(&self) -> Result<(), String> {
        if self.require_signatures && self.trusted_keys.is_empty() {
            return Err("oci.require_signatures is on but oci.trusted_keys names no key: list the cosign \
                        public keys whose signatures you trust"
                .into());
        }
        if let Some(bad) = self.insecure.iter().find(|r| r.contains('/') || r.trim().is_empty()) {
            return Err(format!("oci.insecure: {bad:?} is not a registry (write host or host:port)"));
        }
        Ok(())
    }

    /// Paths in the file are relative to the file.
    pub fn relative_to(&mut self, base: &Path) {
        self.dir = self.dir.take().map(|d| base.join(d));
        for key in &mut self.trusted_keys {
            *key = base.join(&*key);
        }
    }

    /// Where pulled components live: `dir`, else `oci/` beside the default state store.
    pub fn dir(&self) -> PathBuf {
        self.dir.clone().unwrap_or_else(|| {
            directories::ProjectDirs::from("dev", "switchboard", "switchboard")
                .map(|d| d.data_dir().join("oci"))
                .unwrap_or_else(|| PathBuf::from("switchboard-oci"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_policy_needs_keys_and_registries_are_names() {
        assert!(OciSettings::default().check().is_ok());
        let no_keys = OciSettings { require_signatures: true, ..Default::default() };
        assert!(no_keys.check().unwrap_err().contains("trusted_keys"));
        let url = OciSettings { insecure: vec!["http://r/".into()], ..Default::default() };
        assert!(url.check().unwrap_err().contains("host:port"));
    }
}
