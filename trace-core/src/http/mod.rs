//! HTTP integration (cargo features): the propagators on `http::HeaderMap` (`http`), traced
//! servers and clients as `tower` layers (`tower`, `axum`) and traced `reqwest` requests
//! (`reqwest`).
//!
//! Spans carry OpenTelemetry's HTTP semantic-convention tag names ([`semconv`]).
//!
//! Adding the layers to an axum app (features `axum`):
//!
//! ```
//! # #[cfg(feature = "axum")] {
//! use axum::{Router, routing::get};
//! use trace_core::http::ServerTraceLayer;
//! use trace_core::propagation::TrustPolicy;
//!
//! let app: Router = Router::new()
//!     .route("/users/{id}", get(|| async { "ann" }))
//!     // Spans are named `GET /users/{id}`; the trace id goes back in `traceresponse`.
//!     .layer(ServerTraceLayer::new().trust(TrustPolicy::Honour).trace_response(true));
//! # }
//! ```

mod header_map;
pub mod semconv;

#[cfg(feature = "tower")]
mod client;
#[cfg(feature = "tower")]
mod names;
#[cfg(feature = "tower")]
mod response;
#[cfg(feature = "tower")]
mod server;
#[cfg(feature = "tower")]
pub(crate) mod status;

#[cfg(feature = "reqwest")]
mod reqwest;

#[cfg(feature = "tower")]
pub use client::{ClientTrace, ClientTraceLayer};
#[cfg(feature = "reqwest")]
pub use reqwest::RequestBuilderExt;
#[cfg(feature = "tower")]
pub use response::ResponseFuture;
#[cfg(feature = "tower")]
pub use server::{PeerAddr, ServerTrace, ServerTraceLayer};
