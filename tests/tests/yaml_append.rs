//! Several writers appending to one YAML file at once (threads here; processes behave the same,
//! each with its own recorder) never interleave their documents, and a reader can read the file
//! while it is being written.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Arc, Barrier};
use std::time::{Duration, SystemTime};

use trace_core::{
    Process, Recorder, SpanBatch, SpanId, SpanKind, SpanRecord, Status, Tags, TraceId,
};
use trace_record::{YamlRecorder, yaml};

const WRITERS: usize = 4;
const BATCHES: usize = 20;
const BATCH: usize = 100;

/// A span whose tags make documents of very different sizes, so buffer boundaries fall
/// everywhere.
fn span(writer: usize, n: usize) -> SpanRecord {
    let mut tags = Tags::new();
    tags.set("writer", writer);
    tags.set("n", n);
    tags.set("padding", "x".repeat(n % 97 * 13));
    let start = SystemTime::now();
    SpanRecord {
        trace_id: TraceId::random(),
        span_id: SpanId::random(),
        parent_id: None,
        flags: trace_core::TraceFlags::default(),
        trace_state: trace_core::TraceState::default(),
        name: Cow::Owned(format!("writer {writer} span {n}")),
        kind: SpanKind::Internal,
        service: Arc::from("append"),
        process: Arc::new(Process::current()),
        code: None,
        start,
        finish: start + Duration::from_micros(5),
        duration: Duration::from_micros(5),
        status: Status::Ok,
        tags,
        checkpoints: Vec::new(),
        links: Vec::new(),
    }
}

#[test]
fn concurrent_writers_never_interleave_documents() {
    let path = std::env::temp_dir().join(format!(
        "trace-tests-append-{}-{}.yaml",
        std::process::id(),
        SpanId::random()
    ));
    let barrier = Arc::new(Barrier::new(WRITERS));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let path = path.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let mut recorder = YamlRecorder::create(&path).unwrap();
                barrier.wait();
                for b in 0..BATCHES {
                    let batch: Vec<_> = (0..BATCH).map(|i| span(w, b * BATCH + i)).collect();
                    recorder.record(&SpanBatch::from_records(&batch)).unwrap();
                    // A reader following the file meanwhile sees only whole documents, except
                    // possibly a truncated last one, which it skips.
                    if w == 0 && b == BATCHES / 2 {
                        for result in yaml::read_file(&path).unwrap() {
                            result.unwrap();
                        }
                    }
                }
                recorder.shutdown().unwrap();
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }

    let mut seen = HashSet::new();
    for result in yaml::read_file(&path).unwrap() {
        let span = result.unwrap_or_else(|e| panic!("interleaved or damaged document: {e}"));
        let writer = span.tags.get("writer").unwrap().to_string();
        let n = span.tags.get("n").unwrap().to_string();
        assert_eq!(span.name, format!("writer {writer} span {n}"));
        assert!(seen.insert((writer, n)), "a document appears twice");
    }
    assert_eq!(seen.len(), WRITERS * BATCHES * BATCH);
    std::fs::remove_file(&path).unwrap();
}
