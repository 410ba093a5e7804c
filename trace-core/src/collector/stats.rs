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
    pub(crate) dropped_tail_bytes: AtomicU64,
    pub(crate) dropped_tail_forgotten: AtomicU64,
    pub(crate) open_at_shutdown: AtomicU64,
    pub(crate) tail: TailCounters,
}

/// The tail buffer's counters, written by the collector thread only.
#[derive(Debug, Default)]
pub(crate) struct TailCounters {
    pub(crate) traces_kept: AtomicU64,
    pub(crate) traces_discarded: AtomicU64,
    pub(crate) incomplete_traces: AtomicU64,
    pub(crate) missing_spans: AtomicU64,
    pub(crate) decided_early: AtomicU64,
    pub(crate) decided_at_shutdown: AtomicU64,
    pub(crate) late_spans: AtomicU64,
    pub(crate) rescued_late: AtomicU64,
    pub(crate) held_spans: AtomicU64,
    pub(crate) held_bytes: AtomicU64,
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

    /// Spans started and not finished now that the tracer has shut down: they can no longer be
    /// recorded.
    pub(crate) fn count_open_at_shutdown(&self) {
        let now = self.snapshot();
        self.open_at_shutdown
            .store(now.started.saturating_sub(now.finished), Ordering::Relaxed);
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
        let t = &self.tail;
        Stats {
            started: sums[0],
            finished: sums[1],
            recorded: load(&self.recorded),
            dropped: Dropped {
                queue_full: sums[2],
                recorder: load(&self.dropped_recorder),
                tail_buffer_full: load(&self.dropped_tail_buffer),
                shutdown: load(&self.dropped_shutdown),
                tail_buffer_bytes: load(&self.dropped_tail_bytes),
                tail_decision_forgotten: load(&self.dropped_tail_forgotten),
            },
            tail_kept: load(&self.tail_kept),
            tail_discarded: load(&self.tail_discarded),
            recorder_errors: load(&self.recorder_errors),
            open_at_shutdown: load(&self.open_at_shutdown),
            tail: TailStats {
                traces_kept: load(&t.traces_kept),
                traces_discarded: load(&t.traces_discarded),
                incomplete_traces: load(&t.incomplete_traces),
                missing_spans: load(&t.missing_spans),
                decided_early: load(&t.decided_early),
                decided_at_shutdown: load(&t.decided_at_shutdown),
                late_spans: load(&t.late_spans),
                rescued_late: load(&t.rescued_late),
                held_spans: load(&t.held_spans),
                held_bytes: load(&t.held_bytes),
            },
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
    /// Spans started that had not ended when the tracer shut down (0 while it runs). They end
    /// as [`orphaned_spans`](crate::orphaned_spans) and are not recorded; after shutdown
    /// `started == finished + open_at_shutdown`.
    pub open_at_shutdown: u64,
    /// What the tail rule decided, trace by trace, and what it holds now.
    pub tail: TailStats,
}

/// The tail rule's counters (all zero without a [`TailRule`](crate::TailRule)).
///
/// Spans are counted in [`Stats::tail_kept`], [`Stats::tail_discarded`] and [`Stats::dropped`];
/// these say how the traces fared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TailStats {
    /// Unsampled traces kept because a span failed or the local root was slow.
    pub traces_kept: u64,
    /// Unsampled traces let go.
    pub traces_discarded: u64,
    /// Kept traces that lost spans before the decision (evicted from a full buffer, or the local
    /// root had not ended at shutdown): their top span carries the tag
    /// [`TRACE_INCOMPLETE_TAG`](crate::TRACE_INCOMPLETE_TAG) with the count.
    pub incomplete_traces: u64,
    /// The spans those traces are known to miss (the sum of the tags' values).
    pub missing_spans: u64,
    /// Traces decided before their grace window ended, because the buffer was full.
    pub decided_early: u64,
    /// Traces decided at shutdown with the spans that had arrived.
    pub decided_at_shutdown: u64,
    /// Spans that arrived after their trace was decided and followed the remembered decision.
    pub late_spans: u64,
    /// Traces decided "let go" that a span arriving later rescued (it failed, or it is another
    /// local root of the trace and slow): that span and every later one are kept (a fragment,
    /// marked incomplete).
    pub rescued_late: u64,
    /// Spans held undecided now.
    pub held_spans: u64,
    /// Their estimated size in bytes now.
    pub held_bytes: u64,
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
    /// The tail rule's buffer of undecided traces held its maximum number of spans.
    pub tail_buffer_full: u64,
    /// They ended while the tracer was shutting down, too late for the last batch.
    pub shutdown: u64,
    /// The tail rule's buffer of undecided traces held its maximum number of bytes.
    pub tail_buffer_bytes: u64,
    /// They arrived after their trace was decided, when the decision was no longer remembered.
    pub tail_decision_forgotten: u64,
}

impl Dropped {
    /// All dropped spans.
    pub fn total(&self) -> u64 {
        self.queue_full
            + self.recorder
            + self.tail_buffer_full
            + self.shutdown
            + self.tail_buffer_bytes
            + self.tail_decision_forgotten
    }
}
