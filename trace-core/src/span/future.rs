use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::context::SpanContext;
use crate::local;
use crate::span::Span;

/// Runs futures inside spans.
///
/// ```
/// use trace_core::{span, FutureExt};
/// async fn handler() {
///     let work = async { /* children opened here find the span after every .await */ };
///     work.in_span(span("handler").start()).await;
/// }
/// ```
pub trait FutureExt: Future + Sized {
    /// Enters `span` on every poll of this future and finishes it when the future completes (or is
    /// dropped unfinished).
    fn in_span(self, span: Span) -> InSpan<Self> {
        InSpan { inner: self, span }
    }

    /// Carries the current context into this future, to be entered on every poll: use it for
    /// futures that will be polled elsewhere, such as spawned tasks.
    fn in_current_span(self) -> InContext<Self> {
        InContext {
            inner: self,
            ctx: crate::current::context(),
        }
    }

    /// Enters `ctx` on every poll of this future.
    fn in_context(self, ctx: Option<SpanContext>) -> InContext<Self> {
        InContext { inner: self, ctx }
    }
}

impl<F: Future> FutureExt for F {}

pin_project! {
    /// A future running inside a span; see [`FutureExt::in_span`].
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct InSpan<F> {
        #[pin]
        inner: F,
        span: Span,
    }
}

impl<F: Future> Future for InSpan<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let entered = this.span.enter();
        let poll = this.inner.poll(cx);
        drop(entered);
        if poll.is_ready() {
            this.span.finish_in_place();
        }
        poll
    }
}

impl<F> InSpan<F> {
    /// The span, e.g. to read its context before the future runs.
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// The span, e.g. to set tags before the future runs.
    pub fn span_mut(&mut self) -> &mut Span {
        &mut self.span
    }
}

pin_project! {
    /// A future running inside a context; see [`FutureExt::in_current_span`].
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct InContext<F> {
        #[pin]
        inner: F,
        ctx: Option<SpanContext>,
    }
}

impl<F: Future> Future for InContext<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let depth = this.ctx.as_ref().map(local::enter);
        let poll = this.inner.poll(cx);
        if let Some(depth) = depth {
            local::pop(depth);
        }
        poll
    }
}
