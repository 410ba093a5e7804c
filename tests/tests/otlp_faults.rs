//! The OTLP recorder against faults a real receiver shows, scripted per test through the OTLP
//! decoder (scripts/otlp/decoder.py, started by scripts/services/rotel.sh): what arrives is read
//! back from the decoder, what does not is counted by reason.

mod otlp_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use otlp_support::{
    OwnDecoder, Session, builder, decoded_ids, eventually, free_port, ids, quick_limits, serial,
    spans,
};
use serde_json::json;
use trace_core::{FlushError, Recorder, SpanBatch, Tracer, span};
use trace_record::otlp::{Compression, Limits, LossReason};

#[test]
fn a_503_then_success_loses_nothing() {
    let session = Session::new(json!([{ "status": 503 }]));
    let mut recorder = builder(&session.endpoint()).build().unwrap();
    let sent = spans(10);
    recorder.record(&SpanBatch::from_records(&sent)).unwrap();
    recorder.flush().unwrap();
    let stats = recorder.current_stats();
    assert_eq!((stats.delivered, stats.lost_total()), (10, 0), "{stats:?}");
    assert_eq!(
        (stats.transient_errors, stats.retried_requests),
        (1, 1),
        "{stats:?}"
    );
    let requests = session.requests();
    let answered: Vec<_> = requests.iter().map(|r| r["answered"].clone()).collect();
    assert_eq!(answered, [json!(503), json!(200)]);
    // The retry carried the same spans.
    assert_eq!(decoded_ids(&session.accepted_spans()), ids(&sent));
}

#[test]
fn a_429_retry_after_is_honoured() {
    let session = Session::new(json!([{ "status": 429, "retry_after": "2" }]));
    // Our own backoff is a few milliseconds: a retry two seconds later can only be the server's.
    let mut recorder = builder(&session.endpoint()).build().unwrap();
    recorder
        .record(&SpanBatch::from_records(&spans(3)))
        .unwrap();
    recorder.flush().unwrap();
    let stats = recorder.current_stats();
    assert_eq!(
        (stats.delivered, stats.throttled_requests),
        (3, 1),
        "{stats:?}"
    );
    let requests = session.requests();
    assert_eq!(requests.len(), 2);
    let gap =
        requests[1]["received_at"].as_f64().unwrap() - requests[0]["received_at"].as_f64().unwrap();
    assert!(
        gap >= 1.95,
        "the retry came {gap:.3} s after the 429 with Retry-After: 2"
    );
}

#[test]
fn a_partial_success_counts_the_rejected_spans_and_tells_the_error_hook() {
    let _serial = serial();
    let session =
        Session::new(json!([{ "status": 200, "rejected": 2, "message": "2 spans too old" }]));
    let recorder = builder(&session.endpoint()).build().unwrap();
    let stats = recorder.stats();
    let errors = Arc::new(Mutex::new(Vec::new()));
    let seen = errors.clone();
    let tracer = Tracer::builder()
        .service("partial")
        .recorder(recorder)
        .on_error(move |e| seen.lock().unwrap().push((e.to_string(), e.lost())))
        .install()
        .unwrap();
    for _ in 0..5 {
        let _s = span("work").enter();
    }
    // The tracer moves the rejected spans from recorded to dropped.
    match tracer.shutdown() {
        Err(FlushError::Lost { spans: 2, stats }) => {
            assert_eq!(
                (stats.recorded, stats.dropped.recorder),
                (3, 2),
                "{stats:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    let stats = stats.get();
    assert_eq!(stats.received, 5);
    assert_eq!(
        (stats.delivered, stats.lost(LossReason::PartialSuccess)),
        (3, 2),
        "{stats:?}"
    );
    let errors = errors.lock().unwrap();
    assert!(
        errors
            .iter()
            .any(|(m, lost)| m.contains("2 spans too old") && *lost == Some(2)),
        "{errors:?}"
    );
}

#[test]
fn other_4xx_answers_are_dropped_and_counted_without_retrying() {
    let session = Session::new(json!([{ "status": 400, "message": "bad request" }]));
    let mut recorder = builder(&session.endpoint()).build().unwrap();
    recorder
        .record(&SpanBatch::from_records(&spans(4)))
        .unwrap();
    recorder.flush().unwrap();
    let stats = recorder.current_stats();
    assert_eq!(stats.lost(LossReason::Rejected), 4, "{stats:?}");
    assert_eq!((stats.delivered, stats.requests), (0, 1), "{stats:?}");
    assert_eq!(session.requests().len(), 1);
}

#[test]
fn a_receiver_down_at_start_gets_the_spans_once_it_is_back() {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut recorder = builder(&format!("{base}/s/late/v1/traces"))
        .limits(Limits {
            max_retry_time: Duration::from_secs(60),
            max_attempts: 1000,
            ..quick_limits()
        })
        .build()
        .unwrap();
    let sent = spans(6);
    recorder.record(&SpanBatch::from_records(&sent)).unwrap();
    // The flush seals the batch and waits: the receiver is down, the sender retries.
    let stats = recorder.stats();
    let flush = std::thread::spawn(move || {
        let result = recorder.flush();
        (recorder, result)
    });
    assert!(
        eventually(Duration::from_secs(30), || stats.get().transient_errors
            >= 2),
        "no refused attempts: {:?}",
        stats.get()
    );
    let decoder = OwnDecoder::start(port);
    let (recorder, result) = flush.join().unwrap();
    result.unwrap();
    let stats = recorder.current_stats();
    assert_eq!(stats.delivered, 6, "{stats:?}");
    assert!(stats.transient_errors >= 1, "{stats:?}");
    let session = Session::named(decoder.base.clone(), "late".into(), json!([]));
    assert_eq!(decoded_ids(&session.accepted_spans()), ids(&sent));
}

#[test]
fn a_receiver_that_stays_down_costs_counted_spans_within_the_retry_budget() {
    let port = free_port();
    let mut recorder = builder(&format!("http://127.0.0.1:{port}/v1/traces"))
        .limits(Limits {
            max_retry_time: Duration::from_millis(500),
            ..quick_limits()
        })
        .build()
        .unwrap();
    recorder
        .record(&SpanBatch::from_records(&spans(5)))
        .unwrap();
    recorder.flush().unwrap();
    let stats = recorder.current_stats();
    assert_eq!(stats.lost(LossReason::RetriesExhausted), 5, "{stats:?}");
    assert!(stats.requests >= 2, "{stats:?}");
}

#[test]
fn a_slow_receiver_costs_counted_spans_not_a_stalled_tracer() {
    let _serial = serial();
    let session = Session::new(json!([{ "delay_ms": 3000 }, { "delay_ms": 3000 }]));
    let recorder = builder(&session.endpoint())
        .limits(Limits {
            max_batch_spans: 50,
            queue_requests: 1,
            max_in_flight: 1,
            ..quick_limits()
        })
        .build()
        .unwrap();
    let stats = recorder.stats();
    let tracer = Tracer::builder()
        .service("slow")
        .recorder(recorder)
        .install()
        .unwrap();
    let n = 5_000;
    for i in 0..n {
        let _s = span("work").enter();
        if i % 500 == 0 {
            // Let the collector take a batch now and then, as in a real program.
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let tracer_stats = match tracer.shutdown() {
        Ok(stats) | Err(FlushError::Lost { stats, .. }) => stats,
        Err(other) => panic!("{other}"),
    };
    let stats = stats.get();
    // Every span the traced code finished is accounted for, and the recorder dropped (and
    // counted) what did not fit behind the slow receiver instead of blocking.
    assert_eq!(tracer_stats.finished, n, "{tracer_stats:?}");
    assert_eq!(tracer_stats.accounted_for(), n, "{tracer_stats:?}");
    assert_eq!(
        tracer_stats.recorded, stats.delivered,
        "{tracer_stats:?} {stats:?}"
    );
    assert!(stats.lost(LossReason::QueueFull) > 0, "{stats:?}");
    assert_eq!(
        stats.received,
        stats.delivered + stats.lost_total(),
        "{stats:?}"
    );
    assert_eq!(
        session.accepted_spans().len() as u64,
        stats.delivered,
        "{stats:?}"
    );
}

#[test]
fn shutdown_waits_for_requests_in_flight_within_its_timeout() {
    let session = Session::new(json!([{ "delay_ms": 1000 }]));
    let mut recorder = builder(&session.endpoint()).build().unwrap();
    recorder
        .record(&SpanBatch::from_records(&spans(7)))
        .unwrap();
    recorder.shutdown().unwrap();
    assert_eq!(recorder.current_stats().delivered, 7);

    let session = Session::new(json!([{ "delay_ms": 5000 }]));
    let mut recorder = builder(&session.endpoint())
        .limits(Limits {
            shutdown_timeout: Duration::from_millis(300),
            ..quick_limits()
        })
        .build()
        .unwrap();
    recorder
        .record(&SpanBatch::from_records(&spans(7)))
        .unwrap();
    let error = recorder.shutdown().unwrap_err();
    assert!(
        error.to_string().contains("7 spans not delivered"),
        "{error}"
    );
    let stats = recorder.current_stats();
    assert_eq!(stats.lost(LossReason::Shutdown), 7, "{stats:?}");
    // Recorded after shutdown: counted, not silently dropped.
    let error = recorder
        .record(&SpanBatch::from_records(&spans(2)))
        .unwrap_err();
    assert_eq!(error.lost(), Some(2));
    assert_eq!(recorder.current_stats().lost(LossReason::Shutdown), 9);
}

#[test]
fn requests_are_protobuf_gzip_when_asked_with_the_configured_headers() {
    for compression in [Compression::Gzip, Compression::None] {
        let session = Session::new(json!([]));
        let mut recorder = builder(&session.endpoint())
            .compression(compression)
            .header("x-api-key", "secret, with comma")
            .build()
            .unwrap();
        let sent = spans(3);
        recorder.record(&SpanBatch::from_records(&sent)).unwrap();
        recorder.flush().unwrap();
        let requests = session.requests();
        assert_eq!(requests.len(), 1);
        let r = &requests[0];
        assert_eq!(r["content_type"], "application/x-protobuf");
        let expected = if compression == Compression::Gzip {
            "gzip"
        } else {
            ""
        };
        assert_eq!(r["content_encoding"], expected);
        assert_eq!(r["headers"]["x-api-key"], "secret, with comma");
        assert_eq!(decoded_ids(&session.accepted_spans()), ids(&sent));
    }
}

#[test]
fn batches_are_bounded_in_spans_and_bytes() {
    let session = Session::new(json!([]));
    let mut recorder = builder(&session.endpoint())
        .limits(Limits {
            max_batch_spans: 40,
            max_batch_bytes: 6_000,
            ..quick_limits()
        })
        .build()
        .unwrap();
    let sent = spans(500);
    for chunk in sent.chunks(37) {
        recorder.record(&SpanBatch::from_records(chunk)).unwrap();
    }
    recorder.flush().unwrap();
    let requests = session.requests();
    for r in &requests {
        let n: usize = r["resource_spans"][0]["scope_spans"][0]["spans"]
            .as_array()
            .unwrap()
            .len();
        assert!(n <= 40, "{n} spans in one request");
        assert!(
            r["headers"]["content-length"]
                .as_str()
                .unwrap()
                .parse::<usize>()
                .unwrap()
                <= 6_000,
            "{}",
            r["headers"]["content-length"]
        );
    }
    assert!(requests.len() >= 500 / 40, "{} requests", requests.len());
    assert_eq!(decoded_ids(&session.accepted_spans()), ids(&sent));
    assert_eq!(recorder.current_stats().delivered, 500);
}
