//! Shared by the `tracing` bridge tests: the process-wide subscriber with the bridge, one tracer at
//! a time recording into memory, and lookups.

#![allow(dead_code)] // each test binary uses a different part

use std::sync::{Mutex, MutexGuard, Once};

use trace_core::bridge::TracingLayer;
use trace_core::{Sampler, SpanRecord, TagValue, Tracer, TracerGuard};
use trace_record::MemoryRecorder;
use tracing_subscriber::layer::SubscriberExt;

/// Installs `registry().with(TracingLayer::new())` as the global default, once per test binary, so
/// that every thread (runtime workers, spawned threads) reports to it.
pub fn bridge_everywhere() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let subscriber = tracing_subscriber::registry().with(TracingLayer::new());
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
}

/// A tracer recording into memory, installed while the returned lock is held (one tracer per
/// process: tests take turns).
pub struct Installed {
    pub tracer: TracerGuard,
    pub memory: MemoryRecorder,
    _serial: MutexGuard<'static, ()>,
}

pub fn install(sampler: Sampler) -> Installed {
    static SERIAL: Mutex<()> = Mutex::new(());
    let serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let memory = MemoryRecorder::new();
    let tracer = Tracer::builder()
        .service("bridge-test")
        .sampler(sampler)
        .recorder(memory.clone())
        .install()
        .unwrap();
    Installed {
        tracer,
        memory,
        _serial: serial,
    }
}

impl Installed {
    /// Shuts the tracer down and returns every span it recorded.
    pub fn finish(self) -> Vec<SpanRecord> {
        let stats = self.tracer.shutdown().unwrap();
        let spans = self.memory.take();
        assert_eq!(stats.recorded, spans.len() as u64, "{stats:?}");
        spans
    }
}

/// A multi-threaded runtime with two workers, so futures move between threads across `.await`.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The one span named `name`.
pub fn named<'a>(spans: &'a [SpanRecord], name: &str) -> &'a SpanRecord {
    let found: Vec<_> = spans.iter().filter(|s| s.name == name).collect();
    assert_eq!(found.len(), 1, "spans named {name}: {:#?}", names(spans));
    found[0]
}

pub fn names(spans: &[SpanRecord]) -> Vec<String> {
    spans.iter().map(|s| s.name.to_string()).collect()
}

/// Asserts `child` is a child of `parent` in the same trace.
pub fn assert_child(child: &SpanRecord, parent: &SpanRecord) {
    assert_eq!(
        child.trace_id, parent.trace_id,
        "{} is not in {}'s trace",
        child.name, parent.name
    );
    assert_eq!(
        child.parent_id,
        Some(parent.span_id),
        "{} is not a child of {}",
        child.name,
        parent.name
    );
}

pub fn tag<'a>(span: &'a SpanRecord, key: &str) -> &'a TagValue {
    span.tags
        .get(key)
        .unwrap_or_else(|| panic!("{} has no tag {key}: {:?}", span.name, span.tags))
}

pub fn text(v: &str) -> TagValue {
    TagValue::Str(v.to_owned().into())
}
