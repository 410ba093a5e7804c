//! Id parsing shared by the formats other than W3C, which are looser about case and width.

use crate::id::{SpanId, TraceId};

/// A trace id of 1 to 32 hex digits in either case, left-padded with zeros (B3 and Jaeger send
/// 64-bit ids as 16 digits, Jaeger drops leading zeros); `None` for anything else or zero.
pub(crate) fn trace_id_hex(text: &str, min_len: usize) -> Option<TraceId> {
    if text.len() < min_len.max(1) || text.len() > 32 {
        return None;
    }
    let v = u128::from_str_radix(text, 16).ok()?;
    // from_str_radix accepts a leading `+`, which no header format allows.
    if text.starts_with('+') {
        return None;
    }
    TraceId::from_u128(v)
}

/// A span id of 1 to 16 hex digits in either case; `None` for anything else or zero.
pub(crate) fn span_id_hex(text: &str, min_len: usize) -> Option<SpanId> {
    if text.len() < min_len.max(1) || text.len() > 16 || text.starts_with('+') {
        return None;
    }
    SpanId::from_u64(u64::from_str_radix(text, 16).ok()?)
}

/// A decimal id of 1 to 20 digits that fits 64 bits (Cloud Trace span ids, the Go original's ids).
pub(crate) fn u64_decimal(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_hex_pads_and_rejects_junk() {
        assert_eq!(
            trace_id_hex("ABC", 1).map(TraceId::to_u128),
            Some(0xabc),
            "uppercase and short ids are accepted here"
        );
        assert_eq!(trace_id_hex("abc", 16), None, "too short for B3");
        assert_eq!(trace_id_hex("+abc", 1), None);
        assert_eq!(trace_id_hex(&"1".repeat(33), 1), None);
        assert_eq!(trace_id_hex("0", 1), None);
        assert_eq!(trace_id_hex("xyz", 1), None);
        assert_eq!(span_id_hex("ff", 1).map(SpanId::to_u64), Some(255));
        assert_eq!(span_id_hex(&"f".repeat(17), 1), None);
        assert_eq!(span_id_hex("", 1), None);
        assert_eq!(span_id_hex("-1", 1), None);
        assert_eq!(u64_decimal("18446744073709551615"), Some(u64::MAX));
        assert_eq!(u64_decimal("18446744073709551616"), None);
        assert_eq!(u64_decimal("+1"), None);
        assert_eq!(u64_decimal("12a"), None);
    }
}
