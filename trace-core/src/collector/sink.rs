//! The calling thread's end of the pipeline: a bounded single-producer ring that only this thread
//! writes and only the collector reads, so finishing a span takes no lock and never waits.

use std::cell::RefCell;
use std::sync::Arc;

use rtrb::{Producer, PushError, RingBuffer};

use crate::collector::Command;
use crate::span::raw::RawSpan;
use crate::tracer::global;
use crate::tracer::shared::Shared;
use crate::tracer::stats::ThreadStats;

/// How often (in pushes) a thread looks at its ring's fill level; looking reads the collector's
/// cache line, so it is not done on every push.
const FILL_CHECK_EVERY: u32 = 64;

pub(crate) struct ThreadSink {
    generation: u64,
    pub(crate) shared: Arc<Shared>,
    pub(crate) stats: Arc<ThreadStats>,
    producer: Producer<RawSpan>,
    pushes: u32,
    woke_collector: bool,
}

thread_local! {
    static SINK: RefCell<Option<ThreadSink>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's sink for the installed tracer, connecting first if the thread has
/// none yet or the tracer was replaced. `None` if no tracer is installed.
#[inline]
pub(crate) fn with_sink<R>(f: impl FnOnce(&mut ThreadSink) -> R) -> Option<R> {
    SINK.try_with(|cell| {
        let mut slot = cell.borrow_mut();
        let generation = global::generation();
        if slot.as_ref().is_none_or(|s| s.generation != generation) {
            *slot = ThreadSink::connect();
        }
        slot.as_mut().map(f)
    })
    .ok()
    .flatten()
}

/// Hands a finished span to the collector.
#[inline]
pub(crate) fn submit(raw: RawSpan) {
    if with_sink(|sink| sink.push(raw)).is_none() {
        // The tracer shut down while the span ran, or the thread is being torn down.
        global::count_orphan();
    }
}

impl ThreadSink {
    #[cold]
    fn connect() -> Option<Self> {
        let (generation, shared) = global::installed()?;
        let (producer, consumer) = RingBuffer::new(shared.queue_capacity);
        let stats = Arc::new(ThreadStats::default());
        shared.stats.register(Arc::clone(&stats));
        shared.commands.send(Command::Register(consumer)).ok()?;
        Some(Self {
            generation,
            shared,
            stats,
            producer,
            pushes: 0,
            woke_collector: false,
        })
    }

    #[inline]
    fn push(&mut self, raw: RawSpan) {
        self.stats.finished.bump();
        match self.producer.push(raw) {
            Ok(()) => {
                self.pushes = self.pushes.wrapping_add(1);
                if self.pushes.is_multiple_of(FILL_CHECK_EVERY) {
                    self.check_fill();
                }
            }
            Err(PushError::Full(_)) => {
                self.stats.queue_full.bump();
                self.wake_collector();
            }
        }
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
