//! Reading and setting baggage from user code, through the current context.

use crate::baggage::Baggage;
use crate::context::SpanContext;
use crate::current::{self, Attached};

/// The baggage of the current context (empty when nothing is current).
///
/// Spans inherit their parent's baggage, and the HTTP integrations inject it into outgoing
/// requests, so this is what arrived with the request plus what this process added.
pub fn current_baggage() -> Baggage {
    current::context()
        .map(|c| c.baggage().clone())
        .unwrap_or_default()
}

/// The current context carrying `baggage` instead of its own; `None` when nothing is current.
///
/// Use it for async code: `work.in_context(context_with_baggage(b))`, or as the explicit parent of
/// a span: `span("x").child_of_opt(context_with_baggage(b))`.
pub fn context_with_baggage(baggage: Baggage) -> Option<SpanContext> {
    current::context().map(|c| c.with_baggage(baggage))
}

/// Makes the current context carry `baggage` until the guard drops, so spans opened meanwhile (and
/// the requests they send) carry it. `None` when nothing is current (no span, or no tracer).
///
/// While the guard lives, the context it attached is the current one: open a span under it to
/// record tags ([`current::set_tag`] has no span to write to directly under an attached context).
///
/// ```
/// use trace_core::propagation::{attach_baggage, current_baggage};
/// let mut b = current_baggage();
/// b.insert("tenant", "acme").unwrap();
/// let _guard = attach_baggage(b); // None here: no tracer installed, so nothing is current
/// ```
pub fn attach_baggage(baggage: Baggage) -> Option<Attached> {
    context_with_baggage(baggage).map(current::attach)
}
