//! fastrace 0.7 with `#[trace]` and a reporter that counts every span it is given. fastrace batches
//! by itself: a trace's local spans go to its global collector thread in one message, and the
//! reporter gets them in batches per report interval.
//!
//! A fastrace trace needs an explicit root (`Span::root` + `set_local_parent`); `#[trace]` with no
//! local parent records nothing, which is both its disabled and its "not sampled" case.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use fastrace::collector::{Config, Reporter, SpanRecord};
use fastrace::prelude::{Span, SpanContext};
use fastrace::trace;

use crate::support::executor::block_on;
use crate::support::plain::body;

/// Spans the reporter has received.
pub static REPORTED: AtomicU64 = AtomicU64::new(0);

/// Counts every span.
#[derive(Debug)]
pub struct Count;

impl Reporter for Count {
    fn report(&mut self, spans: Vec<SpanRecord>) {
        REPORTED.fetch_add(spans.len() as u64, Ordering::Relaxed);
    }
}

/// Takes `per_span` for every span: a store that cannot keep up.
#[derive(Debug)]
pub struct Slow(pub Duration);

impl Reporter for Slow {
    fn report(&mut self, spans: Vec<SpanRecord>) {
        std::thread::sleep(self.0 * u32::try_from(spans.len()).unwrap_or(u32::MAX));
        REPORTED.fetch_add(spans.len() as u64, Ordering::Relaxed);
    }
}

/// The report interval: our tracer's collector wakes every 20 ms, so fastrace's does too.
pub fn config() -> Config {
    Config::default().report_interval(Duration::from_millis(20))
}

/// Sets the counting reporter (once; later calls keep it).
pub fn install() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| fastrace::set_reporter(Count, config()));
}

/// Delivers every finished trace to the reporter.
pub fn flush() {
    fastrace::flush();
}

#[trace]
#[inline(never)]
pub fn child(x: u64) -> u64 {
    body(x)
}

#[trace]
#[inline(never)]
pub fn nest(depth: u32) -> u64 {
    if depth == 0 {
        body(1)
    } else {
        nest(depth - 1).wrapping_add(1)
    }
}

#[trace]
pub async fn child_async(x: u64) -> u64 {
    body(x)
}

#[trace(enter_on_poll = true)]
pub async fn child_async_on_poll(x: u64) -> u64 {
    body(x)
}

#[trace(properties = { "n": "{x}" })]
#[inline(never)]
pub fn tag_i64(x: u64) -> u64 {
    body(x)
}

#[trace(properties = { "db.system": "dynamodb" })]
#[inline(never)]
pub fn tag_str(x: u64) -> u64 {
    body(x)
}

/// Runs `f` inside a new sampled trace.
#[inline(always)]
fn in_root(f: impl FnOnce() -> u64) -> u64 {
    let root = Span::root("root", SpanContext::random());
    let _parent = root.set_local_parent();
    body(1).wrapping_add(f())
}

pub fn root() -> u64 {
    in_root(|| 0)
}

crate::support::composed_workloads!();

pub fn async100_on_poll() -> u64 {
    in_root(|| {
        block_on(async {
            let mut acc = 0u64;
            for i in 0..100 {
                acc = acc.wrapping_add(child_async_on_poll(i).await);
            }
            acc
        })
    })
}

/// One traced call with no local parent: records nothing.
pub fn single() -> u64 {
    child(1)
}

/// A root + 100 children with no root (fastrace's way not to trace): 101 calls that record nothing.
pub fn unsampled100() -> u64 {
    child(1).wrapping_add((0..100).fold(0u64, |acc, i| acc.wrapping_add(child(i))))
}
