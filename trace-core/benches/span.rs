//! The per-span cost on the caller's thread, for the shapes the runtime cares about. The peer
//! comparison (tracing, fastrace) lives in the workspace's `tests/benches/peers.rs`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use trace_core::{
    Callsite, RecordError, Recorder, Sampler, SpanBatch, SpanGuard, SpanKind, Tracer, TracerGuard,
};

static ROOT: Callsite = Callsite::new("root", SpanKind::Internal, module_path!(), file!(), line!());
static CHILD: Callsite = Callsite::new(
    "child",
    SpanKind::Internal,
    module_path!(),
    file!(),
    line!(),
);

/// Counts spans: the recorder that costs least, so the numbers show the tracer itself.
#[derive(Debug, Default)]
struct Count(u64);

impl Recorder for Count {
    fn record(&mut self, spans: &SpanBatch<'_>) -> Result<(), RecordError> {
        self.0 += spans.len() as u64;
        Ok(())
    }
}

fn install(sampler: Sampler) -> TracerGuard {
    Tracer::builder()
        .sampler(sampler)
        .queue_capacity(1 << 16)
        .collect_interval(Duration::from_millis(1))
        .recorder(Count::default())
        .install()
        .expect("no other tracer in this bench")
}

#[inline(never)]
fn work(x: u64) -> u64 {
    black_box(x).wrapping_mul(31)
}

fn spans(c: &mut Criterion) {
    let mut g = c.benchmark_group("span");
    g.bench_function("plain call", |b| b.iter(|| work(1)));
    g.bench_function("no tracer", |b| {
        b.iter(|| {
            let _s = SpanGuard::enter(&CHILD);
            work(1)
        })
    });

    let tracer = install(Sampler::always());
    g.bench_function("child of a root", |b| {
        let _root = SpanGuard::enter(&ROOT);
        b.iter(|| {
            let _s = SpanGuard::enter(&CHILD);
            work(1)
        })
    });
    g.bench_function("child with an i64 tag", |b| {
        let _root = SpanGuard::enter(&ROOT);
        b.iter(|| {
            let mut s = SpanGuard::enter(&CHILD);
            s.set_tag("n", black_box(7i64));
            work(1)
        })
    });
    g.bench_function("root (one-span trace)", |b| {
        b.iter(|| {
            let _s = SpanGuard::enter(&ROOT);
            work(1)
        })
    });
    let stats = tracer.shutdown().expect("shutdown");
    eprintln!("sampled run: {stats:?}");

    let tracer = install(Sampler::never());
    g.bench_function("unsampled", |b| {
        b.iter(|| {
            let _s = SpanGuard::enter(&ROOT);
            work(1)
        })
    });
    drop(tracer);
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = spans
}
criterion_main!(benches);
