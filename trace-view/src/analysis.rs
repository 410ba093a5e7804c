//! What every view needs to know about a trace beyond its tree: the order rows are shown in
//! (orphans grouped at the end), the critical path, and spans outside their parent (clock skew).

use std::time::SystemTime;

use trace_core::SpanRecord;
use trace_record::Trace;

/// One row of a trace shown as a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The span shown, as an index into [`Trace::spans`]; `None` for the header row of the
    /// orphans group.
    pub span: Option<usize>,
    /// Indentation: roots (and the orphans header) are at depth 0.
    pub depth: usize,
    /// The index one past the last row of this row's subtree, so collapsing row `i` hides rows
    /// `i + 1 .. end`.
    pub end: usize,
}

/// Per-span facts, indexed like [`Trace::spans`].
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The rows in display order: every span exactly once, depth first from each root in start
    /// order, then (when there are any) the orphans header and each orphan's subtree under it.
    pub rows: Vec<Row>,
    /// Whether the span is on the critical path of its root: the chain of work its root waited on.
    pub critical: Vec<bool>,
    /// Whether the span starts before or ends after its parent: the two hosts' clocks disagree
    /// (or the child outlived its parent). Shown where it was, and marked.
    pub outside_parent: Vec<bool>,
    /// Whether the span's parent is missing from the trace.
    pub orphan: Vec<bool>,
}

/// The position of `span` in `trace.spans()`: the trace hands out references into that slice.
fn index_of(trace: &Trace, span: &SpanRecord) -> usize {
    let base = trace.spans().as_ptr() as usize;
    (span as *const SpanRecord as usize - base) / std::mem::size_of::<SpanRecord>()
}

/// Works out rows, critical path and skew for `trace`.
pub fn analyze(trace: &Trace) -> Analysis {
    let spans = trace.spans();
    let n = spans.len();
    let mut orphan = vec![false; n];
    let mut outside_parent = vec![false; n];
    for (i, span) in spans.iter().enumerate() {
        orphan[i] = trace.is_orphan(span);
        if let Some(parent) = span.parent_id.and_then(|p| trace.get(p)) {
            outside_parent[i] = span.start < parent.start || span.finish > parent.finish;
        }
    }

    let roots: Vec<usize> = trace.roots().map(|s| index_of(trace, s)).collect();
    let (orphans, real): (Vec<usize>, Vec<usize>) = roots.iter().partition(|&&r| orphan[r]);
    let mut rows = Vec::with_capacity(n + 1);
    let mut seen = vec![false; n];
    for &root in &real {
        push_subtree(trace, root, 0, &mut rows, &mut seen);
    }
    if !orphans.is_empty() {
        let header = rows.len();
        rows.push(Row {
            span: None,
            depth: 0,
            end: 0,
        });
        for &o in &orphans {
            push_subtree(trace, o, 1, &mut rows, &mut seen);
        }
        rows[header].end = rows.len();
    }

    let mut critical = vec![false; n];
    for &root in &roots {
        mark_critical(trace, root, &mut critical);
    }
    Analysis {
        rows,
        critical,
        outside_parent,
        orphan,
    }
}

/// Appends the rows of `root`'s subtree, depth first, children in start order.
fn push_subtree(trace: &Trace, root: usize, depth: usize, rows: &mut Vec<Row>, seen: &mut [bool]) {
    let spans = trace.spans();
    // (span, depth, its row once pushed): a row's `end` is set when its subtree is done.
    enum Step {
        Enter(usize, usize),
        Leave(usize),
    }
    let mut stack = vec![Step::Enter(root, depth)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Enter(i, depth) => {
                if std::mem::replace(&mut seen[i], true) {
                    continue;
                }
                let row = rows.len();
                rows.push(Row {
                    span: Some(i),
                    depth,
                    end: row + 1,
                });
                stack.push(Step::Leave(row));
                let children: Vec<usize> = trace
                    .children(spans[i].span_id)
                    .map(|c| index_of(trace, c))
                    .collect();
                stack.extend(
                    children
                        .into_iter()
                        .rev()
                        .map(|c| Step::Enter(c, depth + 1)),
                );
            }
            Step::Leave(row) => rows[row].end = rows.len(),
        }
    }
}

/// Marks the critical path under `root`: from the end of a span backwards, the child that
/// finished last before the cursor is what the span waited for; then the cursor moves to that
/// child's start and the search goes on, and into that child.
fn mark_critical(trace: &Trace, root: usize, critical: &mut [bool]) {
    let spans = trace.spans();
    let mut stack = vec![root];
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut critical[i], true) {
            continue;
        }
        let mut children: Vec<usize> = trace
            .children(spans[i].span_id)
            .map(|c| index_of(trace, c))
            .collect();
        children.sort_by_key(|&c| std::cmp::Reverse(spans[c].finish));
        let mut cursor: SystemTime = spans[i].finish;
        for c in children {
            let child = &spans[c];
            // A child that ends after its parent (clock skew) still counts when it is the one
            // the parent ended with.
            let first = cursor == spans[i].finish;
            if child.finish <= cursor || (first && child.start < cursor) {
                stack.push(c);
                cursor = child.start.min(cursor);
            }
        }
    }
}

/// The span's tags as (key, value) pairs, in the order they were set. (The one place that knows
/// how `Tags` iterates.)
pub fn tag_pairs(span: &SpanRecord) -> impl Iterator<Item = (&str, &trace_core::TagValue)> {
    span.tags.iter().map(|t| (&*t.key, &t.value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{at, trace_of};

    #[test]
    fn rows_are_depth_first_with_orphans_grouped_last() {
        //   root [0,100]  ├─ a [10,40] ─ a1 [15,20]   └─ b [50,90]   orphan o [5,6] (parent missing)
        let root = at("root", None, 0, 100);
        let a = at("a", Some(&root), 10, 40);
        let a1 = at("a1", Some(&a), 15, 20);
        let b = at("b", Some(&root), 50, 90);
        let mut o = at("o", None, 5, 6);
        o.parent_id = Some(trace_core::SpanId::random());
        let trace = trace_of(vec![b, a1, o, a, root]);
        let result = analyze(&trace);
        let names: Vec<(Option<&str>, usize, usize)> = result
            .rows
            .iter()
            .map(|r| (r.span.map(|i| &*trace.spans()[i].name), r.depth, r.end))
            .collect();
        assert_eq!(
            names,
            [
                (Some("root"), 0, 4),
                (Some("a"), 1, 3),
                (Some("a1"), 2, 3),
                (Some("b"), 1, 4),
                (None, 0, 6),
                (Some("o"), 1, 6),
            ]
        );
        let critical: Vec<&str> = trace
            .spans()
            .iter()
            .zip(&result.critical)
            .filter(|(_, c)| **c)
            .map(|(s, _)| &*s.name)
            .collect();
        // root waited for b, and before b for a, and inside a for a1; o is its own root.
        assert_eq!(critical.len(), 5, "{critical:?}");
        assert!(result.outside_parent.iter().all(|o| !o));
    }

    #[test]
    fn a_child_outside_its_parent_is_marked_and_overlapping_children_are_not_all_critical() {
        let root = at("root", None, 0, 100);
        let early = at("early", Some(&root), 0, 30);
        let long = at("long", Some(&root), 5, 95);
        let skewed = at("skewed", Some(&root), 90, 120);
        let trace = trace_of(vec![root, early, long, skewed]);
        let result = analyze(&trace);
        let flag = |name: &str, v: &[bool]| {
            let i = trace.spans().iter().position(|s| s.name == name).unwrap();
            v[i]
        };
        assert!(flag("skewed", &result.outside_parent));
        assert!(!flag("long", &result.outside_parent));
        assert!(flag("skewed", &result.critical));
        assert!(!flag("long", &result.critical), "overlaps the skewed child");
        assert!(flag("early", &result.critical));
    }
}
