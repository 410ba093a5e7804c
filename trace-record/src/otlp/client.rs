//! One OTLP/HTTP request: `POST` the (maybe compressed) body with the configured headers, within
//! the timeout, and read the answer.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::Request;
use hyper::http::header::{CONTENT_ENCODING, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use hyper::http::{HeaderName, HeaderValue, Uri};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::config::{Compression, OtlpConfig};
use super::response::{Answer, classify};

/// Answers longer than this are cut: a partial-success message or an error text is all we read.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Sends requests to one endpoint over pooled keep-alive connections.
#[derive(Debug)]
pub(crate) struct Client {
    http: HyperClient<HttpConnector, Full<Bytes>>,
    endpoint: Uri,
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
        let http = HyperClient::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Self {
            http,
            endpoint: config.endpoint.clone(),
            headers: config.headers.clone(),
            gzip: config.compression == Compression::Gzip,
            timeout: config.timeout,
        }
    }

    pub(crate) fn gzip(&self) -> bool {
        self.gzip
    }

    /// Sends `body`; `Err` is a failure to get an answer (connection refused or reset, timeout),
    /// which is worth retrying.
    pub(crate) async fn send(&self, body: Bytes) -> Result<Answer, String> {
        let mut request = Request::post(self.endpoint.clone())
            .header(CONTENT_TYPE, "application/x-protobuf")
            .header(
                USER_AGENT,
                concat!("trace-record-otlp/", env!("CARGO_PKG_VERSION")),
            );
        if self.gzip {
            request = request.header(CONTENT_ENCODING, "gzip");
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
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .map(|v| v.as_bytes().to_vec());
            let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await
                .map(|b| b.to_bytes())
                // An answer whose body breaks off still has its status.
                .unwrap_or_default();
            Ok(classify(
                status,
                retry_after.as_deref(),
                &body,
                SystemTime::now(),
            ))
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(format!("no answer within {:?}", self.timeout)),
        }
    }
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
