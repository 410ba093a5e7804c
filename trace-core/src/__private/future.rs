//! A future in a span that hands the span back with the output, so the expansion can record the
//! output (`err`, `ret`) before the span finishes.

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
