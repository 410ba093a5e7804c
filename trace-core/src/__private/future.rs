//! Futures in a span for the expansion: one that hands the span back with the output, so the
//! expansion can record the output (`ret`) before the span finishes, and one that records the
//! error itself (`err` alone), so the expansion is a single call.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::span::Span;

pin_project! {
    /// Enters its span on every poll, like [`InSpan`](crate::InSpan), and resolves to the output
    /// together with the still open span.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct Instrumented<F> {
        #[pin]
        inner: F,
        span: Option<Span>,
    }
}

impl<F> Instrumented<F> {
    /// `inner`, run inside `span`.
    #[inline]
    pub const fn new(inner: F, span: Span) -> Self {
        Self {
            inner,
            span: Some(span),
        }
    }
}

impl<F: Future> Future for Instrumented<F> {
    type Output = (F::Output, Span);

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(span) = this.span.as_mut() else {
            // Polled after completion: the contract of `Future` lets us panic, but a span-less
            // poll of the inner future is the kinder failure.
            return this.inner.poll(cx).map(|out| (out, Span::disabled()));
        };
        let entered = span.enter();
        let poll = this.inner.poll(cx);
        drop(entered);
        match poll {
            Poll::Ready(out) => Poll::Ready((out, this.span.take().unwrap_or_else(Span::disabled))),
            Poll::Pending => Poll::Pending,
        }
    }
}

pin_project! {
    /// Enters its span on every poll, like [`InSpan`](crate::InSpan); when the inner future is
    /// ready, `record` sees its output and the span (the expansion passes
    /// [`record_err_display`](super::exit::record_err_display) or its `Debug` twin) and the span
    /// finishes.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct Recorded<F, R> {
        #[pin]
        inner: F,
        span: Span,
        record: Option<R>,
    }
}

impl<F: Future, R: FnOnce(F::Output, &mut Span) -> F::Output> Recorded<F, R> {
    /// `inner`, run inside `span`, its output passed through `record`.
    #[inline]
    pub const fn new(inner: F, span: Span, record: R) -> Self {
        Self {
            inner,
            span,
            record: Some(record),
        }
    }
}

impl<F: Future, R: FnOnce(F::Output, &mut Span) -> F::Output> Future for Recorded<F, R> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let entered = this.span.enter();
        let poll = this.inner.poll(cx);
        drop(entered);
        let Poll::Ready(out) = poll else {
            return Poll::Pending;
        };
        // Polled after completion: the inner future decided what that means.
        let Some(record) = this.record.take() else {
            return Poll::Ready(out);
        };
        let out = record(out, this.span);
        // The span ends with the future's work, not when the caller drops the future.
        drop(std::mem::replace(this.span, Span::disabled()));
        Poll::Ready(out)
    }
}
