//! On-disk cache of precompiled components, keyed by the engine's compatibility hash and the
//! component's digest, so that a restart does not recompile.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::Result;
use wasmtime::component::Component;
use wasmtime::error::Context as _;

pub struct ArtifactCache {
    dir: Option<PathBuf>,
    engine_key: String,
}

impl ArtifactCache {
    /// A cache in `dir`; `None` compiles every time.
    pub fn new(engine: &Engine, dir: Option<PathBuf>) -> Self {
        let mut hasher = std::hash::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        env!("CARGO_PKG_VERSION").hash(&mut hasher);
        Self { dir, engine_key: format!("{:016x}", hasher.finish()) }
    }

    /// Returns the compiled component for `bytes`, from the cache when possible.
    pub fn load(&self, engine: &Engine, bytes: &[u8], digest: &str) -> Result<Component> {
        let Some(dir) = &self.dir else { return Component::new(engine, bytes) };
        let path = dir.join(format!("{}-{}.cwasm", self.engine_key, digest));
        if path.exists() {
            // SAFETY: the file was written by `Component::serialize` of an engine with the
            // same compatibility hash (it is in the file name) into the operator's cache
            // directory; wasmtime still checks the header and rejects a mismatch.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok(component),
                Err(e) => tracing::warn!(path = %path.display(), error = %e, "stale precompiled artifact; recompiling"),
            }
        }
        let component = Component::new(engine, bytes)?;
        if let Err(e) = store(&path, &component) {
            tracing::warn!(path = %path.display(), error = %format!("{e:#}"), "could not cache the compiled component");
        }
        Ok(component)
    }
}

fn store(path: &Path, component: &Component) -> Result<()> {
    let dir = path.parent().context("cache path has no parent")?;
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().context("cache path has no file name")?.to_string_lossy();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, component.serialize()?)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// Hex SHA-256 of a component's bytes.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
