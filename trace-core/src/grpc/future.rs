//! The response future of both gRPC layers.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::Response;
use pin_project_lite::pin_project;

use crate::grpc::body::TracedBody;
use crate::grpc::rpc::Rpc;
use crate::grpc::status::{message_of, status_of};

pin_project! {
    /// The response future of [`GrpcServerTrace`](crate::grpc::GrpcServerTrace) and
    /// [`GrpcClientTrace`](crate::grpc::GrpcClientTrace): polls the call inside the RPC's span,
    /// then hands the span to the response body, which finishes it at the end of the stream.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        rpc: Option<Rpc>,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(inner: F, rpc: Rpc) -> Self {
        Self {
            inner,
            rpc: Some(rpc),
        }
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("rpc", &self.rpc)
            .finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<TracedBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(rpc) = this.rpc.as_mut() else {
            panic!("ResponseFuture polled after it completed");
        };
        let poll = {
            let _entered = rpc.span.enter();
            this.inner.poll(cx)
        };
        let Poll::Ready(result) = poll else {
            return Poll::Pending;
        };
        let Some(mut rpc) = this.rpc.take() else {
            unreachable!("checked above");
        };
        Poll::Ready(match result {
            Ok(response) => {
                // A trailers-only response (how an error status usually comes back) has the
                // status in its headers and an empty body.
                if let Some(code) = status_of(response.headers()) {
                    rpc.set_status(code, message_of(response.headers()));
                }
                Ok(response.map(|body| TracedBody::new(body, rpc)))
            }
            Err(e) => {
                rpc.failed::<E>();
                Err(e)
            }
        })
    }
}
