//! Spans per second written to DynamoDB through [`DynamoDbRecorder`] (batched `BatchWriteItem`
//! calls, several in flight) against the Go original's approach, one `PutItem` per span awaited
//! in turn, on the same server.
//!
//! Needs a DynamoDB-compatible server; with dynalite, as the tests use it:
//!
//! ```sh
//! bash -c 'CLEANUP=(); trap "for c in \"${CLEANUP[@]}\"; do eval \"$c\"; done" EXIT
//!   source scripts/services/dynalite.sh
//!   cargo bench -p trace-record --features dynamodb --bench dynamodb'
//! ```
//!
//! The endpoint comes from `TRACE_TEST_DYNAMODB_ENDPOINT` (the test script's variable). Each
//! iteration writes the same spans again (overwriting their items), so the table stays small.

use std::time::Duration;

#[path = "support/dynamodb_workload.rs"]
mod dynamodb_workload;

use dynamodb_workload::workload;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use trace_core::{Recorder, SpanBatch};
use trace_record::dynamodb::{
    Client, DynamoDbConfig, DynamoDbRecorder, create_table, span_to_item,
};

/// Spans written per iteration.
const SPANS: usize = 500;

fn endpoint() -> String {
    std::env::var("TRACE_TEST_DYNAMODB_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "TRACE_TEST_DYNAMODB_ENDPOINT is not set: start dynalite with scripts/services/dynalite.sh (see this file's header)"
        )
    })
}

fn config(table: &str) -> DynamoDbConfig {
    DynamoDbConfig::new()
        .endpoint_url(endpoint())
        .region("us-east-1")
        .static_credentials("bench", "bench")
        .table(table)
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let table = format!("bench-{}", std::process::id());
    let client: Client = runtime.block_on(config(&table).client()).expect("client");
    runtime
        .block_on(create_table(&client, &table, Duration::from_secs(60)))
        .expect("table");
    let spans = workload(SPANS);

    let mut group = c.benchmark_group("dynamodb");
    group.throughput(Throughput::Elements(spans.len() as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(20));

    for in_flight in [1, 8] {
        let mut recorder =
            DynamoDbRecorder::new(config(&table).max_in_flight(in_flight)).expect("recorder");
        group.bench_function(BenchmarkId::new("recorder_batch_write", in_flight), |b| {
            b.iter(|| {
                recorder
                    .record(&SpanBatch::from_records(&spans))
                    .expect("queue has room");
                recorder.flush().expect("flushed");
            });
        });
        let stats = recorder.current_stats();
        assert_eq!(stats.lost.total(), 0, "{stats:?}");
        recorder.shutdown().expect("shutdown");
    }

    let items: Vec<_> = spans
        .iter()
        .map(|s| span_to_item(s, None).expect("small spans"))
        .collect();
    group.bench_function("put_item_per_span", |b| {
        b.iter(|| {
            runtime.block_on(async {
                for item in &items {
                    client
                        .put_item()
                        .table_name(&table)
                        .set_item(Some(item.clone()))
                        .send()
                        .await
                        .expect("put");
                }
            });
        });
    });
    group.finish();
    let _ = runtime.block_on(client.delete_table().table_name(&table).send());
}

criterion_group!(benches, bench);
criterion_main!(benches);
