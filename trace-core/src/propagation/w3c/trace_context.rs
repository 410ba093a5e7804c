//! The W3C Trace Context propagator: `traceparent` with `tracestate`.

use crate::context::SpanContext;
use crate::propagation::Propagator;
use crate::propagation::carrier::{Carrier, CarrierMut, single};
use crate::propagation::w3c::traceparent::{MAX_TRACEPARENT_LEN, TraceParent};
use crate::propagation::w3c::tracestate::{
    DEFAULT_MAX_LEN, extract_trace_state, format_trace_state,
};

/// W3C Trace Context: reads and writes `traceparent` and `tracestate`.
///
/// Extraction follows the processing model: a missing, repeated or invalid `traceparent` gives
/// `None` (and its `tracestate` is discarded); a valid one gives a remote context whose
/// `tracestate` is whatever parsed (an invalid `tracestate` is dropped alone). Injection writes
/// the context's trace id, its own span id as parent and the sampled and random-trace-id flags,
/// and the `tracestate` as carried (truncated by whole members beyond the configured length).
#[derive(Clone, Copy, Debug)]
pub struct TraceContext {
    max_trace_state_len: usize,
}

impl Default for TraceContext {
    fn default() -> Self {
        Self {
            max_trace_state_len: DEFAULT_MAX_LEN,
        }
    }
}

impl TraceContext {
    /// Sends at most `len` characters of `tracestate` (never less than the spec's 512).
    pub fn max_trace_state_len(mut self, len: usize) -> Self {
        self.max_trace_state_len = len.max(DEFAULT_MAX_LEN);
        self
    }
}

impl Propagator for TraceContext {
    fn extract(&self, carrier: &dyn Carrier) -> Option<SpanContext> {
        let value = single(carrier, "traceparent", MAX_TRACEPARENT_LEN)?;
        let tp = TraceParent::parse(value)?;
        let ctx = SpanContext::new_remote(tp.trace_id, tp.parent_id, tp.flags);
        Some(ctx.with_trace_state(extract_trace_state(carrier)))
    }

    fn inject(&self, ctx: &SpanContext, carrier: &mut dyn CarrierMut) {
        carrier.set("traceparent", TraceParent::format_context(ctx));
        if let Some(ts) = format_trace_state(ctx.trace_state(), self.max_trace_state_len) {
            carrier.set("tracestate", ts);
        }
    }

    fn fields(&self) -> Vec<String> {
        vec!["traceparent".into(), "tracestate".into()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SpanId, TraceFlags, TraceId};

    const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn extracts_a_remote_context_with_its_trace_state() {
        let h = headers(&[("TraceParent", TP), ("tracestate", "rojo=1,congo=2")]);
        let ctx = TraceContext::default().extract(&h).unwrap();
        assert!(ctx.is_remote() && ctx.is_sampled());
        assert_eq!(ctx.trace_state().get("congo"), Some("2"));
    }

    #[test]
    fn two_traceparent_headers_start_a_new_trace() {
        let h = headers(&[("traceparent", TP), ("traceparent", TP)]);
        assert!(TraceContext::default().extract(&h).is_none());
        let h = headers(&[("traceparent", &format!("{TP},{TP}"))]);
        assert!(TraceContext::default().extract(&h).is_none());
    }

    #[test]
    fn bad_tracestate_keeps_traceparent_and_bad_traceparent_drops_tracestate() {
        let h = headers(&[("traceparent", TP), ("tracestate", "FOO=1")]);
        let ctx = TraceContext::default().extract(&h).unwrap();
        assert!(ctx.trace_state().is_empty());
        assert_eq!(
            ctx.trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        let h = headers(&[("traceparent", &TP.to_uppercase()), ("tracestate", "foo=1")]);
        assert!(TraceContext::default().extract(&h).is_none());
    }

    #[test]
    fn forwarded_unchanged_when_traceparent_is() {
        let h = headers(&[
            ("traceparent", TP),
            ("tracestate", "rojo=00f067aa0ba902b7, congo=t61rcWkgMzE"),
        ]);
        let ctx = TraceContext::default().extract(&h).unwrap();
        let mut out: Vec<(String, String)> = Vec::new();
        TraceContext::default().inject(&ctx, &mut out);
        assert_eq!(out.get_all("traceparent"), [TP]);
        assert_eq!(
            out.get_all("tracestate"),
            ["rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"]
        );
    }

    #[test]
    fn inject_sends_our_span_and_level2_flags() {
        let ctx = SpanContext::new_remote(
            TraceId::from_u128(1).unwrap(),
            SpanId::from_u64(2).unwrap(),
            TraceFlags::SAMPLED.with_random_trace_id(true),
        );
        let mut out = std::collections::HashMap::new();
        TraceContext::default().inject(&ctx, &mut out);
        assert_eq!(
            out.get("traceparent").map(String::as_str),
            Some("00-00000000000000000000000000000001-0000000000000002-03")
        );
        assert!(
            !out.contains_key("tracestate"),
            "no empty tracestate is sent"
        );
    }
}
