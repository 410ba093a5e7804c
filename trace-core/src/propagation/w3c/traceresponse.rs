//! W3C Trace Context Level 2 `traceresponse`: the callee tells the caller which trace and span
//! served the request (`00-<trace-id>-<child-id>-<flags>`).

use crate::context::SpanContext;
use crate::propagation::w3c::traceparent::TraceParent;

/// The `traceresponse` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceResponse;

impl TraceResponse {
    /// The header name.
    pub const HEADER: &'static str = "traceresponse";

    /// The value for the server span `ctx`.
    ///
    /// ```
    /// use trace_core::{SpanContext, TraceFlags};
    /// use trace_core::propagation::TraceResponse;
    /// let ctx = SpanContext::new_remote(
    ///     "4bf92f3577b34da6a3ce929d0e0e4736".parse().unwrap(),
    ///     "00f067aa0ba902b7".parse().unwrap(),
    ///     TraceFlags::SAMPLED,
    /// );
    /// assert_eq!(TraceResponse::format(&ctx), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    /// ```
    pub fn format(ctx: &SpanContext) -> String {
        TraceParent::format_context(ctx)
    }

    /// Parses a `traceresponse` value (same grammar as `traceparent`); the span id is the callee's.
    pub fn parse(value: &str) -> Option<TraceParent> {
        TraceParent::parse(value)
    }
}
