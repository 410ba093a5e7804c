//! What the gRPC tests share: the demo's three services, one tracer at a time, and span lookups.

#![allow(dead_code)] // each test file uses its own part

#[path = "../../../examples/examples/grpc_support/mod.rs"]
pub mod hop;

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hop::proto::PricingClient;
use tonic::transport::{Channel, Endpoint};
use tower_layer::Layer;
use trace_core::grpc::{GrpcClientLayer, GrpcClientTrace};
use trace_core::{SpanKind, SpanRecord, TagValue, Tracer, TracerGuard};
use trace_record::{MemoryRecorder, Trace};

static SERIAL: Mutex<()> = Mutex::new(());

/// Only one tracer per process: tests take turns.
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `f` on a fresh runtime.
pub fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(f)
}

pub fn install() -> (TracerGuard, MemoryRecorder) {
    let rec = MemoryRecorder::new();
    let tracer = Tracer::builder()
        .service("grpc-test")
        .recorder(rec.clone())
        .install()
        .expect("no other tracer installed");
    (tracer, rec)
}

/// Waits until every span opened so far has finished and reached the recorder: a server's span
/// ends once its response stream is sent, which may be just after the caller has read it.
pub fn settle(tracer: &TracerGuard, rec: &MemoryRecorder) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while tracer.stats().finished < tracer.stats().started && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    tracer.flush().expect("flush");
    let started = usize::try_from(tracer.stats().started).unwrap_or(usize::MAX);
    assert!(
        rec.wait_for(started, Duration::from_secs(10)),
        "{} of {started} spans recorded",
        rec.len()
    );
}

/// A tag's value as text (numbers too).
pub fn tag(s: &SpanRecord, key: &str) -> Option<String> {
    match s.tags.get(key)? {
        TagValue::Str(v) => Some(v.to_string()),
        TagValue::Int(v) => Some(v.to_string()),
        other => Some(format!("{other:?}")),
    }
}

/// The one child of `parent` with this name and kind.
pub fn child<'t>(
    trace: &'t Trace,
    parent: &SpanRecord,
    name: &str,
    kind: SpanKind,
) -> &'t SpanRecord {
    let found: Vec<_> = trace
        .children(parent.span_id)
        .filter(|s| s.name == name && s.kind == kind)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "children of {:?} named {name} ({kind:?}): {found:#?}",
        parent.name
    );
    found[0]
}

/// Every child of `parent` with this name and kind, in start order.
pub fn children<'t>(
    trace: &'t Trace,
    parent: &SpanRecord,
    name: &str,
    kind: SpanKind,
) -> Vec<&'t SpanRecord> {
    let mut found: Vec<_> = trace
        .children(parent.span_id)
        .filter(|s| s.name == name && s.kind == kind)
        .collect();
    found.sort_by_key(|s| s.start);
    found
}

/// A plain (untraced) channel to the gRPC server at `addr`.
pub async fn connect(addr: impl std::fmt::Display) -> Channel {
    Endpoint::from_shared(format!("http://{addr}"))
        .expect("an address")
        .connect()
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {addr}: {e}"))
}

/// A `hop.Pricing` client on a channel traced by [`GrpcClientLayer`].
pub async fn traced_client(
    addr: impl std::fmt::Display,
) -> PricingClient<GrpcClientTrace<Channel>> {
    PricingClient::new(GrpcClientLayer::new().layer(connect(addr).await))
}

/// The one recorded span with this name and kind.
pub fn only<'s>(spans: &'s [SpanRecord], name: &str, kind: SpanKind) -> &'s SpanRecord {
    let found: Vec<_> = spans
        .iter()
        .filter(|s| s.name == name && s.kind == kind)
        .collect();
    assert_eq!(found.len(), 1, "spans named {name} ({kind:?}): {spans:#?}");
    found[0]
}
