//! The client side: a `tower` layer around a tonic channel that traces every call, and an
//! interceptor that only propagates the current context.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::task::{Context, Poll};

use http::{Request, Response};
use tonic::metadata::MetadataMap;
use tonic::service::Interceptor;
use tower_layer::Layer;
use tower_service::Service;

use crate::current;
use crate::grpc::body::RequestBody;
use crate::grpc::future::ResponseFuture;
use crate::grpc::method::rpc_span;
use crate::grpc::rpc::Rpc;
use crate::grpc::semconv::{SERVER_ADDRESS, SERVER_PORT};
use crate::propagation::{Propagator, Propagators, global_propagators};
use crate::span::SpanKind;

/// A `tower` layer for tonic clients: each call gets a `client` span, a child of the current
/// span, named and tagged as on the server ([`GrpcServerLayer`](crate::grpc::GrpcServerLayer)),
/// whose context is injected into the request metadata. The span lasts until the response stream
/// ends; any status but `OK` marks it as an error, as does a transport error.
///
/// ```
/// # #[cfg(feature = "tonic")] {
/// use tower_layer::Layer;
/// use trace_core::grpc::{GrpcClientLayer, GrpcClientTrace};
/// use trace_core::propagation::{Jaeger, Propagators};
///
/// // `channel` is a `tonic::transport::Channel`; the result goes to the generated client.
/// fn traced<Channel>(channel: Channel) -> GrpcClientTrace<Channel> {
///     GrpcClientLayer::new()
///         .propagators(Propagators::w3c().with(Jaeger))
///         .layer(channel)
/// }
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct GrpcClientLayer {
    propagators: Propagators,
}

impl Default for GrpcClientLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl GrpcClientLayer {
    /// Injects with the global propagators ([`global_propagators`]).
    pub fn new() -> Self {
        Self {
            propagators: global_propagators(),
        }
    }

    /// Injects with these propagators.
    pub fn propagators(mut self, propagators: Propagators) -> Self {
        self.propagators = propagators;
        self
    }

    /// An interceptor that injects with the same propagators but opens no span.
    pub fn interceptor(&self) -> TraceInterceptor {
        TraceInterceptor {
            propagators: self.propagators.clone(),
        }
    }
}

impl<S> Layer<S> for GrpcClientLayer {
    type Service = GrpcClientTrace<S>;

    fn layer(&self, inner: S) -> GrpcClientTrace<S> {
        GrpcClientTrace {
            inner,
            propagators: Arc::new(self.propagators.clone()),
        }
    }
}

/// The service made by [`GrpcClientLayer`].
#[derive(Clone)]
pub struct GrpcClientTrace<S> {
    inner: S,
    propagators: Arc<Propagators>,
}

impl<S: fmt::Debug> fmt::Debug for GrpcClientTrace<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GrpcClientTrace")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

/// Writes `ctx` (or, when no tracer records, the current context, so the trace still propagates)
/// into the metadata held in `headers`.
fn inject(headers: &mut http::HeaderMap, ctx: Option<&crate::SpanContext>, props: &Propagators) {
    let Some(ctx) = ctx.cloned().or_else(current::context) else {
        return;
    };
    let mut metadata = MetadataMap::from_headers(std::mem::take(headers));
    props.inject(&ctx, &mut metadata);
    *headers = metadata.into_headers();
}

impl<S, ResB> Service<Request<tonic::body::Body>> for GrpcClientTrace<S>
where
    S: Service<Request<tonic::body::Body>, Response = Response<ResB>>,
{
    type Response = Response<crate::grpc::TracedBody<ResB>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<tonic::body::Body>) -> Self::Future {
        let (mut parts, body) = req.into_parts();
        let mut builder = rpc_span(parts.uri.path(), SpanKind::Client);
        if let Some(host) = parts.uri.host() {
            builder = builder.tag(SERVER_ADDRESS, host.to_owned());
        }
        if let Some(port) = parts.uri.port_u16() {
            builder = builder.tag(SERVER_PORT, port);
        }
        let span = builder.start();
        inject(&mut parts.headers, span.context(), &self.propagators);

        let requests = Arc::new(AtomicU64::new(0));
        let body = tonic::body::Body::new(RequestBody::new(body, requests.clone()));
        let mut rpc = Rpc::new(span, requests);
        let inner = {
            let _entered = rpc.span.enter();
            self.inner.call(Request::from_parts(parts, body))
        };
        ResponseFuture::new(inner, rpc)
    }
}

/// A tonic [`Interceptor`] that only injects the current context into each call's metadata,
/// opening no span: for clients that trace calls themselves (with `#[traced(kind = client)]`), or
/// where a layer does not fit. Made by [`GrpcClientLayer::interceptor`] (or `default()`, with the
/// global propagators): `MyClient::with_interceptor(channel, GrpcClientLayer::new().interceptor())`.
#[derive(Clone, Debug)]
pub struct TraceInterceptor {
    propagators: Propagators,
}

impl Default for TraceInterceptor {
    fn default() -> Self {
        GrpcClientLayer::new().interceptor()
    }
}

impl Interceptor for TraceInterceptor {
    fn call(&mut self, mut req: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(ctx) = current::context() {
            self.propagators.inject(&ctx, req.metadata_mut());
        }
        Ok(req)
    }
}
