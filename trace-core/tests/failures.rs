//! What happens when things go wrong: recorders that fail or panic, buffers that fill up, guards
//! dropped out of order, spans that outlive their tracer. Nothing may panic, block or vanish
//! without a counter saying so.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{Collect, install, serial};
use trace_core::{
    Baggage, BaggageEntry, ErrorReporter, FlushError, RecordError, Recorder, Sampler, SpanBatch,
    SpanContext, SpanId, SpanRecord, TailRule, TraceFlags, TraceId, Tracer, current,
    orphaned_spans, span,
};

/// Fails every other batch, losing a known number of spans each time.
#[derive(Debug, Default)]
struct Flaky {
    calls: usize,
    kept: Arc<Mutex<Vec<SpanRecord>>>,
}

impl Recorder for Flaky {
    fn record(&mut self, spans: &SpanBatch<'_>) -> Result<(), RecordError> {
        self.calls += 1;
        if self.calls.is_multiple_of(2) {
            return Err(RecordError::new("disk full").with_lost(spans.len() as u64));
        }
        self.kept.lock().unwrap().extend(spans.to_records());
        Ok(())
    }
}

#[test]
fn failing_recorder_is_counted_and_reported() {
    let _serial = serial();
    let seen = Arc::new(AtomicUsize::new(0));
    let hook_seen = Arc::clone(&seen);
    let flaky = Flaky::default();
    let kept = Arc::clone(&flaky.kept);
    let tracer = Tracer::builder()
        .recorder(flaky)
        // Only flushes deliver: one batch per round.
        .collect_interval(Duration::from_secs(60))
        .on_error(move |e| {
            assert!(e.to_string().contains("disk full"));
            hook_seen.fetch_add(1, Ordering::Relaxed);
        })
        .install()
        .unwrap();
    for round in 0..6 {
        for _ in 0..10 {
            let _s = span("work").enter();
        }
        // Every second batch fails, and the flush that delivered it says how much was lost.
        match tracer.flush() {
            Err(FlushError::Lost { spans, .. }) => assert!(round % 2 == 1 && spans == 10),
            other => assert!(round % 2 == 0 && other.is_ok(), "round {round}: {other:?}"),
        }
    }
    let stats = tracer.shutdown().unwrap();
    assert_eq!(stats.finished, 60);
    assert_eq!(stats.recorder_errors, 3);
    assert_eq!(seen.load(Ordering::Relaxed), 3);
    assert_eq!(stats.dropped.recorder, 30);
    assert_eq!(stats.recorded, 30);
    assert_eq!(kept.lock().unwrap().len(), 30);
}

#[derive(Debug)]
struct Panicking;

impl Recorder for Panicking {
    fn record(&mut self, _: &SpanBatch<'_>) -> Result<(), RecordError> {
        panic!("recorder bug (expected by the test)");
    }
}

#[test]
fn panicking_recorder_neither_kills_the_collector_nor_the_caller() {
    let _serial = serial();
    let rec = Collect::default();
    let tracer = Tracer::builder()
        .recorder(Panicking)
        .recorder(rec.clone())
        .on_error(|_| {})
        .install()
        .unwrap();
    for _ in 0..3 {
        let _s = span("work").enter();
        drop(_s);
        assert!(matches!(
            tracer.flush(),
            Err(FlushError::Lost { spans: 1, .. })
        ));
    }
    let stats = tracer.shutdown().unwrap();
    assert_eq!(stats.recorder_errors, 3);
    // The healthy recorder still got every span; the tracer counts what not every recorder kept.
    assert_eq!(rec.spans().len(), 3);
    assert_eq!(stats.dropped.recorder, 3);
}

/// Accepts spans and "fails" some of them later, from another thread, as an async writer would.
#[derive(Debug, Default)]
struct LateFailure {
    reporter: Option<ErrorReporter>,
}

impl Recorder for LateFailure {
    fn record(&mut self, spans: &SpanBatch<'_>) -> Result<(), RecordError> {
        let reporter = self.reporter.clone().expect("attached at install");
        let lost = spans.len() as u64;
        std::thread::spawn(move || reporter.report(&RecordError::new("timed out").with_lost(lost)))
            .join()
            .unwrap();
        Ok(())
    }

    fn attach(&mut self, reporter: ErrorReporter) {
        self.reporter = Some(reporter);
    }
}

#[test]
fn failures_reported_later_are_counted_too() {
    let _serial = serial();
    let tracer = Tracer::builder()
        .recorder(LateFailure::default())
        .on_error(|_| {})
        .install()
        .unwrap();
    for _ in 0..4 {
        let _s = span("work").enter();
    }
    let Err(FlushError::Lost { spans: 4, stats }) = tracer.shutdown() else {
        panic!("shutdown must say that 4 spans were lost");
    };
    assert_eq!(stats.recorder_errors, 1);
    assert_eq!(stats.dropped.recorder, 4);
    assert_eq!(stats.recorded, 0);
    assert_eq!(stats.finished, stats.accounted_for());
}

#[test]
fn tail_buffer_overflow_drops_the_oldest_trace_and_counts_it() {
    let _serial = serial();
    let (rec, tracer) = install(
        Tracer::builder()
            .sampler(Sampler::never())
            .tail_sampling(TailRule::errors().max_buffered_spans(10)),
    );
    {
        let _root = span("long root").enter();
        for _ in 0..25 {
            let _child = span("child").enter();
        }
        tracer.flush().unwrap();
        current::set_error("failed at the end");
    }
    let stats = tracer.shutdown().unwrap();
    assert!(stats.dropped.tail_buffer_full >= 15, "{stats:?}");
    // What was left of the trace is kept, since its root failed.
    assert!(
        rec.spans()
            .iter()
            .any(|s| s.name == "long root" && s.status.is_error())
    );
    // ... and says how much of it is missing.
    let root = rec.named("long root");
    assert_eq!(
        root.tags.get(trace_core::TRACE_INCOMPLETE_TAG),
        Some(&trace_core::TagValue::Int(
            stats.dropped.tail_buffer_full as i64
        ))
    );
    assert_eq!(
        rec.spans().len() as u64 + stats.dropped.tail_buffer_full,
        26
    );
    assert_eq!(stats.finished, stats.accounted_for());
}

#[test]
fn guards_dropped_out_of_order_keep_the_tree_intact() {
    let _serial = serial();
    let (rec, tracer) = install(Tracer::builder());
    let outer = span("outer").enter();
    let middle = span("middle").enter();
    drop(outer); // early: its frame stays until `middle` leaves
    {
        let _inner = span("inner").enter();
    }
    drop(middle);
    {
        let _after = span("after").enter();
    }
    tracer.shutdown().unwrap();
    let middle = rec.named("middle");
    assert_eq!(rec.named("inner").parent_id, Some(middle.span_id));
    assert_eq!(
        rec.named("after").parent_id,
        None,
        "the stack is empty again"
    );
}

#[test]
fn flush_delivers_spans_of_threads_that_have_exited() {
    let _serial = serial();
    let (rec, tracer) = install(Tracer::builder().collect_interval(Duration::from_secs(60)));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                for _ in 0..100 {
                    let _s = span("on worker").enter();
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    tracer.flush().unwrap();
    assert_eq!(
        rec.spans().len(),
        400,
        "every span finished before the flush is delivered by it"
    );
    let stats = tracer.shutdown().unwrap();
    assert_eq!((stats.finished, stats.recorded), (400, 400));
}

#[test]
fn a_span_that_outlives_its_tracer_is_counted_as_orphaned() {
    let _serial = serial();
    let tracer = Tracer::builder().install().unwrap();
    let before = orphaned_spans();
    let open = span("still open").enter();
    let stats = tracer.shutdown().unwrap();
    assert_eq!((stats.started, stats.finished), (1, 0));
    drop(open);
    assert_eq!(orphaned_spans(), before + 1);
}

#[test]
fn a_new_tracer_after_shutdown_takes_spans_again() {
    let _serial = serial();
    let first = Collect::default();
    let tracer = Tracer::builder().recorder(first.clone()).install().unwrap();
    drop(span("first").enter());
    tracer.shutdown().unwrap();
    let second = Collect::default();
    let tracer = Tracer::builder()
        .recorder(second.clone())
        .install()
        .unwrap();
    drop(span("second").enter());
    tracer.shutdown().unwrap();
    assert_eq!(first.spans().len(), 1);
    assert_eq!(second.named("second").name, "second");
}

#[test]
fn attached_remote_context_and_its_baggage_reach_children() {
    let _serial = serial();
    let (rec, tracer) = install(Tracer::builder());
    let baggage = Baggage::from_entries(vec![BaggageEntry {
        key: "tenant".into(),
        value: "acme".into(),
        properties: String::new(),
    }]);
    let remote = SpanContext::new_remote(TraceId::random(), SpanId::random(), TraceFlags::SAMPLED)
        .with_baggage(baggage);
    let child_ctx = {
        let _attached = current::attach(remote.clone());
        let handler = span("handler").enter();
        handler.context().unwrap()
    };
    tracer.shutdown().unwrap();
    assert_eq!(child_ctx.baggage().get("tenant"), Some("acme"));
    assert!(!child_ctx.is_remote());
    let handler = rec.named("handler");
    assert_eq!(handler.trace_id, remote.trace_id());
    assert_eq!(handler.parent_id, Some(remote.span_id()));
}

#[test]
fn builder_spans_carry_their_name_tags_and_links() {
    let _serial = serial();
    let (rec, tracer) = install(Tracer::builder());
    let other = span("other").enter().context().unwrap();
    {
        let method = String::from("GET");
        let mut s = span(format!("{method} /users/:id"))
            .tag("http.request.method", method)
            .link(&other)
            .enter();
        s.set_tag("http.response.status_code", 200);
    }
    tracer.shutdown().unwrap();
    let s = rec.named("GET /users/:id");
    assert_eq!(s.tags.len(), 2);
    assert_eq!(s.links.len(), 1);
    assert_eq!(s.links[0].span_id, other.span_id());
    assert!(s.code.as_ref().unwrap().file.ends_with("failures.rs"));
}

// The helper is `trace_core::tokio::spawn`, behind the `tokio` feature.
#[cfg(feature = "tokio")]
#[test]
fn tasks_spawned_with_the_helper_join_the_trace() {
    let _serial = serial();
    let (rec, tracer) = install(Tracer::builder());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let root_id = rt.block_on(async {
        let root = span("request").enter();
        let id = root.context().unwrap().span_id();
        let handles: Vec<_> = (0..3)
            .map(|_| {
                trace_core::tokio::spawn(async {
                    tokio::task::yield_now().await;
                    let _s = span("subtask").enter();
                })
            })
            .collect();
        drop(root);
        for h in handles {
            h.await.unwrap();
        }
        id
    });
    tracer.shutdown().unwrap();
    let subtasks: Vec<_> = rec
        .spans()
        .into_iter()
        .filter(|s| s.name == "subtask")
        .collect();
    assert_eq!(subtasks.len(), 3);
    assert!(subtasks.iter().all(|s| s.parent_id == Some(root_id)));
}
