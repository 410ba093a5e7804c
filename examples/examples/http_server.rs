//! The Go original's demo in Rust: an HTTP server that traces every request into `example.yaml`.
//!
//! ```text
//! cargo run -p examples --features http --example http_server [ADDR]      # default 127.0.0.1:8000
//! curl -i http://127.0.0.1:8000/foo/bar
//! ```
//!
//! Each request gets a `server` span named `<METHOD> <path>`, one child span doing work inline and
//! one in a spawned task that finishes after the response (as the Go demo's goroutine did): three
//! YAML documents per request. The response carries `X-Request-Id: <trace id>` and
//! `traceresponse`. Stop with Ctrl-C; the spans still buffered are flushed to the file.

use std::time::Duration;

use axum::Router;
use axum::http::Method;
use axum::http::Uri;
use trace_core::http::ServerTraceLayer;
use trace_core::{SpanKind, Tracer, current, span};
use trace_record::YamlRecorder;

async fn handle(method: Method, uri: Uri) -> String {
    {
        // Work inline, as a child of the request span.
        let mut sub1 = span("sub1").kind(SpanKind::Internal).enter();
        sub1.set_tag("step", "parse");
        std::thread::sleep(Duration::from_millis(1));
    }
    // Work that outlives the response, in a spawned task that carries the trace.
    trace_core::tokio::spawn(async {
        let mut sub2 = span("sub2").start();
        sub2.set_tag("step", "audit");
        tokio::time::sleep(Duration::from_millis(20)).await;
    });
    current::set_tag("handled", true);
    format!("{method} {}\n", uri.path())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8000".to_string());
    let tracer = Tracer::builder()
        .service("http_server")
        .recorder(YamlRecorder::create("example.yaml")?)
        .install()?;

    let app = Router::new().fallback(handle).layer(
        ServerTraceLayer::new()
            .request_id(true)
            .trace_response(true),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!(
        "listening on http://{}; tracing into example.yaml (Ctrl-C to stop)",
        listener.local_addr()?
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    let stats = tracer.shutdown()?;
    eprintln!("recorded {} spans", stats.recorded);
    Ok(())
}
