use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::panic::Location;

use crate::callsite::Callsite;
use crate::collector::global;
use crate::context::SpanContext;
use crate::local::{self, Local};
use crate::span::SpanKind;
use crate::span::data::SpanData;
use crate::span::raw::{Code, FrameRecord, RawSpan};
use crate::span::start::{DataInit, Meta, Parent, Place, finish_scoped, open};

/// The guard's depth when no tracer is installed: nothing was opened.
const DISABLED: usize = usize::MAX;
/// The guard's depth when it shares the frame of its unsampled parent: nothing was opened, and its
/// context is its parent's (see [`Place::shared`]).
const SHARED: usize = usize::MAX - 1;

/// A span that lasts until this guard drops, and is the current span on this thread meanwhile.
///
/// It finishes when dropped, also while unwinding from a panic (the span is then marked as an
/// error). The guard cannot leave its thread; use [`Span`](crate::Span) for work that moves.
///
/// ```
/// use trace_core::{Callsite, SpanGuard, SpanKind};
/// static CS: Callsite = Callsite::new("parse", SpanKind::Internal, module_path!(), file!(), line!());
///
/// fn parse(input: &str) -> usize {
///     let mut span = SpanGuard::enter(&CS);
///     span.set_tag("bytes", input.len());
///     span.checkpoint("tokenized");
///     input.split_whitespace().count()
/// }
/// # assert_eq!(parse("a b"), 2);
/// ```
#[must_use = "the span ends when the guard is dropped; bind it with `let _span = ..`"]
pub struct SpanGuard {
    /// Depth of this span's frame on the thread's stack (which holds its record, if it records),
    /// or [`SHARED`] or [`DISABLED`].
    depth: usize,
    /// Whether the frame holds a record, known here so that asking costs no thread-local access.
    recording: bool,
    _not_send: PhantomData<*const ()>,
}

impl SpanGuard {
    /// Opens a child of the current span (or a new trace if there is none) with the call site's
    /// name, kind and location.
    #[inline(always)]
    pub fn enter(callsite: &'static Callsite) -> Self {
        if !global::enabled() {
            return Self::disabled();
        }
        Self::open(Parent::Current, Meta::callsite(callsite))
    }

    /// Opens the root span of a new trace, whatever span is current.
    #[inline(always)]
    pub fn enter_root(callsite: &'static Callsite) -> Self {
        if !global::enabled() {
            return Self::disabled();
        }
        Self::open(Parent::Root, Meta::callsite(callsite))
    }

    /// Opens a span named `name`, child of the current span, at the caller's location.
    #[track_caller]
    pub fn named(name: impl Into<Cow<'static, str>>) -> Self {
        let code = Code::Caller(Location::caller());
        Self::open(
            Parent::Current,
            Meta::named(name.into(), SpanKind::Internal, code, None),
        )
    }

    /// Out of line, so that the disabled path inlined into every traced function is one flag test
    /// rather than this function's stack frame.
    #[inline(never)]
    pub(crate) fn open(parent: Parent<'_>, meta: Meta<impl DataInit>) -> Self {
        let (depth, recording) = open::<_, Self>(parent, meta).unwrap_or((DISABLED, false));
        Self {
            depth,
            recording,
            _not_send: PhantomData,
        }
    }

    /// A guard that records and propagates nothing: what every span is without a tracer.
    #[inline]
    pub const fn disabled() -> Self {
        Self {
            depth: DISABLED,
            recording: false,
            _not_send: PhantomData,
        }
    }

    /// The span's context (for propagation), or `None` when no tracer is installed.
    pub fn context(&self) -> Option<SpanContext> {
        match self.depth {
            DISABLED => None,
            SHARED => local::current(),
            depth => local::context_at(depth),
        }
    }

    /// Whether this span will be recorded (possibly subject to the tail rule).
    pub fn is_recording(&self) -> bool {
        self.recording
    }

    /// Runs `f` on the span's data, if it records; taking a recycled box on first use.
    #[inline]
    fn with_data(&mut self, f: impl FnOnce(&mut SpanData)) {
        if self.recording {
            local::with_data_at(self.depth, f);
        }
    }

    crate::span::setters::span_setters!();
}

impl Drop for SpanGuard {
    #[inline(always)]
    fn drop(&mut self) {
        if self.depth >= SHARED {
            return;
        }
        self.finish();
    }
}

impl Place for SpanGuard {
    /// The frame's depth, and whether it holds a record.
    type Output = (usize, bool);

    #[inline(always)]
    fn place(local: &mut Local, ctx: SpanContext, raw: Option<RawSpan>) -> (usize, bool) {
        let recording = raw.is_some();
        (local.push(ctx, raw.map(FrameRecord::from_raw)), recording)
    }

    #[inline(always)]
    fn shared() -> Option<(usize, bool)> {
        Some((SHARED, false))
    }
}

impl SpanGuard {
    #[inline(never)]
    fn finish(&mut self) {
        finish_scoped(self.depth);
    }
}

impl fmt::Debug for SpanGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpanGuard")
            .field("context", &self.context())
            .field("recording", &self.is_recording())
            .finish()
    }
}
