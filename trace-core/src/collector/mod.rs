//! The span path behind the caller, in the order a finished span travels it:
//!
//! 1. [`sink`]: the calling thread's end, a bounded single-producer ring only that thread writes;
//!    [`global`] is the slot through which a thread finds the installed tracer's [`shared`] state.
//! 2. [`worker`]: the collector thread, which drains every ring on a fixed cadence, holds
//!    undecided traces in the [`tail_buffer`], and lends batches to the recorders.
//! 3. [`batch`] and [`recorder`]: what recorders see (a borrowed [`SpanBatch`](batch::SpanBatch))
//!    and the interface they implement.
//!
//! [`stats`] counts every span on the way, so that none vanishes without a counter saying so.

pub(crate) mod batch;
pub(crate) mod global;
pub(crate) mod recorder;
pub(crate) mod shared;
pub(crate) mod sink;
mod span_bytes;
mod spares;
pub(crate) mod stats;
mod tail_buffer;
mod tail_memory;
mod worker;

use std::sync::mpsc::SyncSender;

use rtrb::{Consumer, Producer};

use crate::span::data::SpanData;
use crate::span::raw::RawSpan;

pub(crate) use worker::{Worker, WorkerConfig};

/// The collector thread's name: recorders and integrations can tell they run on it.
pub(crate) const THREAD_NAME: &str = "trace-collector";

/// Messages to the collector thread. Threads register their rings through
/// [`Shared::arrivals`](shared::Shared) instead, so a stream of new threads costs the collector no
/// wake-ups and cannot delay its cadence.
pub(crate) enum Command {
    /// A ring is filling up, or its thread has exited: drain now rather than at the next tick.
    Wake,
    /// Deliver everything finished so far and flush the recorders, then answer with the number of
    /// spans lost since the last answer.
    Flush(SyncSender<u64>),
    /// Deliver everything, shut the recorders down, answer as for `Flush` and stop.
    Shutdown(SyncSender<u64>),
    /// The process is exiting without a shutdown: as `Flush`, but the tail rule also decides
    /// every trace it holds (with the spans that arrived), since nothing will run later.
    Exit(SyncSender<u64>),
}

/// The collector's end of one thread's queues.
pub(crate) struct Ring {
    /// Finished spans, in the order the thread finished them.
    pub(crate) spans: Consumer<RawSpan>,
    /// Emptied data boxes going back to the thread.
    pub(crate) recycle: Producer<Box<SpanData>>,
    /// Where the thread leaves the bigger queue it moved to when this one was full, before it
    /// lets go of this one: an abandoned queue with a successor is followed, not retired.
    pub(crate) successor: Successor,
}

/// The hand-over between a thread that outgrew its queue and the collector: the queues it moved
/// to, oldest first (it may outgrow several before the collector looks).
pub(crate) type Successor =
    std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<Consumer<RawSpan>>>>;

impl Ring {
    /// The queue the thread moved to next, if it moved (rather than exited).
    fn take_successor(&self) -> Option<Consumer<RawSpan>> {
        self.successor
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop_front()
    }
}
