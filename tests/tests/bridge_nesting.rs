//! The `tracing` bridge: `#[instrument]` and `#[traced]` interleaved, sync and async (across
//! `.await` on a multi-threaded runtime, with `Instrument`); explicit parents and roots;
//! sampling; the builder's filter.

mod bridge_support;

use std::collections::BTreeMap;

use bridge_support::{assert_child, bridge_everywhere, install, named, names, runtime};
use trace_core::bridge::TracingLayer;
use trace_core::{FutureExt, Sampler, SpanRecord, TagValue, TraceId, current, span, trace, traced};
use tracing::Instrument;
use tracing_core::{Level, LevelFilter};
use tracing_subscriber::layer::SubscriberExt;

#[tracing::instrument]
fn outer(n: u64) -> u64 {
    mid(n) + 1
}

#[traced(name = "mid")]
fn mid(n: u64) -> u64 {
    inner(n)
}

#[tracing::instrument(skip_all)]
fn inner(n: u64) -> u64 {
    trace!("leaf", { n * 2 })
}

#[test]
fn instrument_and_traced_interleave_three_deep() {
    bridge_everywhere();
    let installed = install(Sampler::always());
    assert_eq!(outer(20), 41);
    let spans = installed.finish();
    assert_eq!(spans.len(), 4, "{:?}", names(&spans));
    let (outer, mid, inner, leaf) = (
        named(&spans, "outer"),
        named(&spans, "mid"),
        named(&spans, "inner"),
        named(&spans, "leaf"),
    );
    assert!(outer.is_root());
    assert_child(mid, outer);
    assert_child(inner, mid);
    assert_child(leaf, inner);
    // Named after the tracing span, with its target (the module) and location.
    let code = outer.code.as_ref().unwrap();
    assert_eq!(code.module.as_deref(), Some("bridge_nesting"));
    assert!(code.file.ends_with("bridge_nesting.rs"), "{code:?}");
    assert!(code.line > 0);
    assert_eq!(outer.tags.get("n"), Some(&TagValue::Int(20)));
}

#[tracing::instrument]
async fn a_outer(n: u64) -> u64 {
    tokio::task::yield_now().await;
    let v = a_mid(n).await;
    tokio::task::yield_now().await;
    v
}

#[traced(name = "a_mid")]
async fn a_mid(n: u64) -> u64 {
    tokio::task::yield_now().await;
    a_inner(n).await
}

#[tracing::instrument]
async fn a_inner(n: u64) -> u64 {
    tokio::task::yield_now().await;
    let leaf = async {
        tokio::task::yield_now().await;
        n
    }
    .in_span(span("a_leaf").start())
    .await;
    // A task of its own, instrumented: polled on any worker, its spans still nest here.
    let spawned = tokio::spawn(
        async move {
            tokio::task::yield_now().await;
            trace!("in_spawned", { n + 1 })
        }
        .instrument(tracing::info_span!("spawned")),
    );
    leaf + spawned.await.unwrap()
}

#[test]
fn instrument_and_traced_interleave_across_await() {
    bridge_everywhere();
    let installed = install(Sampler::always());
    let rt = runtime();
    rt.block_on(async {
        let calls: Vec<_> = (0..16).map(|n| tokio::spawn(a_outer(n))).collect();
        for (n, call) in calls.into_iter().enumerate() {
            assert_eq!(call.await.unwrap(), 2 * n as u64 + 1);
        }
    });
    drop(rt);
    let spans = installed.finish();
    let mut traces: BTreeMap<TraceId, Vec<SpanRecord>> = BTreeMap::new();
    for s in spans {
        traces.entry(s.trace_id).or_default().push(s);
    }
    assert_eq!(traces.len(), 16, "one trace per call");
    for spans in traces.values() {
        assert_eq!(spans.len(), 6, "{:?}", names(spans));
        let outer = named(spans, "a_outer");
        assert!(outer.is_root());
        assert_child(named(spans, "a_mid"), outer);
        assert_child(named(spans, "a_inner"), named(spans, "a_mid"));
        assert_child(named(spans, "a_leaf"), named(spans, "a_inner"));
        assert_child(named(spans, "spawned"), named(spans, "a_inner"));
        assert_child(named(spans, "in_spawned"), named(spans, "spawned"));
        assert_eq!(
            outer.tags.get("n"),
            named(spans, "a_inner").tags.get("n"),
            "the same call's spans"
        );
    }
}

#[test]
fn explicit_parents_and_roots_are_followed() {
    bridge_everywhere();
    let installed = install(Sampler::always());
    let first = tracing::info_span!("first");
    {
        let _other = tracing::info_span!("other").entered();
        // Explicitly under `first`, though `other` is current.
        tracing::info_span!(parent: &first, "adopted").in_scope(|| {});
        // Explicitly a root, though `other` is current.
        tracing::info_span!(parent: None, "detached").in_scope(|| {});
    }
    drop(first);
    let spans = installed.finish();
    assert_eq!(spans.len(), 4, "{:?}", names(&spans));
    assert_child(named(&spans, "adopted"), named(&spans, "first"));
    let detached = named(&spans, "detached");
    assert!(detached.is_root());
    assert_ne!(detached.trace_id, named(&spans, "other").trace_id);
}

#[test]
fn a_traced_root_adopts_instrumented_children_and_sibling_threads() {
    bridge_everywhere();
    let installed = install(Sampler::always());
    {
        let _root = span("ours").enter();
        let child = tracing::info_span!("theirs");
        // Entered on another thread: its children there still nest under it.
        let worker = std::thread::spawn(move || {
            child.in_scope(|| trace!("over there", {}));
        });
        worker.join().unwrap();
    }
    let spans = installed.finish();
    assert_child(named(&spans, "theirs"), named(&spans, "ours"));
    assert_child(named(&spans, "over there"), named(&spans, "theirs"));
}

#[test]
fn an_unsampled_trace_records_nothing_and_keeps_its_id() {
    bridge_everywhere();
    let installed = install(Sampler::never());
    let (root_trace, inner_trace, inner_sampled) = tracing::info_span!("root").in_scope(|| {
        let root_trace = current::context().unwrap().trace_id();
        tracing::info_span!("child").in_scope(|| {
            tracing::info!(rows = 3, "an event");
            let ours = trace!("ours", { current::context().unwrap() });
            (root_trace, ours.trace_id(), ours.is_sampled())
        })
    });
    let stats = installed.tracer.stats();
    assert_eq!(root_trace, inner_trace, "the trace id propagates");
    assert!(!inner_sampled);
    assert_eq!(stats.started, 0, "{stats:?}");
    assert!(installed.finish().is_empty());
}

#[test]
fn the_builder_filters_by_level_and_target() {
    let installed = install(Sampler::always());
    let layer = TracingLayer::builder()
        .max_level(Level::INFO)
        .target("noisy", LevelFilter::OFF)
        .build();
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, || {
        tracing::info_span!("kept").in_scope(|| {
            tracing::debug_span!("too detailed").in_scope(|| {
                tracing::info_span!(target: "noisy::db", "muted").in_scope(|| {
                    tracing::info_span!("grandchild").in_scope(|| {
                        tracing::debug!("not a checkpoint");
                        tracing::info!("a checkpoint");
                    });
                });
            });
        });
    });
    let spans = installed.finish();
    assert_eq!(
        names(&spans).iter().filter(|n| *n != "grandchild").count(),
        1,
        "{:?}",
        names(&spans)
    );
    let grandchild = named(&spans, "grandchild");
    assert_child(grandchild, named(&spans, "kept"));
    let checkpoints: Vec<_> = grandchild.checkpoints.iter().map(|c| &*c.name).collect();
    assert_eq!(checkpoints, ["a checkpoint"]);
}

#[test]
fn without_a_tracer_bridged_spans_do_nothing() {
    bridge_everywhere();
    let _serial = install(Sampler::always()).finish(); // wait for any other test's tracer
    tracing::info_span!("nobody listens").in_scope(|| {
        assert!(current::context().is_none());
        tracing::info!("into the void");
    });
}
