//! `trace-view tree`: a trace as a call tree with aligned durations and a time bar per span.

use std::io::{self, Write};

use trace_record::Trace;

use crate::analysis::{Row, analyze};
use crate::format;
use crate::list::{Summary, missing_spans};

/// How wide the time bar of each row is, in characters.
const BAR: usize = 30;
/// Names (with their indentation) longer than this are cut, so the columns stay on screen.
const MAX_NAME: usize = 72;

/// Styles for a terminal; all empty when colour is off.
struct Style {
    red: &'static str,
    yellow: &'static str,
    dim: &'static str,
    bar: &'static str,
    bold: &'static str,
    reset: &'static str,
}

const COLOR: Style = Style {
    red: "\x1b[31m",
    yellow: "\x1b[33m",
    dim: "\x1b[2m",
    bar: "\x1b[36m",
    bold: "\x1b[1m",
    reset: "\x1b[0m",
};
const PLAIN: Style = Style {
    red: "",
    yellow: "",
    dim: "",
    bar: "",
    bold: "",
    reset: "",
};

/// Writes `trace` as a tree: a header line, then one line per span with its name indented by
/// depth, its duration, a bar showing when it ran within the trace, and marks for errors (`✗`)
/// and spans outside their parent's interval (`⚠`, clock skew), and on a span the tail rule
/// marked (a kept trace that lost spans), how many are missing. Orphans come last, grouped.
pub fn write_tree(out: &mut (impl Write + ?Sized), trace: &Trace, color: bool) -> io::Result<()> {
    let style = if color { &COLOR } else { &PLAIN };
    let summary = Summary::of(trace);
    writeln!(
        out,
        "{}trace {}{}  {}  {}  {} spans  {} errors  services: {}",
        style.bold,
        summary.trace_id,
        style.reset,
        format::time(summary.start),
        format::duration(summary.duration),
        summary.spans,
        summary.errors,
        summary.services.join(", ")
    )?;
    if summary.missing > 0 {
        writeln!(
            out,
            "{}incomplete: {} spans missing (lost before the tail rule kept the trace){}",
            style.yellow, summary.missing, style.reset
        )?;
    }
    let analysis = analyze(trace);
    let spans = trace.spans();
    let trace_start = summary.start;
    let total = summary.duration.as_nanos().max(1) as f64;

    let labels = labels(
        &analysis.rows,
        |i| spans[i].name.as_ref(),
        analysis.rows.len(),
    );
    let name_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let durations: Vec<String> = analysis
        .rows
        .iter()
        .map(|r| {
            r.span
                .map_or_else(String::new, |i| format::duration(spans[i].duration))
        })
        .collect();
    let duration_width = durations
        .iter()
        .map(|d| d.chars().count())
        .max()
        .unwrap_or(0);

    for ((row, label), duration) in analysis.rows.iter().zip(&labels).zip(&durations) {
        let pad = name_width - label.chars().count();
        let Some(i) = row.span else {
            writeln!(out, "{}{label}{}", style.yellow, style.reset)?;
            continue;
        };
        let span = &spans[i];
        let from = format::offset_nanos(trace_start, span.start).max(0) as f64 / total;
        let to = format::offset_nanos(trace_start, span.finish).max(0) as f64 / total;
        let bar = time_bar(from, to);
        write!(
            out,
            "{label}{:pad$}  {}{duration:>duration_width$}{}  {}|{bar}|{}",
            "", style.dim, style.reset, style.bar, style.reset,
        )?;
        if let Some(message) = span.status.error_message() {
            write!(out, "  {}✗ {}{}", style.red, one_line(message), style.reset)?;
        } else if span.status.is_error() {
            write!(out, "  {}✗ error{}", style.red, style.reset)?;
        }
        let missing = missing_spans(span);
        if missing > 0 {
            write!(
                out,
                "  {}⚠ {missing} spans missing{}",
                style.yellow, style.reset
            )?;
        }
        if analysis.outside_parent[i] {
            write!(
                out,
                "  {}⚠ outside its parent (clock skew?){}",
                style.yellow, style.reset
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The name column: tree glyphs and the name, cut to [`MAX_NAME`] characters.
fn labels<'a>(rows: &[Row], name: impl Fn(usize) -> &'a str, n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    // Per depth: the end of the row last seen at that depth, and whether it was a last child.
    let mut ends: Vec<usize> = Vec::new();
    let mut lasts: Vec<bool> = Vec::new();
    for row in rows {
        let d = row.depth;
        ends.truncate(d);
        lasts.truncate(d);
        let last = d == 0 || ends.get(d - 1) == Some(&row.end);
        let mut label = String::new();
        if d > 0 {
            for &ancestor_last in lasts.iter().skip(1) {
                label.push_str(if ancestor_last { "   " } else { "│  " });
            }
            label.push_str(if last { "└─ " } else { "├─ " });
        }
        match row.span {
            Some(i) => label.push_str(&one_line(name(i))),
            None => {
                let (orphans, spans) = group_counts(rows, row);
                let what = if orphans == 1 {
                    "1 orphan".to_owned()
                } else {
                    format!("{orphans} orphans")
                };
                label.push_str(&format!(
                    "{what} (parent not in the input): {spans} spans with their children"
                ));
            }
        }
        if label.chars().count() > MAX_NAME {
            label = label.chars().take(MAX_NAME - 1).collect::<String>() + "…";
        }
        out.push(label);
        ends.push(row.end);
        lasts.push(last);
    }
    out
}

/// The orphans (rows at depth 1) and all the spans in the group that `header` heads.
fn group_counts(rows: &[Row], header: &Row) -> (usize, usize) {
    let start = rows
        .iter()
        .position(|r| std::ptr::eq(r, header))
        .unwrap_or(0);
    let group = &rows[start + 1..header.end];
    (group.iter().filter(|r| r.depth == 1).count(), group.len())
}

/// Control characters (a newline in a name) would break the columns: shown as spaces.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `from` and `to` as fractions of the trace: a bar of [`BAR`] cells, at least one filled.
fn time_bar(from: f64, to: f64) -> String {
    let start = ((from * BAR as f64).floor() as usize).min(BAR - 1);
    let end = ((to * BAR as f64).ceil() as usize).clamp(start + 1, BAR);
    let mut bar = String::with_capacity(BAR * 3);
    for cell in 0..BAR {
        bar.push(if (start..end).contains(&cell) {
            '█'
        } else {
            ' '
        });
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{at, trace_of};
    use trace_core::Status;

    #[test]
    fn draws_the_tree_with_bars_errors_and_skew() {
        let root = at("GET /checkout", None, 0, 100);
        let a = at("load cart", Some(&root), 0, 50);
        let mut b = at("charge\ncard", Some(&root), 50, 100);
        b.status = Status::Error("declined".into());
        let late = at("late", Some(&a), 40, 60);
        let trace = trace_of(vec![root, a, b, late]);
        let mut out = Vec::new();
        write_tree(&mut out, &trace, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("trace 4bf92f35"), "{text}");
        assert!(lines[0].contains("4 spans  1 errors"), "{text}");
        assert!(lines[1].starts_with("GET /checkout  "), "{text}");
        assert!(lines[2].starts_with("├─ load cart  "), "{text}");
        assert!(lines[3].starts_with("│  └─ late "), "{text}");
        assert!(lines[3].contains("⚠ outside its parent"), "{text}");
        assert!(lines[4].starts_with("└─ charge card "), "{text}");
        assert!(lines[4].ends_with("✗ declined"), "{text}");
        // The bars: the root fills all cells, the second half of the trace is b's.
        assert!(
            lines[1].contains(&format!("|{}|", "█".repeat(BAR))),
            "{text}"
        );
        assert!(
            lines[4].contains(&format!("|{}{}|", " ".repeat(BAR / 2), "█".repeat(BAR / 2))),
            "{text}"
        );
        // Durations are right-aligned in one column.
        let column = |l: &str| l.chars().position(|c| c == '|').unwrap();
        assert!(
            lines[1..].iter().all(|l| column(l) == column(lines[1])),
            "{text}"
        );
        assert!(!text.contains('\x1b'));
        let mut colored = Vec::new();
        write_tree(&mut colored, &trace, true).unwrap();
        assert!(
            String::from_utf8(colored)
                .unwrap()
                .contains("\x1b[31m✗ declined")
        );
    }

    #[test]
    fn a_trace_kept_incomplete_is_marked() {
        let mut root = at("checkout", None, 0, 10);
        root.tags.set(trace_core::TRACE_INCOMPLETE_TAG, 2);
        let child = at("charge", Some(&root), 2, 3);
        let trace = trace_of(vec![root, child]);
        let mut out = Vec::new();
        write_tree(&mut out, &trace, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(
            lines[1],
            "incomplete: 2 spans missing (lost before the tail rule kept the trace)"
        );
        assert!(lines[2].starts_with("checkout "), "{text}");
        assert!(lines[2].ends_with("⚠ 2 spans missing"), "{text}");
        assert!(!lines[3].contains("missing"), "{text}");
    }

    #[test]
    fn orphans_are_grouped_under_a_header() {
        let root = at("root", None, 0, 10);
        let mut orphan = at("lost", None, 2, 3);
        orphan.parent_id = Some(trace_core::SpanId::random());
        let trace = trace_of(vec![root, orphan]);
        let mut out = Vec::new();
        write_tree(&mut out, &trace, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("\n1 orphan (parent not in the input): 1 spans with their children\n"),
            "{text}"
        );
        assert!(text.contains("\n└─ lost "), "{text}");
    }
}
