//! The propagation carrier on tonic's `MetadataMap`.
//!
//! Only ASCII metadata carries trace context: `-bin` keys are never read or written. A value that
//! is not visible ASCII reads as one no format accepts, so the call goes on in a fresh trace.

use tonic::metadata::{Ascii, KeyRef, MetadataKey, MetadataMap, MetadataValue};

use crate::propagation::{Carrier, CarrierMut};

/// What an ASCII value that is not visible ASCII reads as: still one value (so a repeated
/// `traceparent` is still noticed), but one no format accepts.
const UNREADABLE: &str = "\u{fffd}";

fn text(value: &MetadataValue<Ascii>) -> &str {
    value.to_str().unwrap_or(UNREADABLE)
}

impl Carrier for MetadataMap {
    fn get_all(&self, name: &str) -> Vec<&str> {
        // A `-bin` name is not an ASCII key: tonic answers with nothing.
        MetadataMap::get_all(self, name).iter().map(text).collect()
    }

    fn get_first(&self, name: &str) -> (Option<&str>, bool) {
        let mut all = MetadataMap::get_all(self, name).into_iter();
        (all.next().map(text), all.next().is_some())
    }

    fn names(&self) -> Vec<&str> {
        self.keys()
            .filter_map(|k| match k {
                KeyRef::Ascii(k) => Some(k.as_str()),
                KeyRef::Binary(_) => None,
            })
            .collect()
    }
}

impl CarrierMut for MetadataMap {
    fn set(&mut self, name: &str, value: String) {
        let (Ok(key), Ok(value)) = (
            MetadataKey::from_bytes(name.as_bytes()),
            MetadataValue::try_from(value),
        ) else {
            return;
        };
        self.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propagation::{Jaeger, Propagator, Propagators};

    const PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn reads_ascii_metadata_and_ignores_binary() {
        let mut m = MetadataMap::new();
        m.append("tracestate", MetadataValue::from_static("a=1"));
        m.append("tracestate", MetadataValue::from_static("b=2"));
        m.append_bin("traceparent-bin", MetadataValue::from_bytes(b"\x00\x01"));
        assert_eq!(Carrier::get_all(&m, "TraceState"), ["a=1", "b=2"]);
        assert!(Carrier::get_all(&m, "traceparent-bin").is_empty());
        assert_eq!(m.get_first("TraceState"), (Some("a=1"), true));
        assert_eq!(m.get_first("traceparent-bin"), (None, false));
        assert!(Carrier::get_all(&m, "traceparent").is_empty());
        assert_eq!(m.names(), ["tracestate"]);
        m.insert(
            "traceparent",
            MetadataValue::try_from(&b"\xff00"[..]).unwrap(),
        );
        assert_eq!(Carrier::get_all(&m, "traceparent"), [UNREADABLE]);
    }

    #[test]
    fn writes_only_what_metadata_can_hold() {
        let mut m = MetadataMap::new();
        CarrierMut::set(&mut m, "traceparent", PARENT.into());
        CarrierMut::set(&mut m, "x-bin", "abc".into());
        CarrierMut::set(&mut m, "bad key", "v".into());
        CarrierMut::set(&mut m, "x", "bad\nvalue".into());
        assert_eq!(m.len(), 1);
        assert_eq!(m.get("traceparent").unwrap(), PARENT);
    }

    #[test]
    fn propagators_round_trip_through_metadata() {
        let mut m = MetadataMap::new();
        m.insert("traceparent", MetadataValue::from_static(PARENT));
        m.insert("baggage", MetadataValue::from_static("User=ann"));
        let props = Propagators::w3c().with(Jaeger);
        let ctx = props.extract(&m).unwrap();
        let mut out = MetadataMap::new();
        props.inject(&ctx, &mut out);
        assert_eq!(out.get("traceparent").unwrap(), PARENT);
        assert_eq!(out.get("uberctx-user").unwrap(), "ann");
        let again = props.extract(&out).unwrap();
        assert_eq!(
            again.baggage(),
            ctx.baggage(),
            "one member, not User and user"
        );
    }

    #[test]
    fn malformed_values_start_a_fresh_trace() {
        for bad in [
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "zz",
            &format!("{PARENT}-{}", "x".repeat(10_000)),
        ] {
            let mut m = MetadataMap::new();
            if let Ok(v) = MetadataValue::try_from(bad) {
                m.insert("traceparent", v);
            }
            assert!(Propagators::w3c().extract(&m).is_none(), "accepted {bad:?}");
        }
    }
}
