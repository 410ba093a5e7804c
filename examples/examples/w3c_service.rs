//! A service for the W3C Trace Context conformance suite (github.com/w3c/trace-context, `test/`).
//!
//! ```text
//! cargo run -p examples --features http --example w3c_service [ADDR]      # default 127.0.0.1:5000
//! python test/test.py http://127.0.0.1:5000/test         # in a checkout of w3c/trace-context
//! ```
//!
//! The suite POSTs to `/test` a JSON array of `{"url": ..., "arguments": ...}`. For each element, in
//! order and before answering, the service POSTs `arguments` as JSON to `url` from a new `client`
//! span, a child of the incoming context, with `traceparent` and `tracestate` injected.

use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::Value;
use trace_core::http::{RequestBuilderExt, ServerTraceLayer};
use trace_core::{Tracer, current};
use trace_record::TreeRecorder;

async fn test(Json(cases): Json<Value>) -> StatusCode {
    let Some(cases) = cases.as_array() else {
        current::set_error("body is not a JSON array");
        return StatusCode::BAD_REQUEST;
    };
    let client = reqwest::Client::new();
    for case in cases {
        let (Some(url), arguments) = (
            case.get("url").and_then(Value::as_str),
            case.get("arguments"),
        ) else {
            continue;
        };
        let body = arguments.cloned().unwrap_or(Value::Null);
        if let Err(e) = client.post(url).json(&body).send_traced().await {
            eprintln!("POST {url}: {e}");
        }
    }
    StatusCode::OK
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:5000".to_string());
    let tracer = Tracer::builder()
        .service("w3c_service")
        .recorder(TreeRecorder::stderr())
        .install()?;
    let app = Router::new()
        .route("/test", post(test))
        .layer(ServerTraceLayer::new());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!(
        "W3C trace-context test service on http://{}/test",
        listener.local_addr()?
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    tracer.shutdown()?;
    Ok(())
}
