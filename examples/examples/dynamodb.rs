//! Records a traced workload to DynamoDB, reads one trace back and prints it as a call tree.
//!
//! Starts nothing itself: settings come from the standard AWS environment (`AWS_REGION`,
//! credentials, `AWS_PROFILE`, ...), the table name from `TRACE_DYNAMODB_TABLE` (default
//! `Traces`). The table is created (on-demand billing) if it does not exist.
//!
//! Against a local dynalite (`npm ci` in scripts/dynalite first):
//!
//! ```sh
//! scripts/dynalite/node_modules/.bin/dynalite --host 127.0.0.1 --port 4567 &
//! AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:4567 AWS_REGION=us-east-1 \
//! AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \
//!   cargo run -p examples --features dynamodb --example dynamodb
//! ```
//!
//! Against AWS, with credentials allowed `dynamodb:CreateTable`, `DescribeTable`,
//! `BatchWriteItem` and `Query`:
//!
//! ```sh
//! AWS_REGION=eu-west-1 cargo run -p examples --features dynamodb --example dynamodb
//! ```

use std::io::Write;
use std::time::Duration;

use trace_core::{SpanKind, Tracer, current, span};
use trace_record::dynamodb::{DynamoDbConfig, DynamoDbRecorder, create_table, read_trace};
use trace_record::{Trace, tree};

// A plain `fn main`: the recorder writes from a thread and runtime of its own; the small runtime
// here is only for the table helper and the reader, which are async.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let table = std::env::var("TRACE_DYNAMODB_TABLE").unwrap_or_else(|_| "Traces".to_owned());
    let config = DynamoDbConfig::new().table(&table);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = runtime.block_on(config.client())?;
    let created = runtime.block_on(create_table(&client, &table, Duration::from_secs(120)))?;
    println!("table {table}: {created:?}");

    let recorder = DynamoDbRecorder::new(config)?;
    let stats = recorder.stats();
    let tracer = Tracer::builder()
        .service("shop")
        .recorder(recorder)
        .install()?;

    let traces: Vec<_> = (1..=5)
        .map(|order| checkout(order, order % 4 == 0))
        .collect();
    // Waits until the writer has stored every span (or counted it as lost).
    let tracer_stats = tracer.shutdown()?;
    let written = stats.get();
    println!(
        "{} spans recorded, {} written in {} BatchWriteItem requests, {} lost",
        tracer_stats.recorded,
        written.written,
        written.requests,
        written.lost.total()
    );

    let trace_id = traces[3];
    let spans = runtime.block_on(read_trace(&client, &table, trace_id))?;
    let trace = Trace::new(trace_id, spans).map_err(|_| "the query returned another trace")?;
    let mut out = std::io::stdout().lock();
    writeln!(out)?;
    tree::write_tree(&mut out, &trace)?;
    Ok(())
}

/// `POST /checkout`: validates the cart, reserves stock on a thread per warehouse, then charges
/// the card (which fails when `declined`). Returns the trace id.
fn checkout(order: u32, declined: bool) -> trace_core::TraceId {
    let mut request = span("POST /checkout").kind(SpanKind::Server).enter();
    request.set_tag("http.request.method", "POST");
    request.set_tag("order.id", order);
    {
        let mut validate = span("validate cart").enter();
        validate.set_tag("items", 3);
        std::thread::sleep(Duration::from_millis(2));
    }
    request.checkpoint("cart validated");
    let warehouses: Vec<_> = ["north", "south"]
        .into_iter()
        .map(|warehouse| {
            trace_core::thread::spawn(move || {
                let mut reserve = span("reserve stock").kind(SpanKind::Client).enter();
                reserve.set_tag("warehouse", warehouse);
                std::thread::sleep(Duration::from_millis(3));
            })
        })
        .collect();
    for w in warehouses {
        let _ = w.join();
    }
    {
        let mut charge = span("charge card").kind(SpanKind::Client).enter();
        charge.set_tag("amount", 42.5);
        std::thread::sleep(Duration::from_millis(4));
        if declined {
            charge.set_error("card declined");
            current::checkpoint("declined");
        }
    }
    request
        .context()
        .map(|c| c.trace_id())
        .unwrap_or_else(trace_core::TraceId::random)
}
