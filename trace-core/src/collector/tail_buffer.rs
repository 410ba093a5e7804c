//! Holds the spans of unsampled traces until the tail rule can decide about them.

use std::collections::{HashMap, VecDeque};

use crate::id::TraceId;
use crate::record::SpanRecord;
use crate::sampling::TailRule;
use crate::tracer::stats::SharedStats;

/// How many decisions are remembered for spans that finish after their local root.
const REMEMBERED_DECISIONS: usize = 4096;

pub(crate) struct TailBuffer {
    rule: TailRule,
    undecided: HashMap<TraceId, Vec<SpanRecord>>,
    /// Traces in the order they arrived, for evicting the oldest when the buffer is full.
    arrival: VecDeque<TraceId>,
    held: usize,
    decided: HashMap<TraceId, bool>,
    decided_order: VecDeque<TraceId>,
}

impl TailBuffer {
    pub(crate) fn new(rule: TailRule) -> Self {
        Self {
            rule,
            undecided: HashMap::new(),
            arrival: VecDeque::new(),
            held: 0,
            decided: HashMap::new(),
            decided_order: VecDeque::new(),
        }
    }

    /// Takes one span of an unsampled trace; kept spans go to `out`.
    pub(crate) fn offer(
        &mut self,
        span: SpanRecord,
        local_root: bool,
        out: &mut Vec<SpanRecord>,
        stats: &SharedStats,
    ) {
        let trace_id = span.trace_id;
        if let Some(&keep) = self.decided.get(&trace_id) {
            Self::settle(vec![span], keep, out, stats);
            return;
        }
        let root_slow = local_root
            && self
                .rule
                .slower_than
                .is_some_and(|threshold| span.duration >= threshold);
        let spans = self.undecided.entry(trace_id).or_insert_with(|| {
            self.arrival.push_back(trace_id);
            Vec::new()
        });
        spans.push(span);
        self.held += 1;
        if local_root {
            let spans = self.undecided.remove(&trace_id).unwrap_or_default();
            self.held -= spans.len();
            let keep = root_slow || (self.rule.keep_errors && has_error(&spans));
            self.remember(trace_id, keep);
            Self::settle(spans, keep, out, stats);
        } else {
            self.evict_to_fit(stats);
        }
    }

    /// At shutdown: traces whose local root never finished are decided on what is known.
    pub(crate) fn drain(&mut self, out: &mut Vec<SpanRecord>, stats: &SharedStats) {
        for (_, spans) in self.undecided.drain() {
            let keep = self.rule.keep_errors && has_error(&spans);
            Self::settle(spans, keep, out, stats);
        }
        self.arrival.clear();
        self.held = 0;
    }

    fn settle(spans: Vec<SpanRecord>, keep: bool, out: &mut Vec<SpanRecord>, stats: &SharedStats) {
        let n = spans.len() as u64;
        if keep {
            SharedStats::add(&stats.tail_kept, n);
            out.extend(spans);
        } else {
            SharedStats::add(&stats.tail_discarded, n);
        }
    }

    fn remember(&mut self, trace_id: TraceId, keep: bool) {
        if self.decided.insert(trace_id, keep).is_none() {
            self.decided_order.push_back(trace_id);
            if self.decided_order.len() > REMEMBERED_DECISIONS
                && let Some(old) = self.decided_order.pop_front()
            {
                self.decided.remove(&old);
            }
        }
    }

    fn evict_to_fit(&mut self, stats: &SharedStats) {
        while self.held > self.rule.max_buffered_spans {
            let Some(oldest) = self.arrival.pop_front() else {
                break;
            };
            // Traces decided since they arrived are no longer here; skip them.
            if let Some(spans) = self.undecided.remove(&oldest) {
                self.held -= spans.len();
                SharedStats::add(&stats.dropped_tail_buffer, spans.len() as u64);
            }
        }
        // Forget arrivals of traces already decided, so the queue stays as small as the buffer.
        if self.arrival.len() > 2 * self.undecided.len() + 64 {
            let undecided = &self.undecided;
            self.arrival.retain(|t| undecided.contains_key(t));
        }
    }
}

fn has_error(spans: &[SpanRecord]) -> bool {
    spans.iter().any(|s| s.status.is_error())
}
