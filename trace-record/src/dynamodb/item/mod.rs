//! How a span is laid out as a DynamoDB item.
//!
//! The layout is documented on the parent module.

mod decode;
mod encode;
pub(crate) mod names;
mod rfc3339;
mod size;

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

pub use decode::DecodeError;
pub(crate) use decode::decode;
pub use encode::ItemTooLarge;
pub(crate) use encode::encode;
pub(crate) use size::MAX_ITEM_BYTES;

/// One DynamoDB item.
pub(crate) type Item = HashMap<String, AttributeValue>;

/// The item the recorder writes for `span` (trimmed to 400 KB if needed), for writing spans
/// through other means, e.g. a DynamoDB stream consumer or a migration.
///
/// ```
/// use trace_core::{Tracer, span};
/// use trace_record::MemoryRecorder;
/// use trace_record::dynamodb::{item_to_span, span_to_item};
///
/// let memory = MemoryRecorder::new();
/// let tracer = Tracer::builder().recorder(memory.clone()).install()?;
/// {
///     let mut work = span("work").enter();
///     work.set_tag("rows", 3);
/// }
/// tracer.shutdown()?;
/// let span = memory.spans().remove(0);
/// let item = span_to_item(&span, None)?;
/// assert_eq!(item_to_span(&item)?, span);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn span_to_item(
    span: &trace_core::SpanRecord,
    retention: Option<std::time::Duration>,
) -> Result<HashMap<String, AttributeValue>, ItemTooLarge> {
    encode(&span.view(), retention).map(|e| e.item)
}

/// The span an item written by the recorder holds; the reader's decoding, for items obtained by
/// other means (`Scan`, streams, exports).
pub fn item_to_span(
    item: &HashMap<String, AttributeValue>,
) -> Result<trace_core::SpanRecord, DecodeError> {
    decode(item)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::sync::Arc;
    use std::time::{Duration, UNIX_EPOCH};

    use trace_core::{
        Checkpoint, CodeLocation, Link, Process, SpanId, SpanKind, SpanRecord, Status, Tag,
        TagValue, TraceId,
    };

    use super::*;

    fn sample() -> SpanRecord {
        let start = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
        let duration = Duration::from_nanos(1_234_567);
        SpanRecord {
            trace_id: TraceId::from_u128(0x0af7_6519_16cd_43dd_8448_eb21_1c80_319c).unwrap(),
            span_id: SpanId::from_u64(0x00f0_67aa_0ba9_02b7).unwrap(),
            parent_id: SpanId::from_u64(7),
            flags: trace_core::TraceFlags::default(),
            trace_state: trace_core::TraceState::default(),
            name: "GET /users/:id".into(),
            kind: SpanKind::Server,
            service: Arc::from("api"),
            process: Arc::new(Process {
                name: "my:app@v2".into(),
                pid: 42,
                host: "web-1".into(),
            }),
            code: Some(CodeLocation {
                module: Some("app::users".into()),
                file: "src/users.rs".into(),
                line: 17,
            }),
            start,
            finish: start + duration,
            duration,
            status: Status::Error("disk full".into()),
            tags: [
                Tag::new("user", "ann"),
                Tag::new("rows", -3),
                Tag::new("ratio", 2.0),
                Tag::new("tiny", 1e-300),
                Tag::new("nan", f64::INFINITY),
                Tag::new("cached", true),
                Tag::new("empty", ""),
            ]
            .into_iter()
            .collect(),
            checkpoints: vec![Checkpoint {
                name: "loaded".into(),
                offset: Duration::from_nanos(1000),
            }],
            links: vec![Link {
                trace_id: TraceId::from_u128(1).unwrap(),
                span_id: SpanId::from_u64(2).unwrap(),
            }],
        }
    }

    /// DynamoDB normalises numbers (`2.0` comes back as `2`, exponents are expanded); the decoder
    /// must not depend on the form the encoder wrote.
    fn normalise_numbers(value: &mut AttributeValue) {
        match value {
            AttributeValue::N(n) => {
                if let Ok(f) = n.parse::<f64>()
                    && f.fract() == 0.0
                    && f.abs() < 1e15
                {
                    *n = format!("{}", f as i64);
                }
            }
            AttributeValue::M(m) => m.values_mut().for_each(normalise_numbers),
            AttributeValue::L(l) => l.iter_mut().for_each(normalise_numbers),
            _ => {}
        }
    }

    #[test]
    fn round_trips_every_field() {
        let span = sample();
        let mut encoded = encode(&span.view(), None).unwrap();
        assert_eq!(encoded.trimmed, 0);
        encoded.item.values_mut().for_each(normalise_numbers);
        assert_eq!(decode(&encoded.item).unwrap(), span);
    }

    #[test]
    fn negative_zero_keeps_its_sign() {
        let mut span = sample();
        span.tags = [Tag::new("minus zero", -0.0), Tag::new("zero", 0.0)]
            .into_iter()
            .collect();
        let mut encoded = encode(&span.view(), None).unwrap();
        encoded.item.values_mut().for_each(normalise_numbers);
        let read = decode(&encoded.item).unwrap();
        // `-0.0 == 0.0`: compare the bits, not the values.
        let bits = |key: &str| match read.tags.get(key) {
            Some(TagValue::Float(v)) => v.to_bits(),
            other => panic!("{key}: {other:?}"),
        };
        assert_eq!(bits("minus zero"), (-0.0f64).to_bits());
        assert_eq!(bits("zero"), 0.0f64.to_bits());
    }

    #[test]
    fn keys_are_fixed_width_hex_and_times_readable() {
        let item = encode(&sample().view(), Some(Duration::from_secs(3600)))
            .unwrap()
            .item;
        assert_eq!(
            item["trace_id"],
            AttributeValue::S("0af7651916cd43dd8448eb211c80319c".into())
        );
        assert_eq!(
            item["span_id"],
            AttributeValue::S("00f067aa0ba902b7".into())
        );
        assert_eq!(
            item["start"],
            AttributeValue::S("2023-11-14T22:13:20.123456789Z".into())
        );
        assert_eq!(
            item["start_unix_nanos"],
            AttributeValue::N("1700000000123456789".into())
        );
        assert_eq!(item["duration_nanos"], AttributeValue::N("1234567".into()));
        assert_eq!(
            item["expires_at"],
            AttributeValue::N((1_700_000_000 + 3600).to_string())
        );
        let AttributeValue::M(tags) = &item["tags"] else {
            panic!("tags not a map")
        };
        assert_eq!(tags["rows"], AttributeValue::N("-3".into()));
        assert_eq!(tags["cached"], AttributeValue::Bool(true));
    }

    #[test]
    fn a_root_has_an_all_zero_parent() {
        let mut span = sample();
        span.parent_id = None;
        let item = encode(&span.view(), None).unwrap().item;
        assert_eq!(
            item["parent_id"],
            AttributeValue::S("0000000000000000".into())
        );
        assert_eq!(decode(&item).unwrap().parent_id, None);
    }

    #[test]
    fn oversized_spans_lose_their_largest_tags_first() {
        let mut span = sample();
        span.tags.set("huge", "x".repeat(MAX_ITEM_BYTES));
        span.tags.set("big", "y".repeat(MAX_ITEM_BYTES / 2));
        let encoded = encode(&span.view(), None).unwrap();
        assert_eq!(encoded.trimmed, 1);
        assert!(size::item_size(&encoded.item) <= MAX_ITEM_BYTES);
        let back = decode(&encoded.item).unwrap();
        assert!(back.tags.get("huge").is_none());
        assert!(back.tags.get("big").is_some());
        assert_eq!(back.tags.get("user"), Some(&TagValue::Str("ann".into())));
    }

    #[test]
    fn a_span_too_large_without_its_tags_is_refused() {
        let mut span = sample();
        span.name = Cow::Owned("n".repeat(MAX_ITEM_BYTES));
        let err = encode(&span.view(), None).unwrap_err();
        assert!(err.bytes > MAX_ITEM_BYTES);
    }

    #[test]
    fn bad_items_name_the_attribute() {
        let mut item = encode(&sample().view(), None).unwrap().item;
        item.insert("kind".into(), AttributeValue::S("sideways".into()));
        let err = decode(&item).unwrap_err();
        assert_eq!(err.attribute(), "kind");
        assert!(err.to_string().contains("00f067aa0ba902b7"), "{err}");
        item.remove("start_unix_nanos");
        assert_eq!(decode(&item).unwrap_err().attribute(), "start_unix_nanos");
    }
}
