//! Google Cloud Trace: `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=OPTIONS`.

use crate::context::{SpanContext, TraceFlags};
use crate::id::{SpanId, TraceId};
use crate::propagation::Propagator;
use crate::propagation::carrier::{Carrier, CarrierMut, single};
use crate::propagation::ids::u64_decimal;

/// Values longer than this are ignored, as the Cloud Trace client does.
const MAX_LEN: usize = 200;
const HEADER: &str = "x-cloud-trace-context";

/// The Cloud Trace propagator: a 32-hex-digit trace id, a **decimal** span id and `o=1` when
/// sampled (`;o=` is optional; without it the trace is not sampled).
///
/// ```
/// use std::collections::HashMap;
/// use trace_core::propagation::{CloudTrace, Propagator};
/// let mut h = HashMap::new();
/// h.insert("X-Cloud-Trace-Context".to_string(), "105445aa7843bc8bf206b12000100000/1;o=1".to_string());
/// let ctx = CloudTrace.extract(&h).unwrap();
/// assert_eq!(ctx.span_id().to_u64(), 1);
/// assert!(ctx.is_sampled());
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct CloudTrace;

impl CloudTrace {
    /// Parses one header value.
    pub fn parse(value: &str) -> Option<SpanContext> {
        if value.len() > MAX_LEN {
            return None;
        }
        let v = value.trim_matches([' ', '\t']);
        let (ids, options) = match v.split_once(';') {
            Some((ids, opts)) => (ids, Some(opts)),
            None => (v, None),
        };
        let (trace, span) = ids.split_once('/')?;
        if trace.len() != 32 {
            return None;
        }
        let trace_id = TraceId::from_hex(&trace.to_ascii_lowercase()).ok()?;
        let span_id = SpanId::from_u64(u64_decimal(span)?)?;
        let sampled = match options {
            None => false,
            Some(o) => match o.strip_prefix("o=")? {
                "1" => true,
                "0" => false,
                other => other.parse::<u8>().ok()? & 1 == 1,
            },
        };
        Some(SpanContext::new_remote(
            trace_id,
            span_id,
            TraceFlags::default().with_sampled(sampled),
        ))
    }
}

impl Propagator for CloudTrace {
    fn extract(&self, carrier: &dyn Carrier) -> Option<SpanContext> {
        Self::parse(single(carrier, HEADER, MAX_LEN)?)
    }

    fn inject(&self, ctx: &SpanContext, carrier: &mut dyn CarrierMut) {
        carrier.set(
            HEADER,
            format!(
                "{}/{};o={}",
                ctx.trace_id(),
                ctx.span_id().to_u64(),
                u8::from(ctx.is_sampled())
            ),
        );
    }

    fn fields(&self) -> Vec<String> {
        vec![HEADER.into()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_examples() {
        let c = CloudTrace::parse("105445aa7843bc8bf206b12000100000/1;o=1").unwrap();
        assert_eq!(c.trace_id().to_string(), "105445aa7843bc8bf206b12000100000");
        assert!(c.is_sampled());
        let c = CloudTrace::parse("105445aa7843bc8bf206b12000100000/18446744073709551615").unwrap();
        assert_eq!(c.span_id().to_u64(), u64::MAX);
        assert!(!c.is_sampled());
        assert!(
            !CloudTrace::parse("105445aa7843bc8bf206b12000100000/5;o=0")
                .unwrap()
                .is_sampled()
        );
        assert!(
            CloudTrace::parse("105445AA7843BC8BF206B12000100000/5;o=3")
                .unwrap()
                .is_sampled()
        );
    }

    #[test]
    fn invalid_values() {
        let long = format!("105445aa7843bc8bf206b12000100000/1;o=1{}", " ".repeat(200));
        for bad in [
            "",
            "105445aa7843bc8bf206b12000100000",
            "105445aa7843bc8bf206b12000100000/",
            "105445aa7843bc8bf206b1200010000/1",
            "00000000000000000000000000000000/1",
            "105445aa7843bc8bf206b12000100000/0",
            "105445aa7843bc8bf206b12000100000/abc",
            "105445aa7843bc8bf206b12000100000/18446744073709551616",
            "105445aa7843bc8bf206b12000100000/1;x=1",
            "105445aa7843bc8bf206b12000100000/1;o=yes",
            "105445aa7843bc8bf206b1200010000g/1",
            long.as_str(),
        ] {
            assert!(CloudTrace::parse(bad).is_none(), "accepted {bad:?}");
        }
    }

    #[test]
    fn round_trip() {
        let c = CloudTrace::parse("105445aa7843bc8bf206b12000100000/123;o=1").unwrap();
        let mut out = Vec::new();
        CloudTrace.inject(&c, &mut out);
        assert_eq!(
            out.get_all(HEADER),
            ["105445aa7843bc8bf206b12000100000/123;o=1"]
        );
    }
}
