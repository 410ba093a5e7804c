//! This project's tracer with `#[traced]`, as users write it, and the tracer set-up the benchmark
//! uses (a counting recorder, a slow one for the overload run).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use trace_core::{RecordError, Recorder, Sampler, SpanBatch, Stats, Tracer, TracerGuard, traced};

use crate::support::executor::block_on;
use crate::support::plain::body;

/// A recorder that only counts: the numbers show the tracer, not a store.
#[derive(Debug)]
pub struct Count(pub Arc<AtomicU64>);

impl Recorder for Count {
    fn record(&mut self, spans: &SpanBatch<'_>) -> Result<(), RecordError> {
        self.0.fetch_add(spans.len() as u64, Ordering::Relaxed);
        Ok(())
    }
}

/// A recorder that takes `per_span` for every span it gets: a store that cannot keep up.
#[derive(Debug)]
pub struct Slow {
    pub per_span: Duration,
    pub count: Arc<AtomicU64>,
}

impl Recorder for Slow {
    fn record(&mut self, spans: &SpanBatch<'_>) -> Result<(), RecordError> {
        std::thread::sleep(self.per_span * u32::try_from(spans.len()).unwrap_or(u32::MAX));
        self.count.fetch_add(spans.len() as u64, Ordering::Relaxed);
        Ok(())
    }
}

/// Queue per thread for the benchmarks: deep enough to absorb a burst between two collector
/// wake-ups at full speed, so drops (reported after each run) mean the collector fell behind.
/// Under callgrind, which runs one thread at a time, the collector is rarely scheduled: the queue
/// holds a whole callgrind run (2,000 iterations of 101 spans) so the caller's count is never the
/// drop path's.
pub const BENCH_QUEUE: usize = 1 << 18;

/// Installs the tracer with a counting recorder.
pub fn install(sampler: Sampler) -> (TracerGuard, Arc<AtomicU64>) {
    let count = Arc::new(AtomicU64::new(0));
    let guard = Tracer::builder()
        .service("bench")
        .sampler(sampler)
        .queue_capacity(BENCH_QUEUE)
        .recorder(Count(Arc::clone(&count)))
        .install()
        .expect("no other tracer is installed in the benchmark");
    (guard, count)
}

/// Shuts the tracer down and says what happened to the spans.
pub fn finish(label: &str, guard: TracerGuard) -> Stats {
    let stats = guard
        .shutdown()
        .expect("the counting recorder flushes at once");
    println!(
        "EXTRA ours_stats {label} finished={} recorded={} dropped={}",
        stats.finished,
        stats.recorded,
        stats.dropped.total()
    );
    stats
}

#[traced(name = "root")]
#[inline(never)]
pub fn root_call(x: u64) -> u64 {
    body(x)
}

#[traced(name = "child")]
#[inline(never)]
pub fn child(x: u64) -> u64 {
    body(x)
}

#[traced(name = "nest")]
#[inline(never)]
pub fn nest(depth: u32) -> u64 {
    if depth == 0 {
        body(1)
    } else {
        nest(depth - 1).wrapping_add(1)
    }
}

#[traced(name = "child_async")]
pub async fn child_async(x: u64) -> u64 {
    body(x)
}

#[traced(name = "tag_i64", tags(n = x as i64))]
#[inline(never)]
pub fn tag_i64(x: u64) -> u64 {
    body(x)
}

#[traced(name = "tag_str", tags(db.system = "dynamodb"))]
#[inline(never)]
pub fn tag_str(x: u64) -> u64 {
    body(x)
}

/// Runs `f` inside a root span, as a request handler would run its children.
#[traced(name = "root")]
#[inline(always)]
fn in_root(f: impl FnOnce() -> u64) -> u64 {
    body(1).wrapping_add(f())
}

pub fn root() -> u64 {
    root_call(1)
}

crate::support::composed_workloads!();

/// One traced call with no tracer installed (or, under `Sampler::never`, an unsampled root).
pub fn single() -> u64 {
    child(1)
}
