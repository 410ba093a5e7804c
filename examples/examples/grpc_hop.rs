//! One trace across a protocol change and back: an axum HTTP frontend calls a tonic gRPC service,
//! which calls an HTTP backend, all on loopback ports in this process. The spans go to
//! `grpc_hop.yaml` in the current directory; the trace is then read back and printed as a tree.
//!
//! ```text
//! cargo run -p examples --features grpc --example grpc_hop
//! ```
//!
//! ```text
//! GET /checkout/{item} ──▶ frontend (axum) ──hop.Pricing/Quote, /Watch──▶ pricing (tonic)
//!                                                     GET /price/{item} ──▶ backend (axum)
//! ```
//!
//! The frontend makes three RPCs: a quote, a stream of three prices, and a quote for an item the
//! backend does not know (HTTP 404, gRPC `NOT_FOUND`: both spans marked as errors). The messages
//! are hand-written prost structs (see `grpc_support/hop.proto`), so nothing needs protoc.

mod grpc_support;

use std::time::{Duration, Instant};

use trace_core::http::RequestBuilderExt;
use trace_core::{SpanKind, Tracer, span};
use trace_record::{Trace, YamlRecorder, tree, yaml};

use grpc_support::Error;

const OUTPUT: &str = "grpc_hop.yaml";

#[tokio::main]
async fn main() -> Result<(), Error> {
    // A fresh file: the recorder appends, and this demo shows one run.
    match std::fs::remove_file(OUTPUT) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
        _ => {}
    }
    let tracer = Tracer::builder()
        .service("grpc_hop")
        .recorder(YamlRecorder::create(OUTPUT)?)
        .install()?;
    let hops = grpc_support::start().await?;
    println!(
        "frontend http://{}, pricing grpc://{}, backend http://{}",
        hops.frontend, hops.pricing, hops.backend
    );

    let mut request = span("demo request").kind(SpanKind::Internal).root().start();
    let trace_id = request.context().map(|c| c.trace_id());
    let response = {
        let _entered = request.enter();
        reqwest::Client::new()
            .get(format!("http://{}/checkout/widget", hops.frontend))
            .send_traced()
    }
    .await?;
    let status = response.status();
    let body = response.text().await?;
    request.finish();
    println!("{status}: {body}");

    // A server's span ends when its response stream has been sent, which may be a moment after
    // the caller has read it: wait until every span opened has finished.
    let deadline = Instant::now() + Duration::from_secs(5);
    while tracer.stats().finished < tracer.stats().started && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tracer.shutdown()?;

    let spans = yaml::read_file(OUTPUT)?.collect::<Result<Vec<_>, _>>()?;
    let traces = Trace::group(spans);
    let trace = traces
        .iter()
        .find(|t| Some(t.trace_id()) == trace_id)
        .ok_or("the demo's trace is not in the file")?;
    println!();
    tree::write_tree(&mut std::io::stdout(), trace)?;
    println!(
        "\n{} spans in one trace across HTTP -> gRPC -> HTTP, written to {OUTPUT}",
        trace.spans().len()
    );
    Ok(())
}
