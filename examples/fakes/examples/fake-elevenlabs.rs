//! Serves the fake ElevenLabs until interrupted, for the demo.
//!
//! ```sh
//! cargo run -p switchboard-fakes --example fake-elevenlabs                 # a free port
//! cargo run -p switchboard-fakes --example fake-elevenlabs -- --port 8790 --key my-key
//! ```
//!
//! It prints its base URL on the first line of stdout (for scripts to read), then the key it
//! accepts and how to point the component at it on stderr.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;
use switchboard_fakes::elevenlabs::{DEFAULT_API_KEY, FakeElevenLabs};

const USAGE: &str = "usage: fake-elevenlabs [--port N] [--key KEY] [--latency-ms N] [--chunk-interval-ms N]";

/// What the command line asks for.
struct Options {
    port: u16,
    key: String,
    latency: Duration,
    chunk_interval: Duration,
}

fn parse(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options =
        Options { port: 0, key: DEFAULT_API_KEY.to_string(), latency: Duration::ZERO, chunk_interval: Duration::ZERO };
    let mut args = args.peekable();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        let ms = |v: String| v.parse::<u64>().map(Duration::from_millis).map_err(|_| format!("bad milliseconds `{v}`"));
        match flag.as_str() {
            "--port" => options.port = value()?.parse().map_err(|_| "bad port".to_string())?,
            "--key" => options.key = value()?,
            "--latency-ms" => options.latency = ms(value()?)?,
            "--chunk-interval-ms" => options.chunk_interval = ms(value()?)?,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let fake = match FakeElevenLabs::start_on(SocketAddr::from(([127, 0, 0, 1], options.port))).await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("cannot listen on 127.0.0.1:{}: {e}", options.port);
            return ExitCode::FAILURE;
        }
    };
    fake.set_api_key(options.key);
    fake.set_first_byte_latency(options.latency);
    fake.set_chunk_interval(options.chunk_interval);
    println!("{}", fake.base_url());
    eprintln!(
        "fake ElevenLabs listening; configure tts_elevenlabs with base_url = \"{}\", allowed_hosts = [\"127.0.0.1\"] \
         and the key you gave (default `{DEFAULT_API_KEY}`) in ELEVENLABS_API_KEY. Ctrl-C stops it.",
        fake.base_url()
    );
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("cannot wait for Ctrl-C: {e}");
    }
    eprintln!("{} requests served", fake.request_count());
    fake.shutdown().await;
    ExitCode::SUCCESS
}
