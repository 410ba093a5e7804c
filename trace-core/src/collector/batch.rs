//! What recorders receive: a batch of finished spans, lent for the duration of one call.
//!
//! The collector keeps each span as the hot path queued it (a fixed record with TSC instants and a
//! pointer to static call-site data, plus the box of tags and checkpoints) and lends recorders a
//! view of it. Times are converted and names resolved when a recorder asks, so encoding a span
//! reads it where it lies instead of first copying it into a [`SpanRecord`] with its own strings.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::clock::{WallClock, elapsed};
use crate::context::TraceFlags;
use crate::id::{SpanId, TraceId};
use crate::record::{Checkpoint, CodeLocation, Link, Process, SpanRecord};
use crate::span::data::SpanData;
use crate::span::raw::{Code, RawSpan};
use crate::span::{SpanKind, Status, Tags};
use crate::trace_state::TraceState;

static OK: Status = Status::Ok;
static NO_TAGS: Tags = Tags::new();
static NO_TRACE_STATE: TraceState = TraceState::EMPTY;

/// What every span of one tracer shares: where it ran and how its instants map to wall-clock time.
pub(crate) struct Origin {
    pub(crate) clock: WallClock,
    pub(crate) service: Arc<str>,
    pub(crate) process: Arc<Process>,
}

#[derive(Clone, Copy)]
enum Spans<'a> {
    Raw(&'a [RawSpan], &'a Origin),
    Records(&'a [SpanRecord]),
}

/// A batch of finished spans, lent to [`Recorder::record`](crate::Recorder::record).
///
/// ```
/// use trace_core::{RecordError, Recorder, SpanBatch};
///
/// /// Prints one line per span.
/// #[derive(Debug)]
/// struct Lines;
///
/// impl Recorder for Lines {
///     fn record(&mut self, batch: &SpanBatch<'_>) -> Result<(), RecordError> {
///         for span in batch {
///             println!("{} {} {:?}", span.trace_id(), span.name(), span.duration());
///         }
///         Ok(())
///     }
/// }
/// ```
#[derive(Clone, Copy)]
pub struct SpanBatch<'a>(Spans<'a>);

impl<'a> SpanBatch<'a> {
    pub(crate) fn raw(spans: &'a [RawSpan], origin: &'a Origin) -> Self {
        Self(Spans::Raw(spans, origin))
    }

    /// A batch of owned records: for tests, benchmarks, and recorders that re-send what they read.
    pub fn from_records(records: &'a [SpanRecord]) -> Self {
        Self(Spans::Records(records))
    }

    /// How many spans the batch holds.
    pub fn len(&self) -> usize {
        match self.0 {
            Spans::Raw(spans, _) => spans.len(),
            Spans::Records(records) => records.len(),
        }
    }

    /// Whether the batch holds no span.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The span at `index`.
    pub fn get(&self, index: usize) -> Option<SpanView<'a>> {
        match self.0 {
            Spans::Raw(spans, origin) => spans.get(index).map(|raw| SpanView::raw(raw, origin)),
            Spans::Records(records) => records.get(index).map(SpanRecord::view),
        }
    }

    /// The spans, in the order they finished on each thread.
    pub fn iter(&self) -> Iter<'a> {
        Iter {
            batch: *self,
            next: 0,
        }
    }

    /// Owned copies of every span.
    pub fn to_records(&self) -> Vec<SpanRecord> {
        self.iter().map(|s| s.to_record()).collect()
    }
}

impl<'a> IntoIterator for &SpanBatch<'a> {
    type Item = SpanView<'a>;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl std::fmt::Debug for SpanBatch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// The spans of a [`SpanBatch`].
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    batch: SpanBatch<'a>,
    next: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = SpanView<'a>;
    fn next(&mut self) -> Option<SpanView<'a>> {
        let span = self.batch.get(self.next)?;
        self.next += 1;
        Some(span)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.batch.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[derive(Clone, Copy)]
enum Inner<'a> {
    Raw(&'a RawSpan, &'a Origin),
    Record(&'a SpanRecord),
}

/// One finished span, borrowed from the collector's queue or from a [`SpanRecord`].
///
/// Every accessor is cheap: ids and times are computed from the record where it lies, strings are
/// borrowed. [`to_record`](Self::to_record) makes an owned copy.
#[derive(Clone, Copy)]
pub struct SpanView<'a>(Inner<'a>);

impl<'a> SpanView<'a> {
    #[inline]
    pub(crate) fn raw(raw: &'a RawSpan, origin: &'a Origin) -> Self {
        Self(Inner::Raw(raw, origin))
    }

    #[inline]
    fn data(&self) -> Option<&'a SpanData> {
        match self.0 {
            Inner::Raw(raw, _) => raw.data.as_deref(),
            Inner::Record(_) => None,
        }
    }

    /// The trace the span belongs to.
    pub fn trace_id(&self) -> TraceId {
        match self.0 {
            Inner::Raw(raw, _) => raw.trace_id,
            Inner::Record(r) => r.trace_id,
        }
    }

    /// The span's own id.
    pub fn span_id(&self) -> SpanId {
        match self.0 {
            Inner::Raw(raw, _) => raw.span_id,
            Inner::Record(r) => r.span_id,
        }
    }

    /// The parent's id; `None` for the root of the trace.
    pub fn parent_id(&self) -> Option<SpanId> {
        match self.0 {
            Inner::Raw(raw, _) => raw.parent_id,
            Inner::Record(r) => r.parent_id,
        }
    }

    /// The W3C trace flags the span propagated (sampled, random trace id).
    pub fn flags(&self) -> TraceFlags {
        match self.0 {
            Inner::Raw(raw, _) => raw.flags,
            Inner::Record(r) => r.flags,
        }
    }

    /// The trace's `tracestate`, empty unless the trace arrived with one.
    pub fn trace_state(&self) -> &'a TraceState {
        match self.0 {
            Inner::Raw(..) => self.data().map_or(&NO_TRACE_STATE, |d| &d.trace_state),
            Inner::Record(r) => &r.trace_state,
        }
    }

    /// What the span did.
    pub fn name(&self) -> &'a str {
        match self.0 {
            Inner::Raw(raw, _) => match (self.data().and_then(|d| d.name.as_deref()), raw.code) {
                (Some(name), _) => name,
                (None, Code::Callsite(cs)) => cs.name(),
                (None, Code::Caller(_)) => "unnamed",
            },
            Inner::Record(r) => &r.name,
        }
    }

    /// The span's role.
    pub fn kind(&self) -> SpanKind {
        match self.0 {
            Inner::Raw(raw, _) => raw.kind,
            Inner::Record(r) => r.kind,
        }
    }

    /// The service that recorded the span.
    pub fn service(&self) -> &'a str {
        match self.0 {
            Inner::Raw(_, origin) => &origin.service,
            Inner::Record(r) => &r.service,
        }
    }

    /// Where the span ran.
    pub fn process(&self) -> &'a Process {
        match self.0 {
            Inner::Raw(_, origin) => &origin.process,
            Inner::Record(r) => &r.process,
        }
    }

    /// The code that opened the span, when known.
    pub fn code(&self) -> Option<CodeLocation> {
        match self.0 {
            Inner::Raw(raw, _) => Some(match raw.code {
                Code::Callsite(cs) => CodeLocation {
                    module: Some(Cow::Borrowed(cs.module_path())),
                    file: Cow::Borrowed(cs.file()),
                    line: cs.line(),
                },
                Code::Caller(loc) => CodeLocation {
                    module: None,
                    file: Cow::Borrowed(loc.file()),
                    line: loc.line(),
                },
            }),
            Inner::Record(r) => r.code.clone(),
        }
    }

    /// Wall-clock start time.
    pub fn start(&self) -> SystemTime {
        match self.0 {
            Inner::Raw(..) => UNIX_EPOCH + Duration::from_nanos(self.start_unix_nanos()),
            Inner::Record(r) => r.start,
        }
    }

    /// Wall-clock finish time (`start + duration`).
    pub fn finish(&self) -> SystemTime {
        match self.0 {
            Inner::Raw(..) => self.start() + self.duration(),
            Inner::Record(r) => r.finish,
        }
    }

    /// The start time in nanoseconds since the Unix epoch.
    pub fn start_unix_nanos(&self) -> u64 {
        match self.0 {
            Inner::Raw(raw, origin) => origin.clock.unix_nanos(raw.start),
            Inner::Record(r) => unix_nanos(r.start),
        }
    }

    /// The finish time in nanoseconds since the Unix epoch.
    pub fn finish_unix_nanos(&self) -> u64 {
        match self.0 {
            Inner::Raw(..) => {
                let duration = u64::try_from(self.duration().as_nanos()).unwrap_or(u64::MAX);
                self.start_unix_nanos().saturating_add(duration)
            }
            Inner::Record(r) => unix_nanos(r.finish),
        }
    }

    /// Elapsed time, from a monotonic clock.
    pub fn duration(&self) -> Duration {
        match self.0 {
            Inner::Raw(raw, _) => elapsed(raw.start, raw.end),
            Inner::Record(r) => r.duration,
        }
    }

    /// Whether the span ended in error.
    pub fn status(&self) -> &'a Status {
        match self.0 {
            Inner::Raw(..) => self.data().and_then(|d| d.status.as_ref()).unwrap_or(&OK),
            Inner::Record(r) => &r.status,
        }
    }

    /// The span's tags, in the order they were set.
    pub fn tags(&self) -> &'a Tags {
        match self.0 {
            Inner::Raw(..) => self.data().map_or(&NO_TAGS, |d| &d.tags),
            Inner::Record(r) => &r.tags,
        }
    }

    /// Named moments inside the span, as offsets from its start.
    pub fn checkpoints(&self) -> Checkpoints<'a> {
        Checkpoints(match self.0 {
            Inner::Raw(raw, _) => CheckpointsInner::Raw(
                raw.start,
                self.data()
                    .map_or(&[][..], |d| d.checkpoints.as_slice())
                    .iter(),
            ),
            Inner::Record(r) => CheckpointsInner::Record(r.checkpoints.iter()),
        })
    }

    /// Spans this one is causally linked to besides its parent.
    pub fn links(&self) -> &'a [Link] {
        match self.0 {
            Inner::Raw(..) => self.data().map_or(&[][..], |d| d.links.as_slice()),
            Inner::Record(r) => &r.links,
        }
    }

    /// An owned copy of the span.
    pub fn to_record(&self) -> SpanRecord {
        if let Inner::Record(r) = self.0 {
            return r.clone();
        }
        let (service, process) = match self.0 {
            Inner::Raw(_, origin) => (Arc::clone(&origin.service), Arc::clone(&origin.process)),
            Inner::Record(r) => (Arc::clone(&r.service), Arc::clone(&r.process)),
        };
        let name = match self.data().and_then(|d| d.name.as_ref()) {
            Some(name) => name.clone(),
            None => match self.0 {
                Inner::Raw(
                    RawSpan {
                        code: Code::Callsite(cs),
                        ..
                    },
                    _,
                ) => Cow::Borrowed(cs.name()),
                _ => Cow::Borrowed("unnamed"),
            },
        };
        let start = self.start();
        let duration = self.duration();
        let finish = start + duration;
        SpanRecord {
            trace_id: self.trace_id(),
            span_id: self.span_id(),
            parent_id: self.parent_id(),
            flags: self.flags(),
            trace_state: self.trace_state().clone(),
            name,
            kind: self.kind(),
            service,
            process,
            code: self.code(),
            start,
            finish,
            duration,
            status: self.status().clone(),
            tags: self.tags().clone(),
            checkpoints: self
                .checkpoints()
                .map(|c| Checkpoint {
                    name: Cow::Owned(c.name.to_owned()),
                    offset: c.offset,
                })
                .collect(),
            links: self.links().to_vec(),
        }
    }
}

impl std::fmt::Debug for SpanView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpanView")
            .field("trace_id", &self.trace_id())
            .field("span_id", &self.span_id())
            .field("parent_id", &self.parent_id())
            .field("name", &self.name())
            .field("duration", &self.duration())
            .field("status", self.status())
            .finish_non_exhaustive()
    }
}

impl SpanRecord {
    /// A borrowed view of this record, as recorders receive spans.
    pub fn view(&self) -> SpanView<'_> {
        SpanView(Inner::Record(self))
    }
}

/// A named moment inside a span, borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckpointView<'a> {
    /// What was reached.
    pub name: &'a str,
    /// When, counted from the span's start.
    pub offset: Duration,
}

/// The checkpoints of a [`SpanView`].
#[derive(Clone, Debug)]
pub struct Checkpoints<'a>(CheckpointsInner<'a>);

#[derive(Clone, Debug)]
enum CheckpointsInner<'a> {
    Raw(
        crate::clock::Instant,
        std::slice::Iter<'a, (Cow<'static, str>, crate::clock::Instant)>,
    ),
    Record(std::slice::Iter<'a, Checkpoint>),
}

impl<'a> Iterator for Checkpoints<'a> {
    type Item = CheckpointView<'a>;
    fn next(&mut self) -> Option<CheckpointView<'a>> {
        match &mut self.0 {
            CheckpointsInner::Raw(start, iter) => iter.next().map(|(name, at)| CheckpointView {
                name,
                offset: elapsed(*start, *at),
            }),
            CheckpointsInner::Record(iter) => iter.next().map(|c| CheckpointView {
                name: &c.name,
                offset: c.offset,
            }),
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            CheckpointsInner::Raw(_, iter) => iter.size_hint(),
            CheckpointsInner::Record(iter) => iter.size_hint(),
        }
    }
}

impl ExactSizeIterator for Checkpoints<'_> {}

fn unix_nanos(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}
