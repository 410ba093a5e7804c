//! The ecosystem's way to build an OTLP request: owned `opentelemetry-proto` structs from owned
//! span data, then `prost` encoding. The OTLP recorder's tests compare its bytes against this
//! mapping (decoded), and its benchmark measures both paths.

use std::time::UNIX_EPOCH;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status, span};
use trace_core::{SpanKind, SpanRecord, TagValue};

pub fn kv(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(value) }),
        ..KeyValue::default()
    }
}

pub fn string(key: &str, value: &str) -> KeyValue {
    kv(key, any_value::Value::StringValue(value.to_owned()))
}

fn nanos(t: std::time::SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// One span as the OTLP recorder maps it (see `trace_record::otlp`).
pub fn span(record: &SpanRecord) -> Span {
    let start = nanos(record.start);
    let mut attributes = Vec::new();
    if let Some(code) = &record.code {
        attributes.push(string("code.file.path", &code.file));
        attributes.push(kv(
            "code.line.number",
            any_value::Value::IntValue(i64::from(code.line)),
        ));
        if let Some(module) = &code.module {
            attributes.push(string("code.namespace", module));
        }
    }
    for tag in record.tags.iter() {
        let value = match &tag.value {
            TagValue::Str(s) => any_value::Value::StringValue(s.to_string()),
            TagValue::Int(i) => any_value::Value::IntValue(*i),
            TagValue::Float(f) => any_value::Value::DoubleValue(*f),
            TagValue::Bool(b) => any_value::Value::BoolValue(*b),
        };
        attributes.push(kv(&tag.key, value));
    }
    Span {
        trace_id: record.trace_id.to_bytes().to_vec(),
        span_id: record.span_id.to_bytes().to_vec(),
        trace_state: record
            .trace_state
            .entries()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(","),
        parent_span_id: record
            .parent_id
            .map(|p| p.to_bytes().to_vec())
            .unwrap_or_default(),
        flags: u32::from(record.flags.bits()),
        name: record.name.to_string(),
        kind: match record.kind {
            SpanKind::Internal => span::SpanKind::Internal,
            SpanKind::Server => span::SpanKind::Server,
            SpanKind::Client => span::SpanKind::Client,
            SpanKind::Producer => span::SpanKind::Producer,
            SpanKind::Consumer => span::SpanKind::Consumer,
        } as i32,
        start_time_unix_nano: start,
        end_time_unix_nano: nanos(record.finish),
        attributes,
        dropped_attributes_count: 0,
        events: record
            .checkpoints
            .iter()
            .map(|c| span::Event {
                time_unix_nano: start + c.offset.as_nanos() as u64,
                name: c.name.to_string(),
                attributes: Vec::new(),
                dropped_attributes_count: 0,
            })
            .collect(),
        dropped_events_count: 0,
        links: record
            .links
            .iter()
            .map(|l| span::Link {
                trace_id: l.trace_id.to_bytes().to_vec(),
                span_id: l.span_id.to_bytes().to_vec(),
                trace_state: String::new(),
                attributes: Vec::new(),
                dropped_attributes_count: 0,
                flags: 0,
            })
            .collect(),
        dropped_links_count: 0,
        status: record.status.error_message().map(|m| Status {
            message: m.to_owned(),
            code: 2,
        }),
    }
}

/// A whole request: one `ResourceSpans` per run of spans from the same service and process,
/// with the resource attributes in the recorder's order (no configured extras).
pub fn request(records: &[SpanRecord], sdk_version: &str) -> ExportTraceServiceRequest {
    let mut resource_spans: Vec<ResourceSpans> = Vec::new();
    let mut last: Option<(&str, &trace_core::Process)> = None;
    for record in records {
        let key = (&*record.service, &*record.process);
        if last != Some(key) {
            last = Some(key);
            let p = &record.process;
            resource_spans.push(ResourceSpans {
                resource: Some(Resource {
                    attributes: vec![
                        string("service.name", &record.service),
                        string("host.name", &p.host),
                        kv("process.pid", any_value::Value::IntValue(i64::from(p.pid))),
                        string("process.executable.name", &p.name),
                        string("telemetry.sdk.name", "trace-core"),
                        string("telemetry.sdk.language", "rust"),
                        string("telemetry.sdk.version", sdk_version),
                    ],
                    dropped_attributes_count: 0,
                    entity_refs: Vec::new(),
                }),
                scope_spans: vec![ScopeSpans {
                    scope: Some(InstrumentationScope {
                        name: "trace-core".into(),
                        version: sdk_version.into(),
                        attributes: Vec::new(),
                        dropped_attributes_count: 0,
                    }),
                    spans: Vec::new(),
                    schema_url: String::new(),
                }],
                schema_url: String::new(),
            });
        }
        if let Some(group) = resource_spans.last_mut() {
            group.scope_spans[0].spans.push(span(record));
        }
    }
    ExportTraceServiceRequest { resource_spans }
}
