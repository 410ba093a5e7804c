//! One OTLP/HTTP request: `POST` the (maybe compressed) body with the configured headers, within
//! the timeout, and read the answer.

use std::time::{Duration, SystemTime};

use std::io::Write;

use bytes::Bytes;
use flate2::write::GzEncoder;
use http_body_util::{BodyExt, Full, Limited};
use hyper::Request;
use hyper::http::header::{CONTENT_ENCODING, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use hyper::http::{HeaderName, HeaderValue, Uri};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::config::{Compression, OtlpConfig, Protocol};
use super::response::{Answer, classify};

/// Answers longer than this are cut: a partial-success message or an error text is all we read.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Sends requests to one endpoint over pooled keep-alive connections.
#[derive(Debug)]
pub(crate) struct Client {
    http: HyperClient<HttpConnector, Full<Bytes>>,
    endpoint: Uri,
    protocol: Protocol,
    headers: Vec<(HeaderName, HeaderValue)>,
    gzip: bool,
    timeout: Duration,
}

impl Client {
    /// Needs a tokio runtime (the sender's) when it sends, not when it is made.
    pub(crate) fn new(config: &OtlpConfig) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(config.timeout));
        let mut builder = HyperClient::builder(TokioExecutor::new());
        builder.pool_idle_timeout(Duration::from_secs(30));
        #[cfg(feature = "otlp-grpc")]
        if config.protocol == Protocol::Grpc {
            // gRPC without TLS: HTTP/2 with prior knowledge.
            builder.http2_only(true);
        }
        let endpoint = match config.protocol {
            Protocol::HttpProtobuf => config.endpoint.clone(),
            // The method's path replaces whatever path the endpoint has.
            Protocol::Grpc => grpc_uri(&config.endpoint),
        };
        Self {
            http: builder.build(connector),
            endpoint,
            protocol: config.protocol,
            headers: config.headers.clone(),
            gzip: config.compression == Compression::Gzip,
            timeout: config.timeout,
        }
    }

    /// The request body for an encoded `ExportTraceServiceRequest`: compressed when configured,
    /// framed for gRPC.
    pub(crate) fn prepare(&self, message: Vec<u8>) -> Bytes {
        let message = if self.gzip { gzip(&message) } else { message };
        match self.protocol {
            Protocol::HttpProtobuf => Bytes::from(message),
            #[cfg(feature = "otlp-grpc")]
            Protocol::Grpc => Bytes::from(super::grpc::frame(&message, self.gzip)),
            #[cfg(not(feature = "otlp-grpc"))]
            Protocol::Grpc => Bytes::from(message),
        }
    }

    /// Sends `body`; `Err` is a failure to get an answer (connection refused or reset, timeout),
    /// which is worth retrying.
    pub(crate) async fn send(&self, body: Bytes) -> Result<Answer, String> {
        let mut request = Request::post(self.endpoint.clone()).header(
            USER_AGENT,
            concat!("trace-record-otlp/", env!("CARGO_PKG_VERSION")),
        );
        match self.protocol {
            Protocol::HttpProtobuf => {
                request = request.header(CONTENT_TYPE, "application/x-protobuf");
                if self.gzip {
                    request = request.header(CONTENT_ENCODING, "gzip");
                }
            }
            #[cfg(feature = "otlp-grpc")]
            Protocol::Grpc => {
                request = request
                    .header(CONTENT_TYPE, "application/grpc")
                    .header("te", "trailers")
                    .header("grpc-timeout", super::grpc::timeout_header(self.timeout));
                if self.gzip {
                    request = request.header("grpc-encoding", "gzip");
                }
            }
            #[cfg(not(feature = "otlp-grpc"))]
            Protocol::Grpc => {}
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let request = request
            .body(Full::new(body))
            .map_err(|e| format!("could not build the request: {e}"))?;
        let exchange = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|e| describe_error(&e))?;
            let status = response.status().as_u16();
            let (parts, body) = response.into_parts();
            let collected = Limited::new(body, MAX_ANSWER_BYTES).collect().await.ok();
            #[cfg(feature = "otlp-grpc")]
            if self.protocol == Protocol::Grpc {
                // The status is in the trailers, or in the headers of a trailers-only answer.
                let (trailers, body) = match collected {
                    Some(c) => (c.trailers().cloned(), c.to_bytes()),
                    None => (None, Bytes::new()),
                };
                let field = |name: &str| {
                    trailers
                        .as_ref()
                        .and_then(|t| t.get(name))
                        .or_else(|| parts.headers.get(name))
                        .map(HeaderValue::as_bytes)
                };
                return Ok(super::grpc::classify(
                    status,
                    field("grpc-status"),
                    field("grpc-message"),
                    &body,
                ));
            }
            // An answer whose body breaks off still has its status.
            let body = collected.map(|c| c.to_bytes()).unwrap_or_default();
            let retry_after = parts.headers.get(RETRY_AFTER).map(HeaderValue::as_bytes);
            Ok(classify(status, retry_after, &body, SystemTime::now()))
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(format!("no answer within {:?}", self.timeout)),
        }
    }
}

/// `scheme://authority` of `endpoint` with the gRPC method's path.
fn grpc_uri(endpoint: &Uri) -> Uri {
    let mut parts = endpoint.clone().into_parts();
    #[cfg(feature = "otlp-grpc")]
    let path = super::grpc::EXPORT_PATH;
    #[cfg(not(feature = "otlp-grpc"))]
    let path = "/";
    parts.path_and_query = Some(hyper::http::uri::PathAndQuery::from_static(path));
    Uri::from_parts(parts).unwrap_or_else(|_| endpoint.clone())
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::fast(),
    );
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

fn describe_error(error: &hyper_util::client::legacy::Error) -> String {
    use std::error::Error;
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
