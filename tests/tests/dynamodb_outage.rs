//! The DynamoDB recorder when its server goes away: a dynalite of the test's own (data on disk) is
//! stopped mid-run and restarted, and an endpoint where nothing listens. Traced code never blocks
//! or panics; spans are written once the server is back, within the retry bound, and counted as
//! lost past it.

mod dynamodb_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use dynamodb_support::dynalite::Dynalite;
use dynamodb_support::{
    config, eventually, free_port, runtime, serial, shutdown_losing, table_ready, unique_table,
};
use trace_core::{SpanBatch, TraceId, Tracer, span};
use trace_record::dynamodb::{DynamoDbRecorder, read_trace};

/// Records a trace of `n` spans and returns its id.
fn workload(name: &'static str, n: usize) -> TraceId {
    let root = span(name).enter();
    for _ in 1..n {
        let _child = span("step").enter();
    }
    root.context().unwrap().trace_id()
}

#[test]
fn spans_recorded_while_the_server_is_down_are_written_when_it_is_back() {
    let _serial = serial();
    let mut server = Dynalite::start();
    let endpoint = server.endpoint();
    let rt = runtime();
    let table = unique_table("restart");
    let client = table_ready(&rt, &endpoint, &table);
    let recorder = DynamoDbRecorder::new(
        config(&endpoint, &table)
            .max_attempts(1000)
            .max_retry_time(Duration::from_secs(120))
            .backoff(Duration::from_millis(10), Duration::from_millis(200)),
    )
    .unwrap();
    let stats = recorder.stats();
    let tracer = Tracer::builder()
        .recorder(recorder)
        .collect_interval(Duration::from_millis(5))
        .install()
        .unwrap();

    let before = workload("before the outage", 200);
    tracer.flush().unwrap();
    assert_eq!(stats.get().written, 200);

    server.stop();
    let during = workload("during the outage", 300);
    assert!(
        eventually(Duration::from_secs(60), || stats.get().transient_errors > 0),
        "the writer never saw the outage: {:?}",
        stats.get()
    );
    assert!(stats.get().written < 500);
    server.restart();

    let after = workload("after the outage", 100);
    let tracer_stats = tracer.shutdown().unwrap();
    let s = stats.get();
    assert_eq!(s.lost.total(), 0, "{s:?}");
    assert_eq!(s.written, 600);
    assert!(s.retried_requests > 0);
    assert_eq!(tracer_stats.recorded, 600);
    assert_eq!(tracer_stats.dropped.total(), 0);
    for (trace_id, n) in [(before, 200), (during, 300), (after, 100)] {
        let read = rt.block_on(read_trace(&client, &table, trace_id)).unwrap();
        assert_eq!(read.len(), n);
    }
}

/// An outage longer than the retry bound: what was pending is counted (and reported), and spans
/// recorded after the server is back are written.
#[test]
fn an_outage_past_the_retry_bound_is_counted_and_the_recorder_recovers() {
    let _serial = serial();
    let mut server = Dynalite::start();
    let endpoint = server.endpoint();
    let rt = runtime();
    let table = unique_table("outage");
    let client = table_ready(&rt, &endpoint, &table);
    let recorder = DynamoDbRecorder::new(
        config(&endpoint, &table)
            .max_attempts(5)
            .backoff(Duration::from_millis(10), Duration::from_millis(50)),
    )
    .unwrap();
    let stats = recorder.stats();
    let reported = Arc::new(AtomicU64::new(0));
    let hook = reported.clone();
    let tracer = Tracer::builder()
        .recorder(recorder)
        .collect_interval(Duration::from_millis(5))
        .on_error(move |e| {
            hook.fetch_add(e.lost().unwrap_or(0), Ordering::SeqCst);
        })
        .install()
        .unwrap();

    server.stop();
    workload("lost in the outage", 60);
    assert!(
        eventually(Duration::from_secs(60), || stats
            .get()
            .lost
            .retries_exhausted
            == 60),
        "{:?}",
        stats.get()
    );
    server.restart();
    let after = workload("after the outage", 40);
    let tracer_stats = shutdown_losing(tracer, 60);
    let s = stats.get();
    assert_eq!(s.written, 40);
    assert_eq!(s.lost.retries_exhausted, 60);
    assert_eq!(s.lost.total(), 60);
    assert_eq!(s.received, s.written + s.lost.total());
    assert_eq!(reported.load(Ordering::SeqCst), 60);
    assert_eq!(tracer_stats.dropped.recorder, 60);
    assert_eq!(tracer_stats.recorded, 40);
    let read = rt.block_on(read_trace(&client, &table, after)).unwrap();
    assert_eq!(read.len(), 40);
}

/// Nothing listens at the endpoint: the traced code runs to the end, every span is counted as
/// lost (retries exhausted, or queue full for a queue too small to hold them), and shutdown
/// returns.
#[test]
fn an_unreachable_endpoint_loses_counted_spans_and_never_blocks() {
    let _serial = serial();
    let endpoint = format!("http://127.0.0.1:{}", free_port());
    let recorder = DynamoDbRecorder::new(
        config(&endpoint, "Traces")
            .queue_capacity(100)
            .max_attempts(3)
            .max_retry_time(Duration::from_millis(500))
            .shutdown_timeout(Duration::from_secs(5)),
    )
    .unwrap();
    let stats = recorder.stats();
    let reported = Arc::new(AtomicU64::new(0));
    let hook = reported.clone();
    let tracer = Tracer::builder()
        .recorder(recorder)
        .on_error(move |e| {
            hook.fetch_add(e.lost().unwrap_or(0), Ordering::SeqCst);
        })
        .install()
        .unwrap();
    for _ in 0..10 {
        workload("unreachable", 100);
    }
    let tracer_stats = shutdown_losing(tracer, 1000);
    let s = stats.get();
    assert_eq!(s.received, 1000);
    assert_eq!(s.written, 0);
    assert_eq!(s.lost.total(), 1000, "{s:?}");
    assert!(s.transient_errors > 0);
    assert_eq!(s.lost.rejected, 0);
    // Everything lost reached the tracer: through the reporter (writer) or `record`'s error (queue).
    assert_eq!(tracer_stats.dropped.recorder, 1000);
    assert_eq!(tracer_stats.recorded, 0);
    assert_eq!(
        reported.load(Ordering::SeqCst),
        1000,
        "every loss goes to the error hook"
    );
}

/// A queue too small for a burst: `record` returns at once, the spans that did not fit are
/// counted as `queue_full` (and returned to the tracer as lost), and what is still pending at the
/// shutdown deadline is counted as `shutdown`.
#[test]
fn a_full_queue_drops_and_counts_instead_of_blocking() {
    use trace_core::Recorder;
    let endpoint = format!("http://127.0.0.1:{}", free_port());
    let mut recorder = DynamoDbRecorder::new(
        config(&endpoint, "Traces")
            .queue_capacity(10)
            .max_in_flight(1)
            // The one batch in flight keeps retrying well past this test's record call.
            .max_attempts(10_000)
            .max_retry_time(Duration::from_secs(60))
            .shutdown_timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let spans = {
        let _serial = serial();
        let memory = trace_record::MemoryRecorder::new();
        let tracer = Tracer::builder()
            .recorder(memory.clone())
            .install()
            .unwrap();
        workload("burst", 100);
        tracer.shutdown().unwrap();
        memory.spans()
    };
    let err = recorder
        .record(&SpanBatch::from_records(&spans))
        .unwrap_err();
    let s = recorder.current_stats();
    // At most one batch (25) was taken by the writer and 10 wait in the queue.
    assert!(s.lost.queue_full >= 100 - 25 - 10, "{s:?}");
    assert_eq!(err.lost(), Some(s.lost.queue_full));
    assert!(err.to_string().contains("queue full"), "{err}");
    let shutdown = recorder.shutdown().unwrap_err();
    assert!(shutdown.to_string().contains("not written"), "{shutdown}");
    let s = recorder.current_stats();
    assert_eq!(s.written, 0);
    assert_eq!(s.lost.queue_full + s.lost.shutdown, 100, "{s:?}");
}
