//! `--dynamodb TABLE --trace ID`: a trace recorded by the DynamoDB recorder into dynalite (started
//! by `scripts/services/dynalite.sh`), shown by the binary.

#![cfg(feature = "dynamodb")]

use std::process::Command;
use std::time::Duration;

use trace_core::{Tracer, span};
use trace_record::dynamodb::{DynamoDbConfig, DynamoDbRecorder, create_table};

const HOW_TO_START: &str = "run `bash scripts/test.sh` (it installs and starts dynalite), or source \
     scripts/services/dynalite.sh in a bash shell with `CLEANUP=()` defined and run cargo test there";

#[test]
fn a_trace_is_read_from_a_table() {
    let endpoint = std::env::var("TRACE_TEST_DYNAMODB_ENDPOINT")
        .unwrap_or_else(|_| panic!("TRACE_TEST_DYNAMODB_ENDPOINT is not set: {HOW_TO_START}"));
    let table = format!("trace-view-{}", std::process::id());
    let config = || {
        DynamoDbConfig::new()
            .endpoint_url(&endpoint)
            .region("us-east-1")
            .static_credentials("test", "test")
            .table(&table)
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = config()
            .client()
            .await
            .unwrap_or_else(|e| panic!("{e}: {HOW_TO_START}"));
        create_table(&client, &table, Duration::from_secs(30))
            .await
            .unwrap_or_else(|e| panic!("creating {table} at {endpoint}: {e}: {HOW_TO_START}"));
    });

    let tracer = Tracer::builder()
        .service("orders")
        .recorder(DynamoDbRecorder::new(config()).unwrap())
        .install()
        .unwrap();
    let trace_id = {
        let root = span("GET /orders").root().enter();
        let _query = span("SELECT orders").enter();
        root.context().expect("sampled").trace_id()
    };
    let stats = tracer.shutdown().unwrap();
    assert_eq!(stats.recorded, 2, "{stats:?}");

    // Credentials and region from the standard chain, as a user's would be.
    let out = Command::new(env!("CARGO_BIN_EXE_trace-view"))
        .args([
            "tree",
            "--dynamodb",
            &table,
            "--trace",
            &trace_id.to_string(),
        ])
        .args(["--endpoint-url", &endpoint])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with(&format!("trace {trace_id}")), "{text}");
    assert!(lines[1].starts_with("GET /orders "), "{text}");
    assert!(lines[2].starts_with("└─ SELECT orders "), "{text}");

    let missing = Command::new(env!("CARGO_BIN_EXE_trace-view"))
        .args(["list", "--dynamodb", &table, "--trace", &"ab".repeat(16)])
        .args(["--endpoint-url", &endpoint])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("is not in table"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
}
