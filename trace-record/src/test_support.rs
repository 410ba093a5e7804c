//! Spans made by hand for the unit tests.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use trace_core::{
    Checkpoint, CodeLocation, Link, Process, SpanId, SpanKind, SpanRecord, Status, Tags, TraceId,
};

pub(crate) const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// A minimal span of trace [`TRACE`], starting `offset_ms` after a fixed time.
pub(crate) fn span_at(name: &'static str, parent: Option<SpanId>, offset_ms: u64) -> SpanRecord {
    let start = UNIX_EPOCH + Duration::from_secs(1_700_000_000) + Duration::from_millis(offset_ms);
    let duration = Duration::from_millis(10);
    SpanRecord {
        trace_id: TRACE.parse().unwrap(),
        span_id: SpanId::random(),
        parent_id: parent,
        flags: trace_core::TraceFlags::default(),
        trace_state: trace_core::TraceState::default(),
        name: Cow::Borrowed(name),
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

pub(crate) fn span(name: &'static str, parent: Option<SpanId>) -> SpanRecord {
    span_at(name, parent, 0)
}

/// A span with every field filled, including values YAML could misread.
pub(crate) fn full_span() -> SpanRecord {
    let mut s = span_at("GET /users/:id", Some(SpanId::random()), 3);
    s.span_id = "1234567890123456".parse().unwrap(); // all digits: must stay a string
    s.trace_id = TraceId::from_hex("1e50000000000000000000000000abcd").unwrap();
    s.kind = SpanKind::Server;
    s.code = Some(CodeLocation {
        module: Some(Cow::Borrowed("app::users")),
        file: Cow::Borrowed("src/users.rs"),
        line: 42,
    });
    s.status = Status::Error(Cow::Borrowed(
        "disk full: 'quoted' & \"double\"\nsecond line",
    ));
    s.duration = Duration::new(0, 10_000_001);
    s.finish = s.start + s.duration;
    let mut tags = Tags::new();
    tags.set("name", "not the span's name");
    tags.set("start", "yes");
    tags.set("count", 3);
    tags.set("negative", -7);
    tags.set("ratio", 0.25);
    tags.set("whole", 2.0);
    tags.set("huge", 1e300);
    tags.set("ok", true);
    tags.set("digits", "0042");
    tags.set("looks_bool", "true");
    tags.set("looks_null", "~");
    tags.set("empty", "");
    tags.set("separator", "a\n---\nb");
    tags.set("key: with colon", "value # not a comment");
    tags.set("unicode", "héllo ✓");
    s.tags = tags;
    s.checkpoints = vec![
        Checkpoint {
            name: Cow::Borrowed("parsed"),
            offset: Duration::from_nanos(1_163_587),
        },
        Checkpoint {
            name: Cow::Borrowed("stored"),
            offset: Duration::from_nanos(2_436_265),
        },
    ];
    s.links = vec![Link {
        trace_id: TraceId::random(),
        span_id: "0000000000000001".parse().unwrap(),
    }];
    s
}
