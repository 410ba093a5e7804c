//! Opening and finishing spans: find the parent, decide whether to record, take the times, hand the
//! record to the collector. Each touches this thread's state once.

use std::borrow::Cow;

use crate::callsite::Callsite;
use crate::clock::Instant;
use crate::collector::global;
use crate::collector::sink::ThreadSink;
use crate::context::{Decision, SpanContext, TraceFlags};
use crate::id::{SpanId, TraceId};
use crate::local::{self, Local};
use crate::span::SpanKind;
use crate::span::data::SpanData;
use crate::span::raw::{Code, FrameRecord, RawSpan};

/// Where a new span attaches.
pub(crate) enum Parent<'a> {
    /// The current span of this thread, or a new trace if there is none.
    Current,
    /// A new trace, whatever is current.
    Root,
    /// This context, local (from another thread) or remote (from another process).
    Explicit(&'a SpanContext),
}

/// What is known about a span at open, besides its parent.
pub(crate) struct Meta<D> {
    pub(crate) kind: SpanKind,
    pub(crate) code: Code,
    /// Makes its initial data (e.g. a run-time name, tags), only if the span records; it is given
    /// the sink to draw a recycled box from.
    pub(crate) data: D,
}

impl Meta<()> {
    /// The metadata of a span opened at `callsite`: everything is in the static call site.
    #[inline(always)]
    pub(crate) fn callsite(callsite: &'static Callsite) -> Meta<impl DataInit> {
        Meta {
            kind: callsite.kind(),
            code: Code::Callsite(callsite),
            data: |_: &mut ThreadSink| None,
        }
    }

    /// The metadata of a span opened with a run-time name and initial `data` at `code`.
    #[inline]
    pub(crate) fn named(
        name: Cow<'static, str>,
        kind: SpanKind,
        code: Code,
        data: Option<Box<SpanData>>,
    ) -> Meta<impl DataInit> {
        Meta {
            kind,
            code,
            data: move |sink: &mut ThreadSink| {
                let mut data = data.unwrap_or_else(|| sink.spare_data());
                data.name = Some(name);
                Some(data)
            },
        }
    }
}

/// Makes a span's initial data from this thread's sink.
pub(crate) trait DataInit: FnOnce(&mut ThreadSink) -> Option<Box<SpanData>> {}

impl<F: FnOnce(&mut ThreadSink) -> Option<Box<SpanData>>> DataInit for F {}

/// How [`open`] hands over a new span.
pub(crate) trait Place {
    type Output;
    /// Takes the new span's context and its record (if it records).
    fn place(local: &mut Local, ctx: SpanContext, raw: Option<RawSpan>) -> Self::Output;
    /// What a child of an unsampled current span becomes if it may skip opening and share its
    /// parent's frame; `None` if it may not. Only scoped guards may: they end before their
    /// parent's frame can go.
    fn shared() -> Option<Self::Output>;
}

/// Opens a span and hands its context and record to `P` (which enters it, or keeps it); `None`
/// when no tracer is installed.
#[inline(always)]
pub(crate) fn open<D: DataInit, P: Place>(parent: Parent<'_>, meta: Meta<D>) -> Option<P::Output> {
    if !global::enabled() {
        return None;
    }
    let opened = local::with(|local| {
        let (stack, sink) = local.parts();
        if matches!(parent, Parent::Current)
            && stack
                .last()
                .is_some_and(|f| f.ctx.local_decision() == Some(Decision::Drop))
            && let Some(shared) = P::shared()
        {
            // Nothing records in this trace, and the child would propagate the same trace,
            // decision and baggage: sharing the frame is indistinguishable, and costs nothing.
            return Some(shared);
        }
        let span_id = SpanId::random();
        let (ctx, parent_id, local_root) = match parent {
            Parent::Current => match stack.last() {
                Some(frame) => child_of(&frame.ctx, span_id, sink),
                None => new_trace(span_id, sink),
            },
            Parent::Root => new_trace(span_id, sink),
            Parent::Explicit(p) => child_of(p, span_id, sink),
        };
        let decision = ctx.local_decision().unwrap_or(Decision::Drop);
        let mut raw = None;
        if decision.records()
            && let Some(sink) = local::sink(sink)
        {
            sink.stats.started.bump();
            let Meta { kind, code, data } = meta;
            let mut data = data(sink);
            if !ctx.trace_state().is_empty() {
                // Rare (a caller sent a `tracestate`), so it rides in the box, not the record.
                data.get_or_insert_with(|| sink.spare_data()).trace_state =
                    ctx.trace_state().clone();
            }
            let start = Instant::now();
            raw = Some(RawSpan {
                trace_id: ctx.trace_id(),
                span_id,
                parent_id,
                decision,
                local_root,
                flags: ctx.flags(),
                kind,
                code,
                start,
                end: start,
                data,
            });
        }
        Some(P::place(local, ctx, raw))
    });
    // During thread teardown there is no stack to join: the span is off.
    opened.flatten()
}

/// Context, parent id and local-root flag of a span that starts a new trace.
#[inline(always)]
fn new_trace(
    span_id: SpanId,
    sink: &mut Option<ThreadSink>,
) -> (SpanContext, Option<SpanId>, bool) {
    let trace_id = TraceId::random();
    let decision =
        local::sink(sink).map_or(Decision::Drop, |sink| sink.shared.decide_root(trace_id));
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
#[inline(always)]
fn child_of(
    parent: &SpanContext,
    span_id: SpanId,
    sink: &mut Option<ThreadSink>,
) -> (SpanContext, Option<SpanId>, bool) {
    let (decision, flags, local_root) = match parent.local_decision() {
        Some(decision) => (decision, parent.flags(), false),
        None => {
            let decision =
                local::sink(sink).map_or(Decision::Drop, |sink| sink.shared.decide_remote(parent));
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

/// Finishes an owned span: hands the record in `slot` (if it records), completed from `ctx`, to
/// the collector, leaving the slot empty.
#[inline(always)]
pub(crate) fn finish(ctx: Option<&SpanContext>, slot: &mut Option<FrameRecord>) {
    let done = local::with(|local| {
        if let Some(sink) = local.sink()
            && let Some(ctx) = ctx
            && let Some(record) = slot.take()
        {
            match record.into_raw(ctx, Instant::now()) {
                Some(raw) => hand_over(raw, sink),
                None => global::count_orphan(),
            }
        }
    });
    // Still here: the tracer shut down while the span ran, or the thread is being torn down.
    if (done.is_none() || slot.is_some()) && slot.take().is_some() {
        global::count_orphan();
    }
}

/// Finishes the scoped span whose frame is at `depth`: hands its record (if it records) to the
/// collector and leaves the frame.
#[inline(always)]
pub(crate) fn finish_scoped(depth: usize) {
    local::with(|local| {
        let (stack, sink) = local.parts();
        let Some(frame) = stack.get_mut(depth) else {
            return;
        };
        if let Some(record) = frame.raw.take() {
            let end = Instant::now();
            match (local::sink(sink), record.into_raw(&frame.ctx, end)) {
                (Some(sink), Some(raw)) => hand_over(raw, sink),
                // The tracer shut down while the span ran.
                _ => global::count_orphan(),
            }
        }
        local.pop(depth);
    });
    // During thread teardown the frame went with the thread's state, counted there.
}

/// Moves a finished record into the thread's queue, marked as an error if its thread is
/// unwinding.
#[inline(always)]
fn hand_over(mut raw: RawSpan, sink: &mut ThreadSink) {
    if std::thread::panicking() {
        let data = raw.data.get_or_insert_with(|| sink.spare_data());
        data.set_error_if_unset(Cow::Borrowed("panicked"));
    }
    sink.push(raw);
}
