//! `trace-view list`: one line per trace.

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::time::{Duration, SystemTime};

use trace_core::TraceId;
use trace_record::Trace;

use crate::format;

/// What one line of the list says about a trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The trace.
    pub trace_id: TraceId,
    /// The name of its root span; when the root is missing, the first orphan's name in brackets.
    pub root: String,
    /// The services that recorded its spans, sorted.
    pub services: Vec<String>,
    /// How many spans it has.
    pub spans: usize,
    /// From the earliest start to the latest finish.
    pub duration: Duration,
    /// How many spans ended in error.
    pub errors: usize,
    /// The earliest start.
    pub start: SystemTime,
    /// Spans the recording process knew it lost: the sum of the
    /// [`TRACE_INCOMPLETE_TAG`](trace_core::TRACE_INCOMPLETE_TAG) tags, which the tail rule puts
    /// on a kept trace that lost spans (0 for a trace recorded whole).
    pub missing: u64,
}

impl Summary {
    /// Summarizes `trace`.
    pub fn of(trace: &Trace) -> Self {
        let root = match trace.roots().find(|r| !trace.is_orphan(r)) {
            Some(root) => root.name.to_string(),
            None => match trace.roots().next() {
                Some(orphan) => format!("[no root] {}", orphan.name),
                None => String::new(),
            },
        };
        let services: BTreeSet<&str> = trace.spans().iter().map(|s| &*s.service).collect();
        Self {
            trace_id: trace.trace_id(),
            root,
            services: services.into_iter().map(str::to_owned).collect(),
            spans: trace.len(),
            duration: trace.duration(),
            errors: trace.spans().iter().filter(|s| s.status.is_error()).count(),
            start: trace.start().unwrap_or(SystemTime::UNIX_EPOCH),
            missing: trace.spans().iter().map(missing_spans).sum(),
        }
    }

    /// The root column: the root's name, and how many spans are missing when some are.
    pub fn root_label(&self) -> String {
        match self.missing {
            0 => self.root.clone(),
            n => format!("{} (incomplete: {n} spans missing)", self.root),
        }
    }
}

/// The spans `span` says its trace is missing (its [`TRACE_INCOMPLETE_TAG`] tag), 0 if none.
///
/// [`TRACE_INCOMPLETE_TAG`]: trace_core::TRACE_INCOMPLETE_TAG
pub fn missing_spans(span: &trace_core::SpanRecord) -> u64 {
    match span.tags.get(trace_core::TRACE_INCOMPLETE_TAG) {
        Some(trace_core::TagValue::Int(n)) => u64::try_from(*n).unwrap_or(0),
        _ => 0,
    }
}

/// Which traces to list; every condition set must hold.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// A span of this service is in the trace.
    pub service: Option<String>,
    /// A span whose name contains this text is in the trace.
    pub name: Option<String>,
    /// Some span ended in error.
    pub errors: bool,
    /// The trace lasted at least this long.
    pub min_duration: Option<Duration>,
    /// The trace started at or after this time.
    pub since: Option<SystemTime>,
}

impl Filter {
    /// Whether `trace` (summarized as `summary`) passes.
    pub fn accepts(&self, trace: &Trace, summary: &Summary) -> bool {
        self.service
            .as_ref()
            .is_none_or(|s| summary.services.iter().any(|x| x == s))
            && self
                .name
                .as_ref()
                .is_none_or(|n| trace.spans().iter().any(|s| s.name.contains(n.as_str())))
            && (!self.errors || summary.errors > 0)
            && self.min_duration.is_none_or(|d| summary.duration >= d)
            && self.since.is_none_or(|t| summary.start >= t)
    }
}

/// The order of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Earliest first.
    #[default]
    Start,
    /// Longest first.
    Duration,
}

/// The summaries of the traces that pass `filter`, in `sort` order.
pub fn summaries(traces: &[Trace], filter: &Filter, sort: SortBy) -> Vec<Summary> {
    let mut out: Vec<Summary> = traces
        .iter()
        .filter_map(|t| {
            let s = Summary::of(t);
            filter.accepts(t, &s).then_some(s)
        })
        .collect();
    match sort {
        SortBy::Start => out.sort_by_key(|s| (s.start, s.trace_id)),
        SortBy::Duration => out.sort_by_key(|s| (std::cmp::Reverse(s.duration), s.trace_id)),
    }
    out
}

/// Writes a header and one aligned line per summary.
pub fn write_list(out: &mut (impl Write + ?Sized), summaries: &[Summary]) -> io::Result<()> {
    let rows: Vec<[String; 7]> = summaries
        .iter()
        .map(|s| {
            [
                s.trace_id.to_string(),
                format::time(s.start),
                format::duration(s.duration),
                s.spans.to_string(),
                s.errors.to_string(),
                s.services.join(","),
                s.root_label(),
            ]
        })
        .collect();
    let header = [
        "TRACE", "START", "DURATION", "SPANS", "ERRORS", "SERVICES", "ROOT",
    ];
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let right = [false, false, true, true, true, false, false];
    for row in std::iter::once(header.map(str::to_owned)).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i] - cell.chars().count();
            if i == row.len() - 1 {
                line.push_str(cell);
            } else if right[i] {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
                line.push_str("  ");
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::at;
    use trace_core::Status;

    #[test]
    fn filters_and_sorts() {
        let short = at("short", None, 0, 10);
        let mut long = at("long", None, 100, 300);
        long.trace_id = TraceId::random();
        let mut failing = at("db", Some(&long), 110, 120);
        failing.trace_id = long.trace_id;
        failing.status = Status::Error("boom".into());
        let traces = Trace::group(vec![short, long, failing]);
        let all = summaries(&traces, &Filter::default(), SortBy::Start);
        assert_eq!(
            all.iter().map(|s| &*s.root).collect::<Vec<_>>(),
            ["short", "long"]
        );
        let by_duration = summaries(&traces, &Filter::default(), SortBy::Duration);
        assert_eq!(by_duration[0].root, "long");
        assert_eq!(by_duration[0].spans, 2);
        assert_eq!(by_duration[0].errors, 1);
        let errors = Filter {
            errors: true,
            ..Filter::default()
        };
        assert_eq!(summaries(&traces, &errors, SortBy::Start).len(), 1);
        let named = Filter {
            name: Some("db".into()),
            min_duration: Some(Duration::from_millis(150)),
            ..Filter::default()
        };
        assert_eq!(summaries(&traces, &named, SortBy::Start)[0].root, "long");
        let later = Filter {
            since: Some(all[1].start),
            service: Some("svc".into()),
            ..Filter::default()
        };
        assert_eq!(summaries(&traces, &later, SortBy::Start).len(), 1);
        let mut text = Vec::new();
        write_list(&mut text, &all).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        let last = text.lines().nth(2).unwrap();
        assert!(
            last.contains(" 200 ms ") && last.ends_with(" svc       long"),
            "{text}"
        );
    }

    #[test]
    fn a_trace_kept_incomplete_says_how_many_spans_are_missing() {
        let mut root = at("checkout", None, 0, 10);
        root.tags.set(trace_core::TRACE_INCOMPLETE_TAG, 3);
        let mut whole = at("whole", None, 20, 30);
        whole.trace_id = TraceId::random();
        let traces = Trace::group(vec![root, whole]);
        let all = summaries(&traces, &Filter::default(), SortBy::Start);
        assert_eq!((all[0].missing, all[1].missing), (3, 0));
        let mut text = Vec::new();
        write_list(&mut text, &all).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(
            text.lines()
                .nth(1)
                .unwrap()
                .ends_with("checkout (incomplete: 3 spans missing)"),
            "{text}"
        );
        assert!(text.lines().nth(2).unwrap().ends_with(" whole"), "{text}");
    }
}
