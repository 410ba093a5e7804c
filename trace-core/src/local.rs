//! This thread's stack of entered spans: how a new span finds its parent without being told.
//!
//! A frame holds only the span's context (ids, decision, trace state, baggage). The span's own data
//! stays with its owner (a [`SpanGuard`](crate::SpanGuard) or [`Span`](crate::Span)); what code
//! adds through [`current`](crate::current) while the span is entered is parked in the frame and
//! merged into the owner when it leaves. So no frame ever points into its owner, and a guard that is
//! leaked with `mem::forget` costs a stale frame, never memory safety.

use std::cell::RefCell;

use crate::context::SpanContext;
use crate::span::data::SpanData;

pub(crate) struct Frame {
    pub(crate) ctx: SpanContext,
    /// Data set through the current-span functions, merged into the owner on exit.
    pub(crate) pending: Option<Box<SpanData>>,
    /// Left out of order: popped as soon as the frames above it are gone.
    closed: bool,
}

thread_local! {
    static STACK: RefCell<Vec<Frame>> = const { RefCell::new(Vec::new()) };
}

/// Makes `ctx` the current context; returns the depth to pass to [`pop`].
#[inline]
pub(crate) fn push(ctx: SpanContext) -> usize {
    STACK
        .try_with(|stack| {
            let mut stack = stack.borrow_mut();
            stack.push(Frame {
                ctx,
                pending: None,
                closed: false,
            });
            stack.len() - 1
        })
        // During thread teardown there is no stack to join: the span simply has no children.
        .unwrap_or(usize::MAX)
}

/// Leaves the frame at `depth`, returning what was parked in it.
///
/// Frames normally leave in reverse order. One that leaves early is marked and popped once the
/// frames above it have gone, so the guards above keep valid depths and children still see the
/// innermost live span.
#[inline]
pub(crate) fn pop(depth: usize) -> Option<Box<SpanData>> {
    STACK
        .try_with(|stack| {
            let mut stack = stack.borrow_mut();
            if depth + 1 == stack.len() {
                let frame = stack.pop()?;
                while stack.last().is_some_and(|f| f.closed) {
                    stack.pop();
                }
                frame.pending
            } else {
                let frame = stack.get_mut(depth)?;
                frame.closed = true;
                frame.pending.take()
            }
        })
        .ok()
        .flatten()
}

/// Runs `f` with the innermost live context, if any.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&SpanContext>) -> R) -> R {
    let mut f = Some(f);
    let r = STACK.try_with(|stack| {
        let stack = stack.borrow();
        let f = f.take().expect("called once");
        f(stack.last().map(|frame| &frame.ctx))
    });
    match r {
        Ok(r) => r,
        Err(_) => (f.take().expect("not called when the stack is gone"))(None),
    }
}

/// The context of the frame at `depth`.
pub(crate) fn context_at(depth: usize) -> Option<SpanContext> {
    STACK
        .try_with(|stack| stack.borrow().get(depth).map(|f| f.ctx.clone()))
        .ok()
        .flatten()
}

/// Runs `f` on the data parked for the innermost span, if that span records.
pub(crate) fn with_current_data(f: impl FnOnce(&mut SpanData)) -> bool {
    STACK
        .try_with(|stack| {
            let mut stack = stack.borrow_mut();
            match stack.last_mut() {
                Some(frame) if frame.ctx.local_decision().is_some_and(|d| d.records()) => {
                    f(frame.pending.get_or_insert_with(Box::default));
                    true
                }
                _ => false,
            }
        })
        .unwrap_or(false)
}
