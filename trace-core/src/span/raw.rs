use std::borrow::Cow;
use std::panic::Location;

use crate::callsite::Callsite;
use crate::clock::Instant;
use crate::context::Decision;
use crate::id::{SpanId, TraceId};
use crate::span::SpanKind;
use crate::span::data::SpanData;

/// Where the code that opened a span is, as cheaply as it is known.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Code {
    Callsite(&'static Callsite),
    Caller(&'static Location<'static>),
}

/// A span as the hot path handles it: fixed size, pointers instead of strings where possible,
/// instants instead of wall-clock time. The collector turns it into a [`SpanRecord`].
///
/// [`SpanRecord`]: crate::SpanRecord
#[derive(Debug)]
pub(crate) struct RawSpan {
    pub(crate) trace_id: TraceId,
    pub(crate) span_id: SpanId,
    pub(crate) parent_id: Option<SpanId>,
    /// `Record` or `Defer`: spans that are dropped never get a `RawSpan`.
    pub(crate) decision: Decision,
    /// The first span of its trace in this process: the tail rule decides when it finishes.
    pub(crate) local_root: bool,
    pub(crate) kind: SpanKind,
    pub(crate) name: Cow<'static, str>,
    pub(crate) code: Code,
    pub(crate) start: Instant,
    pub(crate) end: Instant,
    pub(crate) data: SpanData,
}
