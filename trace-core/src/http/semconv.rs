//! OpenTelemetry HTTP semantic-convention tag names used on HTTP spans.

/// The request method (`GET`).
pub const HTTP_REQUEST_METHOD: &str = "http.request.method";
/// The matched route template (`/users/{id}`), when the framework provides one.
pub const HTTP_ROUTE: &str = "http.route";
/// The response status code.
pub const HTTP_RESPONSE_STATUS_CODE: &str = "http.response.status_code";
/// The request path, without the query.
pub const URL_PATH: &str = "url.path";
/// The full request URL (client spans).
pub const URL_FULL: &str = "url.full";
/// The host the client called.
pub const SERVER_ADDRESS: &str = "server.address";
/// The port the client called.
pub const SERVER_PORT: &str = "server.port";
/// The caller's address (server spans), when known.
pub const CLIENT_ADDRESS: &str = "client.address";
/// What went wrong: the status code for error responses, or the error's type.
pub const ERROR_TYPE: &str = "error.type";
