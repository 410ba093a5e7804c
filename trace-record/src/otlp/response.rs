//! What an OTLP/HTTP answer means for the request: delivered (maybe partly), retry (maybe after
//! a `Retry-After`), or refused. Pure functions over the status, headers and body.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What to do after an answer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    /// 2xx: the spans arrived, except `rejected` of them (`partial_success`).
    Accepted { rejected: u64, message: String },
    /// 429 (throttled), 502, 503, 504: send again, not before `after` when the server said so.
    Retry {
        throttled: bool,
        after: Option<Duration>,
        problem: String,
    },
    /// Any other status: sending the same request again cannot help.
    Refused { problem: String },
}

/// Sorts an answer; `retry_after` is the raw `Retry-After` header, `now` the current time (for a
/// date given there).
pub(crate) fn classify(
    status: u16,
    retry_after: Option<&[u8]>,
    body: &[u8],
    now: SystemTime,
) -> Answer {
    match status {
        200..=299 => {
            let (rejected, message) = partial_success(body).unwrap_or_default();
            Answer::Accepted { rejected, message }
        }
        429 | 502 | 503 | 504 => Answer::Retry {
            throttled: status == 429,
            after: retry_after.and_then(|v| parse_retry_after(v, now)),
            problem: describe(status, body),
        },
        _ => Answer::Refused {
            problem: describe(status, body),
        },
    }
}

fn describe(status: u16, body: &[u8]) -> String {
    // OTLP/HTTP error bodies are a protobuf `google.rpc.Status` (message in field 2); some
    // receivers answer in plain text instead.
    let message = status_message(body).unwrap_or_else(|| {
        let text = String::from_utf8_lossy(body);
        text.chars().take(200).collect()
    });
    if message.trim().is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {}", message.trim())
    }
}

/// `Retry-After`: delay-seconds or an HTTP date (IMF-fixdate).
pub(crate) fn parse_retry_after(value: &[u8], now: SystemTime) -> Option<Duration> {
    let text = std::str::from_utf8(value).ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_imf_fixdate(text)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`.
fn parse_imf_fixdate(text: &str) -> Option<SystemTime> {
    let (_, rest) = text.split_once(", ")?;
    let mut parts = rest.split(' ');
    let day: u64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':');
    let (h, m, s): (u64, u64, u64) = (
        hms.next()?.parse().ok()?,
        hms.next()?.parse().ok()?,
        hms.next()?.parse().ok()?,
    );
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = u64::try_from(days).ok()? * 86_400 + h * 3600 + m * 60 + s;
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

/// Reads the fields of a protobuf message: (field number, wire type, varint value or bytes).
struct Fields<'a>(&'a [u8]);

enum FieldValue<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Other,
}

fn read_varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

impl<'a> Iterator for Fields<'a> {
    type Item = Option<(u64, FieldValue<'a>)>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.0.is_empty() {
            return None;
        }
        Some(self.field())
    }
}

impl<'a> Fields<'a> {
    fn field(&mut self) -> Option<(u64, FieldValue<'a>)> {
        let key = read_varint(&mut self.0)?;
        let value = match key & 7 {
            0 => FieldValue::Varint(read_varint(&mut self.0)?),
            1 => {
                self.0 = self.0.get(8..)?;
                FieldValue::Other
            }
            2 => {
                let len = usize::try_from(read_varint(&mut self.0)?).ok()?;
                let bytes = self.0.get(..len)?;
                self.0 = &self.0[len..];
                FieldValue::Bytes(bytes)
            }
            5 => {
                self.0 = self.0.get(4..)?;
                FieldValue::Other
            }
            _ => return None,
        };
        Some((key >> 3, value))
    }
}

/// `ExportTraceServiceResponse.partial_success`: (`rejected_spans`, `error_message`).
pub(crate) fn partial_success(body: &[u8]) -> Option<(u64, String)> {
    let mut result = (0, String::new());
    for field in Fields(body) {
        if let (1, FieldValue::Bytes(inner)) = field? {
            for field in Fields(inner) {
                match field? {
                    // int64 on the wire; a negative count is nonsense and read as none.
                    (1, FieldValue::Varint(n)) => result.0 = u64::try_from(n as i64).unwrap_or(0),
                    (2, FieldValue::Bytes(m)) => {
                        result.1 = String::from_utf8_lossy(m).into_owned();
                    }
                    _ => {}
                }
            }
        }
    }
    Some(result)
}

/// `google.rpc.Status.message`.
fn status_message(body: &[u8]) -> Option<String> {
    let mut message = None;
    for field in Fields(body) {
        if let (2, FieldValue::Bytes(m)) = field? {
            message = Some(std::str::from_utf8(m).ok()?.to_owned());
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use opentelemetry_proto::tonic::collector::trace::v1::{
        ExportTracePartialSuccess, ExportTraceServiceResponse,
    };
    use prost::Message;

    use super::*;

    #[test]
    fn statuses_sort_into_deliver_retry_and_refuse() {
        let now = SystemTime::now();
        assert_eq!(
            classify(200, None, b"", now),
            Answer::Accepted {
                rejected: 0,
                message: String::new()
            }
        );
        for status in [429, 502, 503, 504] {
            assert!(
                matches!(classify(status, None, b"", now), Answer::Retry { throttled, .. } if throttled == (status == 429)),
                "{status}"
            );
        }
        for status in [400, 401, 403, 404, 413, 500, 501, 301] {
            assert!(
                matches!(classify(status, None, b"", now), Answer::Refused { .. }),
                "{status}"
            );
        }
    }

    #[test]
    fn partial_success_is_read_from_the_response() {
        let body = ExportTraceServiceResponse {
            partial_success: Some(ExportTracePartialSuccess {
                rejected_spans: 3,
                error_message: "3 spans too old".into(),
            }),
        }
        .encode_to_vec();
        assert_eq!(
            classify(200, None, &body, SystemTime::now()),
            Answer::Accepted {
                rejected: 3,
                message: "3 spans too old".into()
            }
        );
        // A body that is not protobuf (e.g. `{}` from a JSON-minded receiver) counts as all accepted.
        assert!(matches!(
            classify(200, None, b"{}", SystemTime::now()),
            Answer::Accepted { rejected: 0, .. }
        ));
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(parse_retry_after(b" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after(b"Sun, 06 Nov 1994 08:49:40 GMT", now),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            parse_retry_after(b"Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after(b"soon", now), None);
        assert_eq!(parse_retry_after(b"-1", now), None);
        match classify(503, Some(b"2"), b"", now) {
            Answer::Retry { after, .. } => assert_eq!(after, Some(Duration::from_secs(2))),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn error_bodies_are_described() {
        // google.rpc.Status { code = 3 (field 1), message = "bad span" (field 2) }
        let mut body = vec![0x08, 3, 0x12, 8];
        body.extend_from_slice(b"bad span");
        assert_eq!(
            classify(400, None, &body, SystemTime::now()),
            Answer::Refused {
                problem: "HTTP 400: bad span".into()
            }
        );
        assert_eq!(
            classify(404, None, b"no such path", SystemTime::now()),
            Answer::Refused {
                problem: "HTTP 404: no such path".into()
            }
        );
    }
}
