//! The current span of this thread: read its context, add to it, or make another context current.
//!
//! ```
//! use trace_core::current;
//! fn store(rows: usize) {
//!     current::set_tag("rows", rows);
//!     current::checkpoint("validated");
//! }
//! ```

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use crate::clock::Instant;
use crate::context::SpanContext;
use crate::local;
use crate::record::Link;
use crate::span::{Status, TagValue};

/// The current span's context, to propagate it (into a header, a message or another thread).
pub fn context() -> Option<SpanContext> {
    local::current()
}

/// Sets a tag on the current span.
///
/// Applies to a span entered on this thread ([`SpanGuard`](crate::SpanGuard), an entered
/// [`Span`](crate::Span), a traced function); under a context merely carried into this thread or
/// task ([`attach`], `in_current_span`) there is no span here to hold it and it is ignored.
pub fn set_tag(key: impl Into<Cow<'static, str>>, value: impl Into<TagValue>) {
    local::with_current_data(|d| d.tags.set(key, value));
}

/// Records that the current span reached `name` now.
pub fn checkpoint(name: impl Into<Cow<'static, str>>) {
    let at = Instant::now();
    local::with_current_data(|d| d.checkpoints.push((name.into(), at)));
}

/// Marks the current span as failed.
pub fn set_error(message: impl Into<Cow<'static, str>>) {
    local::with_current_data(|d| d.status = Some(Status::Error(message.into())));
}

/// Links the current span to another span that is not its parent.
pub fn add_link(other: &SpanContext) {
    let link = Link::from(other);
    local::with_current_data(|d| d.links.push(link));
}

/// Makes `ctx` the current context on this thread until the guard drops, so spans opened meanwhile
/// become its children. Use it where a context arrives by hand: from another thread, a message, or
/// a propagation format.
pub fn attach(ctx: SpanContext) -> Attached {
    Attached {
        depth: local::push(ctx),
        _not_send: PhantomData,
    }
}

/// A context made current by [`attach`]; restores the previous one when dropped.
#[must_use = "the context is current only while the guard lives"]
pub struct Attached {
    depth: usize,
    _not_send: PhantomData<*const ()>,
}

impl Drop for Attached {
    fn drop(&mut self) {
        if self.depth != usize::MAX {
            local::pop(self.depth);
        }
    }
}

impl fmt::Debug for Attached {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attached").finish_non_exhaustive()
    }
}
