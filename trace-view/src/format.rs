//! Durations and times as people read them.

use std::time::{Duration, SystemTime};

/// A duration with three significant digits and a unit: `312 ns`, `85.2 µs`, `14.2 ms`, `1.23 s`.
pub fn duration(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    let (value, unit) = if ns < 1e3 {
        return format!("{} ns", d.as_nanos());
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    let decimals = if value < 10.0 {
        2
    } else if value < 100.0 {
        1
    } else {
        0
    };
    format!("{value:.decimals$} {unit}")
}

/// A wall-clock time in RFC 3339, UTC, to the microsecond.
pub fn time(t: SystemTime) -> String {
    humantime::format_rfc3339_micros(t).to_string()
}

/// Nanoseconds from `from` to `to`, negative when `to` is earlier (clock skew between hosts).
pub fn offset_nanos(from: SystemTime, to: SystemTime) -> i64 {
    match to.duration_since(from) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_nanos()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_keep_three_digits() {
        let cases = [
            (Duration::from_nanos(312), "312 ns"),
            (Duration::from_nanos(85_240), "85.2 µs"),
            (Duration::from_micros(14_200), "14.2 ms"),
            (Duration::from_millis(1_234), "1.23 s"),
            (Duration::from_secs(754), "754 s"),
        ];
        for (d, text) in cases {
            assert_eq!(duration(d), text);
        }
    }

    #[test]
    fn offsets_are_signed() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(10);
        assert_eq!(offset_nanos(t, t + Duration::from_nanos(5)), 5);
        assert_eq!(offset_nanos(t, t - Duration::from_nanos(5)), -5);
    }
}
