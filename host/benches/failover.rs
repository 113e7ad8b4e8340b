//! The speech provider chain against the fake ElevenLabs (release binary, stdio, JSON-RPC by
//! hand, speech cache off):
//!
//! * time to the first audio byte through the host, minus the fake's fixed 150 ms first-byte
//!   latency: what the host adds to a streaming provider;
//! * failing over to the offline voice when ElevenLabs is down and its breaker is open: the
//!   cost over asking the offline voice directly;
//! * failing over when the breaker is still closed and ElevenLabs hangs: one deadline.
//!
//! Run with `cargo bench --bench failover`. Prints medians and p99.

mod support;

use serde_json::json;
use std::time::Duration;
use support::{Host, ms, report};
use switchboard_fakes::elevenlabs::{Failure, FakeElevenLabs};

const KEY: &str = "bench-key";
const LATENCY: Duration = Duration::from_millis(150);

fn config(fake: &FakeElevenLabs, extra: &str) -> String {
    format!("{}{extra}", fake.host_config(1000))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let fake = FakeElevenLabs::start().await?;
    fake.set_api_key(KEY);
    let env = [("ELEVENLABS_API_KEY", KEY)];
    let text = |n: usize| json!({ "text": format!("Hello, this is call number {n}."), "format": "pcm_16000" });

    // 1. First audio byte through the host.
    fake.set_first_byte_latency(LATENCY);
    let cfg = config(&fake, "[speech]\ncache_mb = 0\n");
    let mut host = Host::start(dir.path(), "ttfb", &cfg, &env).await?;
    let mut added = Vec::new();
    for n in 0..60 {
        let (_, meta) = host.call("speak", text(n)).await?;
        assert_eq!(meta["provider"]["id"], "elevenlabs");
        if n >= 10 {
            added.push(ms(&meta, "first_chunk_ms") - LATENCY.as_secs_f64() * 1e3);
        }
    }
    host.stop().await?;
    fake.set_first_byte_latency(Duration::ZERO);
    println!("speak through ElevenLabs (the fake, 150 ms to its first byte), pcm_16000");
    report("first audio byte through the host, minus the fake's 150 ms", "ms", added);

    // 2. The offline voice alone, then as the stand-in while ElevenLabs' breaker is open.
    let cfg = config(&fake, "[speech]\ncache_mb = 0\nproviders = [\"tts_formant\"]\n");
    let mut host = Host::start(dir.path(), "offline", &cfg, &env).await?;
    let mut direct = Vec::new();
    for n in 0..300 {
        let (_, meta) = host.call("speak", text(n)).await?;
        direct.push(ms(&meta, "total_ms"));
    }
    host.stop().await?;
    fake.fail_sticky(Failure::ServerError);
    let cfg = config(&fake, "[speech]\ncache_mb = 0\n[speech.resilience]\nbackoff_ms = 1\n");
    let mut host = Host::start(dir.path(), "open", &cfg, &env).await?;
    let mut open = Vec::new();
    for n in 0..310 {
        let (_, meta) = host.call("speak", text(n)).await?;
        assert_eq!(meta["provider"]["id"], "formant");
        let skipped = meta["failed_attempts"].as_array().is_some_and(|f| f.len() == 1);
        if n >= 10 {
            assert!(skipped, "the breaker should be open by now: {meta}");
            open.push(ms(&meta, "total_ms"));
        }
    }
    host.stop().await?;
    println!("offline voice, pcm_16000, host time in speak");
    report("asked directly", "ms", direct.clone());
    report("standing in, ElevenLabs' breaker open", "ms", open.clone());
    let (d, _) = support::percentiles(direct);
    let (o, _) = support::percentiles(open);
    println!("{:<58} p50 {:>9.3} ms", "failover cost with the breaker open (difference of p50s)", o - d);

    // 3. The breaker closed and ElevenLabs hanging: the attempt runs into its 1 s deadline.
    fake.clear_failures();
    fake.set_first_byte_latency(Duration::from_secs(30));
    let resilience = "[speech.resilience]\ndeadline_ms = 1000\nfailures_to_open = 1000000\n";
    let cfg = config(&fake, &format!("[speech]\ncache_mb = 0\n{resilience}"));
    let mut host = Host::start(dir.path(), "closed", &cfg, &env).await?;
    let mut closed = Vec::new();
    for n in 0..10 {
        let (_, meta) = host.call("speak", text(n)).await?;
        assert_eq!(meta["provider"]["id"], "formant");
        closed.push(ms(&meta, "total_ms"));
    }
    host.stop().await?;
    report("standing in, breaker closed, ElevenLabs hanging (1 s deadline)", "ms", closed);
    fake.shutdown().await;
    Ok(())
}
