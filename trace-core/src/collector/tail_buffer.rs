//! Holds the spans of unsampled traces until the tail rule can decide about them.

use std::collections::{HashMap, VecDeque};

use crate::clock::elapsed;
use crate::collector::spares::Spares;
use crate::collector::stats::SharedStats;
use crate::id::TraceId;
use crate::sampling::TailRule;
use crate::span::raw::RawSpan;

/// How many decisions are remembered for spans that finish after their local root.
const REMEMBERED_DECISIONS: usize = 4096;

pub(crate) struct TailBuffer {
    rule: TailRule,
    undecided: HashMap<TraceId, Vec<RawSpan>>,
    /// Traces in the order they arrived, for evicting the oldest when the buffer is full.
    arrival: VecDeque<TraceId>,
    held: usize,
    decided: HashMap<TraceId, bool>,
    decided_order: VecDeque<TraceId>,
}

/// Where settled spans go: kept ones to the batch, the boxes of discarded ones to the spares.
struct Settle<'a> {
    out: &'a mut Vec<RawSpan>,
    spare: &'a mut Spares,
    stats: &'a SharedStats,
}

impl Settle<'_> {
    fn settle(&mut self, spans: impl ExactSizeIterator<Item = RawSpan>, keep: bool) {
        let n = spans.len() as u64;
        if keep {
            SharedStats::add(&self.stats.tail_kept, n);
            self.out.extend(spans);
        } else {
            SharedStats::add(&self.stats.tail_discarded, n);
            for raw in spans {
                self.spare.recycle(raw);
            }
        }
    }
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
        span: RawSpan,
        out: &mut Vec<RawSpan>,
        spare: &mut Spares,
        stats: &SharedStats,
    ) {
        let mut settle = Settle { out, spare, stats };
        let trace_id = span.trace_id;
        if let Some(&keep) = self.decided.get(&trace_id) {
            settle.settle(std::iter::once(span), keep);
            return;
        }
        let local_root = span.local_root;
        let root_slow = local_root
            && self
                .rule
                .slower_than
                .is_some_and(|threshold| elapsed(span.start, span.end) >= threshold);
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
            settle.settle(spans.into_iter(), keep);
        } else {
            self.evict_to_fit(&mut settle);
        }
    }

    /// At shutdown: traces whose local root never finished are decided on what is known.
    pub(crate) fn drain(
        &mut self,
        out: &mut Vec<RawSpan>,
        spare: &mut Spares,
        stats: &SharedStats,
    ) {
        let mut settle = Settle { out, spare, stats };
        for (_, spans) in self.undecided.drain() {
            let keep = self.rule.keep_errors && has_error(&spans);
            settle.settle(spans.into_iter(), keep);
        }
        self.arrival.clear();
        self.held = 0;
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

    fn evict_to_fit(&mut self, settle: &mut Settle<'_>) {
        while self.held > self.rule.max_buffered_spans {
            let Some(oldest) = self.arrival.pop_front() else {
                break;
            };
            // Traces decided since they arrived are no longer here; skip them.
            if let Some(spans) = self.undecided.remove(&oldest) {
                self.held -= spans.len();
                SharedStats::add(&settle.stats.dropped_tail_buffer, spans.len() as u64);
                for raw in spans {
                    settle.spare.recycle(raw);
                }
            }
        }
        // Forget arrivals of traces already decided, so the queue stays as small as the buffer.
        if self.arrival.len() > 2 * self.undecided.len() + 64 {
            let undecided = &self.undecided;
            self.arrival.retain(|t| undecided.contains_key(t));
        }
    }
}

fn has_error(spans: &[RawSpan]) -> bool {
    spans.iter().any(|s| {
        s.data
            .as_ref()
            .and_then(|d| d.status.as_ref())
            .is_some_and(|st| st.is_error())
    })
}
