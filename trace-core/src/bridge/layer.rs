use std::sync::atomic::{AtomicU64, Ordering};

use tracing_core::span::{Attributes, Id, Record};
use tracing_core::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::{LookupSpan, SpanRef};

use super::bridged::{Bridged, Parent};
use super::builder::TracingLayerBuilder;
use super::entered::{self, Entry};
use super::fields::{self, Tags};
use crate::context::SpanContext;
use crate::current;
use crate::span::Span;

/// A [`tracing_subscriber::Layer`] that turns `tracing` spans and events into ours; see the
/// [module docs](super) for what becomes what.
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt;
/// use trace_core::bridge::TracingLayer;
/// # #[derive(Debug)] struct Discard;
/// # impl trace_core::Recorder for Discard {
/// #     fn record(&mut self, _: &trace_core::SpanBatch<'_>) -> Result<(), trace_core::RecordError> { Ok(()) }
/// # }
///
/// let tracer = trace_core::Tracer::builder().recorder(Discard).install().unwrap();
/// let subscriber = tracing_subscriber::registry().with(TracingLayer::new());
/// tracing::subscriber::with_default(subscriber, || {
///     let _request = tracing::info_span!("request", user = 42).entered(); // one of our spans
///     let _load = trace_core::span("load").enter();                     // its child
///     tracing::info!(rows = 3, "loaded");                               // a checkpoint on `load`
/// });
/// assert_eq!(tracer.shutdown().unwrap().recorded, 2);
/// ```
///
/// One `TracingLayer` per subscriber: it keeps its spans in the `tracing` spans' extensions.
#[derive(Debug)]
pub struct TracingLayer {
    /// Tells this layer's entries apart from another subscriber's in the thread's list of entered
    /// spans (span ids are per subscriber).
    id: u64,
    filter: Option<Targets>,
    error_events: bool,
}

impl TracingLayer {
    /// A layer that bridges every span and event; `ERROR` events mark their span as failed.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// Options: filters by target and level, and what `ERROR` events do.
    pub fn builder() -> TracingLayerBuilder {
        TracingLayerBuilder::default()
    }

    pub(super) fn from_builder(builder: TracingLayerBuilder) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        let TracingLayerBuilder {
            filter,
            error_events,
        } = builder;
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            filter,
            error_events,
        }
    }

    /// Whether spans and events of `meta` are bridged here.
    #[inline]
    fn bridges(&self, meta: &Metadata<'_>) -> bool {
        !crate::thread::is_recorder_thread()
            && self
                .filter
                .as_ref()
                .is_none_or(|f| f.would_enable(meta.target(), meta.level()))
    }
}

impl Default for TracingLayer {
    fn default() -> Self {
        Self::new()
    }
}

/// The context of `span` if it was bridged, else of its nearest bridged ancestor.
fn bridged_context<S>(span: Option<SpanRef<'_, S>>) -> Option<SpanContext>
where
    S: for<'a> LookupSpan<'a>,
{
    span?.scope().find_map(|s| {
        s.extensions()
            .get::<Bridged>()
            .and_then(|b| b.context().cloned())
    })
}

/// Whether the innermost span current on this thread records (so an event there is kept).
fn current_records() -> bool {
    current::context()
        .and_then(|ctx| ctx.local_decision())
        .is_some_and(|d| d.records())
}

impl<S> Layer<S> for TracingLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let meta = attrs.metadata();
        if !self.bridges(meta) {
            return;
        }
        // The innermost span current here is the contextual parent's span or a span of ours
        // opened inside it: either way the closest ancestor.
        let parent = match attrs.parent() {
            Some(explicit) => bridged_context(ctx.span(explicit)).or_else(current::context),
            None if attrs.is_contextual() => {
                current::context().or_else(|| bridged_context(ctx.lookup_current()))
            }
            None => None,
        };
        let parent = parent.map_or(Parent::Root, Parent::Context);
        let Some(mut bridged) = Bridged::open(meta, parent) else {
            return;
        };
        if let Some(span) = bridged.recording() {
            attrs.record(&mut Tags(span));
        }
        if let Some(span) = ctx.span(id) {
            // `replace`, not `insert`: a second bridge in the same subscriber must not panic.
            let _ = span.extensions_mut().replace(bridged);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(span) = extensions.get_mut::<Bridged>().and_then(Bridged::recording) {
            values.record(&mut Tags(span));
        }
    }

    fn on_follows_from(&self, id: &Id, follows: &Id, ctx: Context<'_, S>) {
        let Some(other) = ctx
            .span(follows)
            .and_then(|s| s.extensions().get::<Bridged>()?.context().cloned())
        else {
            return;
        };
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(span) = extensions.get_mut::<Bridged>().and_then(Bridged::recording) {
            span.add_link(&other);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let meta = event.metadata();
        if !self.bridges(meta) {
            return;
        }
        let error = self.error_events && *meta.level() == Level::ERROR;
        if let Some(explicit) = event.parent() {
            let Some(span) = ctx.span(explicit) else {
                return;
            };
            // Formatted before taking the lock: field `Debug` impls may log.
            let name = fields::checkpoint_name(event);
            let Some(target) = span
                .scope()
                .find(|s| s.extensions().get::<Bridged>().is_some())
            else {
                return;
            };
            let mut extensions = target.extensions_mut();
            if let Some(span) = extensions.get_mut::<Bridged>().and_then(Bridged::recording) {
                if error {
                    span.set_error(name.clone());
                }
                span.checkpoint(name);
            }
        } else if event.is_contextual() && current_records() {
            // The innermost current span: a bridged one entered here, or ours inside it.
            let name = fields::checkpoint_name(event);
            if error {
                current::set_error(name.clone());
            }
            current::checkpoint(name);
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let extensions = span.extensions();
        match extensions.get::<Bridged>() {
            Some(Bridged::Own(own)) => entered::enter_own(self.id, id, own),
            Some(Bridged::Shared(shared)) => entered::enter_shared(self.id, id, shared),
            None => {}
        }
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        match entered::leave(self.id, id) {
            Some(Entry::Own(depth)) => {
                // Only when code set something through `current` is the span itself needed.
                let Some(pending) = Span::exit_unguarded(depth) else {
                    return;
                };
                let Some(span) = ctx.span(id) else { return };
                if let Some(Bridged::Own(own)) = span.extensions_mut().get_mut::<Bridged>() {
                    own.keep(pending);
                }
            }
            Some(Entry::Shared(attached)) => drop(attached),
            None => {}
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let bridged = span.extensions_mut().remove::<Bridged>();
        // Finishes our span, outside the lock.
        drop(bridged);
    }
}
