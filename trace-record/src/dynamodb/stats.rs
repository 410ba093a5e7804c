//! Counters of what the DynamoDB recorder wrote, retried and lost.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why spans were not written. Every span handed to the recorder ends up either written or counted
/// under exactly one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LossReason {
    /// The recorder's queue was full when the span arrived (the writer is behind or the table is
    /// unreachable).
    QueueFull,
    /// The item was over DynamoDB's 400 KB limit even with its tags, checkpoints and links removed.
    TooLarge,
    /// The server refused the write as invalid or forbidden (validation error, missing table,
    /// access denied), so retrying could not help.
    Rejected,
    /// Throttling or transient failures lasted longer than the retry bound.
    RetriesExhausted,
    /// Still queued or in flight when the shutdown deadline passed.
    Shutdown,
}

impl LossReason {
    /// Every reason, in a stable order.
    pub const ALL: [Self; 5] = [
        Self::QueueFull,
        Self::TooLarge,
        Self::Rejected,
        Self::RetriesExhausted,
        Self::Shutdown,
    ];

    /// A short snake_case name, e.g. for a metrics label.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::QueueFull => "queue_full",
            Self::TooLarge => "too_large",
            Self::Rejected => "rejected",
            Self::RetriesExhausted => "retries_exhausted",
            Self::Shutdown => "shutdown",
        }
    }
}

impl fmt::Display for LossReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Spans that were not written, by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lost {
    /// See [`LossReason::QueueFull`].
    pub queue_full: u64,
    /// See [`LossReason::TooLarge`].
    pub too_large: u64,
    /// See [`LossReason::Rejected`].
    pub rejected: u64,
    /// See [`LossReason::RetriesExhausted`].
    pub retries_exhausted: u64,
    /// See [`LossReason::Shutdown`].
    pub shutdown: u64,
}

impl Lost {
    /// All lost spans.
    pub fn total(&self) -> u64 {
        self.queue_full + self.too_large + self.rejected + self.retries_exhausted + self.shutdown
    }

    /// The count for one reason.
    pub fn get(&self, reason: LossReason) -> u64 {
        match reason {
            LossReason::QueueFull => self.queue_full,
            LossReason::TooLarge => self.too_large,
            LossReason::Rejected => self.rejected,
            LossReason::RetriesExhausted => self.retries_exhausted,
            LossReason::Shutdown => self.shutdown,
        }
    }
}

/// A snapshot of the DynamoDB recorder's counters.
///
/// `received == written + lost.total() + in the queue or in flight`; after a flush that
/// returned `Ok` nothing is in the queue or in flight.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DynamoDbStats {
    /// Spans handed to the recorder.
    pub received: u64,
    /// Spans DynamoDB accepted.
    pub written: u64,
    /// Spans written with some tags, checkpoints or links removed to fit the item size limit.
    pub trimmed: u64,
    /// `BatchWriteItem` requests sent, retries included.
    pub requests: u64,
    /// Requests that were retried after a throttling or transient error.
    pub retried_requests: u64,
    /// Items the server returned as `UnprocessedItems` (each re-sent after a backoff).
    pub unprocessed_items: u64,
    /// Requests answered with a throttling error.
    pub throttled_requests: u64,
    /// Requests that failed with a transient error (5xx, timeout, connection refused or reset).
    pub transient_errors: u64,
    /// Spans that were not written, by reason.
    pub lost: Lost,
}

/// The live counters, shared by the recorder, its writer tasks and [`StatsHandle`]s.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) received: AtomicU64,
    pub(crate) written: AtomicU64,
    pub(crate) trimmed: AtomicU64,
    pub(crate) requests: AtomicU64,
    pub(crate) retried_requests: AtomicU64,
    pub(crate) unprocessed_items: AtomicU64,
    pub(crate) throttled_requests: AtomicU64,
    pub(crate) transient_errors: AtomicU64,
    lost: [AtomicU64; LossReason::ALL.len()],
}

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn add_lost(&self, reason: LossReason, n: u64) {
        Self::add(&self.lost[reason as usize], n);
    }

    fn snapshot(&self) -> DynamoDbStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let lost = |r: LossReason| get(&self.lost[r as usize]);
        DynamoDbStats {
            received: get(&self.received),
            written: get(&self.written),
            trimmed: get(&self.trimmed),
            requests: get(&self.requests),
            retried_requests: get(&self.retried_requests),
            unprocessed_items: get(&self.unprocessed_items),
            throttled_requests: get(&self.throttled_requests),
            transient_errors: get(&self.transient_errors),
            lost: Lost {
                queue_full: lost(LossReason::QueueFull),
                too_large: lost(LossReason::TooLarge),
                rejected: lost(LossReason::Rejected),
                retries_exhausted: lost(LossReason::RetriesExhausted),
                shutdown: lost(LossReason::Shutdown),
            },
        }
    }
}

/// A cheap, cloneable view of a recorder's counters that stays valid after the recorder has been
/// moved into the tracer (and after it shut down).
#[derive(Clone, Debug)]
pub struct StatsHandle(pub(crate) Arc<Counters>);

impl StatsHandle {
    /// The counters right now.
    pub fn get(&self) -> DynamoDbStats {
        self.0.snapshot()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_has_its_own_counter() {
        let counters = Counters::default();
        for (i, reason) in LossReason::ALL.into_iter().enumerate() {
            counters.add_lost(reason, i as u64 + 1);
        }
        let lost = StatsHandle(Arc::new(counters)).get().lost;
        for (i, reason) in LossReason::ALL.into_iter().enumerate() {
            assert_eq!(lost.get(reason), i as u64 + 1, "{reason}");
        }
        assert_eq!(lost.total(), 15);
    }
}
