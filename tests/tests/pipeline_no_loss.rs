//! Nothing is lost between the traced code and the YAML file: 100 000 spans from four threads
//! are all in the file after shutdown, and the tracer's counters say the same.

use std::collections::HashSet;
use std::path::PathBuf;

use trace_core::{SpanId, Tracer, span};
use trace_record::{Trace, YamlRecorder, yaml};

const THREADS: usize = 4;
const PER_THREAD: usize = 25_000;
/// Spans per trace: a root and its children.
const PER_TRACE: usize = 10;

#[test]
fn every_span_of_four_threads_reaches_the_file() {
    let path: PathBuf = std::env::temp_dir().join(format!(
        "trace-tests-no-loss-{}-{}.yaml",
        std::process::id(),
        SpanId::random()
    ));
    let tracer = Tracer::builder()
        .service("no-loss")
        // Each thread's queue holds all its spans: none may be dropped, however slow the disk.
        .queue_capacity(PER_THREAD + 1)
        .recorder(YamlRecorder::create(&path).unwrap())
        .install()
        .unwrap();
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            std::thread::spawn(move || {
                for _ in 0..PER_THREAD / PER_TRACE {
                    let mut root = span("root").enter();
                    root.set_tag("thread", t);
                    for i in 0..PER_TRACE - 1 {
                        let _child = span("child").tag("i", i).enter();
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let stats = tracer.shutdown().unwrap();

    let total = (THREADS * PER_THREAD) as u64;
    assert_eq!(stats.started, total, "{stats:?}");
    assert_eq!(stats.finished, total, "{stats:?}");
    assert_eq!(stats.recorded, total, "{stats:?}");
    assert_eq!(stats.dropped.total(), 0, "{stats:?}");
    assert_eq!(stats.recorder_errors, 0, "{stats:?}");

    let mut ids = HashSet::new();
    let mut spans = Vec::with_capacity(total as usize);
    for result in yaml::read_file(&path).unwrap() {
        let span = result.unwrap_or_else(|e| panic!("a document did not parse: {e}"));
        assert!(
            ids.insert(span.span_id),
            "span {} written twice",
            span.span_id
        );
        spans.push(span);
    }
    assert_eq!(spans.len() as u64, stats.recorded);
    let traces = Trace::group(spans);
    assert_eq!(traces.len(), THREADS * PER_THREAD / PER_TRACE);
    for trace in &traces {
        assert_eq!(trace.len(), PER_TRACE);
        assert_eq!(trace.roots().count(), 1);
        assert_eq!(trace.orphans().count(), 0);
    }
    std::fs::remove_file(&path).unwrap();
}
