//! Recording how an RPC ended: the `grpc-status` of the response headers (a trailers-only
//! response) or trailers, the transport's error, or a stream dropped before its end.

use http::HeaderMap;
use tonic::Code;

use crate::grpc::semconv::{ERROR_TYPE, RPC_GRPC_STATUS_CODE};
use crate::span::Span;

/// An error in place of a response: named by its Rust type, as the HTTP layers do.
pub(crate) use crate::http::status::record_error;

/// The status a response carries in `grpc-status`, if any (an unreadable one is `Unknown`).
pub(crate) fn status_of(headers: &HeaderMap) -> Option<Code> {
    headers
        .get("grpc-status")
        .map(|v| Code::from_bytes(v.as_bytes()))
}

/// Tags the code and, for any code but OK, marks the span as an error with the code's name and
/// the server's `grpc-message` (`NotFound: no item "x"`).
pub(crate) fn record_status(span: &mut Span, code: Code, message: Option<&str>) {
    span.set_tag(RPC_GRPC_STATUS_CODE, code as i32);
    if code != Code::Ok {
        span.set_tag(ERROR_TYPE, format!("{code:?}"));
        let text = match message {
            Some(m) if !m.is_empty() => format!("{code:?}: {m}"),
            _ => format!("{code:?}: {}", code.description()),
        };
        span.set_error(text);
    }
}

/// The `grpc-message` of a response, percent-decoded as the gRPC spec encodes it.
pub(crate) fn message_of(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get("grpc-message")?.to_str().ok()?;
    Some(percent_decode(raw))
}

fn percent_decode(raw: &str) -> String {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|c| char::from(*c).to_digit(16));
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_status_and_message() {
        let mut h = HeaderMap::new();
        assert_eq!(status_of(&h), None);
        h.insert("grpc-status", "5".parse().unwrap());
        h.insert("grpc-message", "no%20such%20item%".parse().unwrap());
        assert_eq!(status_of(&h), Some(Code::NotFound));
        assert_eq!(message_of(&h).as_deref(), Some("no such item%"));
        h.insert("grpc-status", "99".parse().unwrap());
        assert_eq!(status_of(&h), Some(Code::Unknown));
    }
}
