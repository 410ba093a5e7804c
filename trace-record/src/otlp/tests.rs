//! The encoder against the OpenTelemetry project's generated types: whatever the spans, the
//! bytes decode (with `prost`) to exactly the request the reference mapping builds.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value;
use proptest::prelude::*;
use prost::Message;
use trace_core::{
    Checkpoint, CodeLocation, Link, Process, SpanId, SpanKind, SpanRecord, Status, Tag, TagValue,
    Tags, TraceFlags, TraceId, TraceState,
};

use super::encode::{Detail, Prelude, Pushed, RequestEncoder, SDK_VERSION};

#[path = "../../benches/support/otlp_reference.rs"]
mod reference;

fn prelude() -> Prelude {
    Prelude::new(None, &[], "trace-core", SDK_VERSION)
}

fn encode(spans: &[SpanRecord], max_bytes: usize) -> Vec<Vec<u8>> {
    let prelude = prelude();
    let mut encoder = RequestEncoder::default();
    let mut requests = Vec::new();
    for span in spans {
        if encoder.push(&prelude, span.view(), Detail::Full, max_bytes) == Pushed::Full {
            requests.push(encoder.finish());
            assert_eq!(
                encoder.push(&prelude, span.view(), Detail::Full, max_bytes),
                Pushed::Added
            );
        }
    }
    requests.push(encoder.finish());
    requests
}

fn decode(bytes: &[u8]) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest::decode(bytes).expect("the encoder's bytes decode")
}

fn tag_value() -> impl Strategy<Value = TagValue> {
    prop_oneof![
        ".{0,20}".prop_map(|s| TagValue::Str(Cow::Owned(s))),
        any::<i64>().prop_map(TagValue::Int),
        any::<f64>()
            .prop_filter("NaN is not equal to itself", |f| !f.is_nan())
            .prop_map(TagValue::Float),
        any::<bool>().prop_map(TagValue::Bool),
    ]
}

prop_compose! {
    fn span_record()(
        trace in 1u128..,
        span_id in 1u64..,
        parent in proptest::option::of(1u64..),
        name in ".{0,40}",
        kind in 0usize..5,
        service in prop_oneof!["api", "worker"],
        pid in prop_oneof![Just(7u32), Just(4_000_000u32)],
        start in 0u64..4_000_000_000_000_000_000,
        length in 0u64..10_000_000_000,
        error in proptest::option::of(".{0,30}"),
        tags in proptest::collection::vec(("[a-z.]{1,12}", tag_value()), 0..12),
        checkpoints in proptest::collection::vec((".{0,10}", 0u64..10_000_000_000), 0..4),
        links in proptest::collection::vec((1u128.., 1u64..), 0..3),
        code in proptest::option::of(("[a-z/]{1,20}\\.rs", any::<u32>(), proptest::option::of("[a-z:]{1,20}"))),
        flags in any::<u8>(),
        state in proptest::collection::vec(("[a-z][a-z0-9_]{0,8}", "[!-+--<>-~]{1,10}"), 0..3),
    ) -> SpanRecord {
        let start_time = UNIX_EPOCH + Duration::from_nanos(start);
        SpanRecord {
            trace_id: TraceId::from_u128(trace).unwrap(),
            span_id: SpanId::from_u64(span_id).unwrap(),
            parent_id: parent.and_then(SpanId::from_u64),
            flags: TraceFlags::from_bits(flags),
            trace_state: TraceState::from_entries(state),
            name: Cow::Owned(name),
            kind: SpanKind::ALL[kind],
            service: Arc::from(service.as_str()),
            process: Arc::new(Process { name: "app".into(), pid, host: "h1".into() }),
            code: code.map(|(file, line, module)| CodeLocation {
                module: module.map(Cow::Owned),
                file: Cow::Owned(file),
                line,
            }),
            start: start_time,
            finish: start_time + Duration::from_nanos(length),
            duration: Duration::from_nanos(length),
            status: error.map_or(Status::Ok, |m| Status::Error(Cow::Owned(m))),
            tags: tags.into_iter().map(|(k, v)| Tag::new(k, v)).collect::<Tags>(),
            checkpoints: checkpoints
                .into_iter()
                .map(|(name, offset)| Checkpoint { name: Cow::Owned(name), offset: Duration::from_nanos(offset) })
                .collect(),
            links: links
                .into_iter()
                .map(|(t, s)| Link { trace_id: TraceId::from_u128(t).unwrap(), span_id: SpanId::from_u64(s).unwrap() })
                .collect(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn requests_decode_to_the_reference_mapping(spans in proptest::collection::vec(span_record(), 0..20)) {
        let bytes = encode(&spans, usize::MAX).remove(0);
        prop_assert_eq!(decode(&bytes), reference::request(&spans, SDK_VERSION));
    }

    #[test]
    fn a_byte_limit_splits_requests_without_losing_or_reordering_spans(
        spans in proptest::collection::vec(span_record(), 1..30),
        max_bytes in 200usize..3000,
    ) {
        let requests = encode(&spans, max_bytes);
        let mut decoded = Vec::new();
        for bytes in &requests {
            let request = decode(bytes);
            let spans_in: usize = request.resource_spans.iter().map(|r| r.scope_spans[0].spans.len()).sum();
            // Over the limit only when a single span is larger than it.
            prop_assert!(bytes.len() <= max_bytes + 40 || spans_in == 1, "{} bytes, {spans_in} spans", bytes.len());
            for rs in request.resource_spans {
                decoded.extend(rs.scope_spans.into_iter().flat_map(|s| s.spans));
            }
        }
        let expected: Vec<_> = spans.iter().map(reference::span).collect();
        prop_assert_eq!(decoded, expected);
    }
}

#[test]
fn a_trimmed_span_counts_what_it_left_out() {
    let mut span = SpanRecord {
        code: Some(CodeLocation {
            module: Some("shop::cart".into()),
            file: "src/cart.rs".into(),
            line: 12,
        }),
        ..sample()
    };
    span.tags.set("a", 1);
    span.tags.set("b", "x".repeat(1000));
    let prelude = prelude();
    let mut encoder = RequestEncoder::default();
    encoder.push(&prelude, span.view(), Detail::Trimmed, usize::MAX);
    let decoded = decode(&encoder.finish());
    let got = &decoded.resource_spans[0].scope_spans[0].spans[0];
    assert!(got.attributes.is_empty() && got.events.is_empty() && got.links.is_empty());
    assert_eq!(got.dropped_attributes_count, 2 + 3);
    assert_eq!(got.dropped_events_count, 1);
    assert_eq!(got.dropped_links_count, 1);
    assert_eq!(got.name, span.name);
    assert_eq!(got.status.as_ref().map(|s| s.code), Some(2));
}

#[test]
fn configured_resource_attributes_and_service_name_are_written() {
    let prelude = Prelude::new(
        Some("configured".into()),
        &[
            ("deployment.environment".into(), "prod".into()),
            ("host.name".into(), "override".into()),
        ],
        "my-scope",
        "9.9",
    );
    let mut encoder = RequestEncoder::default();
    encoder.push(&prelude, sample().view(), Detail::Full, usize::MAX);
    let decoded = decode(&encoder.finish());
    let rs = &decoded.resource_spans[0];
    let attributes: Vec<(String, String)> = rs
        .resource
        .as_ref()
        .unwrap()
        .attributes
        .iter()
        .map(|kv| {
            let value = match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
                Some(any_value::Value::StringValue(s)) => s.clone(),
                Some(any_value::Value::IntValue(i)) => i.to_string(),
                other => format!("{other:?}"),
            };
            (kv.key.clone(), value)
        })
        .collect();
    let keys: Vec<&str> = attributes.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "service.name",
            "process.pid",
            "process.executable.name",
            "deployment.environment",
            "host.name",
            "telemetry.sdk.name",
            "telemetry.sdk.language",
            "telemetry.sdk.version"
        ]
    );
    assert_eq!(attributes[0].1, "configured");
    assert_eq!(attributes[4].1, "override");
    let scope = rs.scope_spans[0].scope.as_ref().unwrap();
    assert_eq!(
        (scope.name.as_str(), scope.version.as_str()),
        ("my-scope", "9.9")
    );
}

fn sample() -> SpanRecord {
    let start = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    SpanRecord {
        trace_id: TraceId::from_u128(0xabc).unwrap(),
        span_id: SpanId::from_u64(0xdef).unwrap(),
        parent_id: SpanId::from_u64(1),
        flags: TraceFlags::SAMPLED,
        trace_state: TraceState::default(),
        name: "GET /cart".into(),
        kind: SpanKind::Server,
        service: Arc::from("shop"),
        process: Arc::new(Process {
            name: "shop".into(),
            pid: 42,
            host: "web-1".into(),
        }),
        code: None,
        start,
        finish: start + Duration::from_millis(5),
        duration: Duration::from_millis(5),
        status: Status::Error("boom".into()),
        tags: Tags::new(),
        checkpoints: vec![Checkpoint {
            name: "cache miss".into(),
            offset: Duration::from_millis(1),
        }],
        links: vec![Link {
            trace_id: TraceId::from_u128(5).unwrap(),
            span_id: SpanId::from_u64(6).unwrap(),
        }],
    }
}
