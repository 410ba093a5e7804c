//! Short text for durations and tag values in the tree.

use std::fmt;
use std::time::Duration;

use trace_core::{TagValue, Tags};

/// A duration in the largest unit that keeps it at one or more, with up to three decimals, like
/// Go's `time.Duration` prints: `850ns`, `12.5µs`, `14.038ms`, `2.1s`.
#[derive(Clone, Copy, Debug)]
pub struct Short(pub Duration);

impl fmt::Display for Short {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0.as_nanos();
        let (value, unit) = match ns {
            0..1_000 => return write!(f, "{ns}ns"),
            1_000..1_000_000 => (ns as f64 / 1e3, "µs"),
            1_000_000..1_000_000_000 => (ns as f64 / 1e6, "ms"),
            _ => (ns as f64 / 1e9, "s"),
        };
        let text = format!("{value:.3}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        write!(f, "{text}{unit}")
    }
}

/// At most this many tags are shown per span; the rest are counted.
const MAX_TAGS: usize = 6;
/// Longer string values are cut, so one span stays on one line.
const MAX_VALUE: usize = 40;

/// Tags in brief: `{method=GET, rows=3, …2 more}`.
pub(crate) struct Brief<'a>(pub(crate) &'a Tags);

impl fmt::Display for Brief<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, tag) in self.0.iter().take(MAX_TAGS).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}=", OneLine(&tag.key, MAX_VALUE))?;
            match &tag.value {
                TagValue::Str(s) => write!(f, "{}", OneLine(s, MAX_VALUE))?,
                other => write!(f, "{other}")?,
            }
        }
        if self.0.len() > MAX_TAGS {
            write!(f, ", …{} more", self.0.len() - MAX_TAGS)?;
        }
        f.write_str("}")
    }
}

/// Text on one line (control characters escaped), cut to `max` characters.
pub(crate) struct OneLine<'a>(pub(crate) &'a str, pub(crate) usize);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.0.chars().enumerate() {
            if i == self.1 {
                return f.write_str("…");
            }
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_a_unit() {
        let cases = [
            (Duration::from_nanos(850), "850ns"),
            (Duration::from_nanos(12_500), "12.5µs"),
            (Duration::from_nanos(14_038_083), "14.038ms"),
            (Duration::from_millis(2_100), "2.1s"),
            (Duration::from_secs(1), "1s"),
            (Duration::ZERO, "0ns"),
        ];
        for (d, text) in cases {
            assert_eq!(Short(d).to_string(), text);
        }
    }

    #[test]
    fn tags_are_brief_and_on_one_line() {
        let mut tags = Tags::new();
        tags.set("user", "ann\nsmith");
        tags.set("rows", 3);
        for i in 0..6 {
            tags.set(format!("k{i}"), true);
        }
        tags.set("long", "x".repeat(100));
        let text = Brief(&tags).to_string();
        assert!(
            text.starts_with("{user=ann\\nsmith, rows=3, k0=true"),
            "{text}"
        );
        assert!(text.ends_with(", …3 more}"), "{text}");
        assert!(!text.contains('\n'));
    }
}
