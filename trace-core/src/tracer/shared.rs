use std::sync::Arc;
use std::sync::mpsc::Sender;

use crate::collector::Command;
use crate::context::{Decision, SpanContext};
use crate::id::TraceId;
use crate::sampling::{Sampler, TailRule};
use crate::tracer::stats::SharedStats;

/// What every thread needs from the installed tracer; reached through the thread's cached sink.
pub(crate) struct Shared {
    pub(crate) service: Arc<str>,
    pub(crate) sampler: Sampler,
    pub(crate) tail: Option<TailRule>,
    pub(crate) queue_capacity: usize,
    pub(crate) commands: Sender<Command>,
    pub(crate) stats: Arc<SharedStats>,
}

impl Shared {
    /// The decision for a new trace started here.
    pub(crate) fn decide_root(&self, trace_id: TraceId) -> Decision {
        self.decision(self.sampler.sample_root(trace_id))
    }

    /// The decision for the local part of a trace that another process started.
    pub(crate) fn decide_remote(&self, parent: &SpanContext) -> Decision {
        self.decision(self.sampler.sample_remote(parent))
    }

    fn decision(&self, sampled: bool) -> Decision {
        match (sampled, &self.tail) {
            (true, _) => Decision::Record,
            (false, Some(_)) => Decision::Defer,
            (false, None) => Decision::Drop,
        }
    }
}
