//! Text the schema shares between its writer and its reader.

use std::fmt;
use std::time::SystemTime;

/// The parent id of a root: 16 zeros, as Dapper wrote `parent_id: 0`.
pub(crate) const NO_PARENT: &str = "0000000000000000";

/// A time outside what RFC 3339 can write (the system clock was far off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimeOutOfRange;

impl fmt::Display for TimeOutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("time outside 1970-01-01..9999-12-31, which RFC 3339 cannot write")
    }
}

/// Parses the times the writer writes (any number of fractional digits, `Z` or `+00:00`).
pub(crate) fn parse_time(text: &str) -> Result<SystemTime, humantime::TimestampError> {
    humantime::parse_rfc3339(text)
}
