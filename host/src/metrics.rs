//! Prometheus metrics: calls by tool and outcome, call latency, instantiation time, calls
//! in flight, and the loaded components with their versions. Served as text at `/metrics`.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    tool: String,
    /// `ok`, `tool_error` (the component's own `result::err`), or a `CallError` kind.
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ToolLabel {
    tool: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ComponentLabel {
    component: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ComponentLabels {
    component: String,
    source: String,
    digest: String,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// The `tool` label of a call to a name the catalog does not have. Label values are only
/// ever names the host itself chose (catalog tools, loaded components), so no client can add
/// series by inventing names.
pub const UNKNOWN_TOOL: &str = "unknown";

pub struct Metrics {
    registry: Registry,
    calls: Family<CallLabels, Counter>,
    latency: HistogramFamily<ToolLabel>,
    instantiate: Histogram,
    in_flight: Gauge,
    memory: HistogramFamily<ComponentLabel>,
    components: Family<ComponentLabels, Gauge>,
    /// The label sets of `components` now set, to clear them on the next update.
    loaded: Mutex<Vec<ComponentLabels>>,
}

fn latency_buckets() -> Histogram {
    // 20 us .. ~40 s
    Histogram::new(exponential_buckets(20e-6, 2.0, 22))
}

fn memory_buckets() -> Histogram {
    // 64 KiB (one wasm page) .. 4 GiB
    Histogram::new(exponential_buckets(65536.0, 2.0, 17))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("switchboard");
        let calls = Family::<CallLabels, Counter>::default();
        registry.register("tool_calls", "Tool calls by tool and outcome", calls.clone());
        let latency: HistogramFamily<ToolLabel> = Family::new_with_constructor(latency_buckets);
        registry.register("tool_call_duration_seconds", "Time from request to result, by tool", latency.clone());
        let instantiate = Histogram::new(exponential_buckets(2e-6, 2.0, 16));
        registry.register(
            "instantiate_duration_seconds",
            "Time to instantiate a component from its cached InstancePre",
            instantiate.clone(),
        );
        let in_flight = Gauge::default();
        registry.register("tool_calls_in_flight", "Tool calls running now", in_flight.clone());
        let memory: HistogramFamily<ComponentLabel> = Family::new_with_constructor(memory_buckets);
        registry.register(
            "instance_memory_bytes",
            "The most linear memory one instance grew to, per call, by component",
            memory.clone(),
        );
        let components = Family::<ComponentLabels, Gauge>::default();
        registry.register("component_loaded", "Loaded components, with their source and digest", components.clone());
        Self { registry, calls, latency, instantiate, in_flight, memory, components, loaded: Mutex::new(Vec::new()) }
    }
}

impl Metrics {
    pub fn set_in_flight(&self, calls: usize) {
        self.in_flight.set(calls as i64);
    }

    pub fn call_finished(&self, tool: &str, outcome: &str, elapsed: Duration, instantiate: Option<Duration>) {
        let labels = CallLabels { tool: tool.to_owned(), outcome: outcome.to_owned() };
        self.calls.get_or_create(&labels).inc();
        self.latency.get_or_create(&ToolLabel { tool: tool.to_owned() }).observe(elapsed.as_secs_f64());
        if let Some(t) = instantiate {
            self.instantiate.observe(t.as_secs_f64());
        }
    }

    /// Records the most memory a call's instance used.
    pub fn instance_memory(&self, component: &str, bytes: u64) {
        self.memory.get_or_create(&ComponentLabel { component: component.to_owned() }).observe(bytes as f64);
    }

    /// Replaces the set of loaded components.
    pub fn set_components<'a>(&self, components: impl Iterator<Item = (&'a str, &'a str, &'a str)>) {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        for labels in loaded.drain(..) {
            self.components.remove(&labels);
        }
        for (name, source, digest) in components {
            let labels = ComponentLabels {
                component: name.to_owned(),
                source: source.to_owned(),
                digest: digest[..digest.len().min(12)].to_owned(),
            };
            self.components.get_or_create(&labels).set(1);
            loaded.push(labels);
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
