use std::time::Duration;

/// The tag the tail rule puts on a kept trace that lost spans before it was decided: the number
/// of spans known to be missing (evicted from a full buffer, or a local root that had not ended
/// at shutdown). It sits on the trace's local root, or, when that is missing, on each span of the
/// trace whose parent was not kept.
pub const TRACE_INCOMPLETE_TAG: &str = "trace.incomplete";

/// Keeps traces that the head sampler let go when they turn out to matter.
///
/// With a tail rule installed, the spans of unsampled traces are recorded provisionally and held in
/// a bounded buffer in the collector. A trace is kept if any of its spans ended in error, or if its
/// local root (its first span in this process) ran at least [`slower_than`](Self::slower_than),
/// and discarded otherwise.
///
/// # What is guaranteed
///
/// - **Every span that ended before its local root joins the decision**, whichever thread it ran
///   on: the trace is decided only after the collector has drained every thread's queue once
///   more after seeing the root. So a failing child on a joined thread, a pool thread or a
///   `spawn_blocking` task always counts.
/// - **Spans that end after the root** (detached threads and tasks) join the trace if they end
///   within the grace window ([`TracerBuilder::tail_grace`](crate::TracerBuilder::tail_grace),
///   default 300 ms). Later ones follow the decision, which is remembered for the last
///   [`remembered_decisions`](Self::remembered_decisions) traces; a failed span (or a slow
///   second local root, as when a service calls itself) arriving for a trace that was let go is
///   kept with the spans after it (a fragment, marked incomplete, counted in
///   [`TailStats::rescued_late`](crate::TailStats::rescued_late)). A span arriving after its
///   trace's decision was forgotten is dropped and counted in
///   [`Dropped::tail_decision_forgotten`](crate::Dropped::tail_decision_forgotten), as far as the
///   collector can still tell (it keeps a fixed-size fingerprint table of forgotten traces).
///   A span that *started* after the local root ended is not a late span: the trace came back to
///   this process (a later request of the same workflow), and that part is held and decided on
///   its own (a kept trace whose earlier part was let go says so in [`TRACE_INCOMPLETE_TAG`]).
///   A trace decided "kept" keeps the parts that come back while the decision is remembered.
/// - **Memory is bounded** by [`max_buffered_spans`](Self::max_buffered_spans) and
///   [`max_buffered_bytes`](Self::max_buffered_bytes) (an estimate: the fixed record plus tags,
///   checkpoints, links and owned strings). When either is reached, traces whose root has ended
///   are decided at once, without waiting out the grace window; then whole undecided traces
///   are evicted, those without an error first, oldest first, and counted in
///   [`Dropped::tail_buffer_full`](crate::Dropped::tail_buffer_full) or
///   [`Dropped::tail_buffer_bytes`](crate::Dropped::tail_buffer_bytes).
/// - **A kept trace that lost spans says so**: the tag [`TRACE_INCOMPLETE_TAG`] on its local root
///   holds the number of missing spans (as far as the collector knows: spans dropped on the
///   calling thread because its queue was full are counted in `dropped.queue_full` but cannot be
///   matched to their trace).
/// - **At shutdown** every trace still held is decided with the spans that arrived; spans still
///   open are counted in [`Stats::open_at_shutdown`](crate::Stats::open_at_shutdown). The same
///   decision happens when the process exits without shutting the tracer down
///   (`std::process::exit`). A flush ([`TracerGuard::flush`](crate::TracerGuard::flush)) leaves
///   undecided traces held.
///
/// # Across services
///
/// The rule sees one process. When it keeps a trace that arrived unsampled, the services
/// downstream were already told "not sampled" in `traceparent` and recorded nothing, and the
/// services upstream made their own decision: the recorded trace is this service's fragment (its
/// local root's parent is absent from the store). No widely used convention passes a late keep
/// back upstream or to services already called: the W3C `traceresponse` header was drafted for
/// deferred sampling but dropped from Trace Context Level 2 and is not a recommendation, and a
/// response header could not carry it anyway, since the rule decides after the local root (and so
/// the response) ended. To get whole traces across services,
/// sample errors at the head where they can be known (for example a higher ratio for the routes
/// that fail), or export every span to an OpenTelemetry Collector and tail-sample there (its
/// `tail_sampling` processor sees all services' spans of a trace).
///
/// The cost: spans of unsampled traces are as expensive on the caller as sampled ones.
///
/// ```
/// use std::time::Duration;
/// use trace_core::TailRule;
/// let rule = TailRule::errors().slower_than(Duration::from_millis(500));
/// # let _ = rule;
/// ```
#[derive(Clone, Debug)]
pub struct TailRule {
    pub(crate) keep_errors: bool,
    pub(crate) slower_than: Option<Duration>,
    pub(crate) max_buffered_spans: usize,
    pub(crate) max_buffered_bytes: usize,
    pub(crate) remembered_decisions: usize,
}

impl TailRule {
    const DEFAULT: Self = Self {
        keep_errors: false,
        slower_than: None,
        max_buffered_spans: 65_536,
        max_buffered_bytes: 64 << 20,
        remembered_decisions: 65_536,
    };

    /// Keeps every trace in which a span ended in error.
    pub fn errors() -> Self {
        Self {
            keep_errors: true,
            ..Self::DEFAULT
        }
    }

    /// Keeps every trace whose local root ran at least `threshold`.
    pub fn slow(threshold: Duration) -> Self {
        Self {
            slower_than: Some(threshold),
            ..Self::DEFAULT
        }
    }

    /// Also keeps traces whose local root ran at least `threshold`.
    #[must_use]
    pub fn slower_than(mut self, threshold: Duration) -> Self {
        self.slower_than = Some(threshold);
        self
    }

    /// How many undecided spans the buffer holds (default 65,536); see "What is guaranteed".
    #[must_use]
    pub fn max_buffered_spans(mut self, spans: usize) -> Self {
        self.max_buffered_spans = spans.max(1);
        self
    }

    /// About how many bytes of undecided spans the buffer holds (default 64 MiB); see "What is
    /// guaranteed".
    #[must_use]
    pub fn max_buffered_bytes(mut self, bytes: usize) -> Self {
        self.max_buffered_bytes = bytes.max(1);
        self
    }

    /// For how many traces (the most recently decided) the decision is remembered, so that spans
    /// ending later follow it (default 65,536, about 5 MB).
    #[must_use]
    pub fn remembered_decisions(mut self, traces: usize) -> Self {
        self.remembered_decisions = traces.max(1);
        self
    }
}
