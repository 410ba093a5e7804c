//! The bodies of a traced RPC: the request body counts the messages sent; the response body
//! counts the replies, reads the status from the trailers and finishes the span at the end.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

use crate::grpc::messages::MessageCounter;
use crate::grpc::rpc::Rpc;
use crate::grpc::status::{message_of, status_of};

pin_project! {
    /// The request body of a traced RPC: counts the messages that go through it.
    pub(crate) struct RequestBody<B> {
        #[pin]
        inner: B,
        counter: MessageCounter,
        shared: Arc<AtomicU64>,
    }
}

impl<B> RequestBody<B> {
    pub(crate) fn new(inner: B, shared: Arc<AtomicU64>) -> Self {
        Self {
            inner,
            counter: MessageCounter::default(),
            shared,
        }
    }
}

impl<B: Body<Data = Bytes>> Body for RequestBody<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.project();
        let poll = this.inner.poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &poll
            && let Some(data) = frame.data_ref()
        {
            this.counter.feed(data);
            this.shared.store(this.counter.count(), Ordering::Relaxed);
        }
        poll
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

pin_project! {
    /// The response body of a traced RPC (server or client side): polled inside the RPC's span,
    /// so a server stream's work is its child; the span finishes when the body ends or is
    /// dropped, with the status from the trailers.
    pub struct TracedBody<B> {
        #[pin]
        inner: B,
        rpc: Option<Rpc>,
    }
}

impl<B> TracedBody<B> {
    pub(crate) fn new(inner: B, rpc: Rpc) -> Self {
        Self {
            inner,
            rpc: Some(rpc),
        }
    }
}

impl<B> std::fmt::Debug for TracedBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TracedBody")
            .field("rpc", &self.rpc)
            .finish_non_exhaustive()
    }
}

impl<B: Body<Data = Bytes>> Body for TracedBody<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.project();
        let Some(rpc) = this.rpc.as_mut() else {
            return this.inner.poll_frame(cx);
        };
        let poll = {
            let _entered = rpc.span.enter();
            this.inner.poll_frame(cx)
        };
        match &poll {
            Poll::Pending => {}
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    rpc.responses.feed(data);
                } else if let Some(trailers) = frame.trailers_ref()
                    && let Some(code) = status_of(trailers)
                {
                    rpc.set_status(code, message_of(trailers));
                }
            }
            Poll::Ready(Some(Err(_))) => {
                rpc.failed::<B::Error>();
                *this.rpc = None;
            }
            Poll::Ready(None) => {
                rpc.ended();
                *this.rpc = None;
            }
        }
        poll
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
