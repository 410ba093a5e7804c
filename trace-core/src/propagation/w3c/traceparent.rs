//! The `traceparent` header: `version-traceid-parentid-flags`.

use crate::context::{SpanContext, TraceFlags};
use crate::id::{SpanId, TraceId};

/// Longest `traceparent` value examined: version 00 has 55 characters, and a future version may
/// append fields, but nothing legitimate comes near this.
pub const MAX_TRACEPARENT_LEN: usize = 512;

/// Flag bits we send: sampled (Level 1) and random-trace-id (Level 2). Unknown bits a newer peer set
/// are not forwarded, because Level 1 requires them to be sent as zero.
pub(crate) const KNOWN_FLAGS: u8 = 0x03;

/// The parts of a valid `traceparent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceParent {
    /// The trace id.
    pub trace_id: TraceId,
    /// The caller's span id: the parent of the spans this process opens.
    pub parent_id: SpanId,
    /// The flags byte as received (tested by mask).
    pub flags: TraceFlags,
}

impl TraceParent {
    /// Parses one `traceparent` value by the W3C processing model; `None` if it is invalid.
    ///
    /// Spaces and tabs around the value are tolerated. Version `00` must be exactly 55 characters;
    /// a higher version (other than the invalid `ff`) is parsed by its first four fields, which
    /// must be followed by the end or a `-`.
    ///
    /// ```
    /// use trace_core::propagation::TraceParent;
    /// let tp = TraceParent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
    /// assert!(tp.flags.is_sampled());
    /// assert!(TraceParent::parse("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01").is_none());
    /// assert!(TraceParent::parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what").is_some());
    /// ```
    pub fn parse(value: &str) -> Option<Self> {
        let v = value.trim_matches([' ', '\t']);
        if v.len() < 55 || v.len() > MAX_TRACEPARENT_LEN || !v.is_ascii() {
            return None;
        }
        let b = v.as_bytes();
        let version = hex_byte(&v[0..2])?;
        if version == 0xff {
            return None;
        }
        if b[2] != b'-' || b[35] != b'-' || b[52] != b'-' {
            return None;
        }
        if version == 0 && v.len() != 55 {
            return None;
        }
        if v.len() > 55 && b[55] != b'-' {
            return None;
        }
        let trace_id = TraceId::from_hex(&v[3..35]).ok()?;
        let parent_id = SpanId::from_hex(&v[36..52]).ok()?;
        let flags = TraceFlags::from_bits(hex_byte(&v[53..55])?);
        Some(Self {
            trace_id,
            parent_id,
            flags,
        })
    }

    /// The version-00 text, with only the known flag bits.
    pub fn format(trace_id: TraceId, span_id: SpanId, flags: TraceFlags) -> String {
        format!("00-{trace_id}-{span_id}-{:02x}", flags.bits() & KNOWN_FLAGS)
    }

    /// The text for a span context: its trace id, its own span id as the parent of the receiver.
    pub fn format_context(ctx: &SpanContext) -> String {
        Self::format(ctx.trace_id(), ctx.span_id(), ctx.flags())
    }
}

/// Two lowercase hex digits.
fn hex_byte(text: &str) -> Option<u8> {
    crate::id::lower_hex_u64(text.as_bytes()).and_then(|v| u8::try_from(v).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const SPAN: &str = "00f067aa0ba902b7";

    fn tp(version: &str, trace: &str, span: &str, flags: &str) -> String {
        format!("{version}-{trace}-{span}-{flags}")
    }

    #[test]
    fn spec_example_parses() {
        let p = TraceParent::parse(&tp("00", TRACE, SPAN, "01")).unwrap();
        assert_eq!(p.trace_id.to_string(), TRACE);
        assert_eq!(p.parent_id.to_string(), SPAN);
        assert!(p.flags.is_sampled());
        let p = TraceParent::parse(&tp("00", TRACE, SPAN, "00")).unwrap();
        assert!(!p.flags.is_sampled());
    }

    #[test]
    fn flags_are_read_by_mask_and_sent_masked() {
        let p = TraceParent::parse(&tp("00", TRACE, SPAN, "ff")).unwrap();
        assert!(p.flags.is_sampled() && p.flags.is_random_trace_id());
        let p = TraceParent::parse(&tp("00", TRACE, SPAN, "02")).unwrap();
        assert!(!p.flags.is_sampled() && p.flags.is_random_trace_id());
        let p = TraceParent::parse(&tp("00", TRACE, SPAN, "09")).unwrap();
        assert!(p.flags.is_sampled(), "bit 0 set among unknown bits");
        let out = TraceParent::format(p.trace_id, p.parent_id, TraceFlags::from_bits(0xff));
        assert!(out.ends_with("-03"), "{out}");
    }

    #[test]
    fn ows_around_the_value_is_tolerated() {
        for v in [
            format!(" {}", tp("00", TRACE, SPAN, "01")),
            format!("{}\t", tp("00", TRACE, SPAN, "01")),
            format!(" \t {} \t", tp("00", TRACE, SPAN, "01")),
        ] {
            assert!(TraceParent::parse(&v).is_some(), "{v:?}");
        }
    }

    #[test]
    fn every_invalid_form_is_rejected() {
        let upper_trace = TRACE.to_uppercase();
        let upper_span = SPAN.to_uppercase();
        let cases = [
            // uppercase
            tp("00", &upper_trace, SPAN, "01"),
            tp("00", TRACE, &upper_span, "01"),
            tp("0A", TRACE, SPAN, "01"),
            tp("00", TRACE, SPAN, "0A"),
            // non-hex
            tp("00", &TRACE.replace('4', "g"), SPAN, "01"),
            tp("00", TRACE, &SPAN.replace('0', "z"), "01"),
            tp("0g", TRACE, SPAN, "01"),
            tp("00", TRACE, SPAN, "0x"),
            tp("00", &TRACE.replace('4', "."), SPAN, "01"),
            // wrong lengths
            tp("00", &TRACE[1..], SPAN, "01"),
            tp("00", &format!("{TRACE}0"), SPAN, "01"),
            tp("00", TRACE, &SPAN[1..], "01"),
            tp("00", TRACE, &format!("{SPAN}0"), "01"),
            tp("0", TRACE, SPAN, "01"),
            tp("000", TRACE, SPAN, "01"),
            tp("00", TRACE, SPAN, "1"),
            tp("00", TRACE, SPAN, "001"),
            // version ff
            tp("ff", TRACE, SPAN, "01"),
            // all-zero ids
            tp("00", &"0".repeat(32), SPAN, "01"),
            tp("00", TRACE, &"0".repeat(16), "01"),
            // trailing data on version 00
            format!("{}.", tp("00", TRACE, SPAN, "01")),
            format!("{}-xyz", tp("00", TRACE, SPAN, "01")),
            format!("{}-", tp("00", TRACE, SPAN, "01")),
            // future version: after the flags only end-of-string or `-`
            format!("{}.future", tp("cc", TRACE, SPAN, "01")),
            format!("{}0", tp("cc", TRACE, SPAN, "01")),
            // separators
            tp("00", TRACE, SPAN, "01").replace('-', "_"),
            tp("00", TRACE, SPAN, "01").replacen('-', "", 1),
            // empty, junk, too long, non-ASCII of the right byte length
            String::new(),
            "   ".into(),
            "00".into(),
            format!("cc-{TRACE}-{SPAN}-01-{}", "a".repeat(600)),
            format!("00-{}-{SPAN}-01", "é".repeat(16)),
            // inner whitespace is not OWS
            tp("00", TRACE, SPAN, " 1"),
        ];
        for c in &cases {
            assert_eq!(TraceParent::parse(c), None, "accepted {c:?}");
        }
    }

    #[test]
    fn future_versions_parse_their_first_four_fields() {
        let p = TraceParent::parse(&format!(
            "{}-what-the-future-holds",
            tp("cc", TRACE, SPAN, "01")
        ))
        .unwrap();
        assert_eq!(p.trace_id.to_string(), TRACE);
        assert!(p.flags.is_sampled());
        assert!(TraceParent::parse(&tp("01", TRACE, SPAN, "01")).is_some());
        assert!(TraceParent::parse(&tp("fe", TRACE, SPAN, "00")).is_some());
        // Re-emitted as version 00.
        let out = TraceParent::format(p.trace_id, p.parent_id, p.flags);
        assert_eq!(out, tp("00", TRACE, SPAN, "01"));
    }
}
