//! The W3C `baggage` header: `key=value;property,key2=value2`, values percent-encoded UTF-8.

use crate::baggage::{Baggage, BaggageEntry, baggage_octet, trim_ows, valid_properties};
pub use crate::baggage::{BaggageError, is_valid_key};
use crate::propagation::carrier::{Carrier, CarrierMut};

/// Members the spec requires every implementation to propagate at least.
pub const MIN_MEMBERS: usize = 64;
/// Bytes of `baggage` text the spec requires every implementation to propagate at least.
pub const MIN_BYTES: usize = 8192;

/// How much baggage is read and sent. The spec's limits are minimums: these caps never go below
/// them, and members beyond a cap are dropped (the first ones are kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BaggageLimits {
    max_members: usize,
    max_bytes: usize,
}

impl Default for BaggageLimits {
    /// 180 members and 8192 bytes, the numbers OpenTelemetry SDKs use.
    fn default() -> Self {
        Self {
            max_members: 180,
            max_bytes: MIN_BYTES,
        }
    }
}

impl BaggageLimits {
    /// At most `max_members` members and `max_bytes` bytes of header text, raised to the spec's
    /// minimums (64 members, 8192 bytes) if lower.
    pub fn new(max_members: usize, max_bytes: usize) -> Self {
        Self {
            max_members: max_members.max(MIN_MEMBERS),
            max_bytes: max_bytes.max(MIN_BYTES),
        }
    }

    /// The member cap.
    pub fn max_members(&self) -> usize {
        self.max_members
    }

    /// The byte cap on the header text.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Input examined per request: members starting beyond this many bytes of the combined header
    /// are dropped unread, so a huge header costs bounded work.
    fn max_input(&self) -> usize {
        self.max_bytes.saturating_mul(4)
    }
}

fn normalize_properties(props: &[&str]) -> String {
    props
        .iter()
        .map(|p| match p.split_once('=') {
            None => trim_ows(p).to_owned(),
            Some((k, v)) => format!("{}={}", trim_ows(k), trim_ows(v)),
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn percent_decode(raw: &str) -> Option<String> {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hi = char::from(*b.get(i + 1)?).to_digit(16)?;
            let lo = char::from(*b.get(i + 2)?).to_digit(16)?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes everything that is not a baggage-octet, and `%` and `+` too, as UTF-8. (`+`
/// is a valid octet, but implementations that decode with form rules, such as OpenTelemetry
/// Python, would read it as a space.)
pub(crate) fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &c in value.as_bytes() {
        if baggage_octet(c) && c != b'%' && c != b'+' {
            out.push(char::from(c));
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// One member, or `None` if it is malformed.
fn parse_member(member: &str) -> Option<BaggageEntry> {
    let mut parts = member.split(';');
    let kv = parts.next()?;
    let (key, value) = kv.split_once('=')?;
    let (key, value) = (trim_ows(key), trim_ows(value));
    if !is_valid_key(key) || !value.bytes().all(baggage_octet) {
        return None;
    }
    let props: Vec<&str> = parts.collect();
    let joined = props.join(";");
    if !props.is_empty() && !valid_properties(&joined) {
        return None;
    }
    Some(BaggageEntry {
        key: key.to_owned(),
        value: percent_decode(value)?,
        properties: normalize_properties(&props),
    })
}

/// The wire text of one member.
fn format_member(e: &BaggageEntry) -> String {
    let mut s = format!("{}={}", e.key, percent_encode(&e.value));
    if !e.properties.is_empty() {
        s.push(';');
        s.push_str(&e.properties);
    }
    s
}

/// Parses a combined `baggage` value: malformed members are dropped and the rest kept, and members
/// beyond `limits` are dropped.
///
/// ```
/// use trace_core::propagation::{BaggageLimits, parse_baggage};
/// let b = parse_baggage("userId=alice, serverNode = DF%2028 ;ttl=3, bad key=1", BaggageLimits::default());
/// assert_eq!(b.get("userId"), Some("alice"));
/// assert_eq!(b.get("serverNode"), Some("DF 28"));
/// assert_eq!(b.entries()[1].properties, "ttl=3");
/// assert_eq!(b.len(), 2);
/// ```
pub fn parse_baggage(value: &str, limits: BaggageLimits) -> Baggage {
    let mut entries = Vec::new();
    let mut bytes = 0usize;
    let mut offset = 0usize;
    for member in value.split(',') {
        let start = offset;
        offset += member.len() + 1;
        if start > limits.max_input() || entries.len() == limits.max_members {
            break;
        }
        let member = trim_ows(member);
        // A member longer than the byte cap could never be kept: skip it unparsed.
        if member.is_empty() || member.len() > limits.max_bytes {
            continue;
        }
        let Some(entry) = parse_member(member) else {
            continue;
        };
        let size = format_member(&entry).len() + usize::from(!entries.is_empty());
        if bytes + size > limits.max_bytes {
            continue;
        }
        bytes += size;
        entries.push(entry);
    }
    Baggage::from_entries(entries)
}

/// The header text for `baggage` within `limits`; `None` when there is nothing to send.
pub fn format_baggage(baggage: &Baggage, limits: BaggageLimits) -> Option<String> {
    let mut out = String::new();
    let mut n = 0;
    for e in baggage.entries() {
        if n == limits.max_members {
            break;
        }
        let m = format_member(e);
        let sep = usize::from(n > 0);
        if out.len() + sep + m.len() > limits.max_bytes {
            continue;
        }
        if sep == 1 {
            out.push(',');
        }
        out.push_str(&m);
        n += 1;
    }
    (!out.is_empty()).then_some(out)
}

/// Reads every `baggage` line of `carrier` (combined in order, as RFC 7230 allows).
pub fn extract_baggage(carrier: &dyn Carrier, limits: BaggageLimits) -> Baggage {
    let cap = limits.max_input();
    match carrier.get_first("baggage") {
        (None, _) => return Baggage::default(),
        (Some(v), false) if v.len() <= cap => return parse_baggage(v, limits),
        _ => {}
    }
    let values = carrier.get_all("baggage");
    let mut combined = String::new();
    for v in values {
        if !combined.is_empty() {
            combined.push(',');
        }
        let room = cap.saturating_sub(combined.len());
        if v.len() <= room {
            combined.push_str(v);
            continue;
        }
        // Keep only whole members that start within the cap; never a member cut in two.
        let mut cut = room;
        while !v.is_char_boundary(cut) {
            cut -= 1;
        }
        let whole = v[..cut].rfind(',').unwrap_or(0);
        combined.push_str(&v[..whole]);
        break;
    }
    parse_baggage(&combined, limits)
}

/// Whether `baggage` has a member named `key` in any case. Formats other than W3C cannot keep a
/// key's case (header names are case-insensitive), so across formats `User` and `user` are one
/// member.
pub(crate) fn has_key_ignoring_case(baggage: &Baggage, key: &str) -> bool {
    baggage
        .entries()
        .iter()
        .any(|e| e.key.eq_ignore_ascii_case(key))
}

/// The W3C Baggage propagator (`baggage` header).
///
/// It carries no ids, so it never finds a context on its own: combine it with a trace-context
/// format in [`Propagators`](crate::propagation::Propagators), which adds the baggage to the
/// context found.
#[derive(Clone, Copy, Debug, Default)]
pub struct W3cBaggage {
    limits: BaggageLimits,
}

impl W3cBaggage {
    /// The propagator with other limits.
    pub fn with_limits(limits: BaggageLimits) -> Self {
        Self { limits }
    }
}

impl crate::propagation::Propagator for W3cBaggage {
    fn extract(&self, _carrier: &dyn Carrier) -> Option<crate::SpanContext> {
        None
    }

    /// W3C baggage is the one format that keeps keys' case and properties, so its members come
    /// first and replace those another format found under the same key in any case (a Jaeger
    /// `uberctx-user` is the lowercased `User`), whichever order the propagators are in.
    fn extract_extra(&self, carrier: &dyn Carrier, ctx: crate::SpanContext) -> crate::SpanContext {
        let found = extract_baggage(carrier, self.limits);
        if found.is_empty() {
            return ctx;
        }
        let others: Vec<BaggageEntry> = ctx
            .baggage()
            .entries()
            .iter()
            .filter(|e| !has_key_ignoring_case(&found, &e.key))
            .cloned()
            .collect();
        let merged = found.merged(&Baggage::from_entries(others));
        ctx.with_baggage(merged)
    }

    fn inject(&self, ctx: &crate::SpanContext, carrier: &mut dyn CarrierMut) {
        if let Some(v) = format_baggage(ctx.baggage(), self.limits) {
            carrier.set("baggage", v);
        }
    }

    fn fields(&self) -> Vec<String> {
        vec!["baggage".into()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Baggage {
        parse_baggage(s, BaggageLimits::default())
    }

    #[test]
    fn spec_examples() {
        let b = parse(
            "key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue",
        );
        assert_eq!(b.len(), 3);
        assert_eq!(b.entries()[0].properties, "property1;property2");
        assert_eq!(b.get("key2"), Some("value2"));
        assert_eq!(b.entries()[2].properties, "propertyKey=propertyValue");
        let b = parse("userId=alice,serverNode=DF%2028,isProduction=false");
        assert_eq!(b.get("serverNode"), Some("DF 28"));
        let b = parse(
            "key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue",
        );
        assert_eq!(
            format_baggage(&b, BaggageLimits::default()).as_deref(),
            Some(
                "key1=value1;property1;property2,key2=value2,key3=value3;propertyKey=propertyValue"
            )
        );
    }

    #[test]
    fn values_may_hold_equals_and_utf8() {
        let b = parse("k=a=b, u=%E2%9C%93%20ok, p=100%25, plus=a+b");
        assert_eq!(b.get("k"), Some("a=b"));
        assert_eq!(b.get("u"), Some("✓ ok"));
        assert_eq!(b.get("p"), Some("100%"));
        assert_eq!(parse("e=").get("e"), Some(""));
        let out = format_baggage(&b, BaggageLimits::default()).unwrap();
        assert_eq!(
            b.get("plus"),
            Some("a+b"),
            "a literal plus, not form encoding"
        );
        assert_eq!(out, "k=a=b,u=%E2%9C%93%20ok,p=100%25,plus=a%2Bb");
    }

    #[test]
    fn malformed_members_are_dropped_and_the_rest_kept() {
        let b = parse(
            "ok1=1,no_equals,=novalue,bad key=1,k=\"quoted\",k2=a b,k3=%zz,k4=%ff,k5=1;bad prop,k6=1;=x,ok2=2,,  ,",
        );
        let keys: Vec<&str> = b.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["ok1", "ok2"]);
        assert!(parse("").is_empty());
        assert!(parse("bad\\key=1").is_empty());
        assert!(parse("k=a\\b").is_empty());
    }

    #[test]
    fn duplicates_are_kept_in_order() {
        let b = parse("a=1,a=2");
        assert_eq!(b.len(), 2);
        assert_eq!(b.get("a"), Some("1"));
    }

    #[test]
    fn at_least_64_members_and_8192_bytes_then_capped() {
        let many = (0..200)
            .map(|i| format!("k{i}=v"))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(parse_baggage(&many, BaggageLimits::new(64, 8192)).len(), 64);
        assert_eq!(
            parse_baggage(&many, BaggageLimits::new(10, 0)).len(),
            64,
            "raised to the minimum"
        );
        assert_eq!(parse(&many).len(), 180);
        assert_eq!(
            parse_baggage(&many, BaggageLimits::new(1000, 8192)).len(),
            200
        );

        // Two members of ~4 KiB fit in 8192 bytes; a third does not and is dropped.
        let big = "x".repeat(4090);
        let text = format!("a={big},b={big},c={big},d=1");
        let b = parse(&text);
        let keys: Vec<&str> = b.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["a", "b", "d"]);
        let out = format_baggage(&b, BaggageLimits::default()).unwrap();
        assert!(out.len() <= 8192);
    }

    #[test]
    fn huge_headers_cost_bounded_work() {
        let junk = "x".repeat(1 << 20);
        let headers = vec![
            ("baggage".to_string(), "first=1".to_string()),
            ("baggage".to_string(), junk),
            ("baggage".to_string(), "late=1".to_string()),
        ];
        let b = extract_baggage(&headers, BaggageLimits::default());
        assert_eq!(b.get("first"), Some("1"));
        assert_eq!(b.get("late"), None, "beyond the input cap");
    }

    #[test]
    fn several_lines_combine() {
        let headers = vec![
            ("baggage".to_string(), "a=1".to_string()),
            ("Baggage".to_string(), "b=2;p".to_string()),
        ];
        let b = extract_baggage(&headers, BaggageLimits::default());
        assert_eq!(b.get("a"), Some("1"));
        assert_eq!(b.entries()[1].properties, "p");
    }
}
