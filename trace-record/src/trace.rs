//! [`Trace`]: the spans of one trace, arranged as a tree by parent id.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use trace_core::{SpanId, SpanRecord, TraceId};

/// The spans of one trace as a tree: roots, and the children of each span in start order.
///
/// Built from spans in any order (a file lists children before their parents). Nothing is
/// dropped: a span whose parent is not among the spans (its parent is remote, still running,
/// or was not recorded) becomes a root and is flagged as an [orphan](Self::is_orphan), and so is
/// any span caught in a parent cycle of a corrupt file.
///
/// ```
/// # use trace_core::{span, Tracer};
/// # use trace_record::{MemoryRecorder, Trace};
/// let spans = MemoryRecorder::new();
/// let tracer = Tracer::builder().recorder(spans.clone()).install().unwrap();
/// {
///     let _root = span("request").enter();
///     let _a = span("a").enter();
/// }
/// tracer.shutdown().unwrap();
///
/// let traces = Trace::group(spans.spans());
/// let trace = &traces[0];
/// let root = trace.roots().next().unwrap();
/// assert!(root.is_root() && !trace.is_orphan(root));
/// let names: Vec<_> = trace.children(root.span_id).map(|s| &*s.name).collect();
/// assert_eq!(names, ["a"]);
/// ```
#[derive(Clone, Debug)]
pub struct Trace {
    trace_id: TraceId,
    /// Sorted by start time.
    spans: Vec<SpanRecord>,
    /// Where each span id is in `spans` (the first span with that id, if a file repeats one).
    index: HashMap<SpanId, usize>,
    /// For each span, its children's positions, in start order.
    children: Vec<Vec<usize>>,
    /// Positions of the roots, in start order.
    roots: Vec<usize>,
    /// Per span: whether it is a root only because its parent is missing.
    orphan: Vec<bool>,
}

impl Trace {
    /// Groups spans by trace; the traces come in order of their first span's start.
    pub fn group(spans: impl IntoIterator<Item = SpanRecord>) -> Vec<Trace> {
        let mut by_trace: HashMap<TraceId, Vec<SpanRecord>> = HashMap::new();
        for span in spans {
            by_trace.entry(span.trace_id).or_default().push(span);
        }
        let mut traces: Vec<Trace> = by_trace
            .into_iter()
            .map(|(id, spans)| Trace::build(id, spans))
            .collect();
        traces.sort_by_key(|t| (t.start(), t.trace_id));
        traces
    }

    /// The trace of `spans`, which must all belong to `trace_id`; spans of other traces are
    /// returned as the error.
    pub fn new(
        trace_id: TraceId,
        spans: impl IntoIterator<Item = SpanRecord>,
    ) -> Result<Trace, Vec<SpanRecord>> {
        let (ours, others): (Vec<_>, Vec<_>) =
            spans.into_iter().partition(|s| s.trace_id == trace_id);
        if others.is_empty() {
            Ok(Trace::build(trace_id, ours))
        } else {
            Err(others)
        }
    }

    /// The trace of `spans`, all of which belong to `trace_id`.
    pub(crate) fn build(trace_id: TraceId, mut spans: Vec<SpanRecord>) -> Trace {
        // Start order; a parent that started at the same instant as its child comes first, as
        // it finishes later.
        spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.finish), s.span_id));
        let mut index = HashMap::with_capacity(spans.len());
        for (i, s) in spans.iter().enumerate() {
            index.entry(s.span_id).or_insert(i);
        }
        let mut children = vec![Vec::new(); spans.len()];
        let mut roots = Vec::new();
        let mut orphan = vec![false; spans.len()];
        for (i, s) in spans.iter().enumerate() {
            match s.parent_id.map(|p| index.get(&p)) {
                None => roots.push(i),
                Some(Some(&parent)) if parent != i => children[parent].push(i),
                Some(_) => {
                    roots.push(i);
                    orphan[i] = true;
                }
            }
        }
        // Spans in a parent cycle are reachable from no root: make each cycle's earliest span a
        // root so that none is lost.
        let mut reached = vec![false; spans.len()];
        let mut stack: Vec<usize> = roots.clone();
        mark_reached(&mut stack, &mut reached, &children);
        for i in 0..spans.len() {
            if !reached[i] {
                roots.push(i);
                orphan[i] = true;
                stack.push(i);
                mark_reached(&mut stack, &mut reached, &children);
            }
        }
        roots.sort_unstable();
        Trace {
            trace_id,
            spans,
            index,
            children,
            roots,
            orphan,
        }
    }

    /// The trace's id.
    pub fn trace_id(&self) -> TraceId {
        self.trace_id
    }

    /// Every span, in start order.
    pub fn spans(&self) -> &[SpanRecord] {
        &self.spans
    }

    /// How many spans the trace has.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the trace has no spans.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The span with this id.
    pub fn get(&self, span_id: SpanId) -> Option<&SpanRecord> {
        self.index.get(&span_id).map(|&i| &self.spans[i])
    }

    /// The spans at the top of the tree, in start order: the trace's root and any orphans.
    pub fn roots(&self) -> impl Iterator<Item = &SpanRecord> + '_ {
        self.roots.iter().map(|&i| &self.spans[i])
    }

    /// The children of `span_id`, in start order.
    pub fn children(&self, span_id: SpanId) -> impl Iterator<Item = &SpanRecord> + '_ {
        let children = match self.index.get(&span_id) {
            Some(&i) => &self.children[i][..],
            None => &[],
        };
        children.iter().map(|&c| &self.spans[c])
    }

    /// Whether `span` is a root of this tree only because its parent is missing from the trace.
    pub fn is_orphan(&self, span: &SpanRecord) -> bool {
        self.position(span).is_some_and(|i| self.orphan[i])
    }

    /// The spans that are roots only because their parent is missing.
    pub fn orphans(&self) -> impl Iterator<Item = &SpanRecord> + '_ {
        self.roots
            .iter()
            .filter(|&&i| self.orphan[i])
            .map(|&i| &self.spans[i])
    }

    /// The earliest start of any span.
    pub fn start(&self) -> Option<SystemTime> {
        self.spans.first().map(|s| s.start)
    }

    /// From the earliest start to the latest finish.
    pub fn duration(&self) -> Duration {
        let start = self.start();
        let finish = self.spans.iter().map(|s| s.finish).max();
        match (start, finish) {
            (Some(s), Some(f)) => f.duration_since(s).unwrap_or_default(),
            _ => Duration::ZERO,
        }
    }

    /// Every span once, depth first from each root in start order, with its depth (roots are
    /// at depth 0).
    pub fn walk(&self) -> Vec<(usize, &SpanRecord)> {
        let mut out = Vec::with_capacity(self.spans.len());
        let mut stack: Vec<(usize, usize)> = self.roots.iter().rev().map(|&r| (0, r)).collect();
        let mut seen = vec![false; self.spans.len()];
        while let Some((depth, i)) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            out.push((depth, &self.spans[i]));
            stack.extend(self.children[i].iter().rev().map(|&c| (depth + 1, c)));
        }
        out
    }

    fn position(&self, span: &SpanRecord) -> Option<usize> {
        let first = *self.index.get(&span.span_id)?;
        // A repeated id: find this very record among the spans with that id.
        (first..self.spans.len())
            .find(|&i| std::ptr::eq(&self.spans[i], span) || self.spans[i] == *span)
    }
}

/// Marks everything reachable from the spans on `stack` (which it empties).
fn mark_reached(stack: &mut Vec<usize>, reached: &mut [bool], children: &[Vec<usize>]) {
    while let Some(n) = stack.pop() {
        if !std::mem::replace(&mut reached[n], true) {
            stack.extend(&children[n]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::span_at;

    #[test]
    fn builds_the_tree_in_start_order_whatever_the_input_order() {
        let root = span_at("root", None, 0);
        let b = span_at("b", Some(root.span_id), 5);
        let a = span_at("a", Some(root.span_id), 1);
        let a1 = span_at("a1", Some(a.span_id), 2);
        let traces = Trace::group(vec![a1.clone(), b.clone(), root.clone(), a.clone()]);
        assert_eq!(traces.len(), 1);
        let t = &traces[0];
        assert_eq!(t.len(), 4);
        let roots: Vec<_> = t.roots().map(|s| &*s.name).collect();
        assert_eq!(roots, ["root"]);
        let kids: Vec<_> = t.children(root.span_id).map(|s| &*s.name).collect();
        assert_eq!(kids, ["a", "b"]);
        let walk: Vec<_> = t.walk().into_iter().map(|(d, s)| (d, &*s.name)).collect();
        assert_eq!(walk, [(0, "root"), (1, "a"), (2, "a1"), (1, "b")]);
        assert_eq!(t.orphans().count(), 0);
        assert_eq!(t.duration(), Duration::from_millis(15));
    }

    #[test]
    fn orphans_and_cycles_are_kept_as_flagged_roots() {
        let root = span_at("root", None, 0);
        let orphan = span_at("orphan", Some(SpanId::random()), 3);
        let mut x = span_at("x", None, 4);
        let mut y = span_at("y", None, 5);
        x.parent_id = Some(y.span_id);
        y.parent_id = Some(x.span_id);
        let mut selfish = span_at("self", None, 6);
        selfish.parent_id = Some(selfish.span_id);
        let t = &Trace::group(vec![root, orphan, x, y, selfish])[0];
        let roots: Vec<_> = t.roots().map(|s| &*s.name).collect();
        assert_eq!(roots, ["root", "orphan", "x", "self"]);
        let orphans: Vec<_> = t.orphans().map(|s| &*s.name).collect();
        assert_eq!(orphans, ["orphan", "x", "self"]);
        assert_eq!(t.walk().len(), 5, "every span is walked exactly once");
    }

    #[test]
    fn groups_several_traces_and_refuses_strangers() {
        let a = span_at("a", None, 10);
        let mut b = span_at("b", None, 0);
        b.trace_id = TraceId::random();
        let traces = Trace::group(vec![a.clone(), b.clone()]);
        assert_eq!(traces.len(), 2);
        assert_eq!(traces[0].trace_id(), b.trace_id, "earliest trace first");
        assert_eq!(
            Trace::new(a.trace_id, vec![a.clone(), b.clone()]).unwrap_err(),
            [b]
        );
        assert!(
            Trace::new(a.trace_id, [a.clone()])
                .unwrap()
                .get(a.span_id)
                .is_some()
        );
    }
}
