//! The propagation carriers on `http::HeaderMap`.

use http::header::{GetAll, HeaderMap, HeaderName, HeaderValue};

use crate::propagation::{Carrier, CarrierMut};

/// What a header value that is not visible ASCII reads as: still one value (so a repeated
/// `traceparent` is still noticed), but one no format accepts.
const UNREADABLE: &str = "\u{fffd}";

/// The names every request is asked for, built once: a `&str` is lowercased and checked against
/// the standard headers on every lookup, and a `HeaderName` built from it would allocate.
const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");
const TRACESTATE: HeaderName = HeaderName::from_static("tracestate");
const BAGGAGE: HeaderName = HeaderName::from_static("baggage");

/// Every value of `name`, looked up without allocating (an invalid name finds nothing).
fn values<'a>(map: &'a HeaderMap, name: &str) -> GetAll<'a, HeaderValue> {
    match name {
        "traceparent" => map.get_all(TRACEPARENT),
        "tracestate" => map.get_all(TRACESTATE),
        "baggage" => map.get_all(BAGGAGE),
        _ => map.get_all(name),
    }
}

fn text(value: &HeaderValue) -> &str {
    value.to_str().unwrap_or(UNREADABLE)
}

impl Carrier for HeaderMap {
    fn get_all(&self, name: &str) -> Vec<&str> {
        values(self, name).iter().map(text).collect()
    }

    fn get_first(&self, name: &str) -> (Option<&str>, bool) {
        let mut all = values(self, name).into_iter();
        (all.next().map(text), all.next().is_some())
    }

    fn names(&self) -> Vec<&str> {
        self.keys().map(HeaderName::as_str).collect()
    }
}

impl CarrierMut for HeaderMap {
    fn set(&mut self, name: &str, value: String) {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) else {
            return;
        };
        self.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propagation::{Propagator, Propagators};

    #[test]
    fn header_map_reads_every_value_case_insensitively() {
        let mut h = HeaderMap::new();
        h.append("tracestate", HeaderValue::from_static("a=1"));
        h.append("TraceState", HeaderValue::from_static("b=2"));
        assert_eq!(Carrier::get_all(&h, "TRACESTATE"), ["a=1", "b=2"]);
        assert_eq!(Carrier::get_all(&h, "tracestate"), ["a=1", "b=2"]);
        assert_eq!(h.get_first("tracestate"), (Some("a=1"), true));
        assert_eq!(h.get_first("baggage"), (None, false));
        h.append("Baggage", HeaderValue::from_static("k=v"));
        assert_eq!(h.get_first("baggage"), (Some("k=v"), false));
        assert_eq!(h.get_first("bad name"), (None, false));
        h.append("traceparent", HeaderValue::from_bytes(b"\xff00").unwrap());
        assert_eq!(Carrier::get_all(&h, "traceparent"), [UNREADABLE]);
        assert!(Carrier::get_all(&h, "bad name").is_empty());
        CarrierMut::set(&mut h, "tracestate", "c=3".into());
        assert_eq!(Carrier::get_all(&h, "tracestate"), ["c=3"]);
        CarrierMut::set(&mut h, "x", "bad\nvalue".into());
        assert!(h.get("x").is_none(), "an unstorable value is dropped");
    }

    #[test]
    fn propagators_work_on_header_maps() {
        let mut h = HeaderMap::new();
        h.insert(
            "traceparent",
            HeaderValue::from_static("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        );
        h.insert("baggage", HeaderValue::from_static("k=v"));
        let ctx = Propagators::w3c().extract(&h).unwrap();
        assert_eq!(ctx.baggage().get("k"), Some("v"));
        let mut out = HeaderMap::new();
        Propagators::w3c().inject(&ctx, &mut out);
        assert_eq!(out.get("traceparent"), h.get("traceparent"));
        assert_eq!(out.get("baggage"), h.get("baggage"));
    }
}
