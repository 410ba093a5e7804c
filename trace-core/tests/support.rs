//! Shared by the runtime's integration tests: a recorder that keeps spans in memory, and a lock so
//! tests that install the process-wide tracer do not overlap.

use std::sync::{Arc, Mutex, MutexGuard};

use trace_core::{RecordError, Recorder, SpanBatch, SpanRecord, TracerBuilder, TracerGuard};

#[derive(Clone, Debug, Default)]
pub struct Collect(pub Arc<Mutex<Vec<SpanRecord>>>);

impl Collect {
    pub fn spans(&self) -> Vec<SpanRecord> {
        self.0.lock().unwrap().clone()
    }

    pub fn named(&self, name: &str) -> SpanRecord {
        let spans = self.spans();
        let mut it = spans.iter().filter(|s| s.name == name);
        let found = it
            .next()
            .unwrap_or_else(|| panic!("no span named {name}: {spans:#?}"))
            .clone();
        assert!(it.next().is_none(), "several spans named {name}");
        found
    }
}

impl Recorder for Collect {
    fn record(&mut self, spans: &SpanBatch<'_>) -> Result<(), RecordError> {
        self.0.lock().unwrap().extend(spans.to_records());
        Ok(())
    }
}

static SERIAL: Mutex<()> = Mutex::new(());

/// Held by each test for as long as its tracer is installed.
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// Installs `builder` with a fresh [`Collect`] recorder; returns both.
pub fn install(builder: TracerBuilder) -> (Collect, TracerGuard) {
    let rec = Collect::default();
    let tracer = builder
        .recorder(rec.clone())
        .install()
        .expect("no other tracer installed");
    (rec, tracer)
}
