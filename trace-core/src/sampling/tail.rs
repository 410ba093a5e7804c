use std::time::Duration;

/// Keeps traces that the head sampler let go when they turn out to matter.
///
/// With a tail rule installed, the spans of unsampled traces are recorded provisionally and held in
/// a bounded buffer in the collector until their local root (the first span of the trace in this
/// process) finishes. The trace is then kept if any of its spans ended in error, or if the local
/// root ran at least [`slower_than`](Self::slower_than), and discarded otherwise.
///
/// The cost: spans of unsampled traces are as expensive on the caller as sampled ones. Spans that
/// finish after their local root (detached tasks) follow the decision made for their trace, if it
/// is still remembered, and are discarded otherwise.
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
}

impl TailRule {
    /// Keeps every trace in which a span ended in error.
    pub fn errors() -> Self {
        Self {
            keep_errors: true,
            slower_than: None,
            max_buffered_spans: 65_536,
        }
    }

    /// Keeps every trace whose local root ran at least `threshold`.
    pub fn slow(threshold: Duration) -> Self {
        Self {
            keep_errors: false,
            slower_than: Some(threshold),
            max_buffered_spans: 65_536,
        }
    }

    /// Also keeps traces whose local root ran at least `threshold`.
    #[must_use]
    pub fn slower_than(mut self, threshold: Duration) -> Self {
        self.slower_than = Some(threshold);
        self
    }

    /// How many undecided spans the buffer holds (default 65,536); beyond it the oldest undecided
    /// trace is dropped and counted in `dropped.tail_buffer_full`.
    #[must_use]
    pub fn max_buffered_spans(mut self, spans: usize) -> Self {
        self.max_buffered_spans = spans.max(1);
        self
    }
}
