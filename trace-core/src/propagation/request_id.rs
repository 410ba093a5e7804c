//! The Go original's `X-Request-Id: <trace>:<span>` header.
//!
//! The Go tracer (SpirentOrion/trace) used random positive 63-bit integers written in decimal. Our
//! trace ids have 128 bits and span ids 64, so:
//! - we **write** our native hex form, `<32 hex trace>:<16 hex span>`;
//! - we **read** that form, and also the Go form `<decimal trace>:<decimal span>`: a decimal trace
//!   id is zero-extended to 128 bits (the Go id `3256804271831811860` becomes trace
//!   `00000000000000002d327e3add828714`), a decimal span id is the 64-bit span id itself. Which
//!   form a pair is in is decided by the trace part (32 hex digits, or up to 20 decimal digits),
//!   so a 16-digit span that is all decimal digits is never ambiguous.
//!
//! The header has no sampling flag; the Go tracer recorded everything, so a context read from it
//! is sampled. Honour it only from trusted peers (the server layer's trust policy), as the Go
//! middleware did.

use crate::context::{SpanContext, TraceFlags};
use crate::id::{SpanId, TraceId};
use crate::propagation::Propagator;
use crate::propagation::carrier::{Carrier, CarrierMut, single};
use crate::propagation::ids::u64_decimal;

const MAX_LEN: usize = 128;

/// The `X-Request-Id` propagator (header name [`RequestId::HEADER`]).
///
/// ```
/// use std::collections::HashMap;
/// use trace_core::propagation::{Propagator, RequestId};
/// let mut h = HashMap::new();
/// h.insert("X-Request-Id".to_string(), "3256804271831811860:7392292512756813022".to_string());
/// let ctx = RequestId.extract(&h).unwrap();
/// assert_eq!(ctx.trace_id().to_u128(), 3256804271831811860);
/// assert_eq!(ctx.span_id().to_u64(), 7392292512756813022);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestId;

impl RequestId {
    /// The header name, as sent.
    pub const HEADER: &'static str = "x-request-id";

    /// Parses `<trace>:<span>` in hex or decimal form.
    pub fn parse(value: &str) -> Option<SpanContext> {
        let v = value.trim_matches([' ', '\t']);
        if v.len() > MAX_LEN {
            return None;
        }
        let (trace, span) = v.split_once(':')?;
        let (trace_id, span_id) = if trace.len() == 32 {
            (TraceId::from_hex(trace).ok()?, SpanId::from_hex(span).ok()?)
        } else {
            (
                TraceId::from_u128(u128::from(u64_decimal(trace)?))?,
                SpanId::from_u64(u64_decimal(span)?)?,
            )
        };
        Some(SpanContext::new_remote(
            trace_id,
            span_id,
            TraceFlags::SAMPLED,
        ))
    }

    /// The request header value for the span `ctx`: `<trace>:<span>` in hex.
    pub fn format(ctx: &SpanContext) -> String {
        format!("{}:{}", ctx.trace_id(), ctx.span_id())
    }
}

impl Propagator for RequestId {
    fn extract(&self, carrier: &dyn Carrier) -> Option<SpanContext> {
        Self::parse(single(carrier, Self::HEADER, MAX_LEN)?)
    }

    fn inject(&self, ctx: &SpanContext, carrier: &mut dyn CarrierMut) {
        carrier.set(Self::HEADER, Self::format(ctx));
    }

    fn fields(&self) -> Vec<String> {
        vec![Self::HEADER.into()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_decimal_and_native_hex_forms() {
        let c = RequestId::parse("3256804271831811860:7392292512756813022").unwrap();
        assert_eq!(c.trace_id().to_string(), "00000000000000002d327e3add828714");
        assert!(c.is_sampled());
        let hex = RequestId::format(&c);
        assert_eq!(hex, "00000000000000002d327e3add828714:6696b2dfd2a64cde");
        assert_eq!(RequestId::parse(&hex), Some(c));
        // A 16-digit decimal-looking span is hex when the trace is hex.
        let c = RequestId::parse("4bf92f3577b34da6a3ce929d0e0e4736:1234567890123456").unwrap();
        assert_eq!(c.span_id().to_u64(), 0x1234_5678_9012_3456);
    }

    #[test]
    fn invalid_values() {
        for bad in [
            "",
            "f58a3c9e-2c4f-4a57-9b2e-0f0d3b1c8a11",
            "123",
            "123:",
            ":123",
            "0:1",
            "1:0",
            "1:2:3",
            "18446744073709551616:1",
            "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b",
            "4BF92F3577B34DA6A3CE929D0E0E4736:00f067aa0ba902b7",
            "4bf92f3577b34da6a3ce929d0e0e4736:7392292512756813022",
            "-1:5",
        ] {
            assert!(RequestId::parse(bad).is_none(), "accepted {bad:?}");
        }
        assert!(RequestId::parse(&format!("1:{}", "1".repeat(200))).is_none());
    }
}
