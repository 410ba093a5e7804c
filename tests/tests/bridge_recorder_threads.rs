//! The `tracing` bridge ignores the tracer's own threads: a recorder that uses `tracing`
//! (directly, or through its client library) while recording must not trace itself, or every
//! batch would produce spans for the next one.

mod bridge_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bridge_support::{bridge_everywhere, names};
use trace_core::{RecordError, Recorder, SpanBatch, Tracer, span};
use trace_record::MemoryRecorder;

/// Opens a `tracing` span around every batch it records, as an instrumented client would.
#[derive(Debug)]
struct Instrumented(Arc<AtomicUsize>);

impl Recorder for Instrumented {
    fn record(&mut self, spans: &SpanBatch<'_>) -> Result<(), RecordError> {
        tracing::info_span!("recorder batch", spans = spans.len()).in_scope(|| {
            tracing::info!("written");
            self.0.fetch_add(1, Ordering::Relaxed);
        });
        Ok(())
    }
}

#[test]
fn spans_opened_by_a_recorder_on_the_collector_thread_are_not_bridged() {
    bridge_everywhere();
    let batches = Arc::new(AtomicUsize::new(0));
    let memory = MemoryRecorder::new();
    let tracer = Tracer::builder()
        .service("recorder-threads")
        .recorder(Instrumented(Arc::clone(&batches)))
        .recorder(memory.clone())
        .install()
        .unwrap();
    for _ in 0..3 {
        let _work = span("work").enter();
        // Each flush makes the collector record a batch, opening a `tracing` span there.
        tracer.flush().unwrap();
    }
    tracer.shutdown().unwrap();
    assert!(batches.load(Ordering::Relaxed) >= 3, "the recorder ran");
    let spans = memory.take();
    assert_eq!(names(&spans), ["work", "work", "work"]);
}
