//! Fixed-size text that the schema writes without allocating, and its times.

use std::fmt::{self, Write as _};
use std::time::{SystemTime, UNIX_EPOCH};

/// A string formatted on the stack; formatting more than `N` bytes fails instead of allocating.
pub(crate) struct StrBuf<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> StrBuf<N> {
    pub(crate) fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so the bytes are valid UTF-8; the fallback
        // is unreachable but keeps this free of `unsafe` and panics.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl<const N: usize> fmt::Write for StrBuf<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > N {
            return Err(fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The parent id of a root: 16 zeros, as Dapper wrote `parent_id: 0`.
pub(crate) const NO_PARENT: &str = "0000000000000000";

/// Seconds from the epoch to 10000-01-01: RFC 3339 has four-digit years.
const YEAR_10000: u64 = 253_402_300_800;

/// A wall-clock time as RFC 3339 in UTC with nine fractional digits.
pub(crate) struct Rfc3339(pub(crate) SystemTime);

impl Rfc3339 {
    /// The text, or an error for a time RFC 3339 cannot hold (before 1970 or after 9999).
    pub(crate) fn format(&self) -> Result<StrBuf<32>, TimeOutOfRange> {
        match self.0.duration_since(UNIX_EPOCH) {
            Ok(since) if since.as_secs() < YEAR_10000 => {
                let mut text = StrBuf::<32>::new();
                write!(text, "{}", humantime::format_rfc3339_nanos(self.0))
                    .map_err(|_| TimeOutOfRange)?;
                Ok(text)
            }
            _ => Err(TimeOutOfRange),
        }
    }
}

/// A time outside what RFC 3339 can write (the system clock was far off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimeOutOfRange;

impl fmt::Display for TimeOutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("time outside 1970-01-01..9999-12-31, which RFC 3339 cannot write")
    }
}

/// Parses the times [`Rfc3339`] writes (any number of fractional digits, `Z` or `+00:00`).
pub(crate) fn parse_time(text: &str) -> Result<SystemTime, humantime::TimestampError> {
    humantime::parse_rfc3339(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_have_nine_digits_and_round_trip() {
        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 1_000);
        let text = Rfc3339(t).format().unwrap();
        assert_eq!(text.as_str(), "2023-11-14T22:13:20.000001000Z");
        assert_eq!(parse_time(text.as_str()).unwrap(), t);
    }

    #[test]
    fn times_outside_rfc3339_are_errors_not_panics() {
        assert!(
            Rfc3339(UNIX_EPOCH - Duration::from_secs(1))
                .format()
                .is_err()
        );
        assert!(
            Rfc3339(UNIX_EPOCH + Duration::from_secs(YEAR_10000))
                .format()
                .is_err()
        );
        let last = UNIX_EPOCH + Duration::new(YEAR_10000 - 1, 999_999_999);
        assert_eq!(
            Rfc3339(last).format().unwrap().as_str(),
            "9999-12-31T23:59:59.999999999Z"
        );
    }

    #[test]
    fn strbuf_refuses_to_overflow() {
        let mut b = StrBuf::<4>::new();
        assert!(write!(b, "abcde").is_err());
        assert!(b.as_str().len() <= 4);
    }
}
