//! Spans made by hand for the unit tests, through the YAML reader (so they are built the way
//! every span the views see is, whatever fields `SpanRecord` grows).

use std::time::{Duration, UNIX_EPOCH};

use trace_core::{SpanId, SpanRecord};
use trace_record::{Trace, yaml};

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
    let parent = parent.map_or_else(
        || "'0000000000000000'".to_owned(),
        |p| p.span_id.to_string(),
    );
    let doc = format!(
        "---\ntrace_id: {TRACE}\nspan_id: '{}'\nparent_id: {parent}\nname: {name:?}\nkind: internal\n\
         process: app:42@host-1\nstart: {}\nfinish: {}\nservice: svc\nduration_ns: {}\nstatus: ok\n",
        SpanId::random(),
        humantime::format_rfc3339_nanos(start),
        humantime::format_rfc3339_nanos(start + duration),
        duration.as_nanos(),
    );
    yaml::read_spans(doc.as_bytes())
        .next()
        .expect("one document")
        .unwrap_or_else(|e| panic!("{e}: {doc}"))
}

/// The one trace of `spans`.
pub(crate) fn trace_of(spans: Vec<SpanRecord>) -> Trace {
    Trace::group(spans).remove(0)
}
