//! The server side: a `tower` layer for tonic servers that traces every RPC.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use tonic::metadata::MetadataMap;
use tower_layer::Layer;
use tower_service::Service;

use crate::grpc::BoxError;
use crate::grpc::body::RequestBody;
use crate::grpc::future::ResponseFuture;
use crate::grpc::method::rpc_span;
use crate::grpc::rpc::Rpc;
use crate::grpc::semconv::CLIENT_ADDRESS;
use crate::http::PeerAddr;
use crate::propagation::{Propagator, Propagators, TrustPolicy, global_propagators};
use crate::span::SpanKind;

/// A `tower` layer for tonic servers that opens a `server` span for every RPC.
///
/// The span is named `package.Service/Method` and tagged `rpc.system = grpc`, `rpc.service`,
/// `rpc.method`, `rpc.grpc.status_code` and the number of messages each way. It is a child of the
/// caller's context, read from the request metadata with the propagators (the global ones,
/// [`Propagators::w3c`] unless set) and believed per the [`TrustPolicy`], as the HTTP server layer
/// does; a malformed or oversized value starts a fresh trace and never fails the call. The
/// handler runs inside it, so its spans and outgoing calls are children. The span lasts until the
/// response stream ends, and any status but `OK`, in the headers or the trailers, marks it as an
/// error.
///
/// ```
/// # #[cfg(feature = "tonic")] {
/// use trace_core::grpc::GrpcServerLayer;
/// use trace_core::propagation::{PeerNet, TrustPolicy};
/// let layer = GrpcServerLayer::new().trust(TrustPolicy::TrustedPeers(PeerNet::loopback().to_vec()));
/// // tonic::transport::Server::builder().layer(layer).add_service(...)
/// # let _ = layer;
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct GrpcServerLayer {
    config: Arc<Config>,
}

#[derive(Clone, Debug)]
struct Config {
    propagators: Propagators,
    trust: TrustPolicy,
}

impl Default for GrpcServerLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl GrpcServerLayer {
    /// The global propagators ([`global_propagators`]), every caller honoured.
    pub fn new() -> Self {
        Self {
            config: Arc::new(Config {
                propagators: global_propagators(),
                trust: TrustPolicy::Honour,
            }),
        }
    }

    /// Reads the caller's context with these propagators.
    pub fn propagators(mut self, propagators: Propagators) -> Self {
        Arc::make_mut(&mut self.config).propagators = propagators;
        self
    }

    /// Whose context to continue.
    pub fn trust(mut self, trust: TrustPolicy) -> Self {
        Arc::make_mut(&mut self.config).trust = trust;
        self
    }
}

impl<S> Layer<S> for GrpcServerLayer {
    type Service = GrpcServerTrace<S>;

    fn layer(&self, inner: S) -> GrpcServerTrace<S> {
        GrpcServerTrace {
            inner,
            config: self.config.clone(),
        }
    }
}

/// The service made by [`GrpcServerLayer`].
#[derive(Clone)]
pub struct GrpcServerTrace<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S: fmt::Debug> fmt::Debug for GrpcServerTrace<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GrpcServerTrace")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

/// The caller's address: tonic's connection info, or a [`PeerAddr`] put there by the user.
fn peer_of<B>(req: &Request<B>) -> Option<SocketAddr> {
    if let Some(PeerAddr(a)) = req.extensions().get::<PeerAddr>() {
        return Some(*a);
    }
    req.extensions()
        .get::<tonic::transport::server::TcpConnectInfo>()
        .and_then(|c| c.remote_addr())
}

impl<S, ReqB, ResB> Service<Request<ReqB>> for GrpcServerTrace<S>
where
    S: Service<Request<tonic::body::Body>, Response = Response<ResB>>,
    ReqB: http_body::Body<Data = Bytes> + Send + 'static,
    ReqB::Error: Into<BoxError>,
{
    type Response = Response<crate::grpc::TracedBody<ResB>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqB>) -> Self::Future {
        let peer = peer_of(&req);
        let (mut parts, body) = req.into_parts();
        // The headers are the metadata: read them as such (ASCII only, `-bin` ignored), without
        // a copy.
        let metadata = MetadataMap::from_headers(std::mem::take(&mut parts.headers));
        let remote = self.config.propagators.extract(&metadata);
        parts.headers = metadata.into_headers();

        let mut builder = rpc_span(parts.uri.path(), SpanKind::Server);
        if let Some(peer) = peer {
            builder = builder.tag(CLIENT_ADDRESS, peer.ip().to_string());
        }
        let span = self
            .config
            .trust
            .server_parent(builder, remote, peer.map(|p| p.ip()))
            .start();

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
