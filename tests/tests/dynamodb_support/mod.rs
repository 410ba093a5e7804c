//! Shared by the DynamoDB tests: the dynalite endpoint the test script started, settings with dummy
//! credentials, unique table names, a dynalite of a test's own (for restarts) and a fault-injecting
//! proxy.

#![allow(dead_code)] // each test binary uses a different part

pub mod dynalite;
pub mod proxy;

#[path = "../loopback/mod.rs"]
mod loopback;
#[allow(unused_imports)] // each test binary uses its own part of the support module
pub use loopback::{eventually, free_port};

use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use trace_core::{FlushError, Stats, TracerBuilder, TracerGuard};
use trace_record::MemoryRecorder;
use trace_record::dynamodb::{Client, DynamoDbConfig, DynamoDbRecorder, StatsHandle, create_table};

const HOW_TO_START: &str = "the DynamoDB tests need dynalite: run `bash scripts/test.sh` (it installs and starts \
     it, then runs every test), or source scripts/services/dynalite.sh in a bash shell with \
     `CLEANUP=()` defined and run cargo test from that shell";

/// The endpoint of the dynalite started by scripts/services/dynalite.sh; fails the test with
/// instructions when it is missing or does not answer.
pub fn endpoint() -> String {
    let Ok(endpoint) = std::env::var("TRACE_TEST_DYNAMODB_ENDPOINT") else {
        panic!("TRACE_TEST_DYNAMODB_ENDPOINT is not set: {HOW_TO_START}");
    };
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let reachable = host
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok());
    assert!(
        reachable,
        "nothing answers at TRACE_TEST_DYNAMODB_ENDPOINT={endpoint}: {HOW_TO_START}"
    );
    endpoint
}

/// The dynalite executable installed by the script, for tests that stop and restart a server.
pub fn dynalite_bin() -> String {
    std::env::var("TRACE_TEST_DYNALITE_BIN")
        .unwrap_or_else(|_| panic!("TRACE_TEST_DYNALITE_BIN is not set: {HOW_TO_START}"))
}

/// Settings for a local server: dummy credentials and region set here (never through the process
/// environment, which other tests share), quick retries.
pub fn config(endpoint: &str, table: &str) -> DynamoDbConfig {
    DynamoDbConfig::new()
        .endpoint_url(endpoint)
        .region("us-east-1")
        .static_credentials("test", "test")
        .table(table)
        .backoff(Duration::from_millis(5), Duration::from_millis(100))
        .timeouts(Duration::from_secs(1), Duration::from_secs(5))
}

/// A table name no other test (or earlier run against the same server) uses.
pub fn unique_table(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}-{}-{}-{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A runtime for the test's own async calls (table helpers, reader).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Creates `table` behind `endpoint` and returns a client for it.
pub fn table_ready(rt: &tokio::runtime::Runtime, endpoint: &str, table: &str) -> Client {
    rt.block_on(async {
        let client = config(endpoint, table).client().await.unwrap();
        create_table(&client, table, Duration::from_secs(30))
            .await
            .unwrap();
        client
    })
}

static SERIAL: Mutex<()> = Mutex::new(());

/// Held by each test for as long as its tracer is installed (one tracer per process).
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// A fresh table on the test dynalite, traced into by [`traced_table`].
pub struct TracedTable {
    pub rt: tokio::runtime::Runtime,
    pub client: Client,
    pub table: String,
    /// The DynamoDB recorder's counters.
    pub stats: StatsHandle,
    /// Every span the tracer recorded, to compare with what the table gives back.
    pub memory: MemoryRecorder,
}

/// Creates a table named after `prefix` and installs `builder` recording both to it (with the
/// recorder settings `settings` makes of the default test config) and to memory.
pub fn traced_table(
    prefix: &str,
    settings: impl FnOnce(DynamoDbConfig) -> DynamoDbConfig,
    builder: TracerBuilder,
) -> (TracedTable, TracerGuard) {
    let endpoint = endpoint();
    let rt = runtime();
    let table = unique_table(prefix);
    let client = table_ready(&rt, &endpoint, &table);
    let recorder = DynamoDbRecorder::new(settings(config(&endpoint, &table))).unwrap();
    let stats = recorder.stats();
    let memory = MemoryRecorder::new();
    let tracer = builder
        .recorder(recorder)
        .recorder(memory.clone())
        .install()
        .unwrap();
    (
        TracedTable {
            rt,
            client,
            table,
            stats,
            memory,
        },
        tracer,
    )
}

/// Shuts `tracer` down, which must report exactly `lost` spans lost since the last flush (the
/// recorder counted them, and shutdown says so); returns the final counters.
pub fn shutdown_losing(tracer: TracerGuard, lost: u64) -> Stats {
    match tracer.shutdown() {
        Err(FlushError::Lost { spans, stats }) => {
            assert_eq!(spans, lost, "spans reported lost at shutdown");
            stats
        }
        other => panic!("shutdown should report {lost} spans lost, got {other:?}"),
    }
}
