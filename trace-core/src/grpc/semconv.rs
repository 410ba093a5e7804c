//! OpenTelemetry RPC semantic-convention tag names used on gRPC spans.

/// The RPC system: always `grpc` here.
pub const RPC_SYSTEM: &str = "rpc.system";
/// The full service name (`package.Service`).
pub const RPC_SERVICE: &str = "rpc.service";
/// The method name (`Method`).
pub const RPC_METHOD: &str = "rpc.method";
/// The numeric gRPC status code (0 is OK).
pub const RPC_GRPC_STATUS_CODE: &str = "rpc.grpc.status_code";
/// Messages the caller sent in the RPC (several for client and bidirectional streams).
pub const RPC_GRPC_REQUEST_MESSAGES: &str = "rpc.grpc.request.messages";
/// Messages the server sent in the RPC (several for server and bidirectional streams).
pub const RPC_GRPC_RESPONSE_MESSAGES: &str = "rpc.grpc.response.messages";
pub use crate::http::semconv::{CLIENT_ADDRESS, ERROR_TYPE, SERVER_ADDRESS, SERVER_PORT};
