//! The bridge from [`tracing`](https://docs.rs/tracing) (feature `tracing`): spans and events of
//! `tracing`-instrumented libraries (hyper, tower-http, reqwest middleware, sqlx, tonic, the AWS
//! SDK) join our traces, and our spans nest inside theirs.
//!
//! ```
//! use tracing_subscriber::layer::SubscriberExt;
//! use trace_core::bridge::TracingLayer;
//!
//! let subscriber = tracing_subscriber::registry().with(TracingLayer::new());
//! tracing::subscriber::with_default(subscriber, || {
//!     // `#[tracing::instrument]` spans here become spans of the installed tracer.
//! });
//! ```
//!
//! What becomes what:
//! - **A `tracing` span** becomes one of our spans, named after it, with its target as the code
//!   module and its file and line. Its parent is the innermost span current on this thread (ours,
//!   or a bridged span entered here), else its `tracing` parent (explicit `parent:` included) if
//!   that was bridged, else it starts a trace. So `#[instrument]` inside `#[traced]` nests, and
//!   `#[traced]` and `trace!` inside an entered bridged span (also across `.await` with
//!   `Instrument`) become its children. One trace id throughout, propagated by our HTTP layers.
//! - **Fields** become typed tags: `i64`, `u64`, `f64`, `bool` and `&str` keep their type, `Debug`
//!   values are formatted, errors are displayed; fields recorded later with `Span::record` too.
//! - **An event** inside a span becomes a checkpoint named after its message followed by its
//!   fields (`cache miss key=42`); an event at `ERROR` level also marks the span as failed
//!   ([`TracingLayerBuilder::error_events`] turns that off). `follows_from` becomes a link.
//! - **Ends:** a bridged span may be entered on several threads or polls; it finishes when
//!   `tracing` closes it (its last handle is dropped), wherever that is.
//! - **Sampling:** in a trace the sampler does not record, a bridged span opens nothing of its own:
//!   it carries its parent's context, so the decision still propagates.
//! - **Recorder threads** ([`mark_recorder_thread`](crate::thread::mark_recorder_thread): the
//!   collector, the DynamoDB writer) are ignored, so a recorder whose client emits `tracing`
//!   spans never traces itself.
//!
//! Order the HTTP layers so that ours reads the incoming headers first: with axum,
//! `.layer(tower_http::trace::TraceLayer::new_for_http()).layer(ServerTraceLayer::new())` (the
//! last layer added runs first), and tower-http's request span is a child of our server span.

mod bridged;
mod builder;
mod callsites;
mod entered;
mod fields;
mod layer;

pub use builder::TracingLayerBuilder;
pub use layer::TracingLayer;
