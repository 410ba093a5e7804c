//! Marking a span as failed when the traced code returns `Err` (`err` / `err(Debug)`).

use std::fmt::{Debug, Display};

use crate::span::{Span, SpanGuard, TagValue};

/// What the expansion records into: the [`SpanGuard`] of a sync function or the [`Span`] of a
/// future.
pub trait ErrorSink {
    /// Whether anything set is kept (a tracer is installed and the span samples in).
    fn is_recording(&self) -> bool;
    /// Marks the span as failed.
    fn fail(&mut self, message: String);
    /// Sets a tag.
    fn tag(&mut self, key: &'static str, value: TagValue);
}

/// Both span owners have the same setters; the expansion reaches them through one trait.
macro_rules! error_sink {
    ($($owner:ty),*) => {$(
        impl ErrorSink for $owner {
            #[inline]
            fn is_recording(&self) -> bool {
                Self::is_recording(self)
            }
            fn fail(&mut self, message: String) {
                self.set_error(message);
            }
            fn tag(&mut self, key: &'static str, value: TagValue) {
                self.set_tag(key, value);
            }
        }
    )*};
}

error_sink!(SpanGuard, Span);

/// An error `err` can describe.
#[diagnostic::on_unimplemented(
    message = "`err` records the error with `Display`, but `{Self}` does not implement `Display`",
    label = "`err` needs `{Self}: Display`",
    note = "use `err(Debug)` to record the error through `Debug`"
)]
pub trait ErrorWithDisplay: Display {}
#[diagnostic::do_not_recommend]
impl<T: Display + ?Sized> ErrorWithDisplay for T {}

/// An error `err(Debug)` can describe.
#[diagnostic::on_unimplemented(
    message = "`err(Debug)` records the error with `Debug`, but `{Self}` does not implement `Debug`",
    label = "`err(Debug)` needs `{Self}: Debug`",
    note = "derive `Debug` for it, or use `err` to record it through `Display`"
)]
pub trait ErrorWithDebug: Debug {}
#[diagnostic::do_not_recommend]
impl<T: Debug + ?Sized> ErrorWithDebug for T {}

/// Marks `span` as failed with the error's `Display` text when `result` is an `Err`, and gives
/// `result` back. The value comes first: the expansion's argument order then evaluates the
/// function's returned expression (which may itself leave through a recorded `?`) before it
/// borrows the span.
#[inline]
pub fn record_err_display<S: ErrorSink, T, E: ErrorWithDisplay>(
    result: Result<T, E>,
    span: &mut S,
) -> Result<T, E> {
    if let Err(e) = &result
        && span.is_recording()
    {
        fail(span, e);
    }
    result
}

/// Marks `span` as failed with the error's `Debug` text when `result` is an `Err`, and gives
/// `result` back (see [`record_err_display`]).
#[inline]
pub fn record_err_debug<S: ErrorSink, T, E: ErrorWithDebug>(
    result: Result<T, E>,
    span: &mut S,
) -> Result<T, E> {
    if let Err(e) = &result
        && span.is_recording()
    {
        fail(span, &DebugAsDisplay(e));
    }
    result
}

/// The error path, out of line and compiled once in trace-core: every function with `err` inlines
/// only the `Err` test and the recording check, not the formatting machinery.
#[cold]
#[inline(never)]
fn fail(span: &mut dyn ErrorSink, error: &dyn Display) {
    span.fail(error.to_string());
}

/// `Debug` text through `Display`, for [`fail`].
struct DebugAsDisplay<'a, E: ?Sized>(&'a E);

impl<E: Debug + ?Sized> Display for DebugAsDisplay<'_, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Debug::fmt(self.0, f)
    }
}
