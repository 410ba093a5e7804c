//! Renders one trace as an indented call tree.

use std::io::{self, Write};
use std::time::SystemTime;

use trace_core::{SpanKind, SpanRecord};

use super::format::{Brief, OneLine, Short};
use crate::trace::Trace;

/// Names longer than this are cut, so one span stays on one line.
const MAX_NAME: usize = 80;

/// Writes `trace` as an indented call tree: one line per span with its duration, when it started
/// (from the trace's start), its tags in brief and its error, then its checkpoints and children.
///
/// ```text
/// trace 4bf92f3577b34da6a3ce929d0e0e4736 (checkout): 5 spans, 14.038ms
///   GET /checkout [server]: 14.038ms {user=ann, items=3}
///     · checkpoint [validated] +1.164ms
///     load cart: 1.193ms at +0.2ms
///     charge card [client]: 10.429ms at +1.3ms ✗ error: card declined
///     send receipt [producer]: 0.8ms at +12.4ms
/// ```
///
/// A span whose parent is not in the trace is printed as a root and marked
/// `(parent … not in trace)`.
pub fn write_tree<W: Write + ?Sized>(out: &mut W, trace: &Trace) -> io::Result<()> {
    let start = trace.start().unwrap_or(SystemTime::UNIX_EPOCH);
    write!(out, "trace {}", trace.trace_id())?;
    if let Some(first) = trace.roots().next() {
        write!(out, " ({})", OneLine(&first.service, MAX_NAME))?;
    }
    let spans = if trace.len() == 1 { "span" } else { "spans" };
    writeln!(
        out,
        ": {} {spans}, {}",
        trace.len(),
        Short(trace.duration())
    )?;
    for (depth, span) in trace.walk() {
        write_span(out, trace, start, depth, span)?;
    }
    Ok(())
}

/// The tree of `trace` as a string; see [`write_tree`].
pub fn tree_string(trace: &Trace) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_tree(&mut out, trace);
    String::from_utf8_lossy(&out).into_owned()
}

fn write_span<W: Write + ?Sized>(
    out: &mut W,
    trace: &Trace,
    trace_start: SystemTime,
    depth: usize,
    span: &SpanRecord,
) -> io::Result<()> {
    let indent = 2 * (depth + 1);
    write!(out, "{:indent$}{}", "", OneLine(&span.name, MAX_NAME))?;
    if span.kind != SpanKind::Internal {
        write!(out, " [{}]", span.kind)?;
    }
    write!(out, ": {}", Short(span.duration))?;
    if depth > 0 || trace.is_orphan(span) {
        let offset = span.start.duration_since(trace_start).unwrap_or_default();
        write!(out, " at +{}", Short(offset))?;
    }
    let parent_service = span
        .parent_id
        .and_then(|p| trace.get(p))
        .map(|p| &p.service);
    if depth > 0 && parent_service.is_some_and(|s| *s != span.service) {
        write!(out, " in {}", OneLine(&span.service, MAX_NAME))?;
    }
    if !span.tags.is_empty() {
        write!(out, " {}", Brief(&span.tags))?;
    }
    if let Some(message) = span.status.error_message() {
        write!(out, " ✗ error: {}", OneLine(message, MAX_NAME))?;
    }
    if let (true, Some(parent)) = (trace.is_orphan(span), span.parent_id) {
        write!(out, " (parent {parent} not in trace)")?;
    }
    writeln!(out)?;
    for checkpoint in &span.checkpoints {
        writeln!(
            out,
            "{:indent$}· checkpoint [{}] +{}",
            "",
            OneLine(&checkpoint.name, MAX_NAME),
            Short(checkpoint.offset),
            indent = indent + 2
        )?;
    }
    Ok(())
}
