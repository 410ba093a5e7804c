//! Opening a span: find the parent, decide whether to record, take the start time.

use std::borrow::Cow;

use crate::clock::Instant;
use crate::collector::sink::with_sink;
use crate::context::{Decision, SpanContext, TraceFlags};
use crate::id::{SpanId, TraceId};
use crate::local;
use crate::span::SpanKind;
use crate::span::data::SpanData;
use crate::span::raw::{Code, RawSpan};
use crate::tracer::global;

/// Where a new span attaches.
pub(crate) enum Parent<'a> {
    /// The current span of this thread, or a new trace if there is none.
    Current,
    /// A new trace, whatever is current.
    Root,
    /// This context, local (from another thread) or remote (from another process).
    Explicit(&'a SpanContext),
}

/// A freshly opened span: its context for children, and its record if it records.
pub(crate) struct Opened {
    pub(crate) ctx: SpanContext,
    pub(crate) raw: Option<RawSpan>,
}

/// Opens a span; `None` when no tracer is installed (then nothing else is paid).
#[inline]
pub(crate) fn open(
    parent: Parent<'_>,
    name: Cow<'static, str>,
    kind: SpanKind,
    code: Code,
    data: SpanData,
) -> Option<Opened> {
    if !global::enabled() {
        return None;
    }
    let span_id = SpanId::random();
    let (ctx, parent_id, local_root) = match parent {
        Parent::Current => local::with_current(|current| match current {
            Some(p) => child_of(p, span_id),
            None => new_trace(span_id),
        }),
        Parent::Root => new_trace(span_id),
        Parent::Explicit(p) => child_of(p, span_id),
    };
    let decision = ctx.local_decision().unwrap_or(Decision::Drop);
    let raw = if decision.records() {
        with_sink(|sink| sink.stats.started.bump());
        let start = Instant::now();
        Some(RawSpan {
            trace_id: ctx.trace_id(),
            span_id,
            parent_id,
            decision,
            local_root,
            kind,
            name,
            code,
            start,
            end: start,
            data,
        })
    } else {
        None
    };
    Some(Opened { ctx, raw })
}

/// Context, parent id and local-root flag of a span that starts a new trace.
fn new_trace(span_id: SpanId) -> (SpanContext, Option<SpanId>, bool) {
    let trace_id = TraceId::random();
    let decision = with_sink(|sink| sink.shared.decide_root(trace_id)).unwrap_or(Decision::Drop);
    let flags = TraceFlags::default()
        .with_random_trace_id(true)
        .with_sampled(decision == Decision::Record);
    let ctx = SpanContext::new_local(
        trace_id,
        span_id,
        flags,
        decision,
        Default::default(),
        Default::default(),
    );
    (ctx, None, true)
}

/// Context, parent id and local-root flag of a child of `parent`.
fn child_of(parent: &SpanContext, span_id: SpanId) -> (SpanContext, Option<SpanId>, bool) {
    let (decision, flags, local_root) = match parent.local_decision() {
        Some(decision) => (decision, parent.flags(), false),
        None => {
            let decision =
                with_sink(|sink| sink.shared.decide_remote(parent)).unwrap_or(Decision::Drop);
            (
                decision,
                parent.flags().with_sampled(decision == Decision::Record),
                true,
            )
        }
    };
    let ctx = SpanContext::new_local(
        parent.trace_id(),
        span_id,
        flags,
        decision,
        parent.trace_state().clone(),
        parent.baggage().clone(),
    );
    (ctx, Some(parent.span_id()), local_root)
}

/// Finishes a recording span: stamps the end time and hands it to the collector.
#[inline]
pub(crate) fn finish(mut raw: RawSpan) {
    raw.end = Instant::now();
    if std::thread::panicking() {
        raw.data.set_error_if_unset(Cow::Borrowed("panicked"));
    }
    crate::collector::sink::submit(raw);
}
