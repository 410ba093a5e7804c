//! What the recorder has handed to its writer and what the writer has finished with, so that
//! `flush` can wait for exactly the spans recorded before it, and losses reach the tracer.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use trace_core::{ErrorReporter, RecordError};

use super::stats::{Counters, LossReason};

/// Shared by the recorder (on the tracer's collector thread) and the writer tasks.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    pub(crate) counters: Arc<Counters>,
    counts: Mutex<Counts>,
    settled_changed: Condvar,
    reporter: Mutex<Option<ErrorReporter>>,
}

#[derive(Debug, Default)]
struct Counts {
    /// Spans accepted into the queue.
    enqueued: u64,
    /// Spans written or counted as lost by the writer.
    settled: u64,
}

impl Progress {
    fn counts(&self) -> MutexGuard<'_, Counts> {
        // The counts stay consistent even if a holder panicked: each update is one addition.
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn set_reporter(&self, reporter: ErrorReporter) {
        *self.reporter.lock().unwrap_or_else(PoisonError::into_inner) = Some(reporter);
    }

    pub(crate) fn enqueued(&self, n: u64) {
        self.counts().enqueued += n;
    }

    /// The number of spans enqueued so far: the target of a flush started now.
    pub(crate) fn enqueued_so_far(&self) -> u64 {
        self.counts().enqueued
    }

    fn settle(&self, n: u64) {
        if n == 0 {
            return;
        }
        self.counts().settled += n;
        self.settled_changed.notify_all();
    }

    pub(crate) fn written(&self, n: u64) {
        Counters::add(&self.counters.written, n);
        self.settle(n);
    }

    /// Counts `n` queued spans as lost and reports it to the tracer.
    pub(crate) fn lost(&self, reason: LossReason, n: u64, message: impl Into<String>) {
        if n == 0 {
            return;
        }
        self.counters.add_lost(reason, n);
        let error = RecordError::new(format!("DynamoDB recorder ({reason}): {}", message.into()))
            .with_lost(n);
        if let Some(reporter) = &*self.reporter.lock().unwrap_or_else(PoisonError::into_inner) {
            reporter.report(&error);
        }
        self.settle(n);
    }

    /// Waits until every span enqueued before `target` is settled, or until `deadline`; returns
    /// how many are still pending (0 on success).
    pub(crate) fn wait_settled(&self, target: u64, deadline: Instant) -> u64 {
        let mut counts = self.counts();
        loop {
            if counts.settled >= target {
                return 0;
            }
            let now = Instant::now();
            if now >= deadline {
                return target - counts.settled;
            }
            counts = self
                .settled_changed
                .wait_timeout(counts, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}
