//! # trace-core
//!
//! The runtime of a Dapper-style distributed tracer: every request or job starts a **trace**, each
//! activity inside it is a **span** in a tree, and finished spans go to a **recorder**.
//!
//! ```
//! use trace_core::{current, span, Tracer};
//! # #[derive(Debug)] struct Discard;
//! # impl trace_core::Recorder for Discard {
//! #     fn record(&mut self, _: &trace_core::SpanBatch<'_>) -> Result<(), trace_core::RecordError> { Ok(()) }
//! # }
//!
//! let tracer = Tracer::builder().service("demo").recorder(Discard).install().unwrap();
//! {
//!     let mut request = span("GET /users").enter();     // root: no span is current
//!     request.set_tag("http.request.method", "GET");
//!     let _load = span("load user").enter();             // child of `request`
//!     current::checkpoint("cache miss");
//! }
//! let stats = tracer.shutdown().unwrap();                // every finished span delivered
//! assert_eq!(stats.recorded, 2);
//! ```
//!
//! ## How it fits together
//! - [`id`](TraceId) and [`context`](SpanContext): who a span is and what crosses boundaries.
//! - [`span`](mod@span): opening spans ([`SpanGuard`], [`Span`], [`span()`]); [`current`]: the
//!   current span of this thread, found without being passed around; [`FutureExt`] carries it
//!   across `.await`, [`thread`] into threads.
//! - [`sampling`]: which traces record.
//! - The hot path: a finished span is pushed onto a bounded queue that only its thread writes; a
//!   collector thread per tracer drains the queues on a fixed cadence, applies the tail rule and
//!   lends batches ([`SpanBatch`]) to the [`Recorder`]s, which it also flushes on a schedule. The
//!   caller never takes a lock, does I/O or waits.
//! - [`Tracer`]: installs all this and returns the [`TracerGuard`] that flushes it at shutdown.
//! - Integrations, each behind a feature: `http` (tower, axum, reqwest) and `bridge` (feature
//!   `tracing`: spans and events of `tracing`-instrumented libraries join our traces).

#![warn(missing_docs)]

#[doc(hidden)]
pub mod __private;
mod baggage;
mod c_library;
mod callsite;
mod clock;
mod context;
mod id;
mod local;
mod record;
mod trace_state;

#[cfg(feature = "tracing")]
pub mod bridge;
mod collector;
pub mod current;
#[cfg(feature = "tonic")]
pub mod grpc;
#[cfg(feature = "http")]
pub mod http;
pub mod propagation;
pub mod sampling;
pub mod span;
pub mod thread;
#[cfg(feature = "tokio")]
pub mod tokio;
mod tracer;

pub use baggage::{Baggage, BaggageEntry};
pub use callsite::Callsite;
pub use collector::batch::{
    CheckpointView, Checkpoints, Iter as SpanBatchIter, SpanBatch, SpanView,
};
pub use collector::global::orphaned_spans;
pub use collector::recorder::{ErrorHook, ErrorReporter, RecordError, Recorder};
pub use context::{SpanContext, TraceFlags};
pub use id::{IdErrorReason, IdKind, IdParseError, SpanId, TraceId};
pub use record::{Checkpoint, CodeLocation, Link, Process, ProcessParseError, SpanRecord};
pub use sampling::TRACE_INCOMPLETE_TAG;
pub use sampling::{Sampler, TailRule};
pub use span::{
    Entered, FutureExt, InContext, InSpan, Span, SpanBuilder, SpanGuard, SpanKind, Status, Tag,
    TagValue, Tags, span,
};
pub use trace_macros::{trace, traced};
pub use trace_state::TraceState;
pub use tracer::TailStats;
pub use tracer::{Dropped, FlushError, InstallError, Stats, Tracer, TracerBuilder, TracerGuard};
