//! OTLP/gRPC without a gRPC framework (feature `otlp-grpc`): the `Export` call is one HTTP/2
//! `POST` of a length-prefixed protobuf message, answered by a length-prefixed message and a
//! `grpc-status` trailer. Everything else (batching, retries, counting) is shared with OTLP/HTTP.

use std::time::Duration;

use super::response::{Answer, partial_success};

/// The method path of `TraceService/Export`, appended to the endpoint.
pub(crate) const EXPORT_PATH: &str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/// A gRPC message frame: compressed flag, big-endian length, the message.
pub(crate) fn frame(message: &[u8], compressed: bool) -> Vec<u8> {
    let mut framed = Vec::with_capacity(message.len() + 5);
    framed.push(u8::from(compressed));
    framed.extend_from_slice(&(message.len() as u32).to_be_bytes());
    framed.extend_from_slice(message);
    framed
}

/// Sorts a gRPC answer by its status (from the trailers, or the headers of a trailers-only
/// answer); `body` holds the response frame.
pub(crate) fn classify(
    http_status: u16,
    grpc_status: Option<&[u8]>,
    message: Option<&[u8]>,
    body: &[u8],
) -> Answer {
    let text = |code: &str| {
        let message = message
            .map(|m| String::from_utf8_lossy(m).into_owned())
            .unwrap_or_default();
        if message.is_empty() {
            format!("gRPC status {code}")
        } else {
            format!("gRPC status {code}: {message}")
        }
    };
    let Some(status) = grpc_status else {
        // No gRPC status at all: an HTTP-level failure (a proxy's 503, say).
        return super::response::classify(http_status, None, b"", std::time::SystemTime::now());
    };
    let code = std::str::from_utf8(status).unwrap_or("?").trim().to_owned();
    match code.as_str() {
        "0" => {
            let message = body.get(5..).unwrap_or_default();
            let (rejected, message) = partial_success(message).unwrap_or_default();
            Answer::Accepted { rejected, message }
        }
        // RESOURCE_EXHAUSTED: the receiver is overloaded (the spec retries it only with a
        // RetryInfo; we retry it within the same bounds as a 429).
        "8" => Answer::Retry {
            throttled: true,
            after: None,
            problem: text(&code),
        },
        // The retryable codes of the OTLP specification.
        "1" | "4" | "10" | "11" | "14" | "15" => Answer::Retry {
            throttled: false,
            after: None,
            problem: text(&code),
        },
        _ => Answer::Refused {
            problem: text(&code),
        },
    }
}

/// `grpc-timeout` for the configured request timeout, in milliseconds.
pub(crate) fn timeout_header(timeout: Duration) -> String {
    format!("{}m", timeout.as_millis().min(99_999_999))
}

#[cfg(test)]
mod tests {
    use opentelemetry_proto::tonic::collector::trace::v1::{
        ExportTracePartialSuccess, ExportTraceServiceResponse,
    };
    use prost::Message;

    use super::*;

    #[test]
    fn frames_carry_the_flag_and_length() {
        assert_eq!(frame(b"abc", false), [0, 0, 0, 0, 3, b'a', b'b', b'c']);
        assert_eq!(frame(b"", true), [1, 0, 0, 0, 0]);
    }

    #[test]
    fn statuses_sort_like_the_specification_says() {
        let ok = frame(
            &ExportTraceServiceResponse {
                partial_success: Some(ExportTracePartialSuccess {
                    rejected_spans: 4,
                    error_message: "old".into(),
                }),
            }
            .encode_to_vec(),
            false,
        );
        assert_eq!(
            classify(200, Some(b"0"), None, &ok),
            Answer::Accepted {
                rejected: 4,
                message: "old".into()
            }
        );
        assert_eq!(
            classify(200, Some(b"0"), None, b""),
            Answer::Accepted {
                rejected: 0,
                message: String::new()
            }
        );
        for code in ["1", "4", "10", "11", "14", "15"] {
            assert!(
                matches!(
                    classify(200, Some(code.as_bytes()), None, b""),
                    Answer::Retry {
                        throttled: false,
                        ..
                    }
                ),
                "{code}"
            );
        }
        assert!(matches!(
            classify(200, Some(b"8"), None, b""),
            Answer::Retry {
                throttled: true,
                ..
            }
        ));
        assert_eq!(
            classify(200, Some(b"3"), Some(b"bad span"), b""),
            Answer::Refused {
                problem: "gRPC status 3: bad span".into()
            }
        );
        assert!(matches!(
            classify(503, None, None, b""),
            Answer::Retry { .. }
        ));
    }
}
