//! The recorder's counters with the flush accounting: what reached the queue, and what the
//! sender finished with (delivered or lost, each loss reported to the tracer).

use std::sync::Arc;

use trace_core::{ErrorReporter, RecordError};

use super::stats::{Counters, LossReason};
use crate::delivery::Settlement;

/// Shared by the recorder (on the tracer's collector thread) and the sender tasks.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    pub(crate) counters: Arc<Counters>,
    pub(crate) settlement: Settlement,
}

impl Progress {
    pub(crate) fn set_reporter(&self, reporter: ErrorReporter) {
        self.settlement.set_reporter(reporter);
    }

    /// `n` queued spans arrived.
    pub(crate) fn delivered(&self, n: u64) {
        Counters::add(&self.counters.delivered, n);
        self.settlement.settle(n);
    }

    /// Counts `n` spans as lost and reports it; `queued` says whether they had reached the queue
    /// (and so are waited for by a flush).
    pub(crate) fn lost(
        &self,
        reason: LossReason,
        n: u64,
        queued: bool,
        message: impl Into<String>,
    ) {
        if n == 0 {
            return;
        }
        self.counters.add_lost(reason, n);
        let error =
            RecordError::new(format!("OTLP recorder ({reason}): {}", message.into())).with_lost(n);
        self.settlement.report(&error);
        if queued {
            self.settlement.settle(n);
        }
    }
}
