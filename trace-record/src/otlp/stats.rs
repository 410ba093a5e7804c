//! Counters of what the OTLP recorder sent, retried and lost.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why spans were not delivered. Every span handed to the recorder ends up either delivered or
/// counted under exactly one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LossReason {
    /// The queue of requests was full when a batch was ready (the receiver is slow or down).
    QueueFull,
    /// The span alone was over the request size limit even without its attributes, events and
    /// links.
    TooLarge,
    /// The receiver refused the request with a status that retrying cannot fix (e.g. 400, 401,
    /// 403, 404, 413, 500).
    Rejected,
    /// The receiver accepted the request but reported these spans as rejected
    /// (`partial_success.rejected_spans`).
    PartialSuccess,
    /// 429, 502, 503, 504 or connection failures lasted longer than the retry bound.
    RetriesExhausted,
    /// Still queued or in flight when the shutdown deadline passed, or recorded after shutdown.
    Shutdown,
}

impl LossReason {
    /// Every reason, in a stable order.
    pub const ALL: [Self; 6] = [
        Self::QueueFull,
        Self::TooLarge,
        Self::Rejected,
        Self::PartialSuccess,
        Self::RetriesExhausted,
        Self::Shutdown,
    ];

    /// A short snake_case name, e.g. for a metrics label.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::QueueFull => "queue_full",
            Self::TooLarge => "too_large",
            Self::Rejected => "rejected",
            Self::PartialSuccess => "partial_success",
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

/// A snapshot of the OTLP recorder's counters.
///
/// `received == delivered + lost() + in the open batch, the queue or in flight`; after a flush
/// that returned `Ok` nothing is pending.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OtlpStats {
    /// Spans handed to the recorder.
    pub received: u64,
    /// Spans the receiver accepted.
    pub delivered: u64,
    /// Spans sent without their attributes, events and links to fit the request size limit.
    pub trimmed: u64,
    /// HTTP requests sent (or attempted), retries included.
    pub requests: u64,
    /// Request bodies' bytes put on the wire (after compression), retries included.
    pub bytes_sent: u64,
    /// Attempts that were retried.
    pub retried_requests: u64,
    /// Answers with 429 Too Many Requests.
    pub throttled_requests: u64,
    /// Answers with 502, 503 or 504, timeouts and connection failures.
    pub transient_errors: u64,
    lost: [u64; LossReason::ALL.len()],
}

impl OtlpStats {
    /// Spans lost for `reason`.
    pub fn lost(&self, reason: LossReason) -> u64 {
        self.lost[reason as usize]
    }

    /// All lost spans.
    pub fn lost_total(&self) -> u64 {
        self.lost.iter().sum()
    }
}

/// The live counters, shared by the recorder, its sender tasks and [`StatsHandle`]s.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) received: AtomicU64,
    pub(crate) delivered: AtomicU64,
    pub(crate) trimmed: AtomicU64,
    pub(crate) requests: AtomicU64,
    pub(crate) bytes_sent: AtomicU64,
    pub(crate) retried_requests: AtomicU64,
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

    fn snapshot(&self) -> OtlpStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        OtlpStats {
            received: get(&self.received),
            delivered: get(&self.delivered),
            trimmed: get(&self.trimmed),
            requests: get(&self.requests),
            bytes_sent: get(&self.bytes_sent),
            retried_requests: get(&self.retried_requests),
            throttled_requests: get(&self.throttled_requests),
            transient_errors: get(&self.transient_errors),
            lost: std::array::from_fn(|i| get(&self.lost[i])),
        }
    }
}

/// A cheap, cloneable view of the recorder's counters that stays valid after the recorder has
/// been moved into the tracer (and after it shut down).
#[derive(Clone, Debug)]
pub struct StatsHandle(pub(crate) Arc<Counters>);

impl StatsHandle {
    /// The counters right now.
    pub fn get(&self) -> OtlpStats {
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
        let stats = StatsHandle(Arc::new(counters)).get();
        for (i, reason) in LossReason::ALL.into_iter().enumerate() {
            assert_eq!(stats.lost(reason), i as u64 + 1, "{reason}");
        }
        assert_eq!(stats.lost_total(), 21);
    }
}
