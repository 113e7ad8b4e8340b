//! Logs go to stderr (stdout is the MCP channel), through `tracing`, as text or JSON.
//! `RUST_LOG` (or `--log`) sets the filter; the default is `info`.

use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Crates whose debug logs are either compiler noise or carry whole protocol messages
/// (tool arguments and results: user text, secrets a component returned). They stay at
/// `info` unless the filter names them explicitly.
const QUIET: &[&str] = &["rmcp", "cranelift_codegen", "wasmtime_internal_cranelift", "wasmtime", "wit_parser"];

/// The filter in force: the given one (or `RUST_LOG`, or `info`), with [`QUIET`] capped.
pub fn filter_directives(given: Option<&str>) -> String {
    let given = given.map(str::to_owned).or_else(|| std::env::var("RUST_LOG").ok()).unwrap_or_default();
    let mut directives = if given.trim().is_empty() { "info".to_string() } else { given };
    let verbose = directives.contains("debug") || directives.contains("trace");
    for krate in QUIET.iter().filter(|_| verbose) {
        if !directives.contains(krate) {
            directives.push_str(&format!(",{krate}=info"));
        }
    }
    directives
}

pub fn init(format: LogFormat, filter: Option<&str>) {
    let filter = EnvFilter::try_new(filter_directives(filter)).unwrap_or_else(|e| {
        eprintln!("warning: ignoring the log filter ({e}); using `info`");
        EnvFilter::new("info")
    });
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // A second init (tests) is harmless.
    let _ = match format {
        LogFormat::Text => builder.with_ansi(false).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).try_init(),
    };
}
