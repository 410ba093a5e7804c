//! The calling thread's end of the pipeline: a bounded single-producer ring that only this thread
//! writes and only the collector reads, so finishing a span takes no lock and never waits.

use std::sync::Arc;

use rtrb::{Consumer, Producer, RingBuffer};

use crate::collector::global;
use crate::collector::shared::Shared;
use crate::collector::stats::ThreadStats;
use crate::collector::{Command, Ring, Successor};
use crate::span::data::SpanData;
use crate::span::raw::RawSpan;

/// How often (in pushes) a thread looks at its ring's fill level; looking reads the collector's
/// cache line, so it is not done on every push.
const FILL_CHECK_EVERY: u32 = 64;

pub(crate) struct ThreadSink {
    generation: u64,
    pub(crate) shared: Arc<Shared>,
    pub(crate) stats: Arc<ThreadStats>,
    producer: Producer<RawSpan>,
    /// Where a bigger queue is handed to the collector when this thread outgrows its queue.
    successor: Successor,
    /// Emptied data boxes the collector sends back, so spans reuse them instead of allocating.
    recycled: Consumer<Box<SpanData>>,
    pushes: u32,
    woke_collector: bool,
}

impl ThreadSink {
    /// The tracer generation this sink belongs to.
    #[inline(always)]
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    #[cold]
    pub(crate) fn connect() -> Option<Self> {
        let (generation, shared) = global::installed()?;
        let (producer, consumer) = RingBuffer::new(shared.queue_capacity);
        // As many boxes as spans can be in flight, so a steady state never allocates.
        let (recycle, recycled) = RingBuffer::new(shared.queue_capacity);
        let stats = Arc::new(ThreadStats::default());
        shared.stats.register(Arc::clone(&stats));
        let successor = Successor::default();
        shared.register(Ring {
            spans: consumer,
            recycle,
            successor: Arc::clone(&successor),
        });
        Some(Self {
            generation,
            shared,
            stats,
            producer,
            successor,
            recycled,
            pushes: 0,
            woke_collector: false,
        })
    }

    /// An empty data box: a recycled one if the collector sent one back, else a new one.
    #[inline]
    pub(crate) fn spare_data(&mut self) -> Box<SpanData> {
        self.recycled.pop().unwrap_or_default()
    }

    /// Moves a finished span into the queue (or counts it as dropped when the queue is full).
    #[inline(always)]
    pub(crate) fn push(&mut self, raw: RawSpan) {
        self.stats.finished.bump();
        match self.producer.push(raw) {
            Ok(()) => {
                self.pushes = self.pushes.wrapping_add(1);
                if self.pushes.is_multiple_of(FILL_CHECK_EVERY) {
                    self.check_fill();
                }
            }
            Err(rtrb::PushError::Full(raw)) => self.overflow(raw),
        }
    }

    /// The queue is full: the collector has not run for a while (a busy or throttled host). Move
    /// to a queue twice as big, up to the configured limit, so a burst or a late collector costs
    /// memory for a moment rather than spans; past the limit, drop the span and count it.
    #[cold]
    fn overflow(&mut self, raw: RawSpan) {
        self.wake_collector();
        let capacity = self.producer.buffer().capacity();
        if capacity >= self.shared.queue_limit {
            self.stats.queue_full.bump();
            return;
        }
        let (mut producer, consumer) = RingBuffer::new((capacity * 2).min(self.shared.queue_limit));
        // Cannot fail: the new queue is empty.
        let _ = producer.push(raw);
        // The successor is in place before the old queue is let go, so the collector, seeing it
        // abandoned, follows it instead of retiring the thread.
        self.successor
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push_back(consumer);
        self.producer = producer;
    }

    /// Wakes the collector once the ring is half full, rather than waiting for its next tick.
    fn check_fill(&mut self) {
        let capacity = self.producer.buffer().capacity();
        if self.producer.slots() < capacity / 2 {
            self.wake_collector();
        } else {
            self.woke_collector = false;
        }
    }

    #[cold]
    fn wake_collector(&mut self) {
        if !self.woke_collector {
            self.woke_collector = true;
            let _ = self.shared.commands.send(Command::Wake);
        }
    }
}

impl Drop for ThreadSink {
    /// The thread is exiting (or moving to a new tracer): have its last spans taken now rather
    /// than at the next tick, so a stream of short-lived threads leaves no backlog of rings.
    fn drop(&mut self) {
        if self.pushes != 0 {
            let _ = self.shared.commands.send(Command::Wake);
        }
    }
}
