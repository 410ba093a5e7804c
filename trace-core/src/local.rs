//! This thread's tracing state: the stack of entered spans (how a new span finds its parent without
//! being told) and the sink that carries finished spans to the collector. Both live in one
//! thread-local so that opening or finishing a span touches thread-local storage once.
//!
//! A frame holds the span's context (ids, decision, trace state, baggage). A scoped span (a
//! [`SpanGuard`](crate::SpanGuard)) that records also keeps its record in its frame, so the guard
//! is one word and opening writes the record once, where finishing reads it. An owned
//! [`Span`](crate::Span) keeps its record itself (it can move to another thread); what code adds
//! through the current-span functions while it is entered is parked in the frame and merged into
//! the owner when it leaves. So no frame ever points into its owner, and a guard that is leaked with
//! `mem::forget` costs a stale frame, never memory safety.

use std::cell::RefCell;

use crate::collector::global;
use crate::collector::sink::ThreadSink;
use crate::context::SpanContext;
use crate::span::data::SpanData;
use crate::span::raw::FrameRecord;

pub(crate) struct Frame {
    pub(crate) ctx: SpanContext,
    /// The record of a scoped span that records; `None` for an entered [`Span`](crate::Span) (its
    /// owner keeps the record) and for spans that do not record.
    pub(crate) raw: Option<FrameRecord>,
    /// Data set through the current-span functions on a frame without a record, merged into the
    /// owner on exit.
    pub(crate) pending: Option<Box<SpanData>>,
    /// Left out of order: popped as soon as the frames above it are gone.
    closed: bool,
}

pub(crate) struct Local {
    pub(crate) stack: Vec<Frame>,
    sink: Option<ThreadSink>,
}

thread_local! {
    static LOCAL: RefCell<Local> = const { RefCell::new(Local { stack: Vec::new(), sink: None }) };
}

/// Runs `f` on this thread's state; `None` while the thread is being torn down.
#[inline(always)]
pub(crate) fn with<R>(f: impl FnOnce(&mut Local) -> R) -> Option<R> {
    LOCAL
        .try_with(|local| local.try_borrow_mut().ok().map(|mut local| f(&mut local)))
        .ok()
        .flatten()
}

/// This thread's sink for the installed tracer, connected (or reconnected, after the tracer was
/// replaced) on first use; `None` when no tracer is installed.
#[inline(always)]
pub(crate) fn sink(slot: &mut Option<ThreadSink>) -> Option<&mut ThreadSink> {
    let generation = global::generation();
    if slot.as_ref().is_none_or(|s| s.generation() != generation) {
        *slot = ThreadSink::connect();
    }
    slot.as_mut()
}

impl Local {
    /// The stack and the sink, borrowed apart.
    #[inline(always)]
    pub(crate) fn parts(&mut self) -> (&mut Vec<Frame>, &mut Option<ThreadSink>) {
        (&mut self.stack, &mut self.sink)
    }

    /// This thread's sink; see [`sink`].
    #[inline(always)]
    pub(crate) fn sink(&mut self) -> Option<&mut ThreadSink> {
        sink(&mut self.sink)
    }

    /// Makes `ctx` the current context, holding the span's record if it is a scoped one; returns
    /// the depth to pass to [`Local::pop`].
    #[inline(always)]
    pub(crate) fn push(&mut self, ctx: SpanContext, raw: Option<FrameRecord>) -> usize {
        self.stack.push(Frame {
            ctx,
            raw,
            pending: None,
            closed: false,
        });
        self.stack.len() - 1
    }

    /// Leaves the frame at `depth`, returning what was parked in it.
    ///
    /// Frames normally leave in reverse order. One that leaves early is marked and popped once the
    /// frames above it have gone, so the guards above keep valid depths and children still see the
    /// innermost live span.
    #[inline(always)]
    pub(crate) fn pop(&mut self, depth: usize) -> Option<Box<SpanData>> {
        let stack = &mut self.stack;
        if depth + 1 == stack.len() {
            // Taken apart in place: moving a whole frame out would copy it.
            let pending = stack[depth].pending.take();
            stack.truncate(depth);
            while stack.last().is_some_and(|f| f.closed) {
                stack.pop();
            }
            pending
        } else {
            let frame = stack.get_mut(depth)?;
            frame.closed = true;
            frame.pending.take()
        }
    }
}

/// Makes a copy of `ctx` the current context; returns the depth to pass to [`pop`] (`usize::MAX`
/// during thread teardown, when there is no stack to join).
///
/// The copy is made inside the thread-local access, straight into the new frame: a copy made by
/// the caller would be moved twice more on its way there (futures enter on every poll).
#[inline]
pub(crate) fn enter(ctx: &SpanContext) -> usize {
    with(|local| local.push(ctx.clone(), None)).unwrap_or(usize::MAX)
}

/// Makes `ctx` the current context; see [`enter`].
pub(crate) fn push(ctx: SpanContext) -> usize {
    with(|local| local.push(ctx, None)).unwrap_or(usize::MAX)
}

/// Leaves the frame at `depth`; see [`Local::pop`].
#[inline]
pub(crate) fn pop(depth: usize) -> Option<Box<SpanData>> {
    with(|local| local.pop(depth)).flatten()
}

/// The innermost live context, if any.
pub(crate) fn current() -> Option<SpanContext> {
    with(|local| local.stack.last().map(|frame| frame.ctx.clone())).flatten()
}

/// The context of the frame at `depth`.
pub(crate) fn context_at(depth: usize) -> Option<SpanContext> {
    with(|local| local.stack.get(depth).map(|f| f.ctx.clone())).flatten()
}

/// An empty data box for a span, recycled from the collector when one is there.
#[inline]
pub(crate) fn spare_data() -> Box<SpanData> {
    with(|local| spare_from(&mut local.sink)).unwrap_or_default()
}

/// Runs `f` on the innermost span's data (its record's, or what is parked for its owner), if that
/// span records.
pub(crate) fn with_current_data(f: impl FnOnce(&mut SpanData)) -> bool {
    with(|local| {
        let (stack, sink) = local.parts();
        match stack.last_mut() {
            Some(frame) if frame.ctx.local_decision().is_some_and(|d| d.records()) => {
                let data = match &mut frame.raw {
                    Some(raw) => &mut raw.data,
                    None => &mut frame.pending,
                };
                f(data.get_or_insert_with(|| spare_from(sink)));
                true
            }
            _ => false,
        }
    })
    .unwrap_or(false)
}

/// Runs `f` on the data of the scoped span whose frame is at `depth`, if it records.
#[inline]
pub(crate) fn with_data_at(depth: usize, f: impl FnOnce(&mut SpanData)) {
    with(|local| {
        let (stack, sink) = local.parts();
        if let Some(raw) = stack.get_mut(depth).and_then(|frame| frame.raw.as_mut()) {
            f(raw.data.get_or_insert_with(|| spare_from(sink)));
        }
    });
}

/// An empty data box from this thread's sink (a recycled one when there is one).
fn spare_from(sink: &mut Option<ThreadSink>) -> Box<SpanData> {
    self::sink(sink).map_or_else(Box::default, ThreadSink::spare_data)
}

impl Drop for Local {
    /// The thread is being torn down under scoped spans that never finished (their guards were
    /// leaked): their records end here, counted.
    fn drop(&mut self) {
        for frame in &self.stack {
            if frame.raw.is_some() {
                global::count_orphan();
            }
        }
    }
}
