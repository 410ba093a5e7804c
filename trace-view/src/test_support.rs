//! Spans made by hand for the unit tests.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use trace_core::{Process, SpanId, SpanKind, SpanRecord, Status, Tags, TraceId};
use trace_record::Trace;

pub(crate) const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// A span of trace [`TRACE`] from `start_ms` to `end_ms` after a fixed time, child of `parent`.
pub(crate) fn at(
    name: &str,
    parent: Option<&SpanRecord>,
    start_ms: u64,
    end_ms: u64,
) -> SpanRecord {
    let start = UNIX_EPOCH + Duration::from_secs(1_700_000_000) + Duration::from_millis(start_ms);
    let duration = Duration::from_millis(end_ms - start_ms);
    SpanRecord {
        trace_id: TraceId::from_hex(TRACE).unwrap(),
        span_id: SpanId::random(),
        parent_id: parent.map(|p| p.span_id),
        name: Cow::Owned(name.to_owned()),
        kind: SpanKind::Internal,
        service: Arc::from("svc"),
        process: Arc::new(Process {
            name: "app".into(),
            pid: 42,
            host: "host-1".into(),
        }),
        code: None,
        start,
        finish: start + duration,
        duration,
        status: Status::Ok,
        tags: Tags::new(),
        checkpoints: Vec::new(),
        links: Vec::new(),
    }
}

/// The one trace of `spans`.
pub(crate) fn trace_of(spans: Vec<SpanRecord>) -> Trace {
    Trace::group(spans).remove(0)
}
