//! What a bridged `tracing` span keeps in its extensions.

use tracing_core::Metadata;

use super::callsites::callsite;
use crate::context::{Decision, SpanContext};
use crate::span::Span;

/// Our side of a `tracing` span.
#[derive(Debug)]
pub(super) enum Bridged {
    /// A span of ours, recording or not, finished when `tracing` closes the span.
    Own(Span),
    /// The context of an unsampled parent, carried instead of opening a span: its children would
    /// propagate the same trace id, decision and baggage, so nothing is lost, and nothing is paid.
    Shared(SpanContext),
}

/// Where a new bridged span attaches.
pub(super) enum Parent {
    Context(SpanContext),
    /// A new trace.
    Root,
}

impl Bridged {
    /// Opens the bridged span of the call site `meta` under `parent`; `None` when no tracer is
    /// installed.
    pub(super) fn open(meta: &'static Metadata<'static>, parent: Parent) -> Option<Self> {
        let span = match parent {
            Parent::Context(ctx) if ctx.local_decision() == Some(Decision::Drop) => {
                return Some(Self::Shared(ctx));
            }
            Parent::Context(ctx) => Span::start_child_of(callsite(meta), &ctx),
            Parent::Root => Span::start_root(callsite(meta)),
        };
        span.context().is_some().then_some(Self::Own(span))
    }

    /// The context children of this span inherit.
    pub(super) fn context(&self) -> Option<&SpanContext> {
        match self {
            Self::Own(span) => span.context(),
            Self::Shared(ctx) => Some(ctx),
        }
    }

    /// The span, if it records.
    pub(super) fn recording(&mut self) -> Option<&mut Span> {
        match self {
            Self::Own(span) if span.is_recording() => Some(span),
            _ => None,
        }
    }
}
