use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

use crate::collector::stats::SharedStats;
use crate::collector::{Command, Ring};
use crate::context::{Decision, SpanContext};
use crate::id::TraceId;
use crate::sampling::{Sampler, TailRule};

/// What every thread needs from the installed tracer; reached through the thread's cached sink.
pub(crate) struct Shared {
    pub(crate) service: Arc<str>,
    pub(crate) sampler: Sampler,
    pub(crate) tail: Option<TailRule>,
    pub(crate) queue_capacity: usize,
    /// What a thread's queue may grow to when the collector falls behind.
    pub(crate) queue_limit: usize,
    pub(crate) commands: Sender<Command>,
    /// Rings of threads that started tracing since the collector last looked; it takes them all
    /// at each drain. A lock, but one taken once per thread, never per span.
    pub(crate) arrivals: Arc<Mutex<Vec<Ring>>>,
    pub(crate) stats: Arc<SharedStats>,
    /// How long the exit handler waits for the recorders.
    pub(crate) exit_timeout: std::time::Duration,
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

    /// Hands a new thread's ring to the collector.
    pub(crate) fn register(&self, ring: Ring) {
        self.arrivals
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(ring);
    }
}
