//! The `switchboard` command line.

use anyhow::{Context as _, Result, bail};
use base64::Engine as _;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use switchboard::config::Config;
use switchboard::host::Host;
use switchboard::logging::{self, LogFormat};
use switchboard::{catalog, transport, watch};
use tokio_util::sync::CancellationToken;

/// Serve WebAssembly components as MCP tools.
#[derive(Parser)]
#[command(name = "switchboard", version, about)]
struct Cli {
    /// The operator's configuration file.
    #[arg(long, global = true, env = "SWITCHBOARD_CONFIG")]
    config: Option<PathBuf>,
    /// A directory of components (`name.wasm`, with an optional `name.toml` policy).
    #[arg(long, global = true, env = "SWITCHBOARD_COMPONENTS_DIR")]
    components_dir: Option<PathBuf>,
    /// Do not load the components built into the binary.
    #[arg(long, global = true)]
    no_builtins: bool,
    /// Compile components every time instead of using the precompiled cache.
    #[arg(long, global = true)]
    no_cache: bool,
    /// Serve the operator tools (list, reload, unload, load components) over MCP.
    #[arg(long, global = true)]
    operator_tools: bool,
    /// Do not watch the components directory for changes.
    #[arg(long, global = true)]
    no_watch: bool,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Async worker threads. `serve` defaults to 1: one agent's requests are answered with
    /// the least latency on one thread (no cross-thread hand-offs), and a busy component
    /// still yields every 5 ms so it cannot starve the others. Raise it for CPU-heavy tools.
    #[arg(long, global = true, env = "SWITCHBOARD_WORKERS")]
    workers: Option<usize>,
    /// Log filter (overrides RUST_LOG), e.g. `debug` or `switchboard=debug`.
    #[arg(long, global = true)]
    log: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve MCP: over stdio to one agent, or over Streamable HTTP with `--http`.
    Serve {
        /// Serve Streamable HTTP at /mcp on this address (e.g. 127.0.0.1:8080).
        #[arg(long)]
        http: Option<std::net::SocketAddr>,
        /// Serve stdio too when serving HTTP.
        #[arg(long)]
        stdio: bool,
    },
    /// Inspect the loaded components.
    Components {
        #[command(subcommand)]
        command: ComponentsCommand,
    },
    /// Make a component crate to start a tool from: WIT, Rust, a policy, a test, a README.
    New {
        /// The component's name, in kebab case (`weather-lookup`): its tools are
        /// `weather_lookup_<function>`.
        name: String,
        /// Where to make it (default: ./<name>).
        #[arg(long)]
        path: Option<PathBuf>,
    },
    /// Call one tool and print its result (for plugin authors).
    Call {
        /// The tool name, as `components list` shows it.
        tool: String,
        /// The arguments, a JSON object.
        #[arg(default_value = "{}")]
        args: String,
        /// Write the audio the tool returns (e.g. `speak`) to this file.
        #[arg(long, value_name = "FILE")]
        audio_out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum ComponentsCommand {
    /// List components, their tools and the tools' schemas.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Check a component before deploying it: its imports and whether this host provides
    /// them, the grants its policy lacks, the tools it will serve, and a verdict (exit 1 when
    /// it would not load).
    Check {
        /// A `.wasm` file, or `oci://registry/repository:tag` (fetched, not pinned).
        component: String,
        /// The name it would load under (default: the file's stem, or the repository's last part).
        #[arg(long)]
        name: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Pull a component from an OCI registry (resolving a tag again) and pin its digest; a
    /// running host serves it after its next reload.
    Pull {
        /// `oci://registry/repository:tag` or `oci://registry/repository@sha256:<digest>`.
        reference: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(cli.log_format, cli.log.as_deref());
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    // One agent over stdio is answered fastest on one thread; HTTP serves many.
    let stdio_only = matches!(cli.command, Command::Serve { http: None, .. });
    let workers = cli.workers.or(stdio_only.then_some(1));
    if let Some(n) = workers {
        builder.worker_threads(n.max(1));
    }
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(cli: &Cli) -> Result<Config> {
    let mut config = match &cli.config {
        Some(file) => Config::read(file)?,
        None => Config::default(),
    };
    if let Some(dir) = &cli.components_dir {
        config.components_dir = Some(dir.clone());
    }
    if cli.no_builtins {
        config.builtins = false;
    }
    if cli.no_cache {
        config.no_cache = true;
    }
    if cli.operator_tools {
        config.operator.tools = true;
    }
    Ok(config)
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let config = load_config(&cli)?;
    let http_settings = config.http.clone();
    let tasks = Arc::new(transport::Tasks::new(config.tasks.clone()));
    let config_file = config.file.clone();
    if let Command::New { name, path } = &cli.command {
        let dir = path.clone().unwrap_or_else(|| PathBuf::from(name));
        let written = switchboard::scaffold::new_component(name, &dir)?;
        for file in written {
            println!("created {}", file.display());
        }
        println!("next: cd {} && cargo build --target wasm32-wasip2 --release (see its README)", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    // Watched too when a component comes from a registry: `components pull` moves its pin.
    let oci_settings = config.oci.clone();
    let oci_dir = config.components.values().any(|s| s.source.is_some()).then(|| config.oci.dir());
    match &cli.command {
        Command::Components { command: ComponentsCommand::Pull { reference, json } } => {
            return pull(&config, reference, *json).await;
        }
        // A component named by an OCI reference is pulled the first time; pinned ones are not.
        Command::Serve { .. } => switchboard::oci::registry::pull_unpinned(&config).await,
        _ => {}
    }
    // Compiling components is CPU work: keep it off the async workers.
    let host = tokio::task::spawn_blocking(move || Host::start(&config)).await.context("loading components")??;
    let host = Arc::new(host);

    match cli.command {
        Command::Serve { http, stdio } => {
            // The config's own directory too: its `[speech]` table applies without a restart.
            let config_dir = config_file
                .as_deref()
                .and_then(Path::parent)
                .map(|d| if d.as_os_str().is_empty() { Path::new(".") } else { d });
            if let Some(dir) = &oci_dir {
                std::fs::create_dir_all(dir).with_context(|| format!("creating the OCI store {}", dir.display()))?;
            }
            let dirs: Vec<&Path> =
                host.components_dir().into_iter().chain(config_dir).chain(oci_dir.as_deref()).collect();
            let _watch = if cli.no_watch || dirs.is_empty() { None } else { Some(watch::watch(host.clone(), &dirs)?) };
            serve(host, tasks, http_settings, http, stdio).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Components { command: ComponentsCommand::List { json } } => {
            list(&host, json)?;
            Ok(if host.rejected().is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Components { command: ComponentsCommand::Pull { .. } } => unreachable!("served above"),
        Command::Components { command: ComponentsCommand::Check { component, name, json } } => {
            check(&host, &oci_settings, &component, name, json).await
        }
        Command::Call { tool, args, audio_out } => call(&host, &tool, &args, audio_out.as_deref()).await,
        Command::New { .. } => unreachable!("served above"),
    }
}

/// Runs the transports until a signal, or until the stdio client leaves. On a signal, new
/// work is refused, calls in flight get the grace period to finish, then everything stops.
async fn serve(
    host: Arc<Host>,
    tasks: Arc<transport::Tasks>,
    mut settings: transport::http::HttpSettings,
    http: Option<std::net::SocketAddr>,
    stdio: bool,
) -> Result<()> {
    let draining = CancellationToken::new();
    let stop = CancellationToken::new();
    tokio::spawn(transport::cancel_on_signal(draining.clone()));
    {
        let (host, draining, stop) = (host.clone(), draining.clone(), stop.clone());
        let grace = std::time::Duration::from_millis(settings.shutdown_grace_ms);
        tokio::spawn(async move {
            draining.cancelled().await;
            if tokio::time::timeout(grace, host.drained()).await.is_err() {
                tracing::warn!(
                    grace_ms = grace.as_millis() as u64,
                    "calls still running at the end of the grace period"
                );
            }
            // A finished call's reply is written after its handler returns: let it go out.
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            stop.cancel();
        });
    }
    settings.listen = http.or(settings.listen);
    let mut transports = tokio::task::JoinSet::new();
    if settings.listen.is_some() {
        let http =
            transport::http::serve(host.clone(), tasks.clone(), settings.clone(), draining.clone(), stop.clone());
        transports.spawn(http);
    }
    if stdio || settings.listen.is_none() {
        let (host, stop) = (host.clone(), stop.clone());
        transports.spawn(async move {
            tracing::info!(tools = host.catalog().len(), "serving MCP on stdio");
            let served = transport::stdio::serve(transport::McpService::new(host, tasks), stop.clone()).await;
            // The agent that started us has gone: stop everything.
            stop.cancel();
            served
        });
    }
    let mut outcome = Ok(());
    while let Some(done) = transports.join_next().await {
        if let Err(e) = done.context("a transport task panicked").and_then(|r| r) {
            stop.cancel();
            outcome = outcome.and(Err(e));
        }
    }
    outcome
}

/// `components check`: the report, and exit 1 when the component would not load.
async fn check(
    host: &Host,
    oci: &switchboard::config::OciSettings,
    component: &str,
    name: Option<String>,
    json: bool,
) -> Result<ExitCode> {
    use switchboard::oci::{Source, registry};
    let (bytes, default_name, beside) = if component.starts_with("oci://") {
        let source = Source::parse(component)?;
        let fetched = registry::fetch(oci, &source).await?;
        let last = source.reference.repository().rsplit('/').next().unwrap_or("component").replace('-', "_");
        (fetched.bytes, last, None)
    } else {
        let path = Path::new(component);
        let bytes = std::fs::read(path).with_context(|| format!("reading {component}"))?;
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        (bytes, stem, Some(path.with_extension("toml")))
    };
    let name = name.unwrap_or(default_name);
    let report =
        tokio::task::block_in_place(|| switchboard::check::check(host, &name, &bytes, component, beside.as_deref()));
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.text());
    }
    Ok(if report.loads() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `components pull`: what the reference names now, and what it named before.
async fn pull(config: &Config, reference: &str, json: bool) -> Result<ExitCode> {
    use switchboard::oci::{Source, registry};
    let source = Source::parse(reference)?;
    let pulled = registry::pull(&config.oci, &source).await?;
    let previous = pulled.previous.as_ref().map(|p| p.manifest.as_str());
    if json {
        let value = serde_json::json!({
            "reference": pulled.source.key(),
            "manifest": pulled.pin.manifest,
            "component": pulled.pin.layer,
            "size": pulled.pin.size,
            "signed_by": pulled.pin.signed_by,
            "previous": previous,
            "moved": pulled.moved(),
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(ExitCode::SUCCESS);
    }
    let pin = &pulled.pin;
    println!("pulled {}", pulled.source);
    println!("  manifest  {}", pin.manifest);
    println!("  component {} ({} KiB)", pin.layer, pin.size.div_ceil(1024));
    match &pin.signed_by {
        Some(key) => println!("  signed by the trusted key {key}"),
        None if config.oci.trusted_keys.is_empty() => println!("  signature not checked ([oci] trusted_keys is empty)"),
        None => println!("  not signed by a trusted key (allowed: [oci] require_signatures is off)"),
    }
    match previous {
        Some(old) if pulled.moved() => {
            println!("  moved: it was {old}; a running host serves the new one after its next reload")
        }
        Some(_) => println!("  unchanged since the last pull"),
        None => println!("  pinned for the first time"),
    }
    Ok(ExitCode::SUCCESS)
}

fn list(host: &Host, json: bool) -> Result<()> {
    let catalog = host.catalog();
    if json {
        println!("{}", serde_json::to_string_pretty(&switchboard::operator::describe(host, true))?);
        return Ok(());
    }
    for c in &host.components() {
        let p = &c.policy;
        println!("{}  ({}, sha256 {})", c.name, c.source, &c.digest[..12]);
        let hosts: Vec<String> = p.allowed_hosts.iter().map(|h| h.to_string()).collect();
        println!(
            "  policy: timeout {} ms, memory {} MiB, {} concurrent, outbound: {}",
            p.timeout.as_millis(),
            p.memory_bytes >> 20,
            p.max_concurrent,
            if hosts.is_empty() { "none".to_string() } else { hosts.join(", ") }
        );
        for t in catalog.tools_of(c) {
            println!("  tool {}", t.name);
            if let Some(d) = &t.description {
                println!("    {}", d.replace('\n', "\n    "));
            }
            println!("    input:  {}", serde_json::to_string(&t.input_schema)?);
            if let Some(out) = &t.output_schema {
                println!("    output: {}", serde_json::to_string(out)?);
            }
        }
        for s in &c.surface.skipped {
            println!("  not a tool: {} ({})", s.name, s.reason);
        }
    }
    for r in &host.rejected() {
        println!("rejected: {r}");
    }
    Ok(())
}

async fn call(host: &Host, tool: &str, args: &str, audio_out: Option<&Path>) -> Result<ExitCode> {
    let args: serde_json::Value = serde_json::from_str(args).context("the arguments are not valid JSON")?;
    let serde_json::Value::Object(args) = args else { bail!("the arguments must be a JSON object") };
    let catalog = host.catalog();
    let result = match catalog::call(&catalog, &host.roles, &host.runtime, tool, Some(&args)).await {
        catalog::Dispatched::Done(called) => called.result,
        catalog::Dispatched::Operator(_) => bail!("`{tool}` is an operator tool: call it from an MCP session"),
        catalog::Dispatched::Unknown => {
            let names: Vec<&str> = catalog.all_tools().map(|t| t.name.as_ref()).collect();
            bail!("no tool named `{tool}`; available: {}", names.join(", "));
        }
    };
    let text: Vec<String> = result.content.iter().filter_map(|c| c.as_text().map(|t| t.text.clone())).collect();
    if result.is_error == Some(true) {
        eprintln!("{}", text.join("\n"));
        return Ok(ExitCode::from(1));
    }
    if let Some(path) = audio_out {
        let Some(audio) = result.content.iter().find_map(|c| c.as_audio()) else {
            bail!("`{tool}` returned no audio to write to {}", path.display());
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&audio.data)
            .context("the audio in the result is not valid base64")?;
        std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {} bytes of {} to {}", bytes.len(), audio.mime_type, path.display());
    }
    match &result.structured_content {
        Some(v) => println!("{}", serde_json::to_string_pretty(v)?),
        None => println!("{}", text.join("\n")),
    }
    Ok(ExitCode::SUCCESS)
}
