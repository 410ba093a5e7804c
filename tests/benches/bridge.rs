//! The `tracing` bridge against the other ways to record `tracing` spans, in one run:
//!
//! - **bridge**: `registry().with(trace_core::bridge::TracingLayer::new())`, our tracer with a
//!   recorder that counts every span;
//! - **bridge_unsampled**: the same with `Sampler::never()`;
//! - **otel**: `registry().with(tracing_opentelemetry::layer().with_tracer(..))`, an OpenTelemetry
//!   SDK tracer (always on) with a batch span processor and an exporter that counts every span;
//! - **fastrace**: `registry().with(fastrace_tracing::FastraceCompatLayer::new())`, a fastrace
//!   reporter that counts every span;
//! - **registry**: `tracing_subscriber::registry()` alone: what any layer starts from.
//!
//! Every peer runs the same `#[tracing::instrument]` functions (each layer with its defaults):
//! a root span alone (`root`), a root with 100 children (`child`), children with an `i64` and a
//! `&str` field (`fields`), children that each emit one `info!` event (`event`). Timing is the
//! benchmarking thread's CPU time. Per span = (median of a shape − median of the same peer's
//! `root`) / 100. The run ends with that table; `cargo bench -p tests --bench bridge`.

// Shared with the peers bench, which uses all of it.
#[allow(dead_code)]
#[path = "support/cpu.rs"]
mod cpu;

use std::cell::Cell;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::Criterion;
use criterion::measurement::Measurement;
use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt;

const CHILDREN: u64 = 100;

thread_local! {
    /// Spans the workloads opened on this thread, to compare with what each peer delivered.
    static OPENED: Cell<u64> = const { Cell::new(0) };
}

fn opened() {
    OPENED.with(|n| n.set(n.get() + 1));
}

#[tracing::instrument(skip_all)]
#[inline(never)]
fn child(x: u64) -> u64 {
    opened();
    black_box(x).wrapping_mul(31)
}

#[tracing::instrument(skip_all, fields(i = x as i64, kind = "read"))]
#[inline(never)]
fn child_fields(x: u64) -> u64 {
    opened();
    black_box(x).wrapping_mul(31)
}

#[tracing::instrument(skip_all)]
#[inline(never)]
fn child_event(x: u64) -> u64 {
    opened();
    tracing::info!(x, "step");
    black_box(x).wrapping_mul(31)
}

fn in_root(f: impl FnOnce() -> u64) -> u64 {
    opened();
    tracing::info_span!("root").in_scope(f)
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    Root,
    Child,
    Fields,
    Event,
}

impl Shape {
    const ALL: [Shape; 4] = [Shape::Root, Shape::Child, Shape::Fields, Shape::Event];

    fn name(self) -> &'static str {
        match self {
            Shape::Root => "root",
            Shape::Child => "child",
            Shape::Fields => "fields",
            Shape::Event => "event",
        }
    }

    fn run(self) -> u64 {
        let children = |f: fn(u64) -> u64| in_root(|| (0..CHILDREN).fold(0, |a, i| a ^ f(i)));
        match self {
            Shape::Root => in_root(|| black_box(1)),
            Shape::Child => children(child),
            Shape::Fields => children(child_fields),
            Shape::Event => children(child_event),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Peer {
    Bridge,
    BridgeUnsampled,
    Otel,
    Fastrace,
    Registry,
}

impl Peer {
    const ALL: [Peer; 5] = [
        Peer::Bridge,
        Peer::BridgeUnsampled,
        Peer::Otel,
        Peer::Fastrace,
        Peer::Registry,
    ];

    fn name(self) -> &'static str {
        match self {
            Peer::Bridge => "bridge",
            Peer::BridgeUnsampled => "bridge_unsampled",
            Peer::Otel => "otel",
            Peer::Fastrace => "fastrace",
            Peer::Registry => "registry",
        }
    }
}

/// A peer set up for one benchmark; [`Session::end`] says what happened to the spans.
enum Session {
    Ours(trace_core::TracerGuard, Arc<AtomicU64>),
    Otel(opentelemetry_sdk::trace::SdkTracerProvider, Arc<AtomicU64>),
    Fastrace,
    Nothing,
}

mod ours {
    use super::*;
    use trace_core::{RecordError, Recorder, SpanBatch};

    #[derive(Debug)]
    pub struct Count(pub Arc<AtomicU64>);

    impl Recorder for Count {
        fn record(&mut self, spans: &SpanBatch<'_>) -> Result<(), RecordError> {
            self.0.fetch_add(spans.len() as u64, Ordering::Relaxed);
            Ok(())
        }
    }
}

mod otel {
    use super::*;
    use opentelemetry_sdk::error::OTelSdkResult;
    use opentelemetry_sdk::trace::{SpanData, SpanExporter};

    #[derive(Debug)]
    pub struct Count(pub Arc<AtomicU64>);

    impl SpanExporter for Count {
        async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
            self.0.fetch_add(batch.len() as u64, Ordering::Relaxed);
            Ok(())
        }
    }
}

mod fastrace_count {
    use super::*;
    use fastrace::collector::{Reporter, SpanRecord};

    pub static REPORTED: AtomicU64 = AtomicU64::new(0);

    pub struct Count;

    impl Reporter for Count {
        fn report(&mut self, spans: Vec<SpanRecord>) {
            REPORTED.fetch_add(spans.len() as u64, Ordering::Relaxed);
        }
    }
}

fn start(peer: Peer) -> (Dispatch, Session) {
    use opentelemetry::trace::TracerProvider as _;
    match peer {
        Peer::Bridge | Peer::BridgeUnsampled => {
            let count = Arc::new(AtomicU64::new(0));
            let sampler = if peer == Peer::Bridge {
                trace_core::Sampler::always()
            } else {
                trace_core::Sampler::never()
            };
            let tracer = trace_core::Tracer::builder()
                .service("bench")
                .sampler(sampler)
                .queue_capacity(1 << 16)
                .recorder(ours::Count(Arc::clone(&count)))
                .install()
                .expect("no other tracer in the benchmark");
            let subscriber =
                tracing_subscriber::registry().with(trace_core::bridge::TracingLayer::new());
            (Dispatch::new(subscriber), Session::Ours(tracer, count))
        }
        Peer::Otel => {
            use opentelemetry_sdk::trace::{BatchConfigBuilder, BatchSpanProcessor, Sampler};
            let count = Arc::new(AtomicU64::new(0));
            let processor = BatchSpanProcessor::builder(otel::Count(Arc::clone(&count)))
                .with_batch_config(
                    BatchConfigBuilder::default()
                        .with_max_queue_size(1 << 16)
                        .with_scheduled_delay(Duration::from_millis(20))
                        .build(),
                )
                .build();
            let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
                .with_sampler(Sampler::AlwaysOn)
                .with_span_processor(processor)
                .build();
            let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("bench"));
            let subscriber = tracing_subscriber::registry().with(layer);
            (Dispatch::new(subscriber), Session::Otel(provider, count))
        }
        Peer::Fastrace => {
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                fastrace::set_reporter(
                    fastrace_count::Count,
                    fastrace::collector::Config::default()
                        .report_interval(Duration::from_millis(20)),
                );
            });
            let subscriber =
                tracing_subscriber::registry().with(fastrace_tracing::FastraceCompatLayer::new());
            (Dispatch::new(subscriber), Session::Fastrace)
        }
        Peer::Registry => (
            Dispatch::new(tracing_subscriber::registry()),
            Session::Nothing,
        ),
    }
}

impl Session {
    /// Flushes the peer and prints how many of the `opened` spans it delivered.
    fn end(self, label: &str, opened: u64) {
        let delivered = match self {
            Session::Ours(tracer, count) => {
                let stats = tracer.shutdown().expect("the counting recorder flushes");
                println!("EXTRA {label}: {stats:?}");
                count.load(Ordering::Relaxed)
            }
            Session::Otel(provider, count) => {
                let _ = provider.force_flush();
                let _ = provider.shutdown();
                count.load(Ordering::Relaxed)
            }
            Session::Fastrace => {
                fastrace::flush();
                fastrace_count::REPORTED.swap(0, Ordering::Relaxed)
            }
            Session::Nothing => 0,
        };
        println!("EXTRA {label}: spans opened {opened}, delivered {delivered}");
    }
}

fn run<M: Measurement>(c: &mut Criterion<M>) {
    for shape in Shape::ALL {
        let mut group = c.benchmark_group(format!("bridge_{}", shape.name()));
        for peer in Peer::ALL {
            let (dispatch, session) = start(peer);
            OPENED.with(|n| n.set(0));
            tracing::dispatcher::with_default(&dispatch, || {
                group.bench_function(peer.name(), |b| b.iter(|| black_box(shape.run())));
            });
            drop(dispatch);
            session.end(
                &format!("{}/{}", shape.name(), peer.name()),
                OPENED.with(Cell::get),
            );
        }
        group.finish();
    }
}

/// Criterion's median for one benchmark, from its estimates file.
fn median_ns(shape: Shape, peer: Peer) -> Option<f64> {
    let home = std::env::var_os("CRITERION_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR")
                .map(|d| std::path::PathBuf::from(d).join("criterion"))
        })
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/criterion")
        });
    let path = home
        .join(format!("bridge_{}", shape.name()))
        .join(peer.name())
        .join("new/estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

/// What one child span of `shape` adds to `peer`'s root iteration.
fn per_span(shape: Shape, peer: Peer) -> Option<f64> {
    Some((median_ns(shape, peer)? - median_ns(Shape::Root, peer)?) / CHILDREN as f64)
}

fn report() {
    println!("\n| shape | {} |", Peer::ALL.map(Peer::name).join(" | "));
    println!("|---|{}", "---:|".repeat(Peer::ALL.len()));
    for shape in Shape::ALL {
        let cells = Peer::ALL.map(|peer| {
            let value = if shape == Shape::Root {
                median_ns(shape, peer)
            } else {
                per_span(shape, peer)
            };
            value.map_or("–".to_owned(), |v| format!("{v:.1}"))
        });
        let what = if shape == Shape::Root {
            "ns per root iteration"
        } else {
            "ns per child span"
        };
        println!("| {} ({what}) | {} |", shape.name(), cells.join(" | "));
    }
    println!("\n| shape | bridge / otel | bridge / fastrace | bridge − registry |");
    println!("|---|---:|---:|---:|");
    for shape in [Shape::Child, Shape::Fields, Shape::Event] {
        let (Some(ours), Some(otel), Some(fastrace), Some(registry)) = (
            per_span(shape, Peer::Bridge),
            per_span(shape, Peer::Otel),
            per_span(shape, Peer::Fastrace),
            per_span(shape, Peer::Registry),
        ) else {
            continue;
        };
        println!(
            "| {} | {:.2} | {:.2} | {:.1} |",
            shape.name(),
            ours / otel,
            ours / fastrace,
            ours - registry
        );
    }
}

fn main() {
    let mut c = Criterion::default()
        .with_measurement(cpu::ThreadCpu::new())
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(3000))
        .sample_size(20)
        .configure_from_args();
    run(&mut c);
    c.final_summary();
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test") {
        report();
    }
}
