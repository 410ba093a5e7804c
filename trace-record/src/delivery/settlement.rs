//! How many spans a recorder handed to its background sender and how many the sender has
//! finished with (delivered or counted as lost), so that `flush` waits for exactly the spans
//! recorded before it; and the tracer's error hook, for losses found off the `record` call.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use trace_core::{ErrorReporter, RecordError};

/// Shared by a recorder (on the tracer's collector thread) and its sender tasks.
#[derive(Debug, Default)]
pub(crate) struct Settlement {
    counts: Mutex<Counts>,
    settled_changed: Condvar,
    reporter: Mutex<Option<ErrorReporter>>,
}

#[derive(Debug, Default)]
struct Counts {
    /// Spans accepted into the queue.
    enqueued: u64,
    /// Spans delivered or counted as lost by the sender.
    settled: u64,
}

impl Settlement {
    fn counts(&self) -> MutexGuard<'_, Counts> {
        // The counts stay consistent even if a holder panicked: each update is one addition.
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn set_reporter(&self, reporter: ErrorReporter) {
        *self.reporter.lock().unwrap_or_else(PoisonError::into_inner) = Some(reporter);
    }

    /// Passes `error` to the tracer's error hook, once one is attached.
    pub(crate) fn report(&self, error: &RecordError) {
        if let Some(reporter) = &*self.reporter.lock().unwrap_or_else(PoisonError::into_inner) {
            reporter.report(error);
        }
    }

    pub(crate) fn enqueued(&self, n: u64) {
        self.counts().enqueued += n;
    }

    /// The number of spans enqueued so far: the target of a flush started now.
    pub(crate) fn enqueued_so_far(&self) -> u64 {
        self.counts().enqueued
    }

    /// `n` enqueued spans were delivered or counted as lost.
    pub(crate) fn settle(&self, n: u64) {
        if n == 0 {
            return;
        }
        self.counts().settled += n;
        self.settled_changed.notify_all();
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_flush_waits_for_what_was_enqueued_before_it() {
        let settlement = Arc::new(Settlement::default());
        settlement.enqueued(3);
        let target = settlement.enqueued_so_far();
        settlement.enqueued(5); // after the flush started: not waited for
        let sender = settlement.clone();
        let thread = std::thread::spawn(move || {
            sender.settle(1);
            sender.settle(2);
        });
        let pending = settlement.wait_settled(target, Instant::now() + Duration::from_secs(60));
        thread.join().unwrap();
        assert_eq!(pending, 0);
        assert_eq!(
            settlement.wait_settled(settlement.enqueued_so_far(), Instant::now()),
            5
        );
    }
}
