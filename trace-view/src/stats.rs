//! `trace-view stats`: latency per span name.

use std::collections::HashMap;
use std::io::{self, Write};
use std::time::Duration;

use trace_core::SpanRecord;

use crate::format;

/// The latency of every span of one name.
#[derive(Debug, Clone, PartialEq)]
pub struct NameStats {
    /// The span name.
    pub name: String,
    /// How many spans have it.
    pub count: usize,
    /// How many of them ended in error.
    pub errors: usize,
    /// Median duration.
    pub p50: Duration,
    /// 90th percentile.
    pub p90: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// The longest.
    pub max: Duration,
    /// All their durations added up: where the time went.
    pub total: Duration,
}

impl NameStats {
    /// Errors as a fraction of the count.
    pub fn error_rate(&self) -> f64 {
        self.errors as f64 / self.count as f64
    }
}

/// Per span name, most total time first. Percentiles are nearest-rank: the smallest duration at
/// or above which the given share of spans lie.
pub fn by_name<'a>(spans: impl IntoIterator<Item = &'a SpanRecord>) -> Vec<NameStats> {
    let mut groups: HashMap<&str, (Vec<Duration>, usize)> = HashMap::new();
    for span in spans {
        let entry = groups.entry(&span.name).or_default();
        entry.0.push(span.duration);
        entry.1 += usize::from(span.status.is_error());
    }
    let mut out: Vec<NameStats> = groups
        .into_iter()
        .map(|(name, (mut durations, errors))| {
            durations.sort_unstable();
            let rank = |p: f64| {
                let n = durations.len();
                let i = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
                durations[i]
            };
            NameStats {
                name: name.to_owned(),
                count: durations.len(),
                errors,
                p50: rank(0.50),
                p90: rank(0.90),
                p99: rank(0.99),
                max: durations[durations.len() - 1],
                total: durations.iter().sum(),
            }
        })
        .collect();
    out.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name)));
    out
}

/// Writes an aligned table of `stats`.
pub fn write_stats(out: &mut (impl Write + ?Sized), stats: &[NameStats]) -> io::Result<()> {
    let header = [
        "COUNT", "ERRORS", "P50", "P90", "P99", "MAX", "TOTAL", "NAME",
    ];
    let rows: Vec<[String; 8]> = stats
        .iter()
        .map(|s| {
            [
                s.count.to_string(),
                format!("{:.1}%", 100.0 * s.error_rate()),
                format::duration(s.p50),
                format::duration(s.p90),
                format::duration(s.p99),
                format::duration(s.max),
                format::duration(s.total),
                s.name
                    .chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .collect(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(header.map(str::to_owned)).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i == row.len() - 1 {
                line.push_str(cell);
            } else {
                line.push_str(&" ".repeat(widths[i] - cell.chars().count()));
                line.push_str(cell);
                line.push_str("  ");
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
    fn percentiles_are_nearest_rank() {
        // 100 spans "q" of 1..=100 ms, one failed; 2 spans "r".
        let mut spans: Vec<SpanRecord> = (1..=100).map(|ms| at("q", None, 0, ms)).collect();
        spans[0].status = Status::Error("x".into());
        spans.push(at("r", None, 0, 1));
        spans.push(at("r", None, 0, 3));
        let stats = by_name(&spans);
        assert_eq!(stats[0].name, "q");
        let q = &stats[0];
        assert_eq!((q.count, q.errors), (100, 1));
        assert_eq!(q.p50, Duration::from_millis(50));
        assert_eq!(q.p90, Duration::from_millis(90));
        assert_eq!(q.p99, Duration::from_millis(99));
        assert_eq!(q.max, Duration::from_millis(100));
        assert!((q.error_rate() - 0.01).abs() < 1e-9);
        let r = &stats[1];
        assert_eq!(
            (r.p50, r.p99),
            (Duration::from_millis(1), Duration::from_millis(3))
        );
        let mut text = Vec::new();
        write_stats(&mut text, &stats).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.lines().nth(1).unwrap().ends_with("  q"), "{text}");
        assert!(text.contains("1.0%"), "{text}");
    }
}
