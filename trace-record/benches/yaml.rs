//! Throughput of the YAML recorder writing a real file: spans per second through
//! `YamlRecorder::record`, in batches of 1024 as the tracer's collector delivers them; and the
//! same into `io::sink()`, to tell serializing from writing.

use std::borrow::Cow;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use trace_core::{
    Checkpoint, CodeLocation, Process, Recorder, SpanBatch, SpanId, SpanKind, SpanRecord, Status,
    Tags, TraceId,
};
use trace_record::YamlRecorder;

const BATCH: usize = 1024;

/// A typical span: a parent, a code location, three tags and a checkpoint.
fn typical(process: &Arc<Process>, service: &Arc<str>) -> SpanRecord {
    let start = SystemTime::now();
    let duration = Duration::from_micros(1234);
    let mut tags = Tags::new();
    tags.set("http.request.method", "GET");
    tags.set("http.response.status_code", 200);
    tags.set("user.id", "u-12345");
    SpanRecord {
        trace_id: TraceId::random(),
        span_id: SpanId::random(),
        parent_id: Some(SpanId::random()),
        flags: trace_core::TraceFlags::default(),
        trace_state: trace_core::TraceState::default(),
        name: Cow::Borrowed("GET /users/:id"),
        kind: SpanKind::Server,
        service: Arc::clone(service),
        process: Arc::clone(process),
        code: Some(CodeLocation {
            module: Some(Cow::Borrowed("app::handlers::users")),
            file: Cow::Borrowed("src/handlers/users.rs"),
            line: 42,
        }),
        start,
        finish: start + duration,
        duration,
        status: Status::Ok,
        tags,
        checkpoints: vec![Checkpoint {
            name: Cow::Borrowed("authorized"),
            offset: Duration::from_micros(120),
        }],
        links: Vec::new(),
    }
}

fn yaml_file(c: &mut Criterion) {
    let process = Arc::new(Process::current());
    let service: Arc<str> = Arc::from("bench");
    let batch: Vec<SpanRecord> = (0..BATCH).map(|_| typical(&process, &service)).collect();
    let path = std::env::temp_dir().join(format!("trace-record-bench-{}.yaml", std::process::id()));
    let mut recorder = YamlRecorder::truncate(&path).expect("temp file");
    let batch = SpanBatch::from_records(&batch);

    let mut group = c.benchmark_group("yaml_recorder");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("record_batch_to_file", |b| {
        b.iter(|| recorder.record(black_box(&batch)).expect("write"));
    });
    // The same without the file: what serializing costs on its own.
    let mut to_sink = YamlRecorder::new(std::io::sink());
    group.bench_function("record_batch_to_sink", |b| {
        b.iter(|| to_sink.record(black_box(&batch)).expect("write"));
    });
    group.finish();
    recorder.shutdown().expect("flush");
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, yaml_file);
criterion_main!(benches);
