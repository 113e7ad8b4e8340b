//! The assembled host: the runtime, the loaded components and the catalog built from them.
//! It gathers components from three places: the built-ins embedded in the binary, the
//! components directory (`<stem>.wasm` with an optional `<stem>.toml` policy beside it) and
//! the `path`s named in the config.
//!
//! [`Host::reload`] gathers them again: unchanged components (same bytes, same policy) are
//! kept, changed ones are compiled off the serving path and swapped in atomically, removed
//! ones are unloaded, and one that fails to load keeps its previous version serving. Calls
//! in flight hold the component they started with and finish on it.

use crate::builtin::BUILTINS;
use crate::catalog::{Catalog, CatalogError};
use crate::config::Config;
use crate::config::tools::ToolsSettings;
use crate::metrics::Metrics;
use crate::policy::{Limits, Policy, PolicyError, PolicySpec};
use crate::roles::{Roles, SpeechSettings};
use crate::runtime::{self, EngineSettings, Inspection, LoadedComponent, Runtime};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::watch;

pub struct Host {
    pub runtime: Arc<Runtime>,
    pub metrics: Metrics,
    /// The role services (speech cache, preferences), shared by every connection.
    pub roles: Roles,
    /// The `[speech]` table in force: re-read from the config file on reload.
    speech: RwLock<Arc<SpeechSettings>>,
    /// The `[speech]` table as the file last said, so that a reload applies what the file
    /// changed and leaves an operator's change (`set_speech`) alone otherwise.
    file_speech: Mutex<String>,
    /// The `[tools]` curation in force: re-read from the config file on reload.
    tools: RwLock<Arc<ToolsSettings>>,
    config: Config,
    limits: Limits,
    state: RwLock<State>,
    /// Serialises reloads (the watcher and an operator may both ask for one).
    reloading: Mutex<()>,
    /// Bumped whenever the tool list changes; transports tell their clients.
    generation: watch::Sender<u64>,
    /// Tool calls in flight, so that a shutdown can let them finish.
    in_flight: watch::Sender<usize>,
    /// Components an operator unloaded: left out of reloads until loaded again.
    disabled: Mutex<BTreeSet<String>>,
}

/// Counts a call as in flight until dropped.
pub struct CallGuard<'a>(&'a Host);

impl Drop for CallGuard<'_> {
    fn drop(&mut self) {
        self.0.count_in_flight(-1);
    }
}

#[derive(Default)]
struct State {
    components: Vec<Arc<LoadedComponent>>,
    catalog: Arc<Catalog>,
    /// Components that were found but rejected, with the reason.
    rejected: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("starting the runtime: {0:#}")]
    Runtime(anyhow::Error),
    #[error("components directory {}: {source}", .dir.display())]
    Dir { dir: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// What a reload changed.
#[derive(Debug, Default, PartialEq)]
pub struct ReloadReport {
    pub loaded: Vec<String>,
    pub unloaded: Vec<String>,
    pub rejected: Vec<String>,
}

impl ReloadReport {
    pub fn changed(&self) -> bool {
        !self.loaded.is_empty() || !self.unloaded.is_empty()
    }
}

/// A component found on disk or built in, not yet compiled.
struct Candidate {
    name: String,
    source: String,
    /// Built-ins borrow the binary's own bytes; files are read.
    bytes: Result<Cow<'static, [u8]>, String>,
    policy: Result<(PolicySpec, PathBuf), PolicyError>,
    /// Read from the bytes ahead of loading, if it was.
    inspection: Option<Inspection>,
}

impl Candidate {
    fn inspected(mut self) -> Self {
        self.inspection = self.bytes.as_deref().ok().map(Inspection::of);
        self
    }
}

impl Host {
    /// Loads every component the config names. A component that fails to load is logged and
    /// left out; the others serve.
    pub fn start(config: &Config) -> Result<Self, HostError> {
        crate::tls::install_provider();
        let settings = EngineSettings {
            max_instances: config.limits.max_instances,
            max_memory_bytes: config.limits.max_memory_mb * 1024 * 1024,
            pooling: config.limits.pooling,
        };
        let password = config.store.password();
        let store = crate::store::open(config.store.url.as_deref(), password.as_deref(), config.store_path())?;
        // The engine's pools take milliseconds to set up (a guard page for each fiber stack):
        // meanwhile the components are read and inspected, which needs no engine.
        let (runtime, found) = std::thread::scope(|scope| {
            let engine = std::thread::Builder::new()
                .name("engine".into())
                .spawn_scoped(scope, || Runtime::new(&settings, config.cache_dir()))
                .map_err(|e| HostError::Runtime(e.into()))?;
            let found = candidates(config).map(|found| found.into_iter().map(Candidate::inspected).collect());
            let runtime = engine.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            Ok::<_, HostError>((runtime.map_err(|e| HostError::Runtime(e.into()))?, found))
        })?;
        let runtime = runtime.with_store(store.clone());
        let runtime = Arc::new(runtime);
        let host = Self {
            runtime,
            metrics: Metrics::default(),
            roles: Roles::new(&config.speech, &config.calling, store),
            speech: RwLock::new(Arc::new(config.speech.clone())),
            file_speech: Mutex::new(format!("{:?}", config.speech)),
            tools: RwLock::new(Arc::new(config.tools.clone())),
            config: config.clone(),
            limits: config.limits.limits(),
            state: RwLock::new(State::default()),
            reloading: Mutex::new(()),
            generation: watch::Sender::new(0),
            in_flight: watch::Sender::new(0),
            disabled: Mutex::new(BTreeSet::new()),
        };
        host.reload_with(Some(found))?;
        Ok(host)
    }

    /// The current catalog. Calls hold on to the one they started with.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.read().catalog.clone()
    }

    pub fn components(&self) -> Vec<Arc<LoadedComponent>> {
        self.read().components.clone()
    }

    /// Components found but not loaded, with the reason, as of the last (re)load.
    pub fn rejected(&self) -> Vec<String> {
        self.read().rejected.clone()
    }

    /// Whether the operator tools are served.
    pub fn operator_tools(&self) -> bool {
        self.config.operator.tools
    }

    /// The components directory, when one is configured.
    pub fn components_dir(&self) -> Option<&Path> {
        self.config.components_dir.as_deref()
    }

    /// A receiver that sees a new value whenever the tool list changes.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }

    /// Unloads (`true`) or allows again (`false`) a component by name, from the next reload
    /// on. Returns whether this changed anything.
    pub fn set_disabled(&self, name: &str, disabled: bool) -> bool {
        let mut set = self.disabled.lock().unwrap_or_else(|e| e.into_inner());
        if disabled { set.insert(name.to_owned()) } else { set.remove(name) }
    }

    /// The components an operator unloaded.
    pub fn disabled(&self) -> Vec<String> {
        self.disabled.lock().unwrap_or_else(|e| e.into_inner()).iter().cloned().collect()
    }

    /// Marks a tool call in flight for as long as the guard lives.
    pub fn begin_call(&self) -> CallGuard<'_> {
        self.count_in_flight(1);
        CallGuard(self)
    }

    /// The one count of calls in flight, which the metrics gauge mirrors.
    fn count_in_flight(&self, delta: isize) {
        self.in_flight.send_modify(|n| {
            *n = n.saturating_add_signed(delta);
            self.metrics.set_in_flight(*n);
        });
    }

    /// Waits until no tool call is in flight.
    pub async fn drained(&self) {
        let mut calls = self.in_flight.subscribe();
        let _ = calls.wait_for(|n| *n == 0).await;
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The `[speech]` settings in force.
    pub fn speech(&self) -> Arc<SpeechSettings> {
        self.speech.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Puts new `[speech]` settings in force (the provider order, say) and re-routes the
    /// roles with the components already loaded. Calls in flight keep their routes.
    pub fn set_speech(&self, settings: SpeechSettings) {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|e| e.into_inner());
        *self.speech.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(settings);
        let components = self.components();
        let (catalog, _) = Catalog::build(&components, &self.speech(), self.config.operator.tools, &self.tools());
        self.state.write().unwrap_or_else(|e| e.into_inner()).catalog = Arc::new(catalog);
        self.generation.send_modify(|g| *g += 1);
        tracing::info!(providers = ?self.speech().providers, "speech settings changed");
    }

    /// The `[tools]` curation in force.
    fn tools(&self) -> Arc<ToolsSettings> {
        self.tools.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Reads `[speech]` and `[tools]` from the config file again. A file that no longer
    /// parses keeps the settings in force and says why.
    fn reread_config(&self) -> Option<String> {
        let file = self.config.file.as_ref()?;
        match Config::read(file) {
            Ok(config) => {
                if *self.tools() != config.tools {
                    tracing::info!("tool curation changed in the config");
                    *self.tools.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(config.tools.clone());
                }
                let said = format!("{:?}", config.speech);
                let mut last = self.file_speech.lock().unwrap_or_else(|e| e.into_inner());
                if *last != said {
                    tracing::info!(providers = ?config.speech.providers, "speech settings changed in the config");
                    *self.speech.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(config.speech);
                    *last = said;
                }
                None
            }
            Err(e) => Some(format!("{e}; the speech settings and tool curation in force are kept")),
        }
    }

    /// The policy a component named `name` gets here: its `[components.<name>]` table, else
    /// the policy file `beside` it if there is one, else the defaults.
    pub fn policy_for(&self, name: &str, beside: Option<&Path>) -> Result<Policy, String> {
        let config_file = self.config.file.clone().unwrap_or_else(|| PathBuf::from("switchboard.toml"));
        let (spec, file) = match (self.config.components.get(name), beside.filter(|b| b.exists())) {
            (Some(spec), _) => (spec.policy(), config_file),
            (None, Some(beside)) => (PolicySpec::read(beside).map_err(|e| e.to_string())?, beside.to_owned()),
            (None, None) => (PolicySpec::default(), config_file),
        };
        spec.resolve(&file, &self.limits, |k| std::env::var(k).ok()).map_err(|e| e.to_string())
    }

    /// A catalog of the components loaded now and `extra`, and what it refused.
    pub fn catalog_with(&self, extra: Arc<LoadedComponent>) -> (Catalog, Vec<(Arc<LoadedComponent>, CatalogError)>) {
        let mut components = self.components();
        components.retain(|c| c.name != extra.name);
        components.push(extra);
        Catalog::build(&components, &self.speech(), self.config.operator.tools, &self.tools())
    }

    /// Gathers the components again and swaps in what changed. Blocking: it compiles.
    pub fn reload(&self) -> Result<ReloadReport, HostError> {
        self.reload_with(None)
    }

    /// [`Host::reload`], with the components `found` already if the caller gathered them.
    fn reload_with(&self, found: Option<Result<Vec<Candidate>, HostError>>) -> Result<ReloadReport, HostError> {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|e| e.into_inner());
        let previous = self.components();
        let mut report = ReloadReport::default();
        if let Some(problem) = self.reread_config() {
            report.rejected.push(problem);
        }
        let mut next = Vec::new();
        let disabled = self.disabled();
        // Gathered under the lock: a reload that read the files earlier cannot load them later.
        let found = found.unwrap_or_else(|| candidates(&self.config));
        for candidate in found? {
            if disabled.contains(&candidate.name) {
                continue;
            }
            let old = previous.iter().find(|c| c.source == candidate.source);
            match self.load(candidate, old) {
                Ok(component) => next.push(component),
                Err((message, kept)) => {
                    tracing::error!(%message, "component rejected");
                    report.rejected.push(message);
                    // Rollback: the previous version keeps serving.
                    next.extend(kept);
                }
            }
        }
        let (catalog, refused) = Catalog::build(&next, &self.speech(), self.config.operator.tools, &self.tools());
        for problem in catalog.curation_problems() {
            tracing::error!(message = %problem, "tool curation not applied");
            report.rejected.push(problem.clone());
        }
        for (component, reason) in refused {
            tracing::error!(message = %reason, "component rejected");
            report.rejected.push(reason.to_string());
            next.retain(|c| !Arc::ptr_eq(c, &component));
        }
        for c in &next {
            if !previous.iter().any(|p| Arc::ptr_eq(p, c)) {
                report.loaded.push(c.name.clone());
                log_loaded(c);
            }
        }
        for p in &previous {
            if !next.iter().any(|c| Arc::ptr_eq(p, c)) && !next.iter().any(|c| c.source == p.source) {
                tracing::info!(component = %p.name, source = %p.source, "component unloaded");
                report.unloaded.push(p.name.clone());
            }
        }
        self.metrics.set_components(next.iter().map(|c| (c.name.as_str(), c.source.as_str(), c.digest.as_str())));
        let tools_changed = {
            let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
            let tools_changed = !state.catalog.all_tools().eq(catalog.all_tools());
            *state = State { components: next, catalog: Arc::new(catalog), rejected: report.rejected.clone() };
            tools_changed
        };
        // A curation or speech change alters the list without loading anything.
        if report.changed() || tools_changed {
            self.generation.send_modify(|g| *g += 1);
        }
        Ok(report)
    }

    /// Loads one candidate, or reuses `old` when neither its bytes nor its policy changed.
    /// On failure returns the message and the version to keep serving, if any.
    fn load(
        &self,
        c: Candidate,
        old: Option<&Arc<LoadedComponent>>,
    ) -> Result<Arc<LoadedComponent>, (String, Option<Arc<LoadedComponent>>)> {
        let fail = |message: String| (message, old.cloned());
        let bytes = c.bytes.map_err(|e| fail(format!("{}: {e}", c.source)))?;
        let (spec, file) = c.policy.map_err(|e| fail(e.to_string()))?;
        let name = spec.name.clone().unwrap_or(c.name);
        let policy: Policy =
            spec.resolve(&file, &self.limits, |k| std::env::var(k).ok()).map_err(|e| fail(e.to_string()))?;
        if let Some(old) = old
            && old.name == name
            && old.policy == policy
            && old.digest == runtime::digest(&bytes)
        {
            return Ok(old.clone());
        }
        let inspection = c.inspection.unwrap_or_else(|| Inspection::of(&bytes));
        let loaded = self
            .runtime
            .load_inspected(&name, &bytes, inspection, policy, &c.source)
            .map_err(|e| fail(e.to_string()))?;
        Ok(Arc::new(loaded))
    }
}

fn log_loaded(component: &LoadedComponent) {
    for problem in &component.doc_problems {
        tracing::warn!(component = %component.name, %problem, "a problem in the component's WIT docs");
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
            found.push(Candidate {
                name: b.name.to_owned(),
                source,
                bytes: Ok(Cow::Borrowed(b.wasm)),
                policy,
                inspection: None,
            });
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
        if let Some(source) = &spec.source {
            // The pinned bytes, from the host's own OCI store: no registry is asked here.
            found.push(Candidate {
                name: name.clone(),
                source: source.clone(),
                bytes: crate::oci::pinned_component(&config.oci, source).map(Cow::Owned).map_err(|e| e.to_string()),
                policy: Ok((spec.policy(), config_file.clone())),
                inspection: None,
            });
        }
    }
    Ok(found)
}

fn file_candidate(name: String, path: &Path, policy: Result<(PolicySpec, PathBuf), PolicyError>) -> Candidate {
    Candidate {
        name,
        source: path.display().to_string(),
        bytes: std::fs::read(path).map(Cow::Owned).map_err(|e| format!("cannot read it: {e}")),
        policy,
        inspection: None,
    }
}
