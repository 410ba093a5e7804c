//! The response future both tracing layers return.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::Response;
use http::header::{HeaderName, HeaderValue};
use pin_project_lite::pin_project;

use crate::http::status::{Side, record_error, record_status};
use crate::span::Span;

pin_project! {
    /// The response future of [`ServerTrace`](crate::http::ServerTrace) and
    /// [`ClientTrace`](crate::http::ClientTrace): polls the inner future inside the request's
    /// span, then records the status (or the error) and finishes the span.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        span: Span,
        side: Side,
        // Added to a successful response (the server's `traceresponse` / `X-Request-Id`).
        response_headers: Vec<(HeaderName, HeaderValue)>,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(
        inner: F,
        span: Span,
        side: Side,
        response_headers: Vec<(HeaderName, HeaderValue)>,
    ) -> Self {
        Self {
            inner,
            span,
            side,
            response_headers,
        }
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("span", &self.span)
            .field("side", &self.side)
            .finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let poll = {
            let _entered = this.span.enter();
            this.inner.poll(cx)
        };
        let Poll::Ready(mut result) = poll else {
            return Poll::Pending;
        };
        let mut span = std::mem::replace(this.span, Span::disabled());
        match &mut result {
            Ok(response) => {
                record_status(&mut span, response.status(), *this.side);
                for (name, value) in this.response_headers.drain(..) {
                    response.headers_mut().insert(name, value);
                }
            }
            Err(_) => record_error::<E>(&mut span),
        }
        span.finish();
        Poll::Ready(result)
    }
}
