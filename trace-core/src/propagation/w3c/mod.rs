//! W3C Trace Context (Level 1, with the Level 2 random flag and `traceresponse`) and W3C Baggage.

pub(crate) mod baggage;
pub(crate) mod trace_context;
pub(crate) mod traceparent;
pub(crate) mod traceresponse;
pub(crate) mod tracestate;
