//! The server side: a `tower` layer that traces every request.

use std::borrow::Cow;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{HeaderName, HeaderValue};
use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::http::names::{method_name, route_names};
use crate::http::response::ResponseFuture;
use crate::http::semconv::{CLIENT_ADDRESS, HTTP_REQUEST_METHOD, HTTP_ROUTE, URL_PATH};
use crate::http::status::Side;
use crate::propagation::{
    Propagator, Propagators, RequestId, TraceResponse, TrustPolicy, global_propagators,
};
use crate::span::{SpanKind, span};

/// The caller's address, for [`TrustPolicy::TrustedPeers`]: insert it into the request's
/// extensions when serving with plain hyper (axum's `ConnectInfo<SocketAddr>` is read too, with the
/// `axum` feature).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

#[derive(Clone, Debug)]
struct Config {
    propagators: Propagators,
    trust: TrustPolicy,
    trace_response: bool,
    request_id: bool,
}

/// A `tower` layer that opens a `server` span for each request.
///
/// For each request it extracts the caller's context (per the [`TrustPolicy`]), opens a span named
/// `<METHOD> <route>` (axum's matched route with the `axum` feature, else the path without the
/// query) as a child of that context or as a new trace, tags it with `http.request.method`,
/// `url.path`, `http.route`, `http.response.status_code` and `error.type`, and runs the inner
/// service inside it, so the handler's spans and outgoing calls are its children. Optionally it
/// answers with `traceresponse` and/or `X-Request-Id: <trace id>` so every request's trace can be
/// found.
///
/// ```
/// use trace_core::http::ServerTraceLayer;
/// use trace_core::propagation::{PeerNet, TrustPolicy};
/// let layer = ServerTraceLayer::new()
///     .trust(TrustPolicy::TrustedPeers(vec!["10.0.0.0/8".parse().unwrap()]))
///     .trace_response(true)
///     .request_id(true);
/// # let _ = layer;
/// ```
#[derive(Clone, Debug)]
pub struct ServerTraceLayer {
    config: Arc<Config>,
}

impl Default for ServerTraceLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerTraceLayer {
    /// The global propagators ([`global_propagators`]), every caller honoured, no response headers.
    pub fn new() -> Self {
        Self {
            config: Arc::new(Config {
                propagators: global_propagators(),
                trust: TrustPolicy::Honour,
                trace_response: false,
                request_id: false,
            }),
        }
    }

    fn edit(mut self, f: impl FnOnce(&mut Config)) -> Self {
        f(Arc::make_mut(&mut self.config));
        self
    }

    /// Reads the caller's context with these propagators.
    pub fn propagators(self, propagators: Propagators) -> Self {
        self.edit(|c| c.propagators = propagators)
    }

    /// Whose context to continue.
    pub fn trust(self, trust: TrustPolicy) -> Self {
        self.edit(|c| c.trust = trust)
    }

    /// Answers with the W3C Level 2 `traceresponse` header (trace id and server span id).
    pub fn trace_response(self, on: bool) -> Self {
        self.edit(|c| c.trace_response = on)
    }

    /// The Go original's behaviour: answers with `X-Request-Id: <trace id>`, and rewrites the
    /// request's `X-Request-Id` to `<trace id>:<server span id>` for the handler.
    pub fn request_id(self, on: bool) -> Self {
        self.edit(|c| c.request_id = on)
    }
}

impl<S> Layer<S> for ServerTraceLayer {
    type Service = ServerTrace<S>;

    fn layer(&self, inner: S) -> ServerTrace<S> {
        ServerTrace {
            inner,
            config: self.config.clone(),
        }
    }
}

/// The service made by [`ServerTraceLayer`].
#[derive(Clone)]
pub struct ServerTrace<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S: fmt::Debug> fmt::Debug for ServerTrace<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerTrace")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

fn peer_of<B>(req: &Request<B>) -> Option<SocketAddr> {
    if let Some(PeerAddr(a)) = req.extensions().get::<PeerAddr>() {
        return Some(*a);
    }
    #[cfg(feature = "axum")]
    if let Some(axum::extract::ConnectInfo(a)) = req
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
    {
        return Some(*a);
    }
    None
}

fn route_of<B>(req: &Request<B>) -> Option<&str> {
    #[cfg(feature = "axum")]
    if let Some(m) = req.extensions().get::<axum::extract::MatchedPath>() {
        return Some(m.as_str());
    }
    let _ = req;
    None
}

impl<S, ReqB, ResB> Service<Request<ReqB>> for ServerTrace<S>
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
        let config = &self.config;
        let peer = peer_of(&req);
        let remote = config.propagators.extract(req.headers());
        let method = method_name(req.method());
        let route = route_of(&req);
        // A known route's name and template are static strings, made once (see `names`).
        let names = method.zip(route).and_then(|(m, r)| route_names(m, r));
        let name: Cow<'static, str> = match (names, route) {
            (Some(n), _) => Cow::Borrowed(n.name),
            (None, Some(route)) => Cow::Owned(format!("{} {route}", req.method())),
            (None, None) => Cow::Owned(format!("{} {}", req.method(), req.uri().path())),
        };
        let builder = span(name).kind(SpanKind::Server);
        let mut span = config
            .trust
            .server_parent(builder, remote, peer.map(|p| p.ip()))
            .start();
        // Tags go on the open span, not the builder: an unsampled request makes none of them,
        // and a sampled one writes them straight into the span's recycled data box.
        if span.is_recording() {
            let method: Cow<'static, str> = match method {
                Some(m) => Cow::Borrowed(m),
                None => Cow::Owned(req.method().as_str().to_owned()),
            };
            span.set_tag(HTTP_REQUEST_METHOD, method);
            let path = req.uri().path();
            let path: Cow<'static, str> = match names {
                // A route without parameters is its own path.
                Some(n) if n.route == path => Cow::Borrowed(n.route),
                _ => Cow::Owned(path.to_owned()),
            };
            span.set_tag(URL_PATH, path);
            match (names, route) {
                (Some(n), _) => span.set_tag(HTTP_ROUTE, n.route),
                (None, Some(route)) => span.set_tag(HTTP_ROUTE, route.to_owned()),
                (None, None) => {}
            }
            if let Some(peer) = peer {
                span.set_tag(CLIENT_ADDRESS, peer.ip().to_string());
            }
        }

        let mut response_headers = Vec::new();
        if let Some(ctx) = span.context() {
            if config.trace_response
                && let Ok(v) = HeaderValue::from_str(&TraceResponse::format(ctx))
            {
                response_headers.push((HeaderName::from_static(TraceResponse::HEADER), v));
            }
            if config.request_id {
                if let Ok(v) = HeaderValue::from_str(&ctx.trace_id().to_string()) {
                    response_headers.push((HeaderName::from_static(RequestId::HEADER), v));
                }
                if let Ok(v) = HeaderValue::from_str(&RequestId::format(ctx)) {
                    req.headers_mut()
                        .insert(HeaderName::from_static(RequestId::HEADER), v);
                }
            }
        }

        let inner = {
            let _entered = span.enter();
            self.inner.call(req)
        };
        ResponseFuture::new(inner, span, Side::Server, response_headers)
    }
}
