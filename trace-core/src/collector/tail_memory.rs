//! What the tail buffer remembers about traces it no longer holds: the decision made for each
//! (so spans ending later follow it), and what was evicted from undecided ones (so the decision,
//! when it comes, knows what is missing). Bounded in entries; decisions that fall out leave a
//! fingerprint in a fixed-size table, so a span arriving after its decision was forgotten can
//! still be told apart from the first span of a new trace (until the slot is reused).

use std::collections::{HashMap, VecDeque};

use crate::id::TraceId;

/// What became of a trace that is no longer held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Kept: later spans are kept too.
    Kept,
    /// Let go, with this many spans (later spans are let go too and counted here).
    LetGo { spans: u64 },
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
    /// Fingerprints of forgotten decisions, direct-mapped; empty until the first is forgotten.
    forgotten: Vec<u64>,
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
                self.forget(old);
            }
        }
        if self.order.len() > 2 * self.entries.len() + 64 {
            let entries = &self.entries;
            self.order
                .retain(|(t, seq)| entries.get(t).is_some_and(|(s, _)| s == seq));
        }
    }

    /// Whether a decision was made for `trace_id` and since forgotten (as far as the fingerprint
    /// table still says).
    pub(crate) fn was_forgotten(&self, trace_id: TraceId) -> bool {
        if self.forgotten.is_empty() {
            return false;
        }
        let (slot, print) = self.fingerprint(trace_id);
        self.forgotten[slot] == print
    }

    fn forget(&mut self, trace_id: TraceId) {
        if self.forgotten.is_empty() {
            self.forgotten = vec![0; self.capacity.next_power_of_two().max(1024)];
        }
        let (slot, print) = self.fingerprint(trace_id);
        self.forgotten[slot] = print;
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
        for &id in &ids {
            m.insert(id, Fate::Kept);
        }
        assert_eq!(m.len(), 3);
        assert!(m.get_mut(ids[0]).is_none());
        assert_eq!(m.get_mut(ids[4]), Some(&mut Fate::Kept));
        assert!(m.was_forgotten(ids[0]) && m.was_forgotten(ids[1]));
        assert!(!m.was_forgotten(ids[4]));
        assert!(!m.was_forgotten(TraceId::random()));
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
        m.insert(TraceId::random(), Fate::Kept);
        assert!(m.get_mut(a).is_none());
        assert!(!m.was_forgotten(a), "the trace was never decided");
    }

    #[test]
    fn replaced_entries_do_not_evict_early() {
        let mut m = Memory::new(2);
        let a = TraceId::random();
        let b = TraceId::random();
        m.insert(a, Fate::LetGo { spans: 1 });
        m.insert(a, Fate::Kept);
        m.insert(b, Fate::Kept);
        assert_eq!(m.get_mut(a), Some(&mut Fate::Kept));
        assert_eq!(m.len(), 2);
    }
}
