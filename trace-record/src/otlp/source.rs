//! What the encoder reads from a span: the accessors of the collector's borrowed span view.

use std::time::{Duration, UNIX_EPOCH};

use trace_core::{
    CodeLocation, Link, Process, SpanId, SpanKind, SpanRecord, Status, Tags, TraceId,
};

/// A finished span as the encoder reads it, borrowed.
pub(crate) trait SpanSource {
    fn trace_id(&self) -> TraceId;
    fn span_id(&self) -> SpanId;
    fn parent_id(&self) -> Option<SpanId>;
    /// The W3C trace flags byte.
    fn flags(&self) -> u8;
    /// The `tracestate` entries, in order.
    fn trace_state(&self) -> &[(String, String)];
    fn name(&self) -> &str;
    fn kind(&self) -> SpanKind;
    fn service(&self) -> &str;
    fn process(&self) -> &Process;
    fn code(&self) -> Option<CodeLocation>;
    fn start_unix_nanos(&self) -> u64;
    fn finish_unix_nanos(&self) -> u64;
    fn status(&self) -> &Status;
    fn tags(&self) -> &Tags;
    /// Checkpoints as (name, offset from the start).
    fn checkpoints(&self) -> impl ExactSizeIterator<Item = (&str, Duration)>;
    fn links(&self) -> &[Link];
}

fn unix_nanos(time: std::time::SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

impl SpanSource for SpanRecord {
    fn trace_id(&self) -> TraceId {
        self.trace_id
    }
    fn span_id(&self) -> SpanId {
        self.span_id
    }
    fn parent_id(&self) -> Option<SpanId> {
        self.parent_id
    }
    fn flags(&self) -> u8 {
        // A recorded span was sampled.
        1
    }
    fn trace_state(&self) -> &[(String, String)] {
        &[]
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> SpanKind {
        self.kind
    }
    fn service(&self) -> &str {
        &self.service
    }
    fn process(&self) -> &Process {
        &self.process
    }
    fn code(&self) -> Option<CodeLocation> {
        self.code.clone()
    }
    fn start_unix_nanos(&self) -> u64 {
        unix_nanos(self.start)
    }
    fn finish_unix_nanos(&self) -> u64 {
        unix_nanos(self.finish)
    }
    fn status(&self) -> &Status {
        &self.status
    }
    fn tags(&self) -> &Tags {
        &self.tags
    }
    fn checkpoints(&self) -> impl ExactSizeIterator<Item = (&str, Duration)> {
        self.checkpoints.iter().map(|c| (&*c.name, c.offset))
    }
    fn links(&self) -> &[Link] {
        &self.links
    }
}
