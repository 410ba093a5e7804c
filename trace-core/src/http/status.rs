//! Recording how an HTTP exchange ended on its span.

use http::StatusCode;

use crate::http::semconv::{ERROR_TYPE, HTTP_RESPONSE_STATUS_CODE};
use crate::span::Span;

/// Which status codes mark the span as failed: OpenTelemetry counts 5xx as server errors and, for
/// clients, 4xx as well (the call did not get what it asked for).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Side {
    Server,
    Client,
}

pub(crate) fn record_status(span: &mut Span, status: StatusCode, side: Side) {
    span.set_tag(HTTP_RESPONSE_STATUS_CODE, status.as_u16());
    let failed = match side {
        Side::Server => status.is_server_error(),
        Side::Client => status.is_client_error() || status.is_server_error(),
    };
    if failed {
        span.set_tag(ERROR_TYPE, status.as_u16().to_string());
        span.set_error(format!("HTTP {status}"));
    }
}

/// An error in place of a response: named by its Rust type, as OpenTelemetry names exceptions.
pub(crate) fn record_error<E>(span: &mut Span) {
    let ty = std::any::type_name::<E>();
    span.set_tag(ERROR_TYPE, ty);
    span.set_error(ty);
}
