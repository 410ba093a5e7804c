//! The client side: a `tower` layer for hyper-based clients.

use std::fmt;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::current;
use crate::http::response::ResponseFuture;
use crate::http::semconv::{HTTP_REQUEST_METHOD, SERVER_ADDRESS, SERVER_PORT, URL_FULL};
use crate::http::status::Side;
use crate::propagation::{Propagator, Propagators, global_propagators};
use crate::span::{Span, SpanKind, span};

/// A `tower` layer for HTTP clients (such as `hyper_util::client::legacy::Client`): each request
/// gets a `client` span, a child of the current span, whose context is injected into the request
/// headers; the response status is recorded on it.
///
/// ```
/// use trace_core::http::ClientTraceLayer;
/// use trace_core::propagation::{B3, Propagators, TraceContext};
/// let layer = ClientTraceLayer::new()
///     .propagators(Propagators::new().with(TraceContext::default()).with(B3::multi()));
/// # let _ = layer;
/// ```
#[derive(Clone, Debug)]
pub struct ClientTraceLayer {
    propagators: Propagators,
}

impl Default for ClientTraceLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientTraceLayer {
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
}

impl<S> Layer<S> for ClientTraceLayer {
    type Service = ClientTrace<S>;

    fn layer(&self, inner: S) -> ClientTrace<S> {
        ClientTrace {
            inner,
            propagators: self.propagators.clone(),
        }
    }
}

/// The service made by [`ClientTraceLayer`].
#[derive(Clone)]
pub struct ClientTrace<S> {
    inner: S,
    propagators: Propagators,
}

impl<S: fmt::Debug> fmt::Debug for ClientTrace<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientTrace")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

/// Opens the client span for a request to `uri` and injects its context (or, when no tracer
/// records, the current context, so the trace still propagates) into `headers`.
pub(crate) fn start_client_span(
    method: &http::Method,
    uri: &str,
    host: Option<&str>,
    port: Option<u16>,
    path: &str,
    headers: &mut http::HeaderMap,
    propagators: &Propagators,
) -> Span {
    let mut builder = span(format!("{} {path}", method.as_str()))
        .kind(SpanKind::Client)
        .tag(HTTP_REQUEST_METHOD, method.as_str().to_owned())
        .tag(URL_FULL, uri.to_owned());
    if let Some(host) = host {
        builder = builder.tag(SERVER_ADDRESS, host.to_owned());
    }
    if let Some(port) = port {
        builder = builder.tag(SERVER_PORT, port);
    }
    let span = builder.start();
    if let Some(ctx) = span.context().cloned().or_else(current::context) {
        propagators.inject(&ctx, headers);
    }
    span
}

impl<S, ReqB, ResB> Service<Request<ReqB>> for ClientTrace<S>
where
    S: Service<Request<ReqB>, Response = Response<ResB>>,
{
    type Response = Response<ResB>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqB>) -> Self::Future {
        let method = req.method().clone();
        let uri = req.uri().clone();
        let mut span = start_client_span(
            &method,
            &uri.to_string(),
            uri.host(),
            uri.port_u16(),
            uri.path(),
            req.headers_mut(),
            &self.propagators,
        );
        let inner = {
            let _entered = span.enter();
            self.inner.call(req)
        };
        ResponseFuture::new(inner, span, Side::Client, Vec::new())
    }
}
