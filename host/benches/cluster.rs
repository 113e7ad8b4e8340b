//! Compliance decisions on the shared store (release binary, stdio, JSON-RPC by hand), against
//! a real PostgreSQL started here (the system's `postgresql` package) and the embedded SQLite:
//!
//! * decisions per second, with p50 / p99, for SQLite on one host and for one, two and three
//!   hosts on one PostgreSQL database (16 callers a host, 200 numbers shared by the hosts, so
//!   hosts race for the same ledgers);
//! * decision p50 / p99 as the audit trail grows from 10^3 to 10^6 entries, for each backend:
//!   the trail is filled between rounds with entries shaped like the host's own (written
//!   through the host's store), and a decision must cost the same at every size.
//!
//! Every decision is durable before it answers: SQLite commits with `synchronous = FULL`,
//! PostgreSQL with its defaults (`fsync`, `synchronous_commit` on).
//!
//! Run with `cargo bench --bench cluster`.

mod support;

use futures::future::join_all;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use support::decisions::{NUMBERS, check, prepare};
use support::{Host, percentiles};
use switchboard::store::KeyValue;
use switchboard_fakes::postgres::TempPostgres;

/// Decisions per throughput round, shared among the hosts.
const ROUND: u32 = 3000;
const CALLERS_PER_HOST: usize = 16;
/// Decisions measured one at a time at each trail size.
const SAMPLES: u32 = 1000;
const TRAIL_SIZES: [u64; 4] = [1_000, 10_000, 100_000, 1_000_000];
/// The checker's namespace and bucket in the store.
const NAMESPACE: &str = "compliance_tcpa";
const BUCKET: &str = "tcpa";

/// Where a host keeps its state.
#[derive(Clone)]
enum Backend {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Backend {
    fn config(&self) -> String {
        let store = match self {
            Backend::Sqlite(path) => format!("path = {:?}", path.display().to_string()),
            Backend::Postgres(url) => format!("url = {url:?}"),
        };
        format!(
            "[store]\n{store}\n\n[components.compliance_tcpa]\nkeyvalue = true\nmax_concurrent = 64\nmax_queued = 4096\n"
        )
    }

    /// The store as the host opens it, for filling the trail.
    fn open(&self) -> anyhow::Result<Arc<dyn KeyValue>> {
        Ok(match self {
            Backend::Sqlite(path) => switchboard::store::open(None, None, path.clone())?,
            Backend::Postgres(url) => switchboard::store::open(Some(url), None, "unused".into())?,
        })
    }
}

async fn start_hosts(dir: &Path, backend: &Backend, count: usize) -> anyhow::Result<Vec<Host>> {
    let mut hosts = Vec::new();
    for h in 0..count {
        let home = dir.join(format!("host-{h}"));
        std::fs::create_dir_all(&home)?;
        hosts.push(Host::start(&home, "cluster", &backend.config(), &[]).await?);
    }
    Ok(hosts)
}

/// One throughput round: `ROUND` decisions split among the hosts, all at once.
async fn round(label: &str, hosts: &mut [Host]) -> anyhow::Result<()> {
    let n = hosts.len() as u32;
    let work: Vec<Vec<Value>> = (0..n).map(|h| (0..ROUND / n).map(|i| check(i * n + h)).collect()).collect();
    let started = Instant::now();
    let runs = hosts
        .iter_mut()
        .zip(&work)
        .map(|(host, calls)| host.concurrent("check_tcpa_compliance", calls, CALLERS_PER_HOST));
    let mut latencies = Vec::new();
    for run in join_all(runs).await {
        latencies.extend(run?.1);
    }
    let rate = latencies.len() as f64 / started.elapsed().as_secs_f64();
    let (p50, p99) = percentiles(latencies);
    println!("{label:<44} {rate:>7.0} decisions/s   p50 {p50:>7.2} ms   p99 {p99:>7.2} ms");
    Ok(())
}

/// Appends entries to the trail until it holds `size`: copies of the latest decision's entry,
/// each with its own id and number, written in batches, then the sequence moved past them.
async fn grow_trail(store: &dyn KeyValue, size: u64) -> anyhow::Result<()> {
    let seq: u64 = match store.get(NAMESPACE, BUCKET, "audit-seq").await? {
        Some(v) => String::from_utf8(v)?.parse()?,
        None => anyhow::bail!("no audit sequence in the store: did the host decide anything?"),
    };
    let latest = store.get(NAMESPACE, BUCKET, &format!("au/{seq:020}")).await?;
    let template: Value = serde_json::from_slice(&latest.ok_or_else(|| anyhow::anyhow!("no entry {seq}"))?)?;
    let mut next = seq + 1;
    while next <= size {
        let end = (next + 10_000).min(size + 1);
        let pairs: Vec<(String, Vec<u8>)> = (next..end)
            .map(|id| {
                let mut entry = template.clone();
                entry["id"] = json!(format!("{id:020}"));
                entry["phone_number"] = json!(format!("+1415{:07}", id % 10_000_000));
                (format!("au/{id:020}"), serde_json::to_vec(&entry).expect("JSON"))
            })
            .collect();
        store.set_many(NAMESPACE, BUCKET, &pairs).await?;
        next = end;
    }
    if size > seq {
        store.increment(NAMESPACE, BUCKET, "audit-seq", i64::try_from(size - seq)?).await?;
    }
    Ok(())
}

async fn trail_growth(dir: &Path, name: &str, backend: &Backend) -> anyhow::Result<()> {
    let mut hosts = start_hosts(dir, backend, 1).await?;
    let host = &mut hosts[0];
    prepare(host).await?;
    let store = backend.open()?;
    for size in TRAIL_SIZES {
        let filling = Instant::now();
        grow_trail(store.as_ref(), size).await?;
        let filled = filling.elapsed().as_secs_f64();
        for i in 0..100 {
            host.call("check_tcpa_compliance", check(i)).await?;
        }
        let mut samples = Vec::new();
        for i in 0..SAMPLES {
            let (elapsed, _) = host.call("check_tcpa_compliance", check(i)).await?;
            samples.push(elapsed.as_secs_f64() * 1000.0);
        }
        let (p50, p99) = percentiles(samples);
        println!(
            "{:<44} p50 {p50:>7.2} ms   p99 {p99:>7.2} ms   (filled in {filled:.1} s)",
            format!("{name}, trail of {size:>9} entries")
        );
    }
    hosts.pop().expect("one host").stop().await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut pg = TempPostgres::start().map_err(|why| anyhow::anyhow!("this benchmark needs PostgreSQL: {why}"))?;
    let dir = tempfile::tempdir()?;

    println!("decisions per second ({CALLERS_PER_HOST} callers a host, {NUMBERS} numbers, {ROUND} decisions)");
    let sqlite = Backend::Sqlite(dir.path().join("throughput.sqlite3"));
    let mut hosts = start_hosts(&dir.path().join("sqlite"), &sqlite, 1).await?;
    prepare(&mut hosts[0]).await?;
    round("SQLite, 1 host", &mut hosts).await?;
    for host in hosts {
        host.stop().await?;
    }
    for count in 1..=3 {
        let database = format!("throughput{count}");
        pg.create_database(&database).map_err(anyhow::Error::msg)?;
        let shared = Backend::Postgres(pg.url(&database));
        let mut hosts = start_hosts(&dir.path().join(&database), &shared, count).await?;
        prepare(&mut hosts[0]).await?;
        round(&format!("PostgreSQL, {count} host{}", if count > 1 { "s" } else { "" }), &mut hosts).await?;
        for host in hosts {
            host.stop().await?;
        }
    }

    println!("\ndecision latency as the audit trail grows (one caller)");
    trail_growth(&dir.path().join("trail-sqlite"), "SQLite", &Backend::Sqlite(dir.path().join("trail.sqlite3")))
        .await?;
    pg.create_database("trail").map_err(anyhow::Error::msg)?;
    trail_growth(&dir.path().join("trail-pg"), "PostgreSQL", &Backend::Postgres(pg.url("trail"))).await?;
    pg.pause();
    Ok(())
}
