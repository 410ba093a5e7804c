//! The `tracing` bridge: fields as typed tags (also recorded late), events as checkpoints, ERROR
//! events as errors, `follows_from` as links, and spans that end on another thread.

mod bridge_support;

use bridge_support::{assert_child, bridge_everywhere, install, named, tag, text};
use trace_core::bridge::TracingLayer;
use trace_core::{Link, Sampler, Status, TagValue, current};
use tracing_subscriber::layer::SubscriberExt;

#[derive(Debug)]
struct Failure;

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("disk full")
    }
}

impl std::error::Error for Failure {}

#[test]
fn fields_become_typed_tags() {
    bridge_everywhere();
    let installed = install(Sampler::always());
    let err = Failure;
    tracing::info_span!(
        "fields",
        small = -7i64,
        unsigned = 7u64,
        huge = u64::MAX,
        ratio = 0.25f64,
        flag = true,
        name = "alice",
        order = ?Some(9),
        shown = %"displayed",
        error = &err as &(dyn std::error::Error + 'static),
    )
    .in_scope(|| {});
    let spans = installed.finish();
    let s = named(&spans, "fields");
    assert_eq!(tag(s, "small"), &TagValue::Int(-7));
    assert_eq!(tag(s, "unsigned"), &TagValue::Int(7));
    assert_eq!(tag(s, "huge"), &text(&u64::MAX.to_string()));
    assert_eq!(tag(s, "ratio"), &TagValue::Float(0.25));
    assert_eq!(tag(s, "flag"), &TagValue::Bool(true));
    assert_eq!(tag(s, "name"), &text("alice"));
    assert_eq!(tag(s, "order"), &text("Some(9)"));
    assert_eq!(tag(s, "shown"), &text("displayed"));
    assert_eq!(tag(s, "error"), &text("disk full"));
    assert_eq!(s.status, Status::Ok, "a field is not an error event");
}

#[test]
fn fields_recorded_later_are_tags_too() {
    bridge_everywhere();
    let installed = install(Sampler::always());
    let span = tracing::info_span!(
        "late",
        rows = tracing::field::Empty,
        early = 1,
        status = tracing::field::Empty
    );
    span.in_scope(|| {
        tracing::Span::current().record("rows", 42);
    });
    span.record("early", 2);
    drop(span.entered()); // recorded while not entered too
    let spans = installed.finish();
    let s = named(&spans, "late");
    assert_eq!(tag(s, "rows"), &TagValue::Int(42));
    assert_eq!(tag(s, "early"), &TagValue::Int(2), "the later value wins");
    assert!(s.tags.get("status").is_none(), "never recorded: no tag");
}

#[test]
fn events_become_checkpoints_with_their_fields() {
    bridge_everywhere();
    let installed = install(Sampler::always());
    tracing::info_span!("with events").in_scope(|| {
        tracing::info!(key = 42, hit = false, "cache miss");
        tracing::debug!(user = "bob");
        tracing::warn!("slow: {} ms", 250);
        current::set_tag("set through current", true);
    });
    let spans = installed.finish();
    let s = named(&spans, "with events");
    let checkpoints: Vec<_> = s.checkpoints.iter().map(|c| &*c.name).collect();
    assert_eq!(
        checkpoints,
        ["cache miss key=42 hit=false", "user=bob", "slow: 250 ms"]
    );
    assert!(
        s.checkpoints.windows(2).all(|w| w[0].offset <= w[1].offset),
        "in order: {:?}",
        s.checkpoints
    );
    assert_eq!(s.status, Status::Ok, "no ERROR event");
    assert_eq!(tag(s, "set through current"), &TagValue::Bool(true));
}

#[test]
fn an_error_event_marks_its_span_as_failed() {
    bridge_everywhere();
    let installed = install(Sampler::always());
    tracing::info_span!("failing").in_scope(|| {
        tracing::info_span!("innocent").in_scope(|| {});
        tracing::error!(code = 503, "upstream unavailable");
    });
    let explicit = tracing::info_span!("explicit target");
    tracing::error!(parent: &explicit, "went wrong");
    drop(explicit);
    let spans = installed.finish();
    let failing = named(&spans, "failing");
    assert_eq!(
        failing.status,
        Status::Error("upstream unavailable code=503".into())
    );
    assert_eq!(failing.checkpoints[0].name, "upstream unavailable code=503");
    assert_eq!(named(&spans, "innocent").status, Status::Ok);
    assert_eq!(
        named(&spans, "explicit target").status,
        Status::Error("went wrong".into())
    );
}

#[test]
fn error_events_can_be_checkpoints_only() {
    let installed = install(Sampler::always());
    let layer = TracingLayer::builder().error_events(false).build();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        tracing::info_span!("tolerant").in_scope(|| tracing::error!("retrying"));
    });
    let spans = installed.finish();
    let s = named(&spans, "tolerant");
    assert_eq!(s.status, Status::Ok);
    assert_eq!(s.checkpoints[0].name, "retrying");
}

#[test]
fn follows_from_becomes_a_link() {
    bridge_everywhere();
    let installed = install(Sampler::always());
    let cause = tracing::info_span!(parent: None, "cause");
    let effect = tracing::info_span!(parent: None, "effect");
    effect.follows_from(&cause);
    drop((cause, effect));
    let spans = installed.finish();
    let (cause, effect) = (named(&spans, "cause"), named(&spans, "effect"));
    assert_ne!(cause.trace_id, effect.trace_id);
    assert_eq!(
        effect.links,
        [Link {
            trace_id: cause.trace_id,
            span_id: cause.span_id
        }]
    );
}

#[test]
fn a_span_closed_on_another_thread_ends_there() {
    bridge_everywhere();
    let installed = install(Sampler::always());
    let span = tracing::info_span!("moving");
    span.in_scope(|| tracing::info!("started here"));
    let parent_trace = std::thread::spawn(move || {
        span.in_scope(|| tracing::info_span!("child over there").in_scope(|| {}));
        let trace = span.in_scope(|| current::context().unwrap().trace_id());
        // After its last exit, before its close: `moving` must end after this one.
        trace_core::span("meanwhile").root().start().finish();
        drop(span);
        trace
    })
    .join()
    .unwrap();
    let spans = installed.finish();
    let moving = named(&spans, "moving");
    assert_eq!(moving.trace_id, parent_trace);
    assert!(
        moving.finish >= named(&spans, "meanwhile").finish,
        "the span ended when it was closed, not when it was last exited"
    );
    assert_eq!(moving.checkpoints.len(), 1);
    assert_child(named(&spans, "child over there"), moving);
}

#[test]
fn a_span_entered_on_two_threads_at_once_finishes_once() {
    bridge_everywhere();
    let installed = install(Sampler::always());
    let shared = tracing::info_span!("shared");
    std::thread::scope(|s| {
        for i in 0..2 {
            let shared = &shared;
            s.spawn(move || {
                shared.in_scope(|| {
                    tracing::info_span!("worker", i).in_scope(|| {});
                });
            });
        }
    });
    drop(shared);
    let spans = installed.finish();
    let shared = named(&spans, "shared");
    let workers: Vec<_> = spans.iter().filter(|s| s.name == "worker").collect();
    assert_eq!(workers.len(), 2);
    for w in workers {
        assert_child(w, shared);
    }
}
