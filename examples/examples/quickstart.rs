//! Quickstart: trace one checkout request that fans out to threads and async tasks, write its
//! spans to `trace.yaml`, then read the file back and print each trace as a call tree.
//!
//! ```sh
//! cargo run -p examples --example quickstart
//! ```

use std::io::Write;
use std::time::Duration;

use trace_core::{Tracer, current, trace, traced};
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
/// threads, then charges the card and sends the receipt as async tasks. `root`: every checkout
/// is a trace of its own.
#[traced(
    name = "POST /checkout",
    kind = server,
    root,
    tags(http.request.method = "POST", order.id = order)
)]
fn checkout(runtime: &tokio::runtime::Runtime, order: &'static str, items: u32) {
    validate_cart(items);
    current::checkpoint("cart validated");

    // A thread per warehouse; `trace_core::thread::spawn` carries the request span along, so
    // their spans become its children.
    let reservations: Vec<_> = ["berlin", "lyon"]
        .into_iter()
        .map(|warehouse| trace_core::thread::spawn(move || reserve_stock(warehouse, items)))
        .collect();
    for r in reservations {
        let _ = r.join();
    }

    // Likewise `trace_core::tokio::spawn` for tasks, whichever worker thread polls them.
    let total_cents = runtime.block_on(async {
        let coupon = trace_core::tokio::spawn(apply_coupon("SPRING25"));
        let charge = trace_core::tokio::spawn(charge_card(4_999));
        let _ = coupon.await;
        let charged = charge.await.unwrap_or(0);
        send_receipt(order).await;
        charged
    });
    current::set_tag("http.response.status_code", 200);
    current::set_tag("total_cents", total_cents);
}

#[traced(name = "validate cart", args(items))]
fn validate_cart(items: u32) {
    std::thread::sleep(Duration::from_millis(1));
}

#[traced(name = "reserve stock", kind = client, args(warehouse, items))]
fn reserve_stock(warehouse: &'static str, items: u32) {
    // An ad hoc child span around a block.
    trace!(
        "SELECT stock FOR UPDATE",
        kind = client,
        tags(db.system = "postgresql"),
        {
            std::thread::sleep(Duration::from_millis(2));
        }
    );
    std::thread::sleep(Duration::from_millis(1));
}

/// Fails: the coupon has expired, so its span ends in error (`err` records the `Err`'s message)
/// and the checkout goes on.
#[traced(name = "apply coupon", args(code), err)]
async fn apply_coupon(code: &'static str) -> Result<(), String> {
    tokio::time::sleep(Duration::from_millis(1)).await;
    Err(format!("coupon {code} expired"))
}

#[traced(name = "charge card", kind = client, args(amount_cents))]
async fn charge_card(amount_cents: i64) -> i64 {
    tokio::time::sleep(Duration::from_millis(2)).await;
    current::checkpoint("authorized");
    tokio::time::sleep(Duration::from_millis(3)).await;
    amount_cents
}

#[traced(name = "send receipt", kind = producer, tags(order.id = order))]
async fn send_receipt(order: &'static str) {
    tokio::time::sleep(Duration::from_millis(1)).await;
}
