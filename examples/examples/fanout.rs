//! One trace across three services: a frontend calls two backends concurrently, and one backend
//! calls the other. Everything runs in this process on loopback ports, over real HTTP.
//!
//! ```text
//! cargo run -p examples --features http --example fanout
//! ```
//!
//! ```text
//! client ──GET /checkout──▶ frontend ─┬─GET /inventory──▶ backend-a ──GET /price──▶ backend-b
//!                                     └─GET /price──────────────────────────────▶ backend-b
//! ```
//!
//! The client puts `user=demo` in the baggage; it travels with the trace to every hop, and
//! backend-b records what arrived. The example prints each request's trace as a tree and checks
//! that every span is in one trace with its parent present, across all the network hops.

use std::time::Duration;

use examples::fanout::{self, Error};
use trace_core::Tracer;
use trace_record::{MemoryRecorder, Trace, tree};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let spans = MemoryRecorder::new();
    let tracer = Tracer::builder()
        .service("fanout")
        .recorder(spans.clone())
        .install()?;
    for (i, body) in fanout::run(2).await?.into_iter().enumerate() {
        println!("request {}: {body}", i + 1);
    }

    tracer.flush()?;
    spans.wait_for(2 * fanout::SPANS_PER_REQUEST, Duration::from_secs(5));
    let traces = Trace::group(spans.spans());
    for trace in &traces {
        println!();
        tree::write_tree(&mut std::io::stdout(), trace)?;
        check(trace)?;
    }
    tracer.shutdown()?;
    println!(
        "\n{} traces, each one tree across 3 services: ok",
        traces.len()
    );
    Ok(())
}

/// Every span has its parent in the same trace, and exactly one root.
fn check(trace: &Trace) -> Result<(), Error> {
    let roots = trace.roots().count();
    let orphans = trace.orphans().count();
    let services: std::collections::BTreeSet<String> = trace
        .spans()
        .iter()
        .filter_map(|s| s.tags.get("service").map(|v| format!("{v:?}")))
        .collect();
    if roots != 1 || orphans != 0 || services.len() != 3 {
        return Err(format!(
            "trace {} is broken: {roots} roots, {orphans} orphans, services {services:?}",
            trace.trace_id()
        )
        .into());
    }
    Ok(())
}
