//! `tracing` 0.1 with `#[instrument]`, a `Registry` and a layer that really records every span:
//! `on_new_span` stamps the start, `on_close` pushes a small fixed-size record into a thread-local
//! batch, and a full batch goes to a counting thread in one message (as a production exporter
//! would batch), never one message per span.
//!
//! The subscriber is the process-wide default, as applications install it. A `Targets` filter
//! rejects the functions in [`unsampled`]: tracing's equivalent of an installed tracer that does
//! not sample a trace.

use std::cell::RefCell;
use std::hint::black_box;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Subscriber, instrument};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

use crate::support::executor::block_on;
use crate::support::plain::body;

/// Spans per batch handed to the sink.
const BATCH: usize = 1024;

/// Spans the sink thread has received.
pub static RECORDED: AtomicU64 = AtomicU64::new(0);

/// A tag value as the layer keeps it: integers inline, strings copied (the `Visit` API hands out
/// `&str` without the `'static` lifetime, so a layer that keeps them must copy).
#[derive(Debug)]
pub enum Value {
    None,
    Int(i64),
    Str(String),
}

/// What the layer records about one span.
#[derive(Debug)]
pub struct SpanRow {
    pub id: u64,
    pub parent: u64,
    pub name: &'static str,
    pub start: fastant::Instant,
    pub end: fastant::Instant,
    pub tag: Value,
}

/// Kept in the span's extensions between open and close.
struct Open {
    parent: u64,
    start: fastant::Instant,
    tag: Value,
}

struct TagVisitor(Value);

impl Visit for TagVisitor {
    fn record_i64(&mut self, _: &Field, value: i64) {
        self.0 = Value::Int(value);
    }
    fn record_u64(&mut self, _: &Field, value: u64) {
        self.0 = Value::Int(value as i64);
    }
    fn record_str(&mut self, _: &Field, value: &str) {
        self.0 = Value::Str(value.to_owned());
    }
    fn record_debug(&mut self, _: &Field, value: &dyn std::fmt::Debug) {
        self.0 = Value::Str(format!("{value:?}"));
    }
}

thread_local! {
    static ROWS: RefCell<Vec<SpanRow>> = RefCell::new(Vec::with_capacity(BATCH));
}

/// The recording layer.
pub struct Recording {
    sink: Sender<Vec<SpanRow>>,
}

impl Recording {
    fn push(&self, row: SpanRow) {
        ROWS.with(|rows| {
            let mut rows = rows.borrow_mut();
            rows.push(row);
            if rows.len() >= BATCH {
                let full = std::mem::replace(&mut *rows, Vec::with_capacity(BATCH));
                let _ = self.sink.send(full);
            }
        });
    }
}

impl<S> Layer<S> for Recording
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let parent = span.parent().map_or(0, |p| p.id().into_u64());
        let mut tag = TagVisitor(Value::None);
        attrs.record(&mut tag);
        span.extensions_mut().insert(Open {
            parent,
            start: fastant::Instant::now(),
            tag: tag.0,
        });
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let end = fastant::Instant::now();
        let Some(span) = ctx.span(&id) else { return };
        let Some(open) = span.extensions_mut().remove::<Open>() else {
            return;
        };
        self.push(SpanRow {
            id: id.into_u64(),
            parent: open.parent,
            name: span.name(),
            start: open.start,
            end,
            tag: open.tag,
        });
    }
}

/// Installs the global subscriber once (it cannot be replaced afterwards).
pub fn install() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let (sink, batches) = mpsc::channel::<Vec<SpanRow>>();
        std::thread::Builder::new()
            .name("tracing-sink".into())
            .spawn(move || {
                for batch in batches {
                    RECORDED.fetch_add(black_box(batch).len() as u64, Ordering::Relaxed);
                }
            })
            .expect("spawn the sink thread");
        let filter = Targets::new()
            .with_default(LevelFilter::TRACE)
            .with_target(unsampled::TARGET, LevelFilter::OFF);
        let subscriber = tracing_subscriber::registry()
            .with(Recording { sink })
            .with(filter);
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other global subscriber in the benchmark");
    });
}

/// Whether the global subscriber is set: the "no subscriber" shape must run before [`install`].
pub fn installed() -> bool {
    tracing::dispatcher::has_been_set()
}

/// Hands this thread's partial batch to the sink (the sink counts it soon after).
pub fn flush_thread() {
    let rest = ROWS.with(|rows| std::mem::take(&mut *rows.borrow_mut()));
    RECORDED.fetch_add(rest.len() as u64, Ordering::Relaxed);
}

#[instrument(skip_all)]
#[inline(never)]
pub fn root_call(x: u64) -> u64 {
    body(x)
}

#[instrument(skip_all)]
#[inline(never)]
pub fn child(x: u64) -> u64 {
    body(x)
}

#[instrument(skip_all)]
#[inline(never)]
pub fn nest(depth: u32) -> u64 {
    if depth == 0 {
        body(1)
    } else {
        nest(depth - 1).wrapping_add(1)
    }
}

#[instrument(skip_all)]
pub async fn child_async(x: u64) -> u64 {
    body(x)
}

#[instrument(skip_all, fields(n = x as i64))]
#[inline(never)]
pub fn tag_i64(x: u64) -> u64 {
    body(x)
}

#[instrument(skip_all, fields(db.system = "dynamodb"))]
#[inline(never)]
pub fn tag_str(x: u64) -> u64 {
    body(x)
}

#[instrument(skip_all)]
#[inline(never)]
fn in_root(f: fn() -> u64) -> u64 {
    body(1).wrapping_add(f())
}

pub fn root() -> u64 {
    root_call(1)
}

crate::support::composed_workloads!();

/// One instrumented call (with no subscriber: the disabled shape).
pub fn single() -> u64 {
    child(1)
}

/// The same shapes in a module the subscriber's filter rejects.
pub mod unsampled {
    use tracing::instrument;

    use crate::support::plain::body;

    /// The target of every span opened here.
    pub const TARGET: &str = module_path!();

    #[instrument(skip_all)]
    #[inline(never)]
    pub fn root_call(x: u64) -> u64 {
        body(x)
    }

    #[instrument(skip_all)]
    #[inline(never)]
    pub fn child(x: u64) -> u64 {
        body(x)
    }

    #[instrument(skip_all)]
    #[inline(never)]
    fn in_root(f: fn() -> u64) -> u64 {
        body(1).wrapping_add(f())
    }

    pub fn root() -> u64 {
        root_call(1)
    }

    pub fn child100() -> u64 {
        in_root(|| (0..100).fold(0u64, |acc, i| acc.wrapping_add(child(i))))
    }
}
