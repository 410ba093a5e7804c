//! One `ExportTraceServiceRequest` built span by span, straight from the borrowed spans: no owned
//! copy of a span, no intermediate message structs.
//!
//! Field numbers are those of `opentelemetry/proto/trace/v1/trace.proto`,
//! `common/v1/common.proto`, `resource/v1/resource.proto` and
//! `collector/trace/v1/trace_service.proto`. The tests decode the output with the OpenTelemetry
//! project's own generated types (`opentelemetry-proto` + `prost`) and compare field by field.

use trace_core::{Process, SpanBatch, SpanKind, SpanView, Status, TagValue};

use super::wire::{Open, Writer};

/// The attributes and scope written for every request, prepared once from the configuration.
#[derive(Debug, Clone)]
pub(crate) struct Prelude {
    /// `service.name`, when configured: replaces the spans' own service.
    pub(crate) service_name: Option<String>,
    /// Extra resource attributes (`OTEL_RESOURCE_ATTRIBUTES` and the builder's), already
    /// encoded as `Resource.attributes` fields, `service.name` left out.
    resource_attributes: Vec<u8>,
    /// Keys among the configured resource attributes, which win over detected ones.
    configured_keys: Vec<String>,
    /// The encoded `InstrumentationScope` message body.
    scope: Vec<u8>,
}

/// The `telemetry.sdk.*` resource attributes.
pub(crate) const SDK_NAME: &str = "trace-core";
pub(crate) const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

impl Prelude {
    pub(crate) fn new(
        service_name: Option<String>,
        resource: &[(String, String)],
        scope_name: &str,
        scope_version: &str,
    ) -> Self {
        let mut w = Writer::default();
        let mut configured_keys = Vec::new();
        for (key, value) in resource {
            if key == "service.name" {
                continue;
            }
            configured_keys.push(key.clone());
            key_value(&mut w, 1, key, Value::Str(value));
        }
        for (key, value) in [
            ("telemetry.sdk.name", SDK_NAME),
            ("telemetry.sdk.language", "rust"),
            ("telemetry.sdk.version", SDK_VERSION),
        ] {
            if !configured_keys.iter().any(|k| k == key) {
                key_value(&mut w, 1, key, Value::Str(value));
            }
        }
        let service_name = service_name.or_else(|| {
            resource
                .iter()
                .find(|(k, _)| k == "service.name")
                .map(|(_, v)| v.clone())
        });
        let mut scope = Writer::default();
        scope.bytes_opt(1, scope_name.as_bytes());
        scope.bytes_opt(2, scope_version.as_bytes());
        Self {
            service_name,
            resource_attributes: w.buf,
            configured_keys,
            scope: scope.buf,
        }
    }

    fn configured(&self, key: &str) -> bool {
        self.configured_keys.iter().any(|k| k == key)
    }
}

/// A value of an attribute, borrowed.
#[derive(Clone, Copy)]
enum Value<'a> {
    Str(&'a str),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl<'a> From<&'a TagValue> for Value<'a> {
    fn from(value: &'a TagValue) -> Self {
        match value {
            TagValue::Str(s) => Value::Str(s),
            TagValue::Int(v) => Value::Int(*v),
            TagValue::Float(v) => Value::Float(*v),
            TagValue::Bool(v) => Value::Bool(*v),
        }
    }
}

/// A `KeyValue` in `field` of the enclosing message.
#[inline]
fn key_value(w: &mut Writer, field: u32, key: &str, value: Value<'_>) {
    let kv = w.open(field, 1);
    w.bytes(1, key.as_bytes());
    let any = w.open(2, 1);
    // `AnyValue.value` is a oneof: its member is written even when it holds the default.
    match value {
        Value::Str(s) => w.bytes(1, s.as_bytes()),
        Value::Bool(b) => w.uint_always(2, u64::from(b)),
        Value::Int(i) => w.uint_always(3, i as u64),
        Value::Float(f) => w.fixed64_always(4, f.to_bits()),
    }
    w.close(any);
    w.close(kv);
}

/// `Span.SpanKind`.
pub(crate) const fn kind_number(kind: SpanKind) -> u64 {
    match kind {
        SpanKind::Internal => 1,
        SpanKind::Server => 2,
        SpanKind::Client => 3,
        SpanKind::Producer => 4,
        SpanKind::Consumer => 5,
    }
}

/// `Status.StatusCode.STATUS_CODE_ERROR`.
const STATUS_CODE_ERROR: u64 = 2;

/// How much of a span to write.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Detail {
    /// Everything.
    Full,
    /// Ids, name, kind, times, status and flags only; attributes, events and links are counted
    /// in the `dropped_*_count` fields instead (for a span too large for a request).
    Trimmed,
}

/// Where the current `ResourceSpans` / `ScopeSpans` pair started, and whose spans it holds.
#[derive(Debug)]
struct Group {
    resource_spans: Open,
    scope_spans: Open,
    service: String,
    process: Process,
}

/// An `ExportTraceServiceRequest` being built.
#[derive(Debug)]
pub(crate) struct RequestEncoder {
    w: Writer,
    group: Option<Group>,
    spans: usize,
}

/// What [`RequestEncoder::push`] did with a span.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Pushed {
    /// The span is in the request.
    Added,
    /// The span would have taken the request over `max_bytes`; nothing was written.
    Full,
}

impl Default for RequestEncoder {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

impl RequestEncoder {
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        Self {
            w: Writer {
                buf: Vec::with_capacity(bytes),
            },
            group: None,
            spans: 0,
        }
    }

    /// Spans in the request.
    pub(crate) fn spans(&self) -> usize {
        self.spans
    }

    /// Bytes written so far (the finished request is a few bytes longer).
    pub(crate) fn bytes(&self) -> usize {
        self.w.len()
    }

    /// Appends `span`, unless that takes the request over `max_bytes` while it already holds
    /// spans. A span alone over `max_bytes` is added anyway: the caller checks and trims it.
    pub(crate) fn push(
        &mut self,
        prelude: &Prelude,
        span: SpanView<'_>,
        detail: Detail,
        max_bytes: usize,
    ) -> Pushed {
        let same_group = self
            .group
            .as_ref()
            .is_some_and(|g| g.service == span.service() && g.process == *span.process());
        let mark;
        let mut closed_group = None;
        if same_group {
            mark = self.w.len();
        } else {
            if let Some(group) = self.group.take() {
                self.close_group(&group);
                closed_group = Some(group);
            }
            mark = self.w.len();
            self.open_group(prelude, span);
        }
        encode_span(&mut self.w, span, detail);
        if self.spans > 0 && self.w.len() > max_bytes {
            self.w.truncate(mark);
            if closed_group.is_some() {
                // The previous group is closed; the request ends after it.
                self.group = None;
            }
            return Pushed::Full;
        }
        self.spans += 1;
        Pushed::Added
    }

    /// Removes the only span of the request (to write it again trimmed).
    pub(crate) fn clear(&mut self) {
        self.w.buf.clear();
        self.group = None;
        self.spans = 0;
    }

    /// The encoded request, and the encoder emptied for the next one.
    pub(crate) fn finish(&mut self) -> Vec<u8> {
        if let Some(group) = self.group.take() {
            self.close_group(&group);
        }
        self.spans = 0;
        // The next request is likely as large: start it with that room rather than regrowing.
        let capacity = self.w.buf.capacity();
        std::mem::replace(&mut self.w.buf, Vec::with_capacity(capacity))
    }

    fn open_group(&mut self, prelude: &Prelude, span: SpanView<'_>) {
        let w = &mut self.w;
        let resource_spans = w.open(1, 3);
        let resource = w.open(1, 1);
        let service = prelude.service_name.as_deref().unwrap_or(span.service());
        key_value(w, 1, "service.name", Value::Str(service));
        let process = span.process();
        if !prelude.configured("host.name") {
            key_value(w, 1, "host.name", Value::Str(&process.host));
        }
        if !prelude.configured("process.pid") {
            key_value(w, 1, "process.pid", Value::Int(i64::from(process.pid)));
        }
        if !prelude.configured("process.executable.name") {
            key_value(w, 1, "process.executable.name", Value::Str(&process.name));
        }
        w.buf.extend_from_slice(&prelude.resource_attributes);
        w.close(resource);
        let scope_spans = w.open(2, 3);
        w.bytes(1, &prelude.scope);
        self.group = Some(Group {
            resource_spans,
            scope_spans,
            service: span.service().to_owned(),
            process: process.clone(),
        });
    }

    fn close_group(&mut self, group: &Group) {
        self.w.close(group.scope_spans);
        self.w.close(group.resource_spans);
    }
}

/// Writes the `ExportTraceServiceRequest` (protobuf) the recorder would send for `spans` into
/// `out`, replacing its contents: all spans in one request, with the default resource and scope
/// (no configured attributes). For tools that send or store OTLP themselves, and for benchmarks.
///
/// ```
/// use trace_core::SpanBatch;
/// use trace_record::otlp::encode_request;
/// let mut body = Vec::new();
/// encode_request(&SpanBatch::from_records(&[]), &mut body);
/// assert!(body.is_empty()); // no spans, no resource
/// ```
pub fn encode_request(spans: &SpanBatch<'_>, out: &mut Vec<u8>) {
    let prelude = Prelude::new(None, &[], SDK_NAME, SDK_VERSION);
    out.clear();
    let mut encoder = RequestEncoder {
        w: Writer {
            buf: std::mem::take(out),
        },
        group: None,
        spans: 0,
    };
    for span in spans {
        encoder.push(&prelude, span, Detail::Full, usize::MAX);
    }
    *out = encoder.finish();
}

/// One `Span` in field 2 of `ScopeSpans`.
#[inline]
fn encode_span(w: &mut Writer, span: SpanView<'_>, detail: Detail) {
    let open = w.open(2, 2);
    w.bytes(1, &span.trace_id().to_bytes());
    w.bytes(2, &span.span_id().to_bytes());
    let state = span.trace_state().entries();
    if !state.is_empty() {
        // `key=value,key=value`, the `tracestate` header's form.
        let len = state
            .iter()
            .map(|(k, v)| k.len() + v.len() + 1)
            .sum::<usize>()
            + state.len()
            - 1;
        let field = w.open(3, super::wire::varint_len(len as u64));
        for (i, (k, v)) in state.iter().enumerate() {
            if i > 0 {
                w.buf.push(b',');
            }
            w.buf.extend_from_slice(k.as_bytes());
            w.buf.push(b'=');
            w.buf.extend_from_slice(v.as_bytes());
        }
        w.close(field);
    }
    if let Some(parent) = span.parent_id() {
        w.bytes(4, &parent.to_bytes());
    }
    w.bytes_opt(5, span.name().as_bytes());
    w.uint(6, kind_number(span.kind()));
    let start = span.start_unix_nanos();
    w.fixed64(7, start);
    w.fixed64(8, span.finish_unix_nanos());
    let tags = span.tags();
    let code = span.code();
    let checkpoints = span.checkpoints();
    let links = span.links();
    match detail {
        Detail::Full => {
            if let Some(code) = &code {
                key_value(w, 9, "code.file.path", Value::Str(&code.file));
                key_value(w, 9, "code.line.number", Value::Int(i64::from(code.line)));
                if let Some(module) = &code.module {
                    key_value(w, 9, "code.namespace", Value::Str(module));
                }
            }
            for tag in tags.iter() {
                key_value(w, 9, &tag.key, Value::from(&tag.value));
            }
            for checkpoint in checkpoints {
                let event = w.open(11, 1);
                let offset = u64::try_from(checkpoint.offset.as_nanos()).unwrap_or(u64::MAX);
                w.fixed64(1, start.saturating_add(offset));
                w.bytes_opt(2, checkpoint.name.as_bytes());
                w.close(event);
            }
            for link in links {
                let l = w.open(13, 1);
                w.bytes(1, &link.trace_id.to_bytes());
                w.bytes(2, &link.span_id.to_bytes());
                w.close(l);
            }
        }
        Detail::Trimmed => {
            let code_attributes = code.map_or(0, |c| 2 + u64::from(c.module.is_some()));
            w.uint(10, tags.len() as u64 + code_attributes);
            w.uint(12, checkpoints.len() as u64);
            w.uint(14, links.len() as u64);
        }
    }
    if let Status::Error(message) = span.status() {
        let status = w.open(15, 1);
        w.bytes_opt(2, message.as_bytes());
        w.uint(3, STATUS_CODE_ERROR);
        w.close(status);
    }
    w.fixed32(16, u32::from(span.flags().bits()));
    w.close(open);
}
