//! Trace context on the wire: the header formats that carry a [`SpanContext`](crate::SpanContext)
//! between processes.
//!
//! - A [`Carrier`] reads headers (every value of a name, case-insensitively) and a [`CarrierMut`]
//!   writes them; implemented for plain maps and pair lists here, and for `http::HeaderMap` with
//!   the `http` feature and tonic's `MetadataMap` with the `tonic` feature.
//! - A [`Propagator`] is one format; [`Propagators`] combines several (extract: the first that
//!   finds a context, then every one adds its baggage; inject: all of them). Baggage keys that
//!   differ only in case are one member across formats (Jaeger's header names cannot keep case),
//!   and W3C's spelling wins.
//! - Formats: W3C [`TraceContext`] (`traceparent`, `tracestate`) and [`W3cBaggage`] (the
//!   default pair, [`Propagators::w3c`]), [`TraceResponse`] (Level 2), [`B3`] single and multi,
//!   [`Jaeger`] (`uber-trace-id`, `uberctx-*`), [`CloudTrace`] (`X-Cloud-Trace-Context`) and
//!   [`RequestId`] (the Go original's `X-Request-Id`).
//! - Bad input never errors: the format yields `None` and the caller starts a fresh trace. Every
//!   header is examined up to a fixed size, so a hostile peer costs bounded work.
//! - [`TrustPolicy`] says whose context a server believes.
//!
//! ```
//! use std::collections::HashMap;
//! use trace_core::propagation::{Propagator, Propagators};
//! let props = Propagators::w3c();
//! let mut incoming = HashMap::new();
//! incoming.insert("traceparent".to_string(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string());
//! incoming.insert("baggage".to_string(), "user=ann".to_string());
//! let ctx = props.extract(&incoming).unwrap();
//! assert_eq!(ctx.baggage().get("user"), Some("ann"));
//! let mut outgoing = HashMap::new();
//! props.inject(&ctx, &mut outgoing);
//! assert_eq!(outgoing["baggage"], "user=ann");
//! ```

mod b3;
#[cfg(test)]
mod baggage_hops;
mod carrier;
mod cloud_trace;
mod current_baggage;
mod ids;
mod jaeger;
mod propagator;
mod request_id;
mod trust;
pub(crate) mod w3c;

pub use b3::{B3, B3Encoding};
pub use carrier::{Carrier, CarrierMut};
pub use cloud_trace::CloudTrace;
pub use current_baggage::{attach_baggage, context_with_baggage, current_baggage};
pub use jaeger::Jaeger;
pub use propagator::{Propagator, Propagators, global_propagators, set_global_propagators};
pub use request_id::RequestId;
pub use trust::{PeerNet, TrustPolicy};
pub use w3c::baggage::{
    BaggageError, BaggageLimits, MIN_BYTES as BAGGAGE_MIN_BYTES,
    MIN_MEMBERS as BAGGAGE_MIN_MEMBERS, W3cBaggage, extract_baggage, format_baggage,
    is_valid_key as is_valid_baggage_key, parse_baggage,
};
pub use w3c::trace_context::TraceContext;
pub use w3c::traceparent::{MAX_TRACEPARENT_LEN, TraceParent};
pub use w3c::traceresponse::TraceResponse;
pub use w3c::tracestate::{
    MAX_MEMBERS as MAX_TRACE_STATE_MEMBERS, TraceStateError, extract_trace_state,
    format_trace_state, is_valid_key as is_valid_trace_state_key,
    is_valid_value as is_valid_trace_state_value, parse_trace_state,
};
