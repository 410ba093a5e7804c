use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use crate::callsite::Callsite;
use crate::collector::global;
use crate::context::SpanContext;
use crate::local::{self, Local};
use crate::span::data::{SpanData, merge_into};
use crate::span::raw::{FrameRecord, RawSpan};
use crate::span::start::{DataInit, Meta, Parent, Place, finish, open};

/// A span that is not tied to a scope: it can move to other threads, be entered many times (as a
/// future is, on every poll) and finishes when dropped or [`finish`](Self::finish)ed.
///
/// ```
/// use trace_core::{Callsite, FutureExt, Span, SpanKind};
/// static CS: Callsite = Callsite::new("fetch", SpanKind::Client, module_path!(), file!(), line!());
///
/// async fn fetch() -> u32 {
///     async { 42 }.in_span(Span::start(&CS)).await
/// }
/// ```
#[must_use = "a span finishes when dropped; enter it or keep it alive"]
pub struct Span {
    ctx: Option<SpanContext>,
    /// The record less what `ctx` holds (as a scoped span's frame keeps it): a future carries its
    /// span and is moved when it is boxed, spawned or awaited, so every byte here is copied.
    raw: Option<FrameRecord>,
}

impl Span {
    /// Opens a child of the current span (or a new trace if there is none) without entering it.
    #[inline(always)]
    pub fn start(callsite: &'static Callsite) -> Self {
        if !global::enabled() {
            return Self::disabled();
        }
        Self::open(Parent::Current, Meta::callsite(callsite))
    }

    /// Opens the root span of a new trace without entering it.
    #[inline(always)]
    pub fn start_root(callsite: &'static Callsite) -> Self {
        if !global::enabled() {
            return Self::disabled();
        }
        Self::open(Parent::Root, Meta::callsite(callsite))
    }

    /// Opens a child of `parent` (a context from another thread, a message or a request) with the
    /// call site's name, kind and location, without entering it.
    #[inline]
    pub fn start_child_of(callsite: &'static Callsite, parent: &SpanContext) -> Self {
        if !global::enabled() {
            return Self::disabled();
        }
        Self::open(Parent::Explicit(parent), Meta::callsite(callsite))
    }

    #[inline]
    pub(crate) fn open(parent: Parent<'_>, meta: Meta<impl DataInit>) -> Self {
        match open::<_, Self>(parent, meta) {
            Some((ctx, raw)) => Self {
                ctx: Some(ctx),
                raw,
            },
            None => Self::disabled(),
        }
    }

    /// A span that records and propagates nothing.
    pub const fn disabled() -> Self {
        Self {
            ctx: None,
            raw: None,
        }
    }

    /// Makes this span the current one on this thread until the returned guard drops.
    #[inline]
    pub fn enter(&mut self) -> Entered<'_> {
        let depth = match &self.ctx {
            Some(ctx) => local::enter(ctx),
            None => usize::MAX,
        };
        Entered {
            span: self,
            depth,
            _not_send: PhantomData,
        }
    }

    /// Enters the span like [`enter`](Self::enter), for integrations that learn of entering and
    /// leaving in separate calls (the `tracing` bridge): returns what to pass to
    /// [`exit_unguarded`](Self::exit_unguarded) on this thread, or `None` if nothing was entered.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(crate) fn enter_unguarded(&self) -> Option<usize> {
        let depth = local::enter(self.ctx.as_ref()?);
        (depth != usize::MAX).then_some(depth)
    }

    /// Leaves what [`enter_unguarded`](Self::enter_unguarded) entered; returns what was set on
    /// the current span meanwhile, for [`keep`](Self::keep) (dropping [`Entered`] does both).
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(crate) fn exit_unguarded(depth: usize) -> Option<Box<SpanData>> {
        local::pop(depth)
    }

    /// Keeps what was set on the current span while this span was entered.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(crate) fn keep(&mut self, pending: Box<SpanData>) {
        if let Some(raw) = &mut self.raw {
            merge_into(&mut raw.data, pending);
        }
    }

    /// The span's context (for propagation), or `None` when no tracer is installed.
    pub fn context(&self) -> Option<&SpanContext> {
        self.ctx.as_ref()
    }

    /// Whether this span will be recorded (possibly subject to the tail rule).
    pub fn is_recording(&self) -> bool {
        self.raw.is_some()
    }

    /// Runs `f` on the span's data, if it records; taking a recycled box on first use.
    #[inline]
    fn with_data(&mut self, f: impl FnOnce(&mut SpanData)) {
        if let Some(raw) = &mut self.raw {
            f(raw.data.get_or_insert_with(local::spare_data));
        }
    }

    crate::span::setters::span_setters!();

    /// Finishes the span now.
    pub fn finish(mut self) {
        self.finish_in_place();
    }

    /// Finishes the span now, leaving a span that records nothing more.
    #[inline(always)]
    pub(crate) fn finish_in_place(&mut self) {
        if self.raw.is_some() {
            finish(self.ctx.as_ref(), &mut self.raw);
        }
    }
}

impl Place for Span {
    type Output = (SpanContext, Option<FrameRecord>);

    #[inline(always)]
    fn place(_: &mut Local, ctx: SpanContext, raw: Option<RawSpan>) -> Self::Output {
        (ctx, raw.map(FrameRecord::from_raw))
    }

    /// Never: an owned span may outlive its parent's frame (a future polled elsewhere).
    fn shared() -> Option<Self::Output> {
        None
    }
}

impl Drop for Span {
    fn drop(&mut self) {
        self.finish_in_place();
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Span")
            .field("context", &self.ctx)
            .field("recording", &self.raw.is_some())
            .finish()
    }
}

/// A [`Span`] entered on this thread; leaves it when dropped.
pub struct Entered<'a> {
    span: &'a mut Span,
    depth: usize,
    _not_send: PhantomData<*const ()>,
}

impl Drop for Entered<'_> {
    #[inline]
    fn drop(&mut self) {
        if self.depth == usize::MAX {
            return;
        }
        if let (Some(pending), Some(raw)) = (local::pop(self.depth), &mut self.span.raw) {
            merge_into(&mut raw.data, pending);
        }
    }
}

impl Deref for Entered<'_> {
    type Target = Span;
    fn deref(&self) -> &Span {
        self.span
    }
}

impl DerefMut for Entered<'_> {
    fn deref_mut(&mut self) -> &mut Span {
        self.span
    }
}

impl fmt::Debug for Entered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Entered").field(&self.span).finish()
    }
}
