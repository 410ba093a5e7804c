//! Spans from `tracing`-instrumented code join our traces: `#[tracing::instrument]` functions (as
//! libraries write them) called from `#[traced]` code, and ours called from theirs, sync and async,
//! in one tree per request. Events become checkpoints; an ERROR event marks its span as failed.
//!
//! ```sh
//! cargo run -p examples --features tracing-bridge --example tracing_bridge
//! ```

use std::time::Duration;

use trace_core::bridge::TracingLayer;
use trace_core::{Tracer, trace, traced};
use trace_record::TreeRecorder;
use tracing::Instrument;
use tracing_subscriber::layer::SubscriberExt;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Every trace prints as a call tree on stderr when it finishes.
    let tracer = Tracer::builder()
        .service("shop")
        .recorder(TreeRecorder::stderr())
        .install()?;
    // Bridge `tracing` into the tracer. Add `fmt` or filters with `.with(..)` as usual; the
    // builder's own filter (`TracingLayer::builder().max_level(..)`) only affects the bridge.
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry().with(TracingLayer::new()),
    )?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;

    runtime.block_on(async {
        checkout(42).await?;
        // Declined: the ERROR event marks `charge` as failed.
        assert!(checkout(0).await.is_err());
        Ok::<_, String>(())
    })?;

    drop(runtime);
    let stats = tracer.shutdown()?;
    eprintln!("{} spans recorded", stats.recorded);
    Ok(())
}

/// Our code: a traced request handler.
#[traced(name = "POST /checkout", kind = server, root, args(cents))]
async fn checkout(cents: u64) -> Result<(), String> {
    let cart = trace!("load cart", { vec![cents] });
    payments::charge(cart.iter().sum()).await
}

/// A library instrumented with `tracing`, as most of the ecosystem is.
mod payments {
    use super::*;

    #[tracing::instrument(fields(attempt = tracing::field::Empty))]
    pub async fn charge(cents: u64) -> Result<(), String> {
        tracing::Span::current().record("attempt", 1);
        tracing::info!(cents, "authorizing");
        // Our spans opened inside theirs are their children, across `.await` too.
        let fraud_score = score(cents).await;
        // A task of its own: polled on any worker thread, still in this trace.
        let receipt = tokio::spawn(
            async move { format!("receipt for {cents}") }
                .instrument(tracing::info_span!("receipt")),
        );
        if cents == 0 || fraud_score > 0.9 {
            tracing::error!(cents, "card declined");
            return Err("declined".into());
        }
        tracing::debug!(receipt = receipt.await.ok(), "charged");
        Ok(())
    }

    #[traced(name = "fraud score", args(cents))]
    async fn score(cents: u64) -> f64 {
        tokio::time::sleep(Duration::from_millis(2)).await;
        if cents == 0 { 1.0 } else { 0.1 }
    }
}
