//! Sends a small trace to an OpenTelemetry collector (or Jaeger, Tempo, any OTLP/HTTP receiver)
//! and prints its trace id.
//!
//! ```sh
//! # e.g. Jaeger: docker run --rm -p 16686:16686 -p 4318:4318 jaegertracing/jaeger:latest
//! OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 cargo run -p examples --features otlp --example otlp
//! ```
//!
//! Every `OTEL_EXPORTER_OTLP_*` variable, `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`
//! apply; without them the spans go to `http://localhost:4318/v1/traces`.

use std::time::Duration;

use trace_core::{SpanKind, Tracer, current, span, traced};
use trace_record::otlp::OtlpRecorder;

#[traced(kind = client, args(sku), err)]
fn reserve(sku: &str) -> Result<u32, String> {
    std::thread::sleep(Duration::from_millis(2));
    if sku == "sold-out" {
        return Err(format!("{sku}: none left"));
    }
    Ok(1)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let recorder = OtlpRecorder::builder().build()?;
    let endpoint = recorder_endpoint()?;
    let stats = recorder.stats();
    let tracer = Tracer::builder()
        .service("otlp-example")
        .recorder(recorder)
        .install()?;

    let trace_id = {
        let mut request = span("POST /checkout").kind(SpanKind::Server).enter();
        // A tag of each type.
        request.set_tag("http.request.method", "POST");
        request.set_tag("cart.items", 3);
        request.set_tag("cart.total", 49.95);
        request.set_tag("user.premium", true);
        {
            let mut load = span("load cart").enter();
            load.checkpoint("cache miss");
            std::thread::sleep(Duration::from_millis(1));
        }
        let _ = reserve("book");
        let _ = reserve("sold-out"); // an error span, with its message
        current::checkpoint("reserved");
        request.context().map(|c| c.trace_id())
    };

    tracer.shutdown()?; // sends what is left and waits for it
    let stats = stats.get();
    match trace_id {
        Some(id) => println!("trace id: {id}"),
        None => println!("no trace: the sampler dropped it"),
    }
    println!(
        "sent to {endpoint}: {} spans delivered, {} lost",
        stats.delivered,
        stats.lost_total()
    );
    Ok(())
}

/// Where the builder's settings point (the same resolution `build` used).
fn recorder_endpoint() -> Result<String, Box<dyn std::error::Error>> {
    Ok(OtlpRecorder::builder().config()?.endpoint())
}
