//! Quickstart: trace one checkout request that fans out to threads and async tasks, write its
//! spans to `trace.yaml`, then read the file back and print each trace as a call tree.
//!
//! ```sh
//! cargo run -p examples --example quickstart
//! ```

use std::io::Write;
use std::time::Duration;

use trace_core::{FutureExt, SpanKind, Tracer, current, span};
use trace_record::{Trace, YamlRecorder, tree, yaml};

const YAML: &str = "trace.yaml";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Truncated first, so the file shows this run only.
    let tracer = Tracer::builder()
        .service("shop")
        .recorder(YamlRecorder::truncate(YAML)?)
        .install()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;

    checkout(&runtime, "order-1042", 3);

    drop(runtime);
    // Delivers every finished span to the file and flushes it.
    let stats = tracer.shutdown()?;

    let spans = yaml::read_file(YAML)?.collect::<Result<Vec<_>, _>>()?;
    let mut out = std::io::stdout().lock();
    for trace in Trace::group(spans) {
        tree::write_tree(&mut out, &trace)?;
        writeln!(out)?;
    }
    let path = std::fs::canonicalize(YAML)?;
    writeln!(
        out,
        "{} spans written to {} (one YAML document per span)",
        stats.recorded,
        path.display()
    )?;
    Ok(())
}

/// Handles `POST /checkout`: validates the cart inline, reserves stock in two warehouses on
/// threads, then charges the card and sends the receipt as async tasks.
fn checkout(runtime: &tokio::runtime::Runtime, order: &'static str, items: u32) {
    let mut request = span("POST /checkout").kind(SpanKind::Server).enter();
    request.set_tag("http.request.method", "POST");
    request.set_tag("order.id", order);

    validate_cart(items);
    request.checkpoint("cart validated");

    // A thread per warehouse; `trace_core::thread::spawn` carries the request span along, so
    // their spans become its children.
    let reservations: Vec<_> = ["berlin", "lyon"]
        .into_iter()
        .map(|warehouse| trace_core::thread::spawn(move || reserve_stock(warehouse, items)))
        .collect();
    for r in reservations {
        let _ = r.join();
    }

    let total_cents = runtime.block_on(async {
        let coupon = trace_core::tokio::spawn(apply_coupon("SPRING25"));
        let charge = trace_core::tokio::spawn(charge_card(4_999));
        let _ = coupon.await;
        let charged = charge.await.unwrap_or(0);
        send_receipt(order).await;
        charged
    });
    request.set_tag("http.response.status_code", 200);
    request.set_tag("total_cents", total_cents);
}

fn validate_cart(items: u32) {
    let mut span = span("validate cart").enter();
    span.set_tag("items", items);
    std::thread::sleep(Duration::from_millis(1));
}

fn reserve_stock(warehouse: &'static str, items: u32) {
    let mut span = span("reserve stock").kind(SpanKind::Client).enter();
    span.set_tag("warehouse", warehouse);
    span.set_tag("items", items);
    {
        let _query = span_named("SELECT stock FOR UPDATE");
        std::thread::sleep(Duration::from_millis(2));
    }
    std::thread::sleep(Duration::from_millis(1));
}

/// A database call, as a child of whatever span is current.
fn span_named(statement: &'static str) -> trace_core::SpanGuard {
    span(statement)
        .kind(SpanKind::Client)
        .tag("db.system", "postgresql")
        .enter()
}

/// Fails: the coupon has expired, so its span ends in error and the checkout goes on.
async fn apply_coupon(code: &'static str) -> Result<(), String> {
    let span = span("apply coupon").tag("coupon", code).start();
    async {
        tokio::time::sleep(Duration::from_millis(1)).await;
        let error = format!("coupon {code} expired");
        current::set_error(error.clone());
        Err(error)
    }
    .in_span(span)
    .await
}

async fn charge_card(amount_cents: i64) -> i64 {
    let span = span("charge card")
        .kind(SpanKind::Client)
        .tag("amount_cents", amount_cents)
        .start();
    async move {
        tokio::time::sleep(Duration::from_millis(2)).await;
        current::checkpoint("authorized");
        tokio::time::sleep(Duration::from_millis(3)).await;
        amount_cents
    }
    .in_span(span)
    .await
}

async fn send_receipt(order: &'static str) {
    let span = span("send receipt")
        .kind(SpanKind::Producer)
        .tag("order.id", order)
        .start();
    tokio::time::sleep(Duration::from_millis(1))
        .in_span(span)
        .await;
}
