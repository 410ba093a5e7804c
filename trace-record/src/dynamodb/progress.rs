//! What the recorder has handed to its writer and what the writer has finished with, so that
//! `flush` can wait for exactly the spans recorded before it, and losses reach the tracer.

use std::sync::Arc;
use std::time::Instant;

use trace_core::{ErrorReporter, RecordError};

use super::stats::{Counters, LossReason};
use crate::delivery::Settlement;

/// Shared by the recorder (on the tracer's collector thread) and the writer tasks.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    pub(crate) counters: Arc<Counters>,
    settlement: Settlement,
}

impl Progress {
    pub(crate) fn set_reporter(&self, reporter: ErrorReporter) {
        self.settlement.set_reporter(reporter);
    }

    pub(crate) fn enqueued(&self, n: u64) {
        self.settlement.enqueued(n);
    }

    /// The number of spans enqueued so far: the target of a flush started now.
    pub(crate) fn enqueued_so_far(&self) -> u64 {
        self.settlement.enqueued_so_far()
    }

    pub(crate) fn written(&self, n: u64) {
        Counters::add(&self.counters.written, n);
        self.settlement.settle(n);
    }

    /// Counts `n` queued spans as lost and reports it to the tracer.
    pub(crate) fn lost(&self, reason: LossReason, n: u64, message: impl Into<String>) {
        if n == 0 {
            return;
        }
        self.counters.add_lost(reason, n);
        let error = RecordError::new(format!("DynamoDB recorder ({reason}): {}", message.into()))
            .with_lost(n);
        self.settlement.report(&error);
        self.settlement.settle(n);
    }

    /// Waits until every span enqueued before `target` is settled, or until `deadline`; returns
    /// how many are still pending (0 on success).
    pub(crate) fn wait_settled(&self, target: u64, deadline: Instant) -> u64 {
        self.settlement.wait_settled(target, deadline)
    }
}
