//! The part of a span that crosses boundaries: to children, to other threads and tasks, and (through
//! the propagation formats) to other processes.

use crate::baggage::Baggage;
use crate::id::{SpanId, TraceId};
use crate::trace_state::TraceState;

/// The W3C trace flags byte.
///
/// Only bit 0 (sampled) and, from Level 2, bit 1 (random trace id) have a meaning; they are always
/// tested by mask, never by comparing the whole byte, so unknown bits from a newer peer do no harm.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TraceFlags(u8);

impl TraceFlags {
    /// The caller recorded this span: downstream should record too.
    pub const SAMPLED: Self = Self(0x01);
    /// W3C Level 2: at least the rightmost 7 bytes of the trace id are random.
    pub const RANDOM_TRACE_ID: Self = Self(0x02);

    /// Flags from the wire byte, unknown bits included (they are masked on output).
    pub const fn from_bits(bits: u8) -> Self {
        Self(bits)
    }

    /// The wire byte.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Whether the sampled bit is set.
    pub const fn is_sampled(self) -> bool {
        self.0 & Self::SAMPLED.0 != 0
    }

    /// Whether the random-trace-id bit is set.
    pub const fn is_random_trace_id(self) -> bool {
        self.0 & Self::RANDOM_TRACE_ID.0 != 0
    }

    /// These flags with the sampled bit set or cleared.
    #[must_use]
    pub const fn with_sampled(self, sampled: bool) -> Self {
        if sampled {
            Self(self.0 | Self::SAMPLED.0)
        } else {
            Self(self.0 & !Self::SAMPLED.0)
        }
    }

    /// These flags with the random-trace-id bit set or cleared.
    #[must_use]
    pub const fn with_random_trace_id(self, random: bool) -> Self {
        if random {
            Self(self.0 | Self::RANDOM_TRACE_ID.0)
        } else {
            Self(self.0 & !Self::RANDOM_TRACE_ID.0)
        }
    }
}

/// What this process decided to do with the spans of a trace.
///
/// The wire only says "sampled or not"; in-process there is a third state, for the tail rule: record
/// provisionally and decide when the local root finishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Decision {
    /// Record every span.
    Record,
    /// Record provisionally; the tail rule keeps or discards the trace when its local root ends.
    Defer,
    /// Record nothing, only propagate.
    Drop,
}

impl Decision {
    pub(crate) const fn records(self) -> bool {
        !matches!(self, Self::Drop)
    }
}

/// Identity and propagated state of one span: what a child, another thread or another process
/// needs in order to continue the trace.
///
/// Cloning is cheap: the trace state and baggage are shared, and usually empty.
///
/// ```
/// use trace_core::{SpanContext, SpanId, TraceFlags, TraceId};
/// let remote = SpanContext::new_remote(
///     "4bf92f3577b34da6a3ce929d0e0e4736".parse().unwrap(),
///     "00f067aa0ba902b7".parse().unwrap(),
///     TraceFlags::SAMPLED,
/// );
/// assert!(remote.is_remote());
/// assert!(remote.is_sampled());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpanContext {
    trace_id: TraceId,
    span_id: SpanId,
    flags: TraceFlags,
    origin: Origin,
    trace_state: TraceState,
    baggage: Baggage,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// Extracted from another process: this process has not decided yet.
    Remote,
    /// A span of this process, with the decision its trace carries here.
    Local(Decision),
}

impl SpanContext {
    /// A context received from another process (for example parsed from a `traceparent` header).
    ///
    /// Spans started as its children are local roots of this process; the sampler decides whether
    /// to follow its sampled flag.
    pub fn new_remote(trace_id: TraceId, span_id: SpanId, flags: TraceFlags) -> Self {
        Self {
            trace_id,
            span_id,
            flags,
            origin: Origin::Remote,
            trace_state: TraceState::default(),
            baggage: Baggage::default(),
        }
    }

    pub(crate) fn new_local(
        trace_id: TraceId,
        span_id: SpanId,
        flags: TraceFlags,
        decision: Decision,
        trace_state: TraceState,
        baggage: Baggage,
    ) -> Self {
        Self {
            trace_id,
            span_id,
            flags,
            origin: Origin::Local(decision),
            trace_state,
            baggage,
        }
    }

    /// The trace this span belongs to.
    pub fn trace_id(&self) -> TraceId {
        self.trace_id
    }

    /// This span's id: the parent id of its children.
    pub fn span_id(&self) -> SpanId {
        self.span_id
    }

    /// The trace flags as they go on the wire.
    pub fn flags(&self) -> TraceFlags {
        self.flags
    }

    /// Whether the trace is sampled (recorded) upstream or here.
    pub fn is_sampled(&self) -> bool {
        self.flags.is_sampled()
    }

    /// Whether this context came from another process.
    pub fn is_remote(&self) -> bool {
        matches!(self.origin, Origin::Remote)
    }

    /// The vendor-specific `tracestate` entries carried with the trace.
    pub fn trace_state(&self) -> &TraceState {
        &self.trace_state
    }

    /// The W3C baggage carried with the trace.
    pub fn baggage(&self) -> &Baggage {
        &self.baggage
    }

    /// This context with another trace state.
    #[must_use]
    pub fn with_trace_state(mut self, trace_state: TraceState) -> Self {
        self.trace_state = trace_state;
        self
    }

    /// This context with another baggage.
    #[must_use]
    pub fn with_baggage(mut self, baggage: Baggage) -> Self {
        self.baggage = baggage;
        self
    }

    /// This context with other flags.
    #[must_use]
    pub fn with_flags(mut self, flags: TraceFlags) -> Self {
        self.flags = flags;
        self
    }

    /// The local decision, if this context belongs to a span of this process.
    pub(crate) fn local_decision(&self) -> Option<Decision> {
        match self.origin {
            Origin::Remote => None,
            Origin::Local(d) => Some(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_tested_by_mask() {
        let f = TraceFlags::from_bits(0xff);
        assert!(f.is_sampled() && f.is_random_trace_id());
        let f = f.with_sampled(false);
        assert!(!f.is_sampled());
        assert_eq!(f.bits(), 0xfe);
        assert!(
            TraceFlags::default()
                .with_random_trace_id(true)
                .is_random_trace_id()
        );
    }

    #[test]
    fn remote_context_has_no_local_decision() {
        let ctx = SpanContext::new_remote(TraceId::random(), SpanId::random(), TraceFlags::SAMPLED);
        assert!(ctx.is_remote());
        assert_eq!(ctx.local_decision(), None);
        assert!(ctx.trace_state().is_empty() && ctx.baggage().is_empty());
    }
}
