//! The collector: one background thread per tracer that drains every thread's ring, turns raw spans
//! into [`SpanRecord`](crate::SpanRecord)s (wall-clock times, process and code location), applies
//! the tail rule and hands batches to the recorders. All per-span work that is not strictly needed
//! on the caller's thread happens here.

mod convert;
pub(crate) mod sink;
mod tail_buffer;
mod worker;

use std::sync::mpsc::SyncSender;

use rtrb::{Consumer, Producer};

use crate::span::data::SpanData;
use crate::span::raw::RawSpan;

pub(crate) use convert::Converter;
pub(crate) use worker::{Worker, WorkerConfig};

/// Messages to the collector thread.
pub(crate) enum Command {
    /// A thread's first span: here is its ring.
    Register(Ring),
    /// A ring is filling up: drain now rather than at the next tick.
    Wake,
    /// Deliver everything finished so far and flush the recorders, then answer.
    Flush(SyncSender<()>),
    /// Deliver everything, shut the recorders down, answer and stop.
    Shutdown(SyncSender<()>),
}

/// The collector's end of one thread's queues.
pub(crate) struct Ring {
    /// Finished spans, in the order the thread finished them.
    pub(crate) spans: Consumer<RawSpan>,
    /// Emptied data boxes going back to the thread.
    pub(crate) recycle: Producer<Box<SpanData>>,
}
