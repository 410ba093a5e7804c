//! One server process: sets up a variant's tracer, serves on one tokio worker thread, and answers
//! the driver on stdin (`flush`, `stats`, `quit`), one line out for each.

use std::io::{BufRead, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use tracing_subscriber::layer::SubscriberExt;

use crate::Error;
use crate::app;
use crate::variant::Variant;

/// `http-bench server VARIANT`.
pub fn main(args: &[String]) -> Result<(), Error> {
    let variant = Variant::parse(args.first().ok_or("server: which variant?")?)?;
    // One worker thread runs the accept loop, every connection and every handler.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(crate::procfs::WORKER)
        .enable_all()
        .build()?;
    let (app, tracing) = {
        let _rt = rt.enter();
        setup(variant)?
    };
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let port = listener.local_addr()?.port();
    rt.spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("server: {e}");
        }
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "PORT {port}")?;
    for line in std::io::stdin().lock().lines() {
        match line?.trim() {
            "flush" => {
                tracing.flush();
                writeln!(out, "FLUSHED")?;
            }
            "stats" => writeln!(out, "STATS {}", tracing.stats())?,
            "quit" => break,
            other => writeln!(out, "ERROR unknown command {other:?}")?,
        }
    }
    tracing.shutdown();
    drop(rt);
    Ok(())
}

/// What a variant traces with: flushed on request, asked for its counts, shut down at the end.
enum Tracing {
    Nothing,
    Ours {
        guard: trace_core::TracerGuard,
        counted: Option<Arc<AtomicU64>>,
        otlp: Option<trace_record::otlp::StatsHandle>,
        yaml: Option<std::path::PathBuf>,
    },
    Otel {
        provider: opentelemetry_sdk::trace::SdkTracerProvider,
        counted: Arc<AtomicU64>,
    },
    Fastrace,
}

impl Tracing {
    fn flush(&self) {
        match self {
            Tracing::Nothing => {}
            Tracing::Ours { guard, .. } => {
                if let Err(e) = guard.flush() {
                    eprintln!("server: flush: {e}");
                }
            }
            Tracing::Otel { provider, .. } => {
                if let Err(e) = provider.force_flush() {
                    eprintln!("server: force_flush: {e}");
                }
            }
            Tracing::Fastrace => {
                // Spans still in the worker's local buffer reach the collector on its next
                // round: flush, let that round happen, flush again.
                fastrace::flush();
                std::thread::sleep(std::time::Duration::from_millis(50));
                fastrace::flush();
            }
        }
    }

    /// `delivered=N dropped=N|- detail=...`: spans that reached the recorder (exporter,
    /// reporter) and spans the tracer counted as lost, if it counts them.
    fn stats(&self) -> String {
        match self {
            Tracing::Nothing => "delivered=0 dropped=-".into(),
            Tracing::Ours {
                guard,
                counted,
                otlp,
                ..
            } => {
                let s = guard.stats();
                let mut dropped = s.dropped.total();
                let delivered = match (counted, otlp) {
                    (Some(c), _) => c.load(Ordering::Relaxed),
                    (None, Some(o)) => {
                        let o = o.get();
                        dropped += o.lost_total();
                        o.delivered
                    }
                    (None, None) => s.recorded,
                };
                format!(
                    "delivered={delivered} dropped={dropped} queue_full={} recorded={} finished={}",
                    s.dropped.queue_full, s.recorded, s.finished
                )
            }
            Tracing::Otel { counted, .. } => {
                // The SDK's batch processor drops silently when its queue is full: no counter.
                format!("delivered={} dropped=-", counted.load(Ordering::Relaxed))
            }
            Tracing::Fastrace => format!(
                "delivered={} dropped=-",
                counting::FASTRACE.load(Ordering::Relaxed)
            ),
        }
    }

    fn shutdown(self) {
        match self {
            Tracing::Nothing | Tracing::Fastrace => {}
            Tracing::Ours { guard, yaml, .. } => {
                let _ = guard.shutdown();
                if let Some(path) = yaml {
                    let _ = std::fs::remove_file(path);
                }
            }
            Tracing::Otel { provider, .. } => {
                let _ = provider.shutdown();
            }
        }
    }
}

fn setup(variant: Variant) -> Result<(Router, Tracing), Error> {
    use trace_core::Tracer;
    use trace_core::http::ServerTraceLayer;
    let ours = || Tracer::builder().service("http-bench");
    Ok(match variant {
        Variant::Plain => (app::plain::router(), Tracing::Nothing),
        Variant::Ours => {
            let count = Arc::new(AtomicU64::new(0));
            let guard = ours()
                .recorder(counting::Ours(Arc::clone(&count)))
                .install()?;
            let tracing = Tracing::Ours {
                guard,
                counted: Some(count),
                otlp: None,
                yaml: None,
            };
            (app::ours::router().layer(ServerTraceLayer::new()), tracing)
        }
        Variant::OursYaml => {
            // HTTP_BENCH_YAML_DIR puts the file elsewhere (/dev/shm: no disk behind the writes).
            let dir = std::env::var_os("HTTP_BENCH_YAML_DIR")
                .map_or_else(std::env::temp_dir, std::path::PathBuf::from);
            let path = dir.join(format!("http-bench-{}.yaml", std::process::id()));
            let guard = ours()
                .recorder(trace_record::YamlRecorder::truncate(&path)?)
                .install()?;
            let tracing = Tracing::Ours {
                guard,
                counted: None,
                otlp: None,
                yaml: Some(path),
            };
            (app::ours::router().layer(ServerTraceLayer::new()), tracing)
        }
        Variant::OursOtlp => {
            let endpoint = std::env::var("HTTP_BENCH_OTLP_ENDPOINT").map_err(|_| {
                "ours_otlp needs HTTP_BENCH_OTLP_ENDPOINT (http-bench run starts a sink and sets it)"
            })?;
            let recorder = trace_record::otlp::OtlpRecorder::builder()
                .without_env()
                .endpoint(endpoint)
                .build()?;
            let otlp = recorder.stats();
            let guard = ours().recorder(recorder).install()?;
            let tracing = Tracing::Ours {
                guard,
                counted: None,
                otlp: Some(otlp),
                yaml: None,
            };
            (app::ours::router().layer(ServerTraceLayer::new()), tracing)
        }
        Variant::Otel | Variant::OtelLean => {
            use opentelemetry::trace::TracerProvider as _;
            let count = Arc::new(AtomicU64::new(0));
            // SDK defaults: a batch processor with its default queue, delay and batch size.
            let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
                .with_batch_exporter(counting::Otel(Arc::clone(&count)))
                .build();
            let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("http-bench"));
            let router = app::tracing_peer::router();
            let router = if variant == Variant::Otel {
                tracing::subscriber::set_global_default(
                    tracing_subscriber::registry().with(layer),
                )?;
                router.layer(
                    tower_http::trace::TraceLayer::new_for_http()
                        .make_span_with(otel_propagation::make_span),
                )
            } else {
                let layer = layer
                    .with_location(false)
                    .with_threads(false)
                    .with_tracked_inactivity(false);
                tracing::subscriber::set_global_default(
                    tracing_subscriber::registry().with(layer),
                )?;
                router.layer(
                    tower_http::trace::TraceLayer::new_for_http()
                        .make_span_with(otel_propagation::make_span)
                        .on_request(())
                        .on_response(()),
                )
            };
            let tracing = Tracing::Otel {
                provider,
                counted: count,
            };
            (router, tracing)
        }
        Variant::Fastrace => {
            fastrace::set_reporter(counting::Fastrace, fastrace::collector::Config::default());
            let router =
                app::fastrace_peer::router().layer(fastrace_axum::FastraceLayer::default());
            (router, Tracing::Fastrace)
        }
        Variant::Registry => {
            tracing::subscriber::set_global_default(tracing_subscriber::registry())?;
            let router =
                app::tracing_peer::router().layer(tower_http::trace::TraceLayer::new_for_http());
            (router, Tracing::Nothing)
        }
    })
}

/// The OpenTelemetry variants continue an incoming `traceparent` as their users set it up: tower-
/// http's default request span, parented on what the W3C propagator extracts.
mod otel_propagation {
    use axum::body::Body;
    use http::{HeaderMap, Request};
    use opentelemetry::propagation::{Extractor, TextMapPropagator};
    use opentelemetry_sdk::propagation::TraceContextPropagator;
    use tracing_opentelemetry::OpenTelemetrySpanExt;

    struct Headers<'a>(&'a HeaderMap);

    impl Extractor for Headers<'_> {
        fn get(&self, key: &str) -> Option<&str> {
            self.0.get(key).and_then(|v| v.to_str().ok())
        }

        fn keys(&self) -> Vec<&str> {
            self.0.keys().map(|k| k.as_str()).collect()
        }
    }

    pub fn make_span(req: &Request<Body>) -> tracing::Span {
        let span = tracing::debug_span!(
            "request",
            method = %req.method(),
            uri = %req.uri(),
            version = ?req.version(),
        );
        if req.headers().contains_key("traceparent") {
            let cx = TraceContextPropagator::new().extract(&Headers(req.headers()));
            let _ = span.set_parent(cx);
        }
        span
    }
}

/// Recorders, exporters and reporters that count spans and keep nothing.
mod counting {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[derive(Debug)]
    pub struct Ours(pub Arc<AtomicU64>);

    impl trace_core::Recorder for Ours {
        fn record(
            &mut self,
            batch: &trace_core::SpanBatch<'_>,
        ) -> Result<(), trace_core::RecordError> {
            self.0.fetch_add(batch.len() as u64, Ordering::Relaxed);
            Ok(())
        }
    }

    #[derive(Debug)]
    pub struct Otel(pub Arc<AtomicU64>);

    impl opentelemetry_sdk::trace::SpanExporter for Otel {
        async fn export(
            &self,
            batch: Vec<opentelemetry_sdk::trace::SpanData>,
        ) -> opentelemetry_sdk::error::OTelSdkResult {
            self.0.fetch_add(batch.len() as u64, Ordering::Relaxed);
            Ok(())
        }
    }

    pub static FASTRACE: AtomicU64 = AtomicU64::new(0);

    pub struct Fastrace;

    impl fastrace::collector::Reporter for Fastrace {
        fn report(&mut self, spans: Vec<fastrace::collector::SpanRecord>) {
            FASTRACE.fetch_add(spans.len() as u64, Ordering::Relaxed);
        }
    }
}
