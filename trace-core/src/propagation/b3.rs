//! Zipkin B3: the single `b3` header and the multi-header `X-B3-*` form.

use crate::context::{SpanContext, TraceFlags};
use crate::propagation::Propagator;
use crate::propagation::carrier::{Carrier, CarrierMut, only, single};
use crate::propagation::ids::{span_id_hex, trace_id_hex};

/// Longest `b3` value examined: 32 + 16 + 16 hex digits, a flag and separators fit in 68.
const MAX_B3_LEN: usize = 128;
/// Longest `X-B3-*` value examined.
const MAX_MULTI_LEN: usize = 64;

/// Which B3 headers [`B3`] writes; it reads both forms whatever this is (the single header first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum B3Encoding {
    /// `b3: {trace}-{span}-{sampled}`.
    Single,
    /// `X-B3-TraceId`, `X-B3-SpanId`, `X-B3-Sampled`.
    Multi,
}

/// The B3 propagator.
///
/// 64-bit trace ids are read left-padded to 128 bits; ids are written as 32 and 16 lowercase hex
/// digits. `b3: 0` ("do not sample", no ids) and a debug flag are understood; the parent span id is
/// validated but not needed. Hex digits may be of either case on input.
///
/// ```
/// use std::collections::HashMap;
/// use trace_core::propagation::{B3, Propagator};
/// let mut h = HashMap::new();
/// h.insert("b3".to_string(), "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90".to_string());
/// let ctx = B3::single().extract(&h).unwrap();
/// assert!(ctx.is_sampled());
/// assert_eq!(ctx.span_id().to_string(), "e457b5a2e4d86bd1");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct B3 {
    encoding: B3Encoding,
}

impl B3 {
    /// Writes the single `b3` header.
    pub fn single() -> Self {
        Self {
            encoding: B3Encoding::Single,
        }
    }

    /// Writes the `X-B3-*` headers.
    pub fn multi() -> Self {
        Self {
            encoding: B3Encoding::Multi,
        }
    }

    /// Parses one `b3` header value.
    pub fn parse_single(value: &str) -> Option<SpanContext> {
        let v = value.trim_matches([' ', '\t']);
        if v.len() > MAX_B3_LEN {
            return None;
        }
        let parts: Vec<&str> = v.split('-').collect();
        if !(2..=4).contains(&parts.len()) {
            // A lone sampling state (`0`, `1`, `d`) carries no context to continue.
            return None;
        }
        if parts[0].len() != 16 && parts[0].len() != 32 {
            return None;
        }
        let trace_id = trace_id_hex(parts[0], 16)?;
        let span_id = span_id_hex(parts[1], 16).filter(|_| parts[1].len() == 16)?;
        let sampled = match parts.get(2) {
            None => false,
            Some(&"1") | Some(&"d") => true,
            Some(&"0") => false,
            Some(_) => return None,
        };
        if let Some(parent) = parts.get(3)
            && (parent.len() != 16 || span_id_hex(parent, 16).is_none())
        {
            return None;
        }
        Some(SpanContext::new_remote(
            trace_id,
            span_id,
            TraceFlags::default().with_sampled(sampled),
        ))
    }

    fn extract_multi(carrier: &dyn Carrier) -> Option<SpanContext> {
        let trace = single(carrier, "x-b3-traceid", MAX_MULTI_LEN)?;
        let span = single(carrier, "x-b3-spanid", MAX_MULTI_LEN)?;
        let (trace, span) = (trace.trim(), span.trim());
        if (trace.len() != 16 && trace.len() != 32) || span.len() != 16 {
            return None;
        }
        let trace_id = trace_id_hex(trace, 16)?;
        let span_id = span_id_hex(span, 16)?;
        let debug = single(carrier, "x-b3-flags", MAX_MULTI_LEN).is_some_and(|f| f.trim() == "1");
        let sampled = match single(carrier, "x-b3-sampled", MAX_MULTI_LEN).map(str::trim) {
            Some("1") | Some("true") | Some("d") => true,
            None | Some("0") | Some("false") => false,
            Some(_) => return None,
        };
        let parent = carrier.get_first("x-b3-parentspanid");
        if matches!(parent, (Some(_), false)) {
            let parent = only(parent, MAX_MULTI_LEN)?;
            span_id_hex(parent.trim(), 16)?;
        }
        Some(SpanContext::new_remote(
            trace_id,
            span_id,
            TraceFlags::default().with_sampled(sampled || debug),
        ))
    }
}

impl Propagator for B3 {
    fn extract(&self, carrier: &dyn Carrier) -> Option<SpanContext> {
        let b3 = carrier.get_first("b3");
        if b3.0.is_some() {
            return only(b3, MAX_B3_LEN).and_then(Self::parse_single);
        }
        Self::extract_multi(carrier)
    }

    fn inject(&self, ctx: &SpanContext, carrier: &mut dyn CarrierMut) {
        let sampled = if ctx.is_sampled() { "1" } else { "0" };
        match self.encoding {
            B3Encoding::Single => carrier.set(
                "b3",
                format!("{}-{}-{sampled}", ctx.trace_id(), ctx.span_id()),
            ),
            B3Encoding::Multi => {
                carrier.set("x-b3-traceid", ctx.trace_id().to_string());
                carrier.set("x-b3-spanid", ctx.span_id().to_string());
                carrier.set("x-b3-sampled", sampled.to_owned());
            }
        }
    }

    fn fields(&self) -> Vec<String> {
        [
            "b3",
            "x-b3-traceid",
            "x-b3-spanid",
            "x-b3-parentspanid",
            "x-b3-sampled",
            "x-b3-flags",
        ]
        .map(String::from)
        .to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn spec_examples_single() {
        let c = B3::parse_single(
            "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90",
        )
        .unwrap();
        assert_eq!(c.trace_id().to_string(), "80f198ee56343ba864fe8b2a57d3eff7");
        assert!(c.is_sampled());
        let c = B3::parse_single("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d").unwrap();
        assert!(c.is_sampled(), "debug implies sampled");
        let c = B3::parse_single("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-0").unwrap();
        assert!(!c.is_sampled());
        let c = B3::parse_single("a3ce929d0e0e4736-00f067aa0ba902b7").unwrap();
        assert_eq!(
            c.trace_id().to_string(),
            "0000000000000000a3ce929d0e0e4736",
            "64-bit ids left-padded"
        );
        assert!(!c.is_sampled(), "deferred");
    }

    #[test]
    fn invalid_single_values() {
        for bad in [
            "0",
            "1",
            "d",
            "",
            "80f198ee56343ba864fe8b2a57d3eff7",
            "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-2",
            "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3",
            "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90-x",
            "80f198ee56343ba864fe8b2a57d3ef-e457b5a2e4d86bd1-1",
            "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86b-1",
            "00000000000000000000000000000000-e457b5a2e4d86bd1-1",
            "80f198ee56343ba864fe8b2a57d3eff7-0000000000000000-1",
            "80f198ee56343ba864fe8b2a57d3effz-e457b5a2e4d86bd1-1",
            "+0f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1",
        ] {
            assert!(B3::parse_single(bad).is_none(), "accepted {bad:?}");
        }
        assert!(B3::parse_single(&"a".repeat(200)).is_none());
        // A repeated `b3` header is ambiguous.
        let two = h(&[
            ("b3", "a3ce929d0e0e4736-00f067aa0ba902b7-1"),
            ("B3", "a3ce929d0e0e4736-00f067aa0ba902b7-1"),
        ]);
        assert!(B3::single().extract(&two).is_none());
    }

    #[test]
    fn multi_headers() {
        let m = h(&[
            ("X-B3-TraceId", "80f198ee56343ba864fe8b2a57d3eff7"),
            ("X-B3-SpanId", "e457b5a2e4d86bd1"),
            ("X-B3-ParentSpanId", "05e3ac9a4f6e3b90"),
            ("X-B3-Sampled", "1"),
        ]);
        let c = B3::multi().extract(&m).unwrap();
        assert!(c.is_sampled());
        assert_eq!(c.span_id().to_string(), "e457b5a2e4d86bd1");
        let dbg = h(&[
            ("x-b3-traceid", "a3ce929d0e0e4736"),
            ("x-b3-spanid", "00f067aa0ba902b7"),
            ("x-b3-flags", "1"),
        ]);
        assert!(B3::multi().extract(&dbg).unwrap().is_sampled());
        for bad in [
            h(&[("x-b3-traceid", "a3ce929d0e0e4736")]),
            h(&[
                ("x-b3-traceid", "a3ce929d0e0e473"),
                ("x-b3-spanid", "00f067aa0ba902b7"),
            ]),
            h(&[
                ("x-b3-traceid", "a3ce929d0e0e4736"),
                ("x-b3-spanid", "00f067aa0ba902b7"),
                ("x-b3-sampled", "yes"),
            ]),
            h(&[
                ("x-b3-traceid", "a3ce929d0e0e4736"),
                ("x-b3-spanid", "00f067aa0ba902b7"),
                ("x-b3-parentspanid", "zz"),
            ]),
            h(&[
                ("x-b3-traceid", "a3ce929d0e0e4736"),
                ("x-b3-traceid", "a3ce929d0e0e4737"),
                ("x-b3-spanid", "00f067aa0ba902b7"),
            ]),
        ] {
            assert!(B3::multi().extract(&bad).is_none(), "accepted {bad:?}");
        }
    }

    #[test]
    fn inject_writes_the_chosen_form() {
        let c = B3::parse_single("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1").unwrap();
        let mut s = Vec::new();
        B3::single().inject(&c, &mut s);
        assert_eq!(
            s.get_all("b3"),
            ["80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1"]
        );
        let mut m = Vec::new();
        B3::multi().inject(&c, &mut m);
        assert_eq!(
            m.get_all("x-b3-traceid"),
            ["80f198ee56343ba864fe8b2a57d3eff7"]
        );
        assert_eq!(m.get_all("x-b3-sampled"), ["1"]);
        assert_eq!(
            B3::single().extract(&m).map(|x| x.span_id()),
            Some(c.span_id())
        );
    }
}
