//! RFC 3339 text for the human-readable `start`/`finish` attributes (UTC, nanoseconds). Readers
//! use the numeric `*_unix_nanos` attributes, so only formatting is needed here.

use std::fmt::Write as _;

/// Formats nanoseconds since the Unix epoch (negative before it) as
/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
pub(crate) fn format_unix_nanos(nanos: i128) -> String {
    let secs = nanos.div_euclid(1_000_000_000);
    let sub = nanos.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let day_secs = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let mut out = String::with_capacity(30);
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{sub:09}Z",
        day_secs / 3600,
        day_secs % 3600 / 60,
        day_secs % 60
    );
    out
}

/// Howard Hinnant's `civil_from_days`: the proleptic Gregorian date of a day count from 1970-01-01.
fn civil_from_days(days: i128) -> (i128, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i128::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(format_unix_nanos(0), "1970-01-01T00:00:00.000000000Z");
        // 2015-03-17T18:10:47.029852360Z, the Go original's example in UTC.
        assert_eq!(
            format_unix_nanos(1_426_615_847_029_852_360),
            "2015-03-17T18:10:47.029852360Z"
        );
        assert_eq!(
            format_unix_nanos(951_782_400_000_000_001),
            "2000-02-29T00:00:00.000000001Z"
        );
        assert_eq!(format_unix_nanos(-1), "1969-12-31T23:59:59.999999999Z");
    }
}
