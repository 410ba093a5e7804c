//! `reqwest` integration: an extension method on `RequestBuilder`.
//!
//! An extension method rather than a `reqwest-middleware` middleware: it works on the plain
//! `reqwest::Client` users already have, adds no dependency, and reads like reqwest's own API
//! (`client.get(url).send_traced().await` instead of `.send().await`).

use std::future::Future;

use crate::FutureExt;
use crate::http::client::start_client_span;
use crate::http::status::{Side, record_status};
use crate::propagation::{Propagators, global_propagators};

/// Traced sending for [`reqwest::RequestBuilder`].
///
/// ```no_run
/// use trace_core::http::RequestBuilderExt;
/// # async fn f() -> Result<(), reqwest::Error> {
/// let client = reqwest::Client::new();
/// let body = client.get("http://127.0.0.1:8000/users/1").send_traced().await?.text().await?;
/// # Ok(()) }
/// ```
pub trait RequestBuilderExt {
    /// Sends the request from a `client` span (a child of the current span) with the trace context
    /// injected by the global propagators, and records the response status.
    fn send_traced(self) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send;

    /// Like [`send_traced`](Self::send_traced), injecting with `propagators`.
    fn send_traced_with(
        self,
        propagators: Propagators,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send;
}

impl RequestBuilderExt for reqwest::RequestBuilder {
    fn send_traced(self) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send {
        self.send_traced_with(global_propagators())
    }

    fn send_traced_with(
        self,
        propagators: Propagators,
    ) -> impl Future<Output = reqwest::Result<reqwest::Response>> + Send {
        let (client, request) = self.build_split();
        let prepared = request.map(|mut request| {
            let url = request.url().clone();
            let method = request.method().clone();
            let span = start_client_span(
                &method,
                url.as_str(),
                url.host_str(),
                url.port_or_known_default(),
                url.path(),
                request.headers_mut(),
                &propagators,
            );
            (request, span)
        });
        async move {
            let (request, mut span) = prepared?;
            let ctx = span.context().cloned();
            let result = client.execute(request).in_context(ctx).await;
            match &result {
                Ok(response) => record_status(&mut span, response.status(), Side::Client),
                Err(e) => {
                    let kind = if e.is_timeout() {
                        "timeout"
                    } else if e.is_connect() {
                        "connect"
                    } else {
                        "reqwest::Error"
                    };
                    span.set_tag(crate::http::semconv::ERROR_TYPE, kind);
                    span.set_error(e.to_string());
                }
            }
            span.finish();
            result
        }
    }
}
