//! The OTLP recorder's cost, measured against the ecosystem's path in the same run:
//!
//! - `otlp_encode/*`: CPU per span (the thread's CPU time, so criterion's times are CPU
//!   time) to turn finished spans into an `ExportTraceServiceRequest`
//!   body: ours ([`encode_request`], protobuf written straight from the spans) against
//!   `opentelemetry-proto` structs built from the owned spans and encoded with `prost`.
//! - `otlp_export/*`: the exporter as a whole (encoding, queue, HTTP requests, gzip when on)
//!   sending to a receiver in another process on loopback; each sample is the **process's CPU
//!   time** (user + system), so criterion's throughput reads as spans per CPU-second.
//!
//! The receiver is the tests' decoder (scripts/otlp/decoder.py) in its `--discard` mode, started
//! by this bench with the Python of scripts/services/otel-python.sh:
//!
//! ```sh
//! bash -c 'CLEANUP=(); source scripts/services/otel-python.sh
//!   cargo bench -p trace-record --features otlp --bench otlp'
//! ```

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use prost::Message;
use trace_core::{Recorder, SpanBatch, SpanKind, SpanRecord, Tracer, span};
use trace_record::MemoryRecorder;
use trace_record::otlp::{Compression, OtlpRecorder, encode_request};

#[path = "support/process_cpu.rs"]
mod process_cpu;
#[path = "support/otlp_reference.rs"]
mod reference;

use process_cpu::cpu_time;

/// Spans per iteration.
const SPANS: usize = 1000;

/// Realistic spans: requests of five spans with a few tags each, a checkpoint, an error now and
/// then.
fn workload() -> Vec<SpanRecord> {
    let memory = MemoryRecorder::new();
    let tracer = Tracer::builder()
        .service("bench")
        .recorder(memory.clone())
        .install()
        .expect("no other tracer in the bench");
    for request in 0..SPANS / 5 {
        let mut root = span("GET /users/:id").kind(SpanKind::Server).enter();
        root.set_tag("http.request.method", "GET");
        root.set_tag("http.route", "/users/:id");
        root.set_tag("http.response.status_code", 200);
        root.set_tag("request", request);
        for step in ["auth", "load user", "load orders", "render"] {
            let mut child = span(step).enter();
            child.set_tag("rows", 12);
            child.set_tag("cache.hit", false);
            child.set_tag("ratio", 0.25);
            child.checkpoint("fetched");
            if request % 10 == 0 && step == "render" {
                child.set_error("template missing");
            }
        }
    }
    tracer.shutdown().expect("memory recorder shuts down");
    let spans = memory.spans();
    assert_eq!(spans.len(), SPANS);
    spans
}

fn encode(c: &mut Criterion, spans: &[SpanRecord]) {
    let mut group = c.benchmark_group("otlp_encode");
    group.throughput(Throughput::Elements(spans.len() as u64));
    let mut body = Vec::new();
    group.bench_function("trace-record", |b| {
        b.iter_custom(|iters| {
            let before = thread_cpu_time();
            for _ in 0..iters {
                let batch = SpanBatch::from_records(std::hint::black_box(spans));
                encode_request(&batch, &mut body);
                std::hint::black_box(body.len());
            }
            thread_cpu_time() - before
        });
    });
    let version = env!("CARGO_PKG_VERSION");
    group.bench_function("opentelemetry-proto+prost", |b| {
        b.iter_custom(|iters| {
            let before = thread_cpu_time();
            for _ in 0..iters {
                let request = reference::request(std::hint::black_box(spans), version);
                std::hint::black_box(request.encode_to_vec().len());
            }
            thread_cpu_time() - before
        });
    });
    group.finish();
    // Same bytes: the comparison is of equal work.
    encode_request(&SpanBatch::from_records(spans), &mut body);
    assert_eq!(body, reference::request(spans, version).encode_to_vec());
}

/// This thread's CPU time so far: the encoding runs on one thread, and on a busy machine its
/// CPU time is steadier than the wall clock.
fn thread_cpu_time() -> Duration {
    // SAFETY: clock_gettime writes into the zeroed struct we pass and reads nothing else.
    let time = unsafe {
        let mut time: libc::timespec = std::mem::zeroed();
        libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut time);
        time
    };
    Duration::new(time.tv_sec as u64, time.tv_nsec as u32)
}

/// The process's CPU time so far (user + system, all threads).
struct Receiver(Child);

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn receiver() -> (Receiver, String) {
    let python = std::env::var("OTEL_PYTHON").unwrap_or_else(|_| {
        panic!("OTEL_PYTHON is not set: source scripts/services/otel-python.sh (see this file's header)")
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/otlp/decoder.py");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new(python)
        .args([script, "--discard", "--port", &port.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the decoder starts");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("piped");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the decoder says it listens");
    (
        Receiver(child),
        format!("http://127.0.0.1:{port}/v1/traces"),
    )
}

fn export(c: &mut Criterion, spans: &[SpanRecord]) {
    let (_receiver, endpoint) = receiver();
    let mut group = c.benchmark_group("otlp_export");
    group.throughput(Throughput::Elements(spans.len() as u64));
    group.sample_size(20);
    for (name, compression) in [("none", Compression::None), ("gzip", Compression::Gzip)] {
        let mut recorder = OtlpRecorder::builder()
            .without_env()
            .endpoint(&endpoint)
            .compression(compression)
            .build()
            .expect("the recorder starts");
        group.bench_function(BenchmarkId::new("cpu", name), |b| {
            b.iter_custom(|iters| {
                // Each iteration is one request of SPANS spans, delivered before the next: the
                // queue never overflows, and the receiver's pace does not matter (CPU time).
                let before = cpu_time();
                for _ in 0..iters {
                    recorder
                        .record(&SpanBatch::from_records(spans))
                        .expect("queued");
                    recorder.flush().expect("delivered");
                }
                cpu_time() - before
            });
        });
        let stats = recorder.current_stats();
        assert_eq!(stats.lost_total(), 0, "{stats:?}");
        recorder.shutdown().expect("shut down");
    }
    group.finish();
}

fn bench(c: &mut Criterion) {
    let spans = workload();
    encode(c, &spans);
    export(c, &spans);
}

criterion_group!(benches, bench);
criterion_main!(benches);
