//! Naming an RPC after its path: `/package.Service/Method`.

use crate::grpc::semconv::{RPC_METHOD, RPC_SERVICE, RPC_SYSTEM};
use crate::span::{SpanBuilder, SpanKind, span};

/// The span for the RPC at `path`: named `package.Service/Method` and tagged with `rpc.system`,
/// `rpc.service` and `rpc.method`; a path of another shape names the span as it is.
pub(crate) fn rpc_span(path: &str, kind: SpanKind) -> SpanBuilder {
    let name = path.strip_prefix('/').unwrap_or(path);
    let builder = span(name.to_owned()).kind(kind).tag(RPC_SYSTEM, "grpc");
    match name.split_once('/') {
        Some((service, method))
            if !service.is_empty() && !method.is_empty() && !method.contains('/') =>
        {
            builder
                .tag(RPC_SERVICE, service.to_owned())
                .tag(RPC_METHOD, method.to_owned())
        }
        _ => builder,
    }
}
