//! The runtime on its own, with the probe test guest: how precisely deadlines land, and what
//! a call reports about itself.

use super::{CallError, EngineSettings, Runtime};
use crate::policy::{Limits, PolicySpec};
use std::path::Path;
use std::time::{Duration, Instant};

fn probe(runtime: &Runtime, timeout_ms: u64) -> super::LoadedComponent {
    let spec = PolicySpec {
        allowed_hosts: vec!["127.0.0.1:9".into()],
        timeout_ms: Some(timeout_ms),
        memory_mb: Some(32),
        ..Default::default()
    };
    let policy = spec.resolve(Path::new("test"), &Limits::default(), |_| None).unwrap();
    let bytes = std::fs::read(env!("SWITCHBOARD_GUEST_PROBE")).unwrap();
    runtime.load("probe", &bytes, policy, "test").unwrap()
}

fn index(component: &super::LoadedComponent, name: &str) -> usize {
    component.surface.functions.iter().position(|f| f.name == name).unwrap()
}

#[tokio::test]
async fn a_spinning_guest_is_stopped_within_50_ms_of_its_deadline() {
    let settings = EngineSettings { max_instances: 16, max_memory_bytes: 64 << 20, pooling: true };
    let runtime = Runtime::new(&settings, None).unwrap();
    let probe = probe(&runtime, 200);
    let spin = index(&probe, "spin");
    for _ in 0..5 {
        let started = Instant::now();
        let err = runtime.call(&probe, spin, None).await.unwrap_err();
        let late = started.elapsed().saturating_sub(Duration::from_millis(200));
        assert!(matches!(err, CallError::DeadlineExceeded { .. }), "{err}");
        assert!(late < Duration::from_millis(50), "stopped {late:?} after the deadline");
    }
}

#[tokio::test]
async fn a_call_reports_its_instantiation_time_and_memory() {
    let settings = EngineSettings { max_instances: 16, max_memory_bytes: 64 << 20, pooling: true };
    let runtime = Runtime::new(&settings, None).unwrap();
    let probe = probe(&runtime, 1000);
    let args = serde_json::json!({"megabytes": 8});
    let out = runtime.call(&probe, index(&probe, "allocate"), args.as_object()).await.unwrap();
    assert!(out.memory_peak >= 8 << 20, "{}", out.memory_peak);
    assert!(out.memory_peak <= 32 << 20);
    assert!(out.instantiate_time < Duration::from_secs(1));
}
