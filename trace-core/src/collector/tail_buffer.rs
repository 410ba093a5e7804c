//! Holds the spans of unsampled traces until the tail rule can decide about them.
//!
//! A trace is decided once the collector has seen its local root, then completed one more pass
//! over every thread's ring (so every span that ended before the root, on whichever thread, has
//! arrived), and then the grace window has passed (so work that ends shortly after the root joins
//! too). See [`TailRule`] for what this guarantees.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::clock::{Instant as SpanInstant, elapsed};
use crate::collector::span_bytes;
use crate::collector::spares::Spares;
use crate::collector::stats::SharedStats;
use crate::collector::tail_memory::{Fate, Memory, starts_new_part};
use crate::id::TraceId;
use crate::sampling::{TRACE_INCOMPLETE_TAG, TailRule};
use crate::span::TagValue;
use crate::span::raw::RawSpan;

/// What one held trace costs besides its spans: its map entry and queue items.
const TRACE_OVERHEAD: usize = 128;

pub(crate) struct TailBuffer {
    rule: TailRule,
    grace: Duration,
    pending: HashMap<TraceId, Pending>,
    /// Held traces with no failed span, oldest first: evicted first.
    calm: VecDeque<(TraceId, u64)>,
    /// Held traces with a failed span, in the order they failed: evicted last.
    failed: VecDeque<(TraceId, u64)>,
    /// Traces whose local root arrived, in that order: decided when due, or early when full.
    due: VecDeque<Due>,
    memory: Memory,
    held_spans: usize,
    held_bytes: usize,
    /// Passes over the rings begun so far.
    pass: u64,
    pass_began: Instant,
    next_seq: u64,
}

/// One undecided trace.
struct Pending {
    /// Tells this holding of the trace apart from an earlier one (queue items may be stale).
    seq: u64,
    spans: Vec<RawSpan>,
    bytes: usize,
    failed: bool,
    slow: bool,
    root_seen: bool,
    /// When the latest local root seen ended.
    root_end: Option<SpanInstant>,
    /// Spans evicted (or let go, for a trace that came back) before, as far as remembered.
    missing: u64,
}

struct Due {
    trace_id: TraceId,
    seq: u64,
    /// The pass during which the root arrived: the trace is due once a later pass completed.
    pass: u64,
    at: Instant,
}

/// Why the buffer made room.
#[derive(Clone, Copy)]
enum Full {
    Spans,
    Bytes,
}

/// How a trace came to be decided.
#[derive(Clone, Copy, PartialEq, Eq)]
enum When {
    Due,
    Early,
    Shutdown,
}

/// Where settled spans go: kept ones to the batch, the boxes of discarded ones to the spares.
pub(crate) struct Settle<'a> {
    pub(crate) out: &'a mut Vec<RawSpan>,
    pub(crate) spare: &'a mut Spares,
    pub(crate) stats: &'a SharedStats,
}

impl Settle<'_> {
    fn keep(&mut self, spans: impl ExactSizeIterator<Item = RawSpan>) {
        SharedStats::add(&self.stats.tail_kept, spans.len() as u64);
        self.out.extend(spans);
    }

    fn discard(&mut self, spans: impl ExactSizeIterator<Item = RawSpan>) {
        SharedStats::add(&self.stats.tail_discarded, spans.len() as u64);
        self.recycle(spans);
    }

    fn recycle(&mut self, spans: impl Iterator<Item = RawSpan>) {
        for raw in spans {
            self.spare.recycle(raw);
        }
    }

    fn count(&self, counter: impl Fn(&SharedStats) -> &std::sync::atomic::AtomicU64, n: u64) {
        SharedStats::add(counter(self.stats), n);
    }
}

impl TailBuffer {
    pub(crate) fn new(rule: TailRule, grace: Duration) -> Self {
        Self {
            memory: Memory::new(rule.remembered_decisions),
            rule,
            grace,
            pending: HashMap::new(),
            calm: VecDeque::new(),
            failed: VecDeque::new(),
            due: VecDeque::new(),
            held_spans: 0,
            held_bytes: 0,
            pass: 0,
            pass_began: Instant::now(),
            next_seq: 0,
        }
    }

    /// The collector starts draining every ring.
    pub(crate) fn begin_pass(&mut self) {
        self.pass += 1;
        self.pass_began = Instant::now();
    }

    /// The collector drained every ring: decides the traces that are due.
    pub(crate) fn end_pass(&mut self, settle: &mut Settle<'_>) {
        let now = Instant::now();
        while let Some(front) = self.due.front() {
            if !self.is_current(front.trace_id, front.seq) {
                self.due.pop_front();
                continue;
            }
            if front.pass >= self.pass || now < front.at + self.grace {
                break;
            }
            let trace_id = front.trace_id;
            self.due.pop_front();
            self.decide(trace_id, When::Due, settle);
        }
        self.publish(settle.stats);
    }

    /// Takes one span of an unsampled trace.
    pub(crate) fn offer(&mut self, span: RawSpan, settle: &mut Settle<'_>) {
        let trace_id = span.trace_id;
        if !self.pending.contains_key(&trace_id) {
            let mut missing = 0;
            let mut failed = false;
            let matters = self.matters(&span);
            match self.memory.get_mut(trace_id) {
                Some(Fate::Kept { .. }) => {
                    settle.count(|s| &s.tail.late_spans, 1);
                    settle.keep(std::iter::once(span));
                    return;
                }
                Some(Fate::LetGo { spans, root_end }) => {
                    if starts_new_part(span.start, *root_end) {
                        // The trace is back in this process: decided on its own, and marked
                        // with what was let go before if it is kept.
                        missing = *spans;
                    } else if matters {
                        // A span that would have kept its trace (it failed, or it is another
                        // local root of the trace, and slow) is not let go with it.
                        let lost = *spans;
                        let root_end = *root_end;
                        self.memory.insert(trace_id, Fate::Kept { root_end });
                        self.rescue(span, lost, settle);
                        return;
                    } else {
                        *spans += 1;
                        settle.count(|s| &s.tail.late_spans, 1);
                        settle.discard(std::iter::once(span));
                        return;
                    }
                }
                Some(Fate::Evicted { .. }) => {
                    if let Some(Fate::Evicted { spans, failed: f }) = self.memory.take(trace_id) {
                        missing = spans;
                        failed = f;
                    }
                }
                None => {
                    if let Some(root_end) = self.memory.forgotten(trace_id)
                        && !starts_new_part(span.start, root_end)
                    {
                        settle.count(|s| &s.dropped_tail_forgotten, 1);
                        settle.recycle(std::iter::once(span));
                        return;
                    }
                }
            }
            let seq = self.next_seq;
            self.next_seq += 1;
            self.pending.insert(
                trace_id,
                Pending {
                    seq,
                    spans: Vec::new(),
                    bytes: TRACE_OVERHEAD,
                    failed,
                    slow: false,
                    root_seen: false,
                    root_end: None,
                    missing,
                },
            );
            self.held_bytes += TRACE_OVERHEAD;
            if failed {
                self.failed.push_back((trace_id, seq));
            } else {
                self.calm.push_back((trace_id, seq));
            }
        }
        if let Err(span) = self.hold(span) {
            // Not reached (the trace was just added), but a span is never lost uncounted.
            settle.discard(std::iter::once(span));
        }
        self.make_room(settle);
    }

    /// At shutdown: every held trace is decided with what arrived.
    pub(crate) fn drain(&mut self, settle: &mut Settle<'_>) {
        let mut order: Vec<_> = self.pending.iter().map(|(t, p)| (p.seq, *t)).collect();
        order.sort_unstable();
        for (_, trace_id) in order {
            self.decide(trace_id, When::Shutdown, settle);
        }
        self.calm.clear();
        self.failed.clear();
        self.due.clear();
        self.publish(settle.stats);
    }

    /// Adds `span` to its held trace; gives it back if the trace is not held.
    fn hold(&mut self, span: RawSpan) -> Result<(), RawSpan> {
        let trace_id = span.trace_id;
        let bytes = span_bytes::estimate(&span);
        let slow = span.local_root && self.is_slow(&span);
        let Some(p) = self.pending.get_mut(&trace_id) else {
            return Err(span);
        };
        p.bytes += bytes;
        self.held_bytes += bytes;
        self.held_spans += 1;
        if self.rule.keep_errors && !p.failed && is_error(&span) {
            p.failed = true;
            self.failed.push_back((trace_id, p.seq));
        }
        if span.local_root {
            p.slow |= slow;
            p.root_end = p.root_end.max(Some(span.end));
            if !p.root_seen {
                p.root_seen = true;
                self.due.push_back(Due {
                    trace_id,
                    seq: p.seq,
                    pass: self.pass,
                    at: self.pass_began,
                });
            }
        }
        p.spans.push(span);
        Ok(())
    }

    /// Within the bounds again: traces whose root arrived are decided at once, then whole
    /// undecided traces are evicted, those without a failed span first.
    fn make_room(&mut self, settle: &mut Settle<'_>) {
        loop {
            let full = if self.held_spans > self.rule.max_buffered_spans {
                Full::Spans
            } else if self.held_bytes > self.rule.max_buffered_bytes {
                Full::Bytes
            } else {
                return;
            };
            if let Some(due) = self.due.pop_front() {
                if self.is_current(due.trace_id, due.seq) {
                    self.decide(due.trace_id, When::Early, settle);
                }
                continue;
            }
            let victim = Self::oldest(&mut self.calm, &self.pending, false)
                .or_else(|| Self::oldest(&mut self.failed, &self.pending, true));
            let Some(trace_id) = victim else {
                return;
            };
            self.evict(trace_id, full, settle);
        }
    }

    /// The oldest trace in `queue` that is still held and still as the queue says (failed or not).
    fn oldest(
        queue: &mut VecDeque<(TraceId, u64)>,
        pending: &HashMap<TraceId, Pending>,
        failed: bool,
    ) -> Option<TraceId> {
        while let Some((trace_id, seq)) = queue.pop_front() {
            if pending
                .get(&trace_id)
                .is_some_and(|p| p.seq == seq && p.failed == failed)
            {
                return Some(trace_id);
            }
        }
        None
    }

    fn is_current(&self, trace_id: TraceId, seq: u64) -> bool {
        self.pending.get(&trace_id).is_some_and(|p| p.seq == seq)
    }

    fn remove(&mut self, trace_id: TraceId) -> Option<Pending> {
        let p = self.pending.remove(&trace_id)?;
        self.held_spans -= p.spans.len();
        self.held_bytes -= p.bytes;
        self.compact();
        Some(p)
    }

    fn evict(&mut self, trace_id: TraceId, full: Full, settle: &mut Settle<'_>) {
        let Some(p) = self.remove(trace_id) else {
            return;
        };
        let n = p.spans.len() as u64;
        match full {
            Full::Spans => settle.count(|s| &s.dropped_tail_buffer, n),
            Full::Bytes => settle.count(|s| &s.dropped_tail_bytes, n),
        }
        settle.recycle(p.spans.into_iter());
        self.memory.insert(
            trace_id,
            Fate::Evicted {
                spans: p.missing + n,
                failed: p.failed,
            },
        );
    }

    fn decide(&mut self, trace_id: TraceId, when: When, settle: &mut Settle<'_>) {
        let Some(mut p) = self.remove(trace_id) else {
            return;
        };
        match when {
            When::Early => settle.count(|s| &s.tail.decided_early, 1),
            When::Shutdown => settle.count(|s| &s.tail.decided_at_shutdown, 1),
            When::Due => {}
        }
        if p.failed || p.slow {
            // A local root still open at shutdown is a span missing too.
            let missing = p.missing + u64::from(!p.root_seen);
            if missing > 0 {
                mark_incomplete(&mut p.spans, missing, settle);
            }
            settle.count(|s| &s.tail.traces_kept, 1);
            settle.keep(p.spans.into_iter());
            self.memory.insert(
                trace_id,
                Fate::Kept {
                    root_end: p.root_end,
                },
            );
        } else {
            settle.count(|s| &s.tail.traces_discarded, 1);
            let spans = p.missing + p.spans.len() as u64;
            settle.discard(p.spans.into_iter());
            self.memory.insert(
                trace_id,
                Fate::LetGo {
                    spans,
                    root_end: p.root_end,
                },
            );
        }
    }

    /// Whether `span` alone makes its trace worth keeping.
    fn matters(&self, span: &RawSpan) -> bool {
        (self.rule.keep_errors && is_error(span)) || (span.local_root && self.is_slow(span))
    }

    fn is_slow(&self, span: &RawSpan) -> bool {
        self.rule
            .slower_than
            .is_some_and(|threshold| elapsed(span.start, span.end) >= threshold)
    }

    /// A span that matters, of a trace already let go: kept on its own (with the spans of its
    /// trace that arrive later), marked with what its trace lost.
    fn rescue(&mut self, span: RawSpan, lost: u64, settle: &mut Settle<'_>) {
        let mut spans = vec![span];
        mark_incomplete(&mut spans, lost.max(1), settle);
        settle.count(|s| &s.tail.rescued_late, 1);
        settle.count(|s| &s.tail.late_spans, 1);
        settle.keep(spans.into_iter());
    }

    /// Drops queue items of traces no longer held, so the queues stay about as small as the map.
    fn compact(&mut self) {
        let limit = 2 * self.pending.len() + 64;
        let pending = &self.pending;
        let current = |(t, seq): &(TraceId, u64)| pending.get(t).is_some_and(|p| p.seq == *seq);
        if self.calm.len() > limit {
            self.calm.retain(current);
        }
        if self.failed.len() > limit {
            self.failed.retain(current);
        }
        if self.due.len() > limit {
            self.due
                .retain(|d| pending.get(&d.trace_id).is_some_and(|p| p.seq == d.seq));
        }
    }

    fn publish(&self, stats: &SharedStats) {
        stats
            .tail
            .held_spans
            .store(self.held_spans as u64, Ordering::Relaxed);
        stats
            .tail
            .held_bytes
            .store(self.held_bytes as u64, Ordering::Relaxed);
    }
}

/// Tags the trace's local root (or, without one, each span whose parent is not among `spans`)
/// with the number of spans missing.
fn mark_incomplete(spans: &mut [RawSpan], missing: u64, settle: &mut Settle<'_>) {
    settle.count(|s| &s.tail.incomplete_traces, 1);
    settle.count(|s| &s.tail.missing_spans, missing);
    let value = TagValue::Int(i64::try_from(missing).unwrap_or(i64::MAX));
    let has_root = spans.iter().any(|s| s.local_root);
    let ids: HashSet<_> = if has_root {
        HashSet::new()
    } else {
        spans.iter().map(|s| s.span_id).collect()
    };
    for span in spans {
        let top = if has_root {
            span.local_root
        } else {
            span.parent_id.is_none_or(|p| !ids.contains(&p))
        };
        if top {
            let data = span
                .data
                .get_or_insert_with(|| settle.spare.pop().unwrap_or_default());
            data.tags.set(TRACE_INCOMPLETE_TAG, value.clone());
        }
    }
}

fn is_error(span: &RawSpan) -> bool {
    span.data
        .as_ref()
        .and_then(|d| d.status.as_ref())
        .is_some_and(|st| st.is_error())
}
