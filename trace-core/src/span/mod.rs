//! Spans: opening them, adding to them while they run, and finishing them.
//!
//! - [`SpanGuard`]: a span bound to the current scope on this thread; it is the current span until
//!   the guard drops, and finishes then.
//! - [`Span`]: a span that can move between threads and be entered repeatedly, as a future is on
//!   every poll ([`FutureExt::in_span`]).
//! - [`span()`](crate::span()): a builder for dynamic names, explicit parents and initial tags.

pub(crate) mod data;
pub(crate) mod raw;

mod builder;
mod future;
mod guard;
mod kind;
mod owned;
mod setters;
mod start;
mod status;
mod tag;

pub use builder::{SpanBuilder, span};
pub use future::{FutureExt, InContext, InSpan};
pub use guard::SpanGuard;
pub use kind::{SpanKind, UnknownSpanKind};
pub use owned::{Entered, Span};
pub use status::Status;
pub use tag::{INLINE_TAGS, Tag, TagValue, Tags};
