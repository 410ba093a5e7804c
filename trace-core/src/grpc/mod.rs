//! gRPC integration (cargo feature `tonic`): traced tonic servers and clients as `tower` layers,
//! an interceptor that only propagates, and the propagators on tonic's `MetadataMap`.
//!
//! The same trace crosses HTTP and gRPC: both read and write the configured propagators
//! ([`global_propagators`](crate::propagation::global_propagators), W3C by default), and both
//! servers apply a [`TrustPolicy`](crate::propagation::TrustPolicy).
//!
//! - [`GrpcServerLayer`]: a `server` span per RPC, named `package.Service/Method`, tagged with
//!   OpenTelemetry's RPC conventions ([`semconv`]), lasting until the response stream ends.
//! - [`GrpcClientLayer`]: a `client` span per call, its context injected into the metadata.
//! - [`TraceInterceptor`]: injects the current context, opens no span.
//! - `MetadataMap` is a [`Carrier`](crate::propagation::Carrier): ASCII metadata only (`-bin`
//!   keys are ignored); a malformed value starts a fresh trace and never fails the call.
//!
//! ```
//! # #[cfg(feature = "tonic")] {
//! use tower_layer::Layer;
//! use trace_core::grpc::{GrpcClientLayer, GrpcClientTrace, GrpcServerLayer};
//! use trace_core::propagation::{PeerNet, TrustPolicy};
//!
//! // Server: `Server::builder().layer(layer).add_service(..)` traces every RPC of every service.
//! let layer = GrpcServerLayer::new().trust(TrustPolicy::TrustedPeers(PeerNet::loopback().to_vec()));
//!
//! // Client: wrap the channel and give it to the generated client (`MyClient::new(traced)`).
//! fn traced<Channel>(channel: Channel) -> GrpcClientTrace<Channel> {
//!     GrpcClientLayer::new().layer(channel)
//! }
//! # let _ = layer;
//! # }
//! ```

mod body;
mod client;
mod future;
mod messages;
mod metadata;
mod method;
mod rpc;
pub mod semconv;
mod server;
mod status;

pub use body::TracedBody;
pub use client::{GrpcClientLayer, GrpcClientTrace, TraceInterceptor};
pub use future::ResponseFuture;
pub use server::{GrpcServerLayer, GrpcServerTrace};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
