//! The DynamoDB recorder against dynalite (started by scripts/test.sh): tables, the item layout,
//! and traces read back equal to what the tracer recorded.

mod dynamodb_support;

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use dynamodb_support::{
    TracedTable, config, endpoint, runtime, serial, shutdown_losing, table_ready, traced_table,
    unique_table,
};
use trace_core::{SpanKind, SpanRecord, TagValue, TraceId, Tracer, current, span};
use trace_record::dynamodb::{TRIMMED_TAG, TableCreated, create_table, read_trace};

fn by_span_id(mut spans: Vec<SpanRecord>) -> Vec<SpanRecord> {
    spans.sort_by_key(|s| s.span_id);
    spans
}

fn raw_item(
    rt: &tokio::runtime::Runtime,
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    span: &SpanRecord,
) -> HashMap<String, AttributeValue> {
    rt.block_on(
        client
            .get_item()
            .table_name(table)
            .key("trace_id", AttributeValue::S(span.trace_id.to_string()))
            .key("span_id", AttributeValue::S(span.span_id.to_string()))
            .consistent_read(true)
            .send(),
    )
    .unwrap()
    .item
    .expect("the span's item is in the table")
}

#[test]
fn create_table_waits_for_active_and_is_idempotent() {
    let endpoint = endpoint();
    let rt = runtime();
    let table = unique_table("create");
    let client = rt.block_on(config(&endpoint, &table).client()).unwrap();
    let timeout = Duration::from_secs(30);
    let first = rt.block_on(create_table(&client, &table, timeout)).unwrap();
    assert_eq!(first, TableCreated::Created);
    let described = rt
        .block_on(client.describe_table().table_name(&table).send())
        .unwrap();
    let description = described.table.unwrap();
    assert_eq!(
        description.table_status,
        Some(aws_sdk_dynamodb::types::TableStatus::Active)
    );
    assert_eq!(
        description
            .billing_mode_summary
            .and_then(|b| b.billing_mode),
        Some(BillingMode::PayPerRequest)
    );
    let again = rt.block_on(create_table(&client, &table, timeout)).unwrap();
    assert_eq!(again, TableCreated::AlreadyExisted);
}

#[test]
fn a_table_with_other_keys_is_refused() {
    let endpoint = endpoint();
    let rt = runtime();
    let table = unique_table("wrong-keys");
    let client = rt.block_on(config(&endpoint, &table).client()).unwrap();
    rt.block_on(
        client
            .create_table()
            .table_name(&table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name("id")
                    .key_type(KeyType::Hash)
                    .build()
                    .unwrap(),
            )
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name("id")
                    .attribute_type(ScalarAttributeType::N)
                    .build()
                    .unwrap(),
            )
            .send(),
    )
    .unwrap();
    let err = rt
        .block_on(create_table(&client, &table, Duration::from_secs(30)))
        .unwrap_err();
    assert!(err.to_string().contains("trace_id"), "{err}");
}

/// Installed from a plain `fn` (the collector thread is not a tokio thread), a traced workload with
/// every kind of field round-trips through the table.
#[test]
fn a_traced_workload_reads_back_equal() {
    let _serial = serial();
    let (
        TracedTable {
            rt,
            client,
            table,
            stats,
            memory,
        },
        tracer,
    ) = traced_table("roundtrip", |c| c, Tracer::builder().service("checkout"));
    let mut trace_ids = Vec::new();
    for request in 0..3 {
        let mut root = span("GET /checkout").kind(SpanKind::Server).enter();
        let ctx = root.context().unwrap();
        trace_ids.push(ctx.trace_id());
        root.set_tag("http.request.method", "GET");
        root.set_tag("request", request);
        root.set_tag("ratio", 2.0);
        root.set_tag("third", 1.0 / 3.0);
        root.set_tag("minus zero", -0.0);
        root.set_tag("cached", false);
        root.set_tag("empty", "");
        root.set_tag("unicode", "naïve ☃");
        current::checkpoint("validated");
        {
            let _load = span("load cart").enter();
            current::set_tag("rows", -12);
        }
        let worker = trace_core::thread::spawn(|| {
            let mut charge = span("charge card").kind(SpanKind::Client).enter();
            charge.set_error("card declined");
        });
        worker.join().unwrap();
        let _linked = span("send receipt")
            .kind(SpanKind::Producer)
            .link(&ctx)
            .enter();
    }
    let tracer_stats = tracer.shutdown().unwrap();
    let recorded = memory.spans();
    assert_eq!(recorded.len(), 12);
    assert_eq!(stats.get().written, 12);
    assert_eq!(stats.get().lost.total(), 0);
    assert_eq!(tracer_stats.dropped.total(), 0);

    for trace_id in trace_ids {
        let read = rt.block_on(read_trace(&client, &table, trace_id)).unwrap();
        let expected: Vec<_> = recorded
            .iter()
            .filter(|s| s.trace_id == trace_id)
            .cloned()
            .collect();
        assert_eq!(read.len(), 4);
        // `-0.0 == 0.0`, so the comparison below cannot tell: check the sign itself.
        let root = read.iter().find(|s| s.parent_id.is_none()).unwrap();
        assert!(
            matches!(root.tags.get("minus zero"), Some(TagValue::Float(v)) if v.is_sign_negative()),
            "{:?}",
            root.tags.get("minus zero")
        );
        assert_eq!(read, by_span_id(expected));
    }

    // The layout: keys as fixed-width hex, natural types for the rest.
    let root = recorded.iter().find(|s| s.is_root()).unwrap();
    let item = raw_item(&rt, &client, &table, root);
    let AttributeValue::S(trace_id) = &item["trace_id"] else {
        panic!("{item:?}")
    };
    assert_eq!(trace_id.len(), 32);
    assert_eq!(item["parent_id"], AttributeValue::S("0".repeat(16)));
    assert_eq!(item["name"], AttributeValue::S("GET /checkout".into()));
    assert_eq!(item["kind"], AttributeValue::S("server".into()));
    assert!(matches!(&item["start"], AttributeValue::S(s) if s.ends_with('Z') && s.contains('T')));
    assert!(matches!(&item["finish_unix_nanos"], AttributeValue::N(_)));
    assert!(matches!(&item["duration_nanos"], AttributeValue::N(_)));
    let AttributeValue::M(tags) = &item["tags"] else {
        panic!("{item:?}")
    };
    assert_eq!(tags["cached"], AttributeValue::Bool(false));
    assert!(matches!(&tags["request"], AttributeValue::N(_)));
    assert!(matches!(&item["checkpoints"], AttributeValue::L(l) if l.len() == 1));
    assert!(!item.contains_key("expires_at"), "no retention configured");
}

#[test]
fn unknown_trace_reads_back_empty() {
    let endpoint = endpoint();
    let rt = runtime();
    let table = unique_table("empty");
    let client = table_ready(&rt, &endpoint, &table);
    let spans = rt
        .block_on(read_trace(&client, &table, TraceId::random()))
        .unwrap();
    assert!(spans.is_empty());
}

/// More than one query page (1 MB) of spans: the reader follows `LastEvaluatedKey`.
#[test]
fn a_large_trace_is_read_across_pages() {
    let _serial = serial();
    let (
        TracedTable {
            rt,
            client,
            table,
            stats,
            memory,
        },
        tracer,
    ) = traced_table("pages", |c| c, Tracer::builder());
    let padding = "p".repeat(4096);
    let trace_id = {
        let root = span("bulk import").enter();
        for i in 0..400 {
            let mut row = span("row").enter();
            row.set_tag("index", i);
            row.set_tag("payload", padding.clone());
        }
        root.context().unwrap().trace_id()
    };
    tracer.shutdown().unwrap();
    assert_eq!(stats.get().written, 401);
    let read = rt.block_on(read_trace(&client, &table, trace_id)).unwrap();
    assert_eq!(read.len(), 401, "{} bytes of spans", 401 * 4200);
    assert_eq!(read, by_span_id(memory.spans()));
}

/// A span over 400 KB is written without its largest tags; one too large without any is counted
/// and reported, not retried.
#[test]
fn oversized_spans_are_trimmed_or_counted() {
    let _serial = serial();
    let (
        TracedTable {
            rt,
            client,
            table,
            stats,
            memory,
        },
        tracer,
    ) = traced_table("oversized", |c| c, Tracer::builder().on_error(|_| {}));
    {
        let mut big = span("big").enter();
        big.set_tag("kept", "small");
        big.set_tag("dropped", "x".repeat(450 * 1024));
    }
    {
        let _hopeless = span("n".repeat(500 * 1024)).enter();
    }
    let tracer_stats = shutdown_losing(tracer, 1);
    let s = stats.get();
    assert_eq!((s.written, s.trimmed, s.lost.too_large), (1, 1, 1));
    assert_eq!(s.requests, 1, "the refused span was never sent");
    assert_eq!(tracer_stats.dropped.recorder, 1);
    let big = memory.named("big").unwrap();
    let read = rt
        .block_on(read_trace(&client, &table, big.trace_id))
        .unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(
        read[0].tags.get("kept"),
        Some(&TagValue::Str("small".into()))
    );
    assert_eq!(read[0].tags.get("dropped"), None);
    assert_eq!(
        read[0].tags.get(TRIMMED_TAG),
        Some(&TagValue::Int(1)),
        "the reader says the span was trimmed"
    );
    assert_eq!(
        raw_item(&rt, &client, &table, &big)["trimmed"],
        AttributeValue::N("1".into())
    );
}

#[test]
fn retention_writes_expires_at_for_ttl() {
    let _serial = serial();
    // `enable_ttl` cannot run here: dynalite has no UpdateTimeToLive (UnknownOperationException).
    let retention = Duration::from_secs(7 * 24 * 3600);
    let (
        TracedTable {
            rt,
            client,
            table,
            memory,
            ..
        },
        tracer,
    ) = traced_table("ttl", |c| c.retention(retention), Tracer::builder());
    {
        let _s = span("kept for a week").enter();
    }
    tracer.shutdown().unwrap();
    let span = memory.named("kept for a week").unwrap();
    let finish = span
        .finish
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert_eq!(
        raw_item(&rt, &client, &table, &span)["expires_at"],
        AttributeValue::N((finish + retention.as_secs()).to_string())
    );
    // Reading ignores the TTL attribute.
    assert_eq!(
        rt.block_on(read_trace(&client, &table, span.trace_id))
            .unwrap(),
        vec![span]
    );
}
