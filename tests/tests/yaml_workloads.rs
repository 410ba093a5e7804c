//! The YAML recorder under real workloads: spans opened on threads and tokio tasks are written
//! to a file, read back, and form one well-ordered tree per trace, equal to what the tracer
//! delivered.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use trace_core::{
    FutureExt, SpanId, SpanKind, SpanRecord, Status, TagValue, Tracer, current, span,
};
use trace_record::{MemoryRecorder, Trace, YamlRecorder, yaml};

static SERIAL: Mutex<()> = Mutex::new(());

/// Held while a test's tracer is installed: one tracer per process at a time.
fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// A fresh file path under the temp dir, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "trace-tests-{name}-{}-{}.yaml",
            std::process::id(),
            SpanId::random()
        ));
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn read_back(path: &std::path::Path) -> Vec<SpanRecord> {
    yaml::read_file(path)
        .expect("the file exists")
        .map(|r| r.expect("every document parses"))
        .collect()
}

/// Checks that every trace is one tree: a single root, every parent present, children inside
/// their parents in time (every child in these workloads ends before its parent).
fn assert_well_formed(traces: &[Trace]) {
    for trace in traces {
        let roots: Vec<_> = trace.roots().collect();
        assert_eq!(roots.len(), 1, "one root in {}", trace.trace_id());
        assert!(roots[0].parent_id.is_none());
        assert_eq!(trace.orphans().count(), 0);
        for span in trace.spans() {
            assert!(span.start <= span.finish, "{span:?}");
            assert_eq!(
                span.finish.duration_since(span.start).unwrap(),
                span.duration
            );
            if let Some(parent_id) = span.parent_id {
                let parent = trace
                    .get(parent_id)
                    .unwrap_or_else(|| panic!("parent of {} missing", span.name));
                assert!(
                    parent.start <= span.start,
                    "{} starts before its parent",
                    span.name
                );
                assert!(
                    span.finish <= parent.finish,
                    "{} ends after its parent",
                    span.name
                );
            }
        }
    }
}

/// One request: a root that fans out to threads and, through a runtime, to tasks.
fn request(rt: &tokio::runtime::Runtime, n: usize) {
    let mut root = span(format!("request {n}")).kind(SpanKind::Server).enter();
    root.set_tag("request.n", n);
    let workers: Vec<_> = (0..3)
        .map(|w| {
            trace_core::thread::spawn(move || {
                let mut worker = span("worker").enter();
                worker.set_tag("worker", w);
                for step in 0..2 {
                    let _step = span("step").tag("step", step).enter();
                    current::checkpoint("halfway");
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("worker thread");
    }
    rt.block_on(async {
        let tasks: Vec<_> = (0..3)
            .map(|t| {
                trace_core::tokio::spawn(async move {
                    let task = span("task").tag("task", t).start();
                    async {
                        let _before = span("before await").enter();
                        drop(_before);
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        let _after = span("after await").enter();
                    }
                    .in_span(task)
                    .await;
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("task");
        }
    });
    root.checkpoint("fanned in");
}

#[test]
fn threads_and_tasks_form_one_tree_per_trace_in_the_file() {
    let _serial = serial();
    let file = TempFile::new("workloads");
    let memory = MemoryRecorder::new();
    let tracer = Tracer::builder()
        .service("workloads")
        .recorder(YamlRecorder::create(&file.0).unwrap())
        .recorder(memory.clone())
        .install()
        .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    const REQUESTS: usize = 20;
    for n in 0..REQUESTS {
        request(&rt, n);
    }
    drop(rt);
    let stats = tracer.shutdown().unwrap();

    let spans = read_back(&file.0);
    // Per request: root + 3 workers x (1 + 2 steps) + 3 tasks x (1 + 2 spans).
    let per_request = 1 + 3 * 3 + 3 * 3;
    assert_eq!(spans.len(), REQUESTS * per_request);
    assert_eq!(spans.len() as u64, stats.recorded);
    assert_eq!(stats.dropped.total(), 0);
    assert_eq!(
        spans,
        memory.spans(),
        "the file holds exactly what was delivered"
    );

    let traces = Trace::group(spans);
    assert_eq!(traces.len(), REQUESTS);
    assert_well_formed(&traces);
    for trace in &traces {
        assert_eq!(trace.len(), per_request);
        let root = trace.roots().next().unwrap();
        let names: HashMap<&str, usize> =
            trace
                .children(root.span_id)
                .fold(HashMap::new(), |mut m, s| {
                    *m.entry(&*s.name).or_default() += 1;
                    m
                });
        assert_eq!(names, HashMap::from([("worker", 3), ("task", 3)]));
        for task in trace.children(root.span_id).filter(|s| s.name == "task") {
            let kids: Vec<_> = trace.children(task.span_id).map(|s| &*s.name).collect();
            assert_eq!(kids, ["before await", "after await"]);
        }
        assert_eq!(root.checkpoints[0].name, "fanned in");
    }
}

#[test]
fn tags_status_checkpoints_and_links_survive_the_file() {
    let _serial = serial();
    let file = TempFile::new("fields");
    let tracer = Tracer::builder()
        .service("fields")
        .recorder(YamlRecorder::truncate(&file.0).unwrap())
        .install()
        .unwrap();
    let linked = {
        let other = span("other trace").root().enter();
        other.context().unwrap()
    };
    {
        let mut s = span("tagged").kind(SpanKind::Client).link(&linked).enter();
        s.set_tag("name", "a tag, not the span name");
        s.set_tag("start", 12);
        s.set_tag("ratio", 0.5);
        s.set_tag("cached", false);
        s.set_tag("digits", "007");
        s.checkpoint("sent");
        s.set_error("upstream said: \"no\"\nand closed");
    }
    tracer.shutdown().unwrap();

    let spans = read_back(&file.0);
    assert_eq!(spans.len(), 2);
    let s = spans.iter().find(|s| s.name == "tagged").unwrap();
    assert_eq!(s.kind, SpanKind::Client);
    assert_eq!(
        s.tags.get("name"),
        Some(&TagValue::Str("a tag, not the span name".into()))
    );
    assert_eq!(s.tags.get("start"), Some(&TagValue::Int(12)));
    assert_eq!(s.tags.get("ratio"), Some(&TagValue::Float(0.5)));
    assert_eq!(s.tags.get("cached"), Some(&TagValue::Bool(false)));
    assert_eq!(s.tags.get("digits"), Some(&TagValue::Str("007".into())));
    assert_eq!(s.checkpoints[0].name, "sent");
    assert_eq!(
        s.status,
        Status::Error("upstream said: \"no\"\nand closed".into())
    );
    assert_eq!(s.links[0].span_id, linked.span_id());
    assert_eq!(s.links[0].trace_id, linked.trace_id());
    let code = s.code.as_ref().unwrap();
    assert!(code.file.ends_with("yaml_workloads.rs"), "{code:?}");
    assert_eq!(s.process.pid, std::process::id());

    // The fixed fields are not disturbed by the tags named like them.
    let text = std::fs::read_to_string(&file.0).unwrap();
    assert!(text.contains("\nname: tagged\n"), "{text}");
    assert!(
        text.contains("\ntags:\n  name: a tag, not the span name\n  start: 12\n"),
        "{text}"
    );
}
