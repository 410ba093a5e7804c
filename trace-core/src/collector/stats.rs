//! Counters a user can read at any time.
//!
//! Per-thread counters are written only by their own thread (a plain load and store, no atomic
//! read-modify-write, no shared cache line), and summed when someone reads them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A counter that only one thread writes.
#[derive(Debug, Default)]
pub(crate) struct OwnedCounter(AtomicU64);

impl OwnedCounter {
    #[inline]
    pub(crate) fn bump(&self) {
        self.0
            .store(self.0.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Default)]
pub(crate) struct ThreadStats {
    pub(crate) started: OwnedCounter,
    pub(crate) finished: OwnedCounter,
    pub(crate) queue_full: OwnedCounter,
}

/// Counters of one installed tracer.
#[derive(Debug, Default)]
pub(crate) struct SharedStats {
    threads: Mutex<Threads>,
    pub(crate) recorded: AtomicU64,
    pub(crate) dropped_recorder: AtomicU64,
    pub(crate) dropped_tail_buffer: AtomicU64,
    pub(crate) dropped_shutdown: AtomicU64,
    pub(crate) tail_kept: AtomicU64,
    pub(crate) tail_discarded: AtomicU64,
    pub(crate) recorder_errors: AtomicU64,
}

#[derive(Debug, Default)]
struct Threads {
    live: Vec<Arc<ThreadStats>>,
    /// Totals of threads that have exited, so the list does not grow with every thread ever seen.
    retired: [u64; 3],
}

impl SharedStats {
    pub(crate) fn register(&self, thread: Arc<ThreadStats>) {
        let mut threads = self.threads.lock().unwrap_or_else(|p| p.into_inner());
        let Threads { live, retired } = &mut *threads;
        live.retain(|t| {
            // Only this list holds it: the thread is gone and its counters are final.
            let gone = Arc::strong_count(t) == 1;
            if gone {
                retired[0] += t.started.get();
                retired[1] += t.finished.get();
                retired[2] += t.queue_full.get();
            }
            !gone
        });
        live.push(thread);
    }

    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Spans the recorders lost so far.
    pub(crate) fn dropped_recorder(&self) -> u64 {
        self.dropped_recorder.load(Ordering::Relaxed)
    }

    pub(crate) fn count_recorder_error(&self, lost: u64) {
        Self::add(&self.recorder_errors, 1);
        self.unrecord(lost);
    }

    /// Moves `lost` spans from recorded to dropped: a batch counts as recorded before the
    /// recorders see it, so that a failure they report meanwhile (even from another thread, before
    /// `record` returns) always has something to take back.
    pub(crate) fn unrecord(&self, lost: u64) {
        Self::add(&self.dropped_recorder, lost);
        let _ = self
            .recorded
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |r| {
                Some(r.saturating_sub(lost))
            });
    }

    pub(crate) fn snapshot(&self) -> Stats {
        let threads = self.threads.lock().unwrap_or_else(|p| p.into_inner());
        let mut sums = threads.retired;
        for t in &threads.live {
            sums[0] += t.started.get();
            sums[1] += t.finished.get();
            sums[2] += t.queue_full.get();
        }
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Stats {
            started: sums[0],
            finished: sums[1],
            recorded: load(&self.recorded),
            dropped: Dropped {
                queue_full: sums[2],
                recorder: load(&self.dropped_recorder),
                tail_buffer_full: load(&self.dropped_tail_buffer),
                shutdown: load(&self.dropped_shutdown),
            },
            tail_kept: load(&self.tail_kept),
            tail_discarded: load(&self.tail_discarded),
            recorder_errors: load(&self.recorder_errors),
        }
    }
}

/// A snapshot of a tracer's counters.
///
/// Spans that the sampler dropped are not counted anywhere: they record nothing and cost almost
/// nothing. Once the tracer has shut down (and every span has ended),
/// `finished == accounted_for()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Spans started that record (sampled, or held for the tail rule).
    pub started: u64,
    /// Of those, spans that have ended.
    pub finished: u64,
    /// Spans the recorders accepted.
    pub recorded: u64,
    /// Spans that ended but were not recorded, by reason.
    pub dropped: Dropped,
    /// Spans of unsampled traces that the tail rule kept (they are also in `recorded`).
    pub tail_kept: u64,
    /// Spans of unsampled traces that the tail rule let go (no error, not slow).
    pub tail_discarded: u64,
    /// Errors the recorders reported.
    pub recorder_errors: u64,
}

impl Stats {
    /// Finished spans whose fate is known: recorded, dropped (for any reason) or let go by the
    /// tail rule. Once the tracer has shut down it equals [`finished`](Self::finished): no span
    /// vanishes uncounted.
    pub fn accounted_for(&self) -> u64 {
        self.recorded + self.dropped.total() + self.tail_discarded
    }
}

/// Why spans were dropped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dropped {
    /// A thread's queue was full: the collector or the recorder fell behind.
    pub queue_full: u64,
    /// A recorder failed to store them.
    pub recorder: u64,
    /// The tail rule's buffer of undecided traces was full.
    pub tail_buffer_full: u64,
    /// They ended while the tracer was shutting down, too late for the last batch.
    pub shutdown: u64,
}

impl Dropped {
    /// All dropped spans.
    pub fn total(&self) -> u64 {
        self.queue_full + self.recorder + self.tail_buffer_full + self.shutdown
    }
}
