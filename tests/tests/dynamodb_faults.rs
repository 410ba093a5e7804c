//! The DynamoDB recorder's retry paths, driven deterministically by a proxy in front of dynalite
//! (started by scripts/test.sh) that turns chosen `BatchWriteItem` calls into `UnprocessedItems`,
//! throttling or 500 answers.

mod dynamodb_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use dynamodb_support::proxy::{Fault, Proxy};
use dynamodb_support::{
    config, endpoint, runtime, serial, shutdown_losing, table_ready, unique_table,
};
use trace_core::{Recorder, SpanBatch, SpanRecord, Tracer, span};
use trace_record::MemoryRecorder;
use trace_record::dynamodb::{DynamoDbRecorder, read_trace};

/// `n` spans of one trace, recorded in memory.
fn spans(n: usize) -> Vec<SpanRecord> {
    let _serial = serial();
    let memory = MemoryRecorder::new();
    let tracer = Tracer::builder()
        .recorder(memory.clone())
        .install()
        .unwrap();
    {
        let _root = span("root").enter();
        for _ in 1..n {
            let _child = span("child").enter();
        }
    }
    tracer.shutdown().unwrap();
    let mut spans = memory.spans();
    spans.sort_by_key(|s| s.span_id);
    spans
}

#[test]
fn unprocessed_items_are_resent_until_written() {
    let upstream = endpoint();
    let rt = runtime();
    let table = unique_table("unprocessed");
    let client = table_ready(&rt, &upstream, &table);
    let proxy = Proxy::start(&upstream);
    // The first three batch writes store only some of their items.
    proxy.plan([
        Fault::Unprocess { keep: 5 },
        Fault::Unprocess { keep: 0 },
        Fault::Unprocess { keep: 20 },
    ]);
    let mut recorder = DynamoDbRecorder::new(config(&proxy.endpoint, &table)).unwrap();
    let spans = spans(100);
    recorder.record(&SpanBatch::from_records(&spans)).unwrap();
    recorder.flush().unwrap();
    let s = recorder.current_stats();
    assert_eq!(proxy.planned_left(), 0);
    assert!(proxy.unprocessed() > 0);
    assert_eq!(s.unprocessed_items, proxy.unprocessed() as u64);
    assert_eq!((s.written, s.lost.total()), (100, 0));
    assert_eq!(s.requests, proxy.batch_writes() as u64);
    recorder.shutdown().unwrap();
    let read = rt
        .block_on(read_trace(&client, &table, spans[0].trace_id))
        .unwrap();
    assert_eq!(read, spans);
}

#[test]
fn throttling_and_server_errors_are_retried() {
    let upstream = endpoint();
    let rt = runtime();
    let table = unique_table("throttled");
    let client = table_ready(&rt, &upstream, &table);
    let proxy = Proxy::start(&upstream);
    proxy.plan([
        Fault::Throttle,
        Fault::ServerError,
        Fault::Throttle,
        Fault::ServerError,
    ]);
    // One request in flight, so the faults hit the same batch one after another.
    let mut recorder =
        DynamoDbRecorder::new(config(&proxy.endpoint, &table).max_in_flight(1)).unwrap();
    let spans = spans(30);
    recorder.record(&SpanBatch::from_records(&spans)).unwrap();
    recorder.flush().unwrap();
    let s = recorder.current_stats();
    assert_eq!((s.written, s.lost.total()), (30, 0));
    assert_eq!(s.throttled_requests, 2);
    assert_eq!(s.transient_errors, 2);
    assert_eq!(s.retried_requests, 4);
    // At least two batches (30 spans, 25 a batch; more when the writer started one before `record`
    // had queued every span, as a batch is whatever is queued), plus the four failed attempts.
    assert!(s.requests >= 6, "{s:?}");
    assert_eq!(proxy.batch_writes() as u64, s.requests);
    recorder.shutdown().unwrap();
    let read = rt
        .block_on(read_trace(&client, &table, spans[0].trace_id))
        .unwrap();
    assert_eq!(read, spans);
}

/// Throttling that outlasts the bound: the spans are counted as `retries_exhausted`, reported to
/// the tracer through the error reporter, and nothing is retried forever.
#[test]
fn persistent_throttling_gives_up_at_the_bound_and_reports() {
    let _serial = serial();
    let upstream = endpoint();
    let rt = runtime();
    let table = unique_table("always-throttled");
    table_ready(&rt, &upstream, &table);
    let proxy = Proxy::start(&upstream);
    proxy.always(Some(Fault::Throttle));
    let recorder = DynamoDbRecorder::new(config(&proxy.endpoint, &table).max_attempts(4)).unwrap();
    let stats = recorder.stats();
    let reported = Arc::new(AtomicU64::new(0));
    let hook_count = reported.clone();
    let tracer = Tracer::builder()
        .recorder(recorder)
        .on_error(move |e| {
            assert!(e.to_string().contains("retries_exhausted"), "{e}");
            hook_count.fetch_add(e.lost().unwrap_or(0), Ordering::SeqCst);
        })
        .install()
        .unwrap();
    {
        let _root = span("root").enter();
        for _ in 0..29 {
            let _child = span("child").enter();
        }
    }
    let tracer_stats = shutdown_losing(tracer, 30);
    let s = stats.get();
    assert_eq!(s.written, 0);
    assert_eq!(s.lost.retries_exhausted, 30);
    assert_eq!(s.lost.total(), 30);
    // Each batch was sent exactly max_attempts times.
    assert_eq!(s.requests % 4, 0);
    assert_eq!(s.requests, proxy.batch_writes() as u64);
    assert_eq!(reported.load(Ordering::SeqCst), 30);
    assert_eq!(tracer_stats.dropped.recorder, 30);
    assert_eq!(tracer_stats.recorded, 0);
}

/// DynamoDB refuses a whole batch holding two writes of one key; the recorder resends its items
/// one by one instead of losing the batch.
#[test]
fn a_refused_batch_is_split_so_only_bad_items_are_lost() {
    let upstream = endpoint();
    let rt = runtime();
    let table = unique_table("split");
    let client = table_ready(&rt, &upstream, &table);
    let proxy = Proxy::start(&upstream);
    let mut recorder =
        DynamoDbRecorder::new(config(&proxy.endpoint, &table).max_in_flight(1)).unwrap();
    let spans = spans(3);
    let twice = vec![
        spans[0].clone(),
        spans[1].clone(),
        spans[0].clone(),
        spans[2].clone(),
    ];
    recorder.record(&SpanBatch::from_records(&twice)).unwrap();
    recorder.flush().unwrap();
    let s = recorder.current_stats();
    assert_eq!((s.written, s.lost.total()), (4, 0));
    // One refused batch then four single writes; or, when the writer took the first spans before
    // `record` had queued the rest (a batch is whatever is queued), smaller batches.
    assert!((2..=5).contains(&s.requests), "{s:?}");
    recorder.shutdown().unwrap();
    let read = rt
        .block_on(read_trace(&client, &table, spans[0].trace_id))
        .unwrap();
    assert_eq!(read, spans);
}

#[test]
fn a_missing_table_is_rejected_without_retries() {
    let upstream = endpoint();
    let proxy = Proxy::start(&upstream);
    let mut recorder =
        DynamoDbRecorder::new(config(&proxy.endpoint, &unique_table("missing"))).unwrap();
    recorder
        .record(&SpanBatch::from_records(&spans(10)))
        .unwrap();
    recorder.flush().unwrap();
    let s = recorder.current_stats();
    assert_eq!((s.written, s.lost.rejected, s.lost.total()), (0, 10, 10));
    // Usually one batch; more if the writer started one before `record` had queued every span.
    // Either way no request is retried.
    assert!((1..=10).contains(&s.requests), "{s:?}");
    assert_eq!(s.retried_requests, 0);
    recorder.shutdown().unwrap();
}

#[test]
fn setup_without_a_region_is_a_clear_error() {
    let err = DynamoDbRecorder::new(
        trace_record::dynamodb::DynamoDbConfig::new()
            .profile("trace-record-test-profile-that-does-not-exist")
            .endpoint_url("http://127.0.0.1:9")
            .static_credentials("test", "test"),
    );
    // The process environment may define a region; only without one is this an error.
    if std::env::var_os("AWS_REGION").is_none() && std::env::var_os("AWS_DEFAULT_REGION").is_none()
    {
        let err = err.unwrap_err();
        assert!(err.to_string().contains("AWS_REGION"), "{err}");
    }
}
