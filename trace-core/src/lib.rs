//! # trace-core
//!
//! The runtime of a Dapper-style distributed tracer: every request or job starts a **trace**, each
//! activity inside it is a **span** in a tree, and finished spans go to a **recorder**.
//!
//! ```
//! use trace_core::{current, span, Tracer};
//! # #[derive(Debug)] struct Discard;
//! # impl trace_core::Recorder for Discard {
//! #     fn record(&mut self, _: &[trace_core::SpanRecord]) -> Result<(), trace_core::RecordError> { Ok(()) }
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
//!   collector thread per tracer drains the queues, converts times, applies the tail rule and hands
//!   batches to the [`Recorder`]s. The caller never takes a lock, does I/O or waits.
//! - [`Tracer`]: installs all this and returns the [`TracerGuard`] that flushes it at shutdown.

#![warn(missing_docs)]

#[doc(hidden)]
pub mod __private;
mod baggage;
mod callsite;
mod clock;
mod context;
mod id;
mod local;
mod record;
mod recorder;
mod trace_state;

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
pub use context::{SpanContext, TraceFlags};
pub use id::{IdErrorReason, IdKind, IdParseError, SpanId, TraceId};
pub use record::{Checkpoint, CodeLocation, Link, Process, ProcessParseError, SpanRecord};
pub use recorder::{ErrorHook, ErrorReporter, RecordError, Recorder};
pub use sampling::{Sampler, TailRule};
pub use span::{
    Entered, FutureExt, InContext, InSpan, Span, SpanBuilder, SpanGuard, SpanKind, Status, Tag,
    TagValue, Tags, span,
};
pub use trace_macros::{trace, traced};
pub use trace_state::TraceState;
pub use tracer::global::orphaned_spans;
pub use tracer::{Dropped, FlushError, InstallError, Stats, Tracer, TracerBuilder, TracerGuard};
