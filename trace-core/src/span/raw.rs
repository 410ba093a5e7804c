use std::panic::Location;

use crate::callsite::Callsite;
use crate::clock::Instant;
use crate::context::{Decision, SpanContext, TraceFlags};
use crate::id::{SpanId, TraceId};
use crate::span::SpanKind;
use crate::span::data::SpanData;

/// Where the code that opened a span is, as cheaply as it is known.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Code {
    Callsite(&'static Callsite),
    Caller(&'static Location<'static>),
}

/// A span as the hot path handles it: a fixed-size record of about 80 bytes, so that moving it
/// (into its guard, into the queue) is a handful of register moves. Strings are pointers to static
/// call-site metadata; times are TSC instants the collector converts; everything variable sits in
/// the optional [`SpanData`] box. Recorders read it through a [`SpanView`].
///
/// [`SpanView`]: crate::SpanView
#[derive(Debug)]
pub(crate) struct RawSpan {
    pub(crate) trace_id: TraceId,
    pub(crate) span_id: SpanId,
    pub(crate) parent_id: Option<SpanId>,
    /// `Record` or `Defer`: spans that are dropped never get a `RawSpan`.
    pub(crate) decision: Decision,
    /// The first span of its trace in this process: the tail rule decides when it finishes.
    pub(crate) local_root: bool,
    pub(crate) flags: TraceFlags,
    pub(crate) kind: SpanKind,
    pub(crate) code: Code,
    pub(crate) start: Instant,
    pub(crate) end: Instant,
    pub(crate) data: Option<Box<SpanData>>,
}

/// What a scoped span keeps in its frame on the thread's stack: its record less what the frame's
/// context already holds (trace and span ids, flags, decision), so that a frame fits in the size
/// the compiler moves with register moves rather than a `memcpy` call.
#[derive(Debug)]
pub(crate) struct FrameRecord {
    pub(crate) parent_id: Option<SpanId>,
    pub(crate) local_root: bool,
    pub(crate) kind: SpanKind,
    pub(crate) code: Code,
    pub(crate) start: Instant,
    pub(crate) data: Option<Box<SpanData>>,
}

impl FrameRecord {
    /// The part of `raw` that is not in its context.
    #[inline(always)]
    pub(crate) fn from_raw(raw: RawSpan) -> Self {
        Self {
            parent_id: raw.parent_id,
            local_root: raw.local_root,
            kind: raw.kind,
            code: raw.code,
            start: raw.start,
            data: raw.data,
        }
    }

    /// The whole record again, finished at `end`; `None` if `ctx` is not a local span's context.
    #[inline(always)]
    pub(crate) fn into_raw(self, ctx: &SpanContext, end: Instant) -> Option<RawSpan> {
        Some(RawSpan {
            trace_id: ctx.trace_id(),
            span_id: ctx.span_id(),
            parent_id: self.parent_id,
            decision: ctx.local_decision()?,
            local_root: self.local_root,
            flags: ctx.flags(),
            kind: self.kind,
            code: self.code,
            start: self.start,
            end,
            data: self.data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_stays_small() {
        // Moves of records up to about 128 bytes compile to inline moves instead of a memcpy call.
        assert!(
            std::mem::size_of::<RawSpan>() <= 96,
            "{}",
            std::mem::size_of::<RawSpan>()
        );
        assert_eq!(
            std::mem::size_of::<Option<RawSpan>>(),
            std::mem::size_of::<RawSpan>()
        );
        // A frame (context, this, parked data, a flag) within the 128 bytes moved inline.
        assert!(std::mem::size_of::<Option<FrameRecord>>() <= 48);
    }
}
