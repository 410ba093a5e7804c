//! Jaeger: `uber-trace-id: {trace}:{span}:{parent}:{flags}` and `uberctx-{key}` baggage headers.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use crate::baggage::{Baggage, BaggageEntry};
use crate::context::{SpanContext, TraceFlags};
use crate::propagation::Propagator;
use crate::propagation::carrier::{Carrier, CarrierMut, single};
use crate::propagation::ids::{span_id_hex, trace_id_hex};
use crate::propagation::w3c::baggage::{has_key_ignoring_case, is_valid_key, percent_encode};

/// Longest `uber-trace-id` examined (percent-encoded separators included).
const MAX_UBER_LEN: usize = 256;
/// Longest `uberctx-*` value kept, and how many such headers are read.
const MAX_UBERCTX_LEN: usize = 4096;
const MAX_UBERCTX_HEADERS: usize = 64;
const PREFIX: &str = "uberctx-";

/// The Jaeger propagator.
///
/// Ids may be shorter than their full width (Jaeger drops leading zeros) and of either case; the
/// value may be percent-encoded (`%3A` for `:`). Flag bit 1 is sampled, bit 2 debug (which implies
/// sampled). Baggage travels as one `uberctx-{key}` header per member.
///
/// ```
/// use std::collections::{HashMap, HashSet};
/// use trace_core::propagation::{Jaeger, Propagator};
/// let mut h = HashMap::new();
/// h.insert("uber-trace-id".to_string(), "a3ce929d0e0e4736%3A00f067aa0ba902b7%3A0%3A1".to_string());
/// h.insert("uberctx-user".to_string(), "ann".to_string());
/// let ctx = Jaeger::default().extract(&h).unwrap();
/// assert!(ctx.is_sampled());
/// assert_eq!(ctx.baggage().get("user"), Some("ann"));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Jaeger;

impl Jaeger {
    /// Parses one `uber-trace-id` value.
    pub fn parse(value: &str) -> Option<SpanContext> {
        let v = value.trim_matches([' ', '\t']);
        if v.len() > MAX_UBER_LEN {
            return None;
        }
        let decoded;
        let v = if v.contains('%') {
            decoded = v.replace("%3A", ":").replace("%3a", ":");
            decoded.as_str()
        } else {
            v
        };
        let parts: Vec<&str> = v.split(':').collect();
        let [trace, span, parent, flags] = parts.as_slice() else {
            return None;
        };
        let trace_id = trace_id_hex(trace, 1)?;
        let span_id = span_id_hex(span, 1)?;
        if *parent != "0" {
            span_id_hex(parent, 1)?;
        }
        if flags.is_empty() || flags.len() > 2 || flags.starts_with('+') {
            return None;
        }
        let flags = u8::from_str_radix(flags, 16).ok()?;
        let sampled = flags & 0x01 != 0 || flags & 0x02 != 0;
        Some(SpanContext::new_remote(
            trace_id,
            span_id,
            TraceFlags::default().with_sampled(sampled),
        ))
    }

    /// The `uberctx-*` members, in the order their headers first appear.
    ///
    /// One pass over [`Carrier::pairs`]: a list carrier answers `get_all` by scanning every
    /// header, so asking it for each `uberctx-*` name in turn was quadratic (20,000 headers took
    /// seconds). A key sent more than once (in any case) is ambiguous and dropped, as before.
    fn extract_baggage(carrier: &dyn Carrier) -> Baggage {
        struct Slot<'a> {
            value: &'a str,
            repeated: bool,
        }
        // Slots in the order keys first appear; the map finds a key's slot.
        let mut slots: Vec<Slot<'_>> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for (name, value) in carrier.pairs() {
            let Some(key) = baggage_key(name) else {
                continue;
            };
            match by_key.entry(key) {
                Entry::Occupied(e) => slots[*e.get()].repeated = true,
                Entry::Vacant(e) => {
                    e.insert(slots.len());
                    slots.push(Slot {
                        value,
                        repeated: false,
                    });
                }
            }
        }
        let mut keys: Vec<Option<String>> = vec![None; slots.len()];
        for (key, i) in by_key {
            keys[i] = Some(key);
        }
        let entries = slots
            .into_iter()
            .zip(keys)
            .filter(|(s, _)| !s.repeated && s.value.len() <= MAX_UBERCTX_LEN)
            .filter_map(|(s, key)| Some((key?, s.value)))
            .take(MAX_UBERCTX_HEADERS)
            .map(|(key, value)| BaggageEntry {
                key,
                value: percent_decode_lossless(value).unwrap_or_else(|| value.to_owned()),
                properties: String::new(),
            })
            .collect();
        Baggage::from_entries(entries)
    }
}

/// The baggage key of an `uberctx-{key}` header name, lowercased (header names are
/// case-insensitive, and gRPC and HTTP/2 send them lowercase); `None` for other headers.
fn baggage_key(name: &str) -> Option<String> {
    let prefix = name.get(..PREFIX.len())?;
    if !prefix.eq_ignore_ascii_case(PREFIX) {
        return None;
    }
    let key = name[PREFIX.len()..].to_ascii_lowercase();
    is_valid_key(&key).then_some(key)
}

/// Decodes `%XX` escapes; `None` if there are none or they do not form valid UTF-8, in which case
/// the value is kept as sent.
fn percent_decode_lossless(v: &str) -> Option<String> {
    if !v.contains('%') {
        return None;
    }
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hi = char::from(b[i + 1]).to_digit(16)?;
            let lo = char::from(b[i + 2]).to_digit(16)?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl Propagator for Jaeger {
    fn extract(&self, carrier: &dyn Carrier) -> Option<SpanContext> {
        let value = single(carrier, "uber-trace-id", MAX_UBER_LEN)?;
        let ctx = Self::parse(value)?;
        Some(self.extract_extra(carrier, ctx))
    }

    /// Adds the `uberctx-*` members whose keys the context does not hold yet in any case: Jaeger
    /// keys arrive lowercased, so `User` from W3C baggage and `user` from `uberctx-user` are one
    /// member, not two.
    fn extract_extra(&self, carrier: &dyn Carrier, ctx: SpanContext) -> SpanContext {
        let found = Self::extract_baggage(carrier);
        if found.is_empty() {
            return ctx;
        }
        let new: Vec<BaggageEntry> = found
            .entries()
            .iter()
            .filter(|f| !has_key_ignoring_case(ctx.baggage(), &f.key))
            .cloned()
            .collect();
        if new.is_empty() {
            return ctx;
        }
        let merged = ctx.baggage().merged(&Baggage::from_entries(new));
        ctx.with_baggage(merged)
    }

    /// One `uberctx-{key}` per key: a member whose key was already sent (in any case) is skipped,
    /// so the first one wins, as in [`Baggage::get`].
    fn inject(&self, ctx: &SpanContext, carrier: &mut dyn CarrierMut) {
        let flags = u8::from(ctx.is_sampled());
        carrier.set(
            "uber-trace-id",
            format!("{}:{}:0:{flags}", ctx.trace_id(), ctx.span_id()),
        );
        let mut sent = HashSet::new();
        for e in ctx.baggage().entries() {
            let key = e.key.to_ascii_lowercase();
            if !sent.insert(key.clone()) {
                continue;
            }
            carrier.set(&format!("{PREFIX}{key}"), percent_encode(&e.value));
        }
    }

    fn fields(&self) -> Vec<String> {
        vec!["uber-trace-id".into()]
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
    fn jaeger_examples() {
        let c = Jaeger::parse("4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1").unwrap();
        assert_eq!(c.trace_id().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert!(c.is_sampled());
        let c = Jaeger::parse("abc:def:123:0").unwrap();
        assert_eq!(c.trace_id().to_u128(), 0xabc);
        assert_eq!(c.span_id().to_u64(), 0xdef);
        assert!(!c.is_sampled());
        assert!(Jaeger::parse("abc:def:0:2").unwrap().is_sampled(), "debug");
        assert!(Jaeger::parse("ABC%3adef%3A0%3A3").is_some());
    }

    #[test]
    fn invalid_values() {
        for bad in [
            "",
            "abc:def:0",
            "abc:def:0:1:extra",
            "0:def:0:1",
            "abc:0:0:1",
            "xyz:def:0:1",
            "abc:def:zz:1",
            "abc:def:0:",
            "abc:def:0:100",
            "abc:def:0:+1",
            &format!("{}:def:0:1", "a".repeat(33)),
            &format!("abc:{}:0:1", "a".repeat(17)),
            &"1:".repeat(200),
        ] {
            assert!(Jaeger::parse(bad).is_none(), "accepted {bad:?}");
        }
    }

    #[test]
    fn baggage_headers_round_trip() {
        let hdrs = h(&[
            ("uber-trace-id", "abc:def:0:1"),
            ("UberCtx-User", "ann%20lee"),
            ("uberctx-bad key", "x"),
            ("uberctx-", "x"),
            ("uberctx-raw", "100%"),
        ]);
        let c = Jaeger.extract(&hdrs).unwrap();
        assert_eq!(c.baggage().get("user"), Some("ann lee"));
        assert_eq!(
            c.baggage().get("raw"),
            Some("100%"),
            "undecodable values kept as sent"
        );
        assert_eq!(c.baggage().len(), 2);
        let mut out = Vec::new();
        Jaeger.inject(&c, &mut out);
        assert_eq!(
            out.get_all("uber-trace-id"),
            ["00000000000000000000000000000abc:0000000000000def:0:1"]
        );
        assert_eq!(out.get_all("uberctx-user"), ["ann%20lee"]);
        let again = Jaeger.extract(&out).unwrap();
        assert_eq!(again.baggage(), c.baggage());
    }
}
