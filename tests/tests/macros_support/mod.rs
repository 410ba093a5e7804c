//! Shared by the macros' runtime tests: a recorder that keeps spans in memory, a lock so tests
//! that install the process-wide tracer do not overlap, and lookups by name.
//!
//! With `trace-core/macros-off` (which `--all-features` turns on) the macros emit the code as
//! written; [`Recorded::check`] then asserts that nothing was recorded instead of running the
//! test's span checks, and `scripts/checks/macro-lints.sh` runs these tests again without it.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use trace_core::{RecordError, Recorder, SpanBatch, SpanRecord, TagValue, Tracer};

#[derive(Clone, Debug, Default)]
struct Collect(Arc<Mutex<Vec<SpanRecord>>>);

impl Recorder for Collect {
    fn record(&mut self, spans: &SpanBatch<'_>) -> Result<(), RecordError> {
        self.0.lock().unwrap().extend(spans.to_records());
        Ok(())
    }
}

static SERIAL: Mutex<()> = Mutex::new(());

/// Whether the macros were compiled out (feature `trace-core/macros-off`).
pub const COMPILED_OUT: bool = trace_core::__private::v1::COMPILED_OUT;

/// Runs `f` with a tracer installed and returns what it recorded.
pub fn record<T>(f: impl FnOnce() -> T) -> (T, Recorded) {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let rec = Collect::default();
    let tracer = Tracer::builder()
        .service("macros")
        .recorder(rec.clone())
        .install()
        .unwrap();
    let out = f();
    tracer.shutdown().unwrap();
    let spans = rec.0.lock().unwrap().clone();
    (out, Recorded(spans))
}

/// Like [`record`], for async code on a multi-threaded runtime.
pub fn record_async<T, F: Future<Output = T>>(f: impl FnOnce() -> F) -> (T, Recorded) {
    record(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(f())
    })
}

/// The spans one test recorded.
#[derive(Debug)]
pub struct Recorded(pub Vec<SpanRecord>);

impl Recorded {
    /// Runs the span checks, or, with the macros compiled out, checks that no span was recorded
    /// except those in `manual` (opened by hand, not by the macros).
    pub fn check(&self, manual: &[&str], checks: impl FnOnce(&Self)) {
        if COMPILED_OUT {
            let names: Vec<&str> = self.0.iter().map(|s| &*s.name).collect();
            assert!(
                names.iter().all(|n| manual.contains(n)),
                "macros compiled out, yet they recorded spans: {names:?}"
            );
        } else {
            checks(self);
        }
    }

    /// The one span named `name`.
    pub fn named(&self, name: &str) -> &SpanRecord {
        let mut it = self.0.iter().filter(|s| s.name == name);
        let found = it
            .next()
            .unwrap_or_else(|| panic!("no span named {name}: {:#?}", self.names()));
        assert!(it.next().is_none(), "several spans named {name}");
        found
    }

    /// Every span named `name`.
    pub fn all_named(&self, name: &str) -> Vec<&SpanRecord> {
        self.0.iter().filter(|s| s.name == name).collect()
    }

    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|s| s.name.to_string()).collect()
    }
}

/// Asserts `child` is a child of `parent`.
pub fn assert_child(child: &SpanRecord, parent: &SpanRecord) {
    assert_eq!(
        child.trace_id, parent.trace_id,
        "{} not in {}'s trace",
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

/// Asserts `inner` ran within `outer`'s lifetime.
pub fn assert_within(inner: &SpanRecord, outer: &SpanRecord) {
    assert!(
        outer.start <= inner.start && inner.finish <= outer.finish,
        "{} is not within {}",
        inner.name,
        outer.name
    );
}

pub fn int(v: i64) -> Option<TagValue> {
    Some(TagValue::Int(v))
}

pub fn text(v: &str) -> Option<TagValue> {
    Some(TagValue::Str(v.to_owned().into()))
}

pub fn tag(span: &SpanRecord, key: &str) -> Option<TagValue> {
    span.tags.get(key).cloned()
}
