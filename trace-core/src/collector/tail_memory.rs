//! What the tail buffer remembers about traces it no longer holds: the decision made for each
//! (so spans ending later follow it), and what was evicted from undecided ones (so the decision,
//! when it comes, knows what is missing). Bounded in entries; decisions that fall out leave a
//! fingerprint in a fixed-size table, so a span arriving after its decision was forgotten can
//! still be told apart from the first span of a new trace (until the slot is reused).
//!
//! Decisions remember when the trace's local root ended: a span that started after it belongs to
//! a new local part of the trace (the trace came back to this process, as in a later request of
//! the same workflow), which is decided on its own rather than as a late span of the old part.

use std::collections::{HashMap, VecDeque};

use crate::clock::Instant;
use crate::id::TraceId;

/// What became of a trace that is no longer held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Kept: later spans are kept too.
    Kept { root_end: Option<Instant> },
    /// Let go, with this many spans (later spans are let go too and counted here).
    LetGo {
        spans: u64,
        root_end: Option<Instant>,
    },
    /// Undecided, but its spans were evicted: this many, and whether one of them failed.
    Evicted { spans: u64, failed: bool },
}

pub(crate) struct Memory {
    capacity: usize,
    entries: HashMap<TraceId, (u64, Fate)>,
    /// Oldest first, with the sequence number of the entry when pushed: entries replaced or taken
    /// since leave stale items here, skipped when they reach the front.
    order: VecDeque<(TraceId, u64)>,
    next_seq: u64,
    /// Fingerprints of forgotten decisions with the end of their local root, direct-mapped;
    /// empty until the first is forgotten.
    forgotten: Vec<(u64, Option<Instant>)>,
}

impl Fate {
    /// When the local root of a decided trace ended (the latest, if several).
    pub(crate) fn root_end(&self) -> Option<Instant> {
        match self {
            Self::Kept { root_end } | Self::LetGo { root_end, .. } => *root_end,
            Self::Evicted { .. } => None,
        }
    }
}

/// Whether a span that started at `start` is part of a new visit of its trace to this process,
/// rather than a late span of the part whose local root ended at `root_end`.
pub(crate) fn starts_new_part(start: Instant, root_end: Option<Instant>) -> bool {
    root_end.is_some_and(|end| start > end)
}

impl Memory {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: HashMap::new(),
            order: VecDeque::new(),
            next_seq: 0,
            forgotten: Vec::new(),
        }
    }

    pub(crate) fn get_mut(&mut self, trace_id: TraceId) -> Option<&mut Fate> {
        self.entries.get_mut(&trace_id).map(|(_, fate)| fate)
    }

    /// Removes what is known about `trace_id` (an evicted trace whose spans arrive again).
    pub(crate) fn take(&mut self, trace_id: TraceId) -> Option<Fate> {
        self.entries.remove(&trace_id).map(|(_, fate)| fate)
    }

    pub(crate) fn insert(&mut self, trace_id: TraceId, fate: Fate) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.entries.insert(trace_id, (seq, fate));
        self.order.push_back((trace_id, seq));
        while self.entries.len() > self.capacity {
            let Some((old, old_seq)) = self.order.pop_front() else {
                break;
            };
            if self.entries.get(&old).is_some_and(|(s, _)| *s == old_seq)
                && let Some((_, fate)) = self.entries.remove(&old)
                && !matches!(fate, Fate::Evicted { .. })
            {
                self.forget(old, fate.root_end());
            }
        }
        if self.order.len() > 2 * self.entries.len() + 64 {
            let entries = &self.entries;
            self.order
                .retain(|(t, seq)| entries.get(t).is_some_and(|(s, _)| s == seq));
        }
    }

    /// When a decision was made for `trace_id` and since forgotten (as far as the fingerprint
    /// table still says): the end of the trace's local root, if known.
    pub(crate) fn forgotten(&self, trace_id: TraceId) -> Option<Option<Instant>> {
        if self.forgotten.is_empty() {
            return None;
        }
        let (slot, print) = self.fingerprint(trace_id);
        let (stored, root_end) = self.forgotten[slot];
        (stored == print).then_some(root_end)
    }

    fn forget(&mut self, trace_id: TraceId, root_end: Option<Instant>) {
        if self.forgotten.is_empty() {
            self.forgotten = vec![(0, None); self.capacity.next_power_of_two().max(1024)];
        }
        let (slot, print) = self.fingerprint(trace_id);
        self.forgotten[slot] = (print, root_end);
    }

    /// A slot in the table and a non-zero 64-bit print of the id (0 marks an empty slot).
    fn fingerprint(&self, trace_id: TraceId) -> (usize, u64) {
        let id = trace_id.to_u128();
        let print = ((id as u64) ^ ((id >> 64) as u64).rotate_left(29)) | 1;
        let mixed = print.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let slot = (mixed >> 32) as usize & (self.forgotten.len() - 1);
        (slot, print)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_most_recent_and_fingerprints_forgotten_decisions() {
        let mut m = Memory::new(3);
        let ids: Vec<_> = (0..5).map(|_| TraceId::random()).collect();
        let end = Some(Instant::now());
        for &id in &ids {
            m.insert(id, Fate::Kept { root_end: end });
        }
        assert_eq!(m.len(), 3);
        assert!(m.get_mut(ids[0]).is_none());
        assert_eq!(m.get_mut(ids[4]), Some(&mut Fate::Kept { root_end: end }));
        assert_eq!(m.forgotten(ids[0]), Some(end));
        assert_eq!(m.forgotten(ids[1]), Some(end));
        assert_eq!(m.forgotten(ids[4]), None);
        assert_eq!(m.forgotten(TraceId::random()), None);
    }

    #[test]
    fn a_span_started_after_the_root_ended_starts_a_new_part() {
        let before = Instant::now();
        std::thread::sleep(std::time::Duration::from_millis(1));
        let end = Instant::now();
        std::thread::sleep(std::time::Duration::from_millis(1));
        let after = Instant::now();
        assert!(!starts_new_part(before, Some(end)));
        assert!(starts_new_part(after, Some(end)));
        assert!(!starts_new_part(after, None), "no root: nothing to tell by");
    }

    #[test]
    fn evictions_leave_no_fingerprint() {
        let mut m = Memory::new(1);
        let a = TraceId::random();
        m.insert(
            a,
            Fate::Evicted {
                spans: 2,
                failed: false,
            },
        );
        m.insert(TraceId::random(), Fate::Kept { root_end: None });
        assert!(m.get_mut(a).is_none());
        assert_eq!(m.forgotten(a), None, "the trace was never decided");
    }

    #[test]
    fn replaced_entries_do_not_evict_early() {
        let mut m = Memory::new(2);
        let a = TraceId::random();
        let b = TraceId::random();
        let kept = Fate::Kept { root_end: None };
        m.insert(
            a,
            Fate::LetGo {
                spans: 1,
                root_end: None,
            },
        );
        m.insert(a, kept);
        m.insert(b, kept);
        assert_eq!(m.get_mut(a), Some(&mut { kept }));
        assert_eq!(m.len(), 2);
    }
}
