//! What a held span costs in memory, estimated, so the tail buffer can be bounded in bytes.

use std::borrow::Cow;
use std::mem::size_of;

use crate::clock::Instant;
use crate::record::Link;
use crate::span::data::SpanData;
use crate::span::raw::RawSpan;
use crate::span::{INLINE_TAGS, Status, Tag, TagValue};

/// The fixed record plus what its data box holds on the heap: tags beyond the inline ones, owned
/// strings (name, keys, values, error message, checkpoint names), checkpoints and links. Shared
/// data (a `tracestate` is reference-counted) is not counted.
pub(crate) fn estimate(raw: &RawSpan) -> usize {
    size_of::<RawSpan>() + raw.data.as_deref().map_or(0, data_bytes)
}

fn data_bytes(d: &SpanData) -> usize {
    let mut n = size_of::<SpanData>() + d.name.as_ref().map_or(0, owned);
    if d.tags.len() > INLINE_TAGS {
        n += d.tags.len() * size_of::<Tag>();
    }
    for tag in d.tags.iter() {
        n += owned(&tag.key);
        if let TagValue::Str(v) = &tag.value {
            n += owned(v);
        }
    }
    if let Some(Status::Error(message)) = &d.status {
        n += owned(message);
    }
    n += d.checkpoints.capacity() * size_of::<(Cow<'static, str>, Instant)>();
    n += d
        .checkpoints
        .iter()
        .map(|(name, _)| owned(name))
        .sum::<usize>();
    n + d.links.capacity() * size_of::<Link>()
}

/// Heap bytes of a string the span owns; static strings cost nothing.
#[allow(clippy::ptr_arg)] // whether the `Cow` owns its text is the question
fn owned(s: &Cow<'static, str>) -> usize {
    match s {
        Cow::Owned(s) => s.capacity(),
        Cow::Borrowed(_) => 0,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::context::{Decision, TraceFlags};
    use crate::id::{SpanId, TraceId};
    use crate::span::SpanKind;
    use crate::span::raw::Code;

    /// A deferred span of `trace_id` with no data.
    pub(crate) fn raw(trace_id: TraceId, parent_id: Option<SpanId>, local_root: bool) -> RawSpan {
        let now = Instant::now();
        RawSpan {
            trace_id,
            span_id: SpanId::random(),
            parent_id,
            decision: Decision::Defer,
            local_root,
            flags: TraceFlags::default(),
            kind: SpanKind::Internal,
            code: Code::Caller(std::panic::Location::caller()),
            start: now,
            end: now,
            data: None,
        }
    }

    #[test]
    fn large_tags_count_in_full() {
        let mut span = raw(TraceId::random(), None, true);
        let plain = estimate(&span);
        assert_eq!(plain, size_of::<RawSpan>());
        let mut data = Box::<SpanData>::default();
        data.tags.set("payload", "x".repeat(10_000));
        span.data = Some(data);
        let big = estimate(&span);
        assert!(big >= plain + 10_000, "{big}");
        assert!(big < plain + 11_000, "{big}");
    }
}
