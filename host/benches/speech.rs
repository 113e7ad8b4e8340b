//! `speak` end to end: the release `switchboard serve` binary with its built-in offline voice,
//! driven over stdio with hand-written JSON-RPC lines, one call after the other.
//!
//! * a 20-word sentence synthesised every time (cache off): round trip, time to the first
//!   audio chunk inside the host (classification included), and the synthesis itself;
//! * the same sentence from the cache: round trip, and the host's own time in `speak`.
//!
//! Run with `cargo bench --bench speech`. Prints medians and p99.

mod support;

use serde_json::json;
use support::{Host, ms, report};

/// Twenty words, the length of a typical line of an outbound call.
const SENTENCE: &str = "Hello Maria, this is Switchboard calling to confirm your dental appointment tomorrow at \
nine thirty in the morning, see you.";
const WARMUP: usize = 20;
const MISSES: usize = 300;
const HITS: usize = 3_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    println!("speak, 20 words ({} characters), built-in voice, wav_22050, over stdio", SENTENCE.len());

    let args = json!({ "text": SENTENCE });
    let mut host = Host::start(dir.path(), "uncached", "[speech]\ncache_mb = 0\n", &[]).await?;
    for _ in 0..WARMUP {
        host.call("speak", args.clone()).await?;
    }
    let (mut round, mut first, mut synth) = (Vec::new(), Vec::new(), Vec::new());
    let mut audio_ms = 0;
    for _ in 0..MISSES {
        let (elapsed, meta) = host.call("speak", args.clone()).await?;
        assert_eq!(meta["cached"], false);
        round.push(elapsed.as_secs_f64() * 1e3);
        first.push(ms(&meta, "first_chunk_ms"));
        synth.push(ms(&meta, "synthesis_ms"));
        audio_ms = meta["duration_ms"].as_u64().unwrap_or(0);
    }
    host.stop().await?;
    println!("  ({:.1} s of audio a call)", audio_ms as f64 / 1000.0);
    report("synthesised: round trip", "ms", round);
    report("synthesised: first audio chunk (host, from request)", "ms", first);
    report("synthesised: synthesis in the component", "ms", synth);

    let mut host = Host::start(dir.path(), "cached", "[speech]\ncache_mb = 64\n", &[]).await?;
    host.call("speak", args.clone()).await?;
    let (mut round, mut inside) = (Vec::new(), Vec::new());
    for _ in 0..HITS {
        let (elapsed, meta) = host.call("speak", args.clone()).await?;
        assert_eq!(meta["cached"], true);
        round.push(elapsed.as_secs_f64() * 1e3);
        inside.push(ms(&meta, "total_ms") * 1e3);
    }
    host.stop().await?;
    report("cache hit: round trip (incl. ~350 KB base64 reply)", "ms", round);
    report("cache hit: host time in speak", "us", inside);
    Ok(())
}
