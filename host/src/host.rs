//! The assembled host: the runtime, the loaded components and the catalog built from them.
//! It gathers components from three places: the built-ins embedded in the binary, the
//! components directory (`<stem>.wasm` with an optional `<stem>.toml` policy beside it) and
//! the `path`s named in the config.

use crate::builtin::BUILTINS;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::policy::{PolicyError, PolicySpec};
use crate::runtime::{EngineSettings, LoadError, LoadedComponent, Runtime};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

pub struct Host {
    pub runtime: Runtime,
    catalog: RwLock<Arc<Catalog>>,
    components: Vec<Arc<LoadedComponent>>,
    /// Components that were found but rejected, with the reason.
    pub rejected: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("starting the runtime: {0:#}")]
    Runtime(anyhow::Error),
    #[error("components directory {}: {source}", .dir.display())]
    Dir { dir: PathBuf, source: std::io::Error },
}

/// A component found on disk or built in, not yet compiled.
struct Candidate {
    name: String,
    source: String,
    bytes: Result<Vec<u8>, String>,
    policy: Result<(PolicySpec, PathBuf), PolicyError>,
}

impl Host {
    /// Loads every component the config names. A component that fails to load is logged and
    /// left out; the others serve.
    pub fn start(config: &Config) -> Result<Self, HostError> {
        let settings = EngineSettings {
            max_instances: config.limits.max_instances,
            max_memory_bytes: config.limits.max_memory_mb * 1024 * 1024,
            pooling: config.limits.pooling,
        };
        let runtime = Runtime::new(&settings, config.cache_dir()).map_err(|e| HostError::Runtime(e.into()))?;
        let limits = config.limits.limits();
        let mut components = Vec::new();
        let mut rejected = Vec::new();
        for c in candidates(config)? {
            let loaded = c.bytes.map_err(|e| format!("{}: {e}", c.source)).and_then(|bytes| {
                let (spec, file) = c.policy.map_err(|e| e.to_string())?;
                let name = spec.name.clone().unwrap_or(c.name);
                let policy = spec.resolve(&file, &limits, |k| std::env::var(k).ok()).map_err(|e| e.to_string())?;
                runtime.load(&name, &bytes, policy, &c.source).map_err(|e: LoadError| e.to_string())
            });
            match loaded {
                Ok(component) => {
                    for problem in &component.doc_problems {
                        tracing::warn!(component = %component.name, %problem, "ignoring embedded WIT docs");
                    }
                    for skipped in &component.surface.skipped {
                        tracing::info!(component = %component.name, function = %skipped.name,
                            reason = %skipped.reason, "function not served as a tool");
                    }
                    tracing::info!(
                        component = %component.name,
                        source = %component.source,
                        digest = %&component.digest[..12],
                        functions = component.surface.functions.len(),
                        "component loaded"
                    );
                    components.push(Arc::new(component));
                }
                Err(message) => {
                    tracing::error!(%message, "component rejected");
                    rejected.push(message);
                }
            }
        }
        let (catalog, refused) = Catalog::build(&components);
        for (component, reason) in refused {
            tracing::error!(message = %reason, "component rejected");
            rejected.push(reason.to_string());
            components.retain(|c| !Arc::ptr_eq(c, &component));
        }
        Ok(Self { runtime, catalog: RwLock::new(Arc::new(catalog)), components, rejected })
    }

    /// The current catalog. Calls hold on to the one they started with.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn components(&self) -> &[Arc<LoadedComponent>] {
        &self.components
    }
}

fn candidates(config: &Config) -> Result<Vec<Candidate>, HostError> {
    let mut found = Vec::new();
    let config_file = config.file.clone().unwrap_or_else(|| PathBuf::from("switchboard.toml"));
    // A `[components.<name>]` table in the config is that component's policy.
    let configured = |name: &str| config.components.get(name).map(|s| (s.policy(), config_file.clone()));

    if config.builtins {
        for b in BUILTINS {
            let source = format!("builtin:{}", b.name);
            let policy = match (configured(b.name), b.policy) {
                (Some(p), _) => Ok(p),
                (None, Some(text)) => PolicySpec::parse(text, Path::new(&source)).map(|p| (p, source.clone().into())),
                (None, None) => Ok((PolicySpec::default(), source.clone().into())),
            };
            found.push(Candidate { name: b.name.to_owned(), source, bytes: Ok(b.wasm.to_vec()), policy });
        }
    }

    if let Some(dir) = &config.components_dir {
        let entries = std::fs::read_dir(dir).map_err(|source| HostError::Dir { dir: dir.clone(), source })?;
        let mut wasm: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
            .collect();
        wasm.sort();
        for path in wasm {
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let beside = path.with_extension("toml");
            let policy = match configured(&name) {
                Some(p) => Ok(p),
                None if beside.exists() => PolicySpec::read(&beside).map(|p| (p, beside.clone())),
                None => Ok((PolicySpec::default(), beside.clone())),
            };
            found.push(file_candidate(name, &path, policy));
        }
    }

    for (name, spec) in &config.components {
        if let Some(path) = &spec.path {
            found.push(file_candidate(name.clone(), path, Ok((spec.policy(), config_file.clone()))));
        }
    }
    Ok(found)
}

fn file_candidate(name: String, path: &Path, policy: Result<(PolicySpec, PathBuf), PolicyError>) -> Candidate {
    Candidate {
        name,
        source: path.display().to_string(),
        bytes: std::fs::read(path).map_err(|e| format!("cannot read it: {e}")),
        policy,
    }
}
