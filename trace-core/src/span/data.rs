use std::borrow::Cow;

use crate::clock::Instant;
use crate::record::Link;
use crate::span::{Status, Tags};
use crate::trace_state::TraceState;

/// What a span gathers besides its fixed-size record: a run-time name, tags, status, checkpoints
/// and links.
///
/// It lives in a box that the span takes only when it first needs one, so a plain span's record
/// stays small enough to be moved with a few register moves. The boxes are recycled: the collector
/// empties each one and sends it back to the thread it came from (see
/// the thread's sink hands out spares), so in a steady state
/// setting tags allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct SpanData {
    /// The name, when it is not the call site's (spans opened through the builder).
    pub(crate) name: Option<Cow<'static, str>>,
    pub(crate) tags: Tags,
    pub(crate) status: Option<Status>,
    pub(crate) checkpoints: Vec<(Cow<'static, str>, Instant)>,
    pub(crate) links: Vec<Link>,
    /// The trace's `tracestate`, kept only when there is one (a remote caller sent it).
    pub(crate) trace_state: TraceState,
}

impl SpanData {
    /// Empties the box for reuse, keeping what it allocated.
    pub(crate) fn clear(&mut self) {
        self.name = None;
        self.tags.clear();
        self.status = None;
        self.checkpoints.clear();
        self.links.clear();
        self.trace_state = TraceState::EMPTY;
    }

    /// Marks the span as an error unless something already set its status.
    pub(crate) fn set_error_if_unset(&mut self, message: Cow<'static, str>) {
        if self.status.is_none() {
            self.status = Some(Status::Error(message));
        }
    }

    /// Adds what was set through the current-span functions while the span was entered.
    pub(crate) fn merge(&mut self, other: SpanData) {
        let SpanData {
            name,
            tags,
            status,
            checkpoints,
            links,
            trace_state,
        } = other;
        if !trace_state.is_empty() {
            self.trace_state = trace_state;
        }
        if name.is_some() {
            self.name = name;
        }
        self.tags.merge(tags);
        if status.is_some() {
            self.status = status;
        }
        self.checkpoints.extend(checkpoints);
        self.links.extend(links);
    }
}

/// Merges `pending` into a span's data, adopting the box when the span has none yet.
pub(crate) fn merge_into(data: &mut Option<Box<SpanData>>, pending: Box<SpanData>) {
    match data {
        Some(data) => data.merge(*pending),
        None => *data = Some(pending),
    }
}
