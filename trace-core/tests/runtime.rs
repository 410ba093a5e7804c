//! The runtime end to end: spans opened on threads and tasks reach the recorder with the right
//! parents, times, tags and status, and the counters agree.

mod support;

use std::time::Duration;

use support::{install, serial};
use trace_core::{
    Callsite, FutureExt, Sampler, Span, SpanContext, SpanGuard, SpanId, SpanKind, Status, TagValue,
    TailRule, TraceFlags, TraceId, Tracer, current, span,
};

static OUTER: Callsite = Callsite::new("outer", SpanKind::Server, module_path!(), file!(), line!());
static INNER: Callsite = Callsite::new(
    "inner",
    SpanKind::Internal,
    module_path!(),
    file!(),
    line!(),
);

#[test]
fn nested_spans_form_a_tree() {
    let _serial = serial();
    let (rec, tracer) = install(Tracer::builder().service("svc"));
    {
        let mut outer = SpanGuard::enter(&OUTER);
        outer.set_tag("user", "ann");
        outer.set_tag("attempt", 2);
        {
            let _inner = SpanGuard::enter(&INNER);
            current::set_tag("rows", 10);
            current::checkpoint("loaded");
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    let stats = tracer.shutdown().unwrap();
    let outer = rec.named("outer");
    let inner = rec.named("inner");
    assert_eq!(outer.parent_id, None);
    assert_eq!(outer.kind, SpanKind::Server);
    assert_eq!(&*outer.service, "svc");
    assert_eq!(inner.trace_id, outer.trace_id);
    assert_eq!(inner.parent_id, Some(outer.span_id));
    assert_eq!(outer.tags.get("user"), Some(&TagValue::Str("ann".into())));
    assert_eq!(outer.tags.get("attempt"), Some(&TagValue::Int(2)));
    assert_eq!(inner.tags.get("rows"), Some(&TagValue::Int(10)));
    assert_eq!(inner.checkpoints.len(), 1);
    assert_eq!(inner.checkpoints[0].name, "loaded");
    assert!(inner.duration >= Duration::from_millis(2));
    assert!(outer.start <= inner.start && inner.finish <= outer.finish);
    assert_eq!(
        outer.finish.duration_since(outer.start).unwrap(),
        outer.duration
    );
    let code = inner.code.as_ref().unwrap();
    assert_eq!(code.module.as_deref(), Some(module_path!()));
    assert!(code.file.ends_with("runtime.rs"));
    assert_eq!((stats.started, stats.finished, stats.recorded), (2, 2, 2));
    assert_eq!(stats.dropped.total(), 0);
}

#[test]
fn panics_mark_the_span_as_an_error() {
    let _serial = serial();
    let (rec, tracer) = install(Tracer::builder());
    let result = std::panic::catch_unwind(|| {
        let _span = span("boom").enter();
        panic!("expected by the test");
    });
    assert!(result.is_err());
    tracer.shutdown().unwrap();
    assert_eq!(rec.named("boom").status, Status::Error("panicked".into()));
}

#[test]
fn context_follows_threads_and_tasks() {
    let _serial = serial();
    let (rec, tracer) = install(Tracer::builder());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let root_ctx = {
        let root = span("root").enter();
        let handle = trace_core::thread::spawn(|| {
            let _t = span("on thread").enter();
        });
        handle.join().unwrap();
        rt.block_on(async {
            let task = async {
                let _before = span("before await").enter();
                drop(_before);
                tokio::time::sleep(Duration::from_millis(1)).await;
                let _after = span("after await").enter();
            };
            task.in_span(span("task").start()).await;
        });
        root.context().unwrap()
    };
    tracer.shutdown().unwrap();
    let task = rec.named("task");
    assert_eq!(rec.named("root").span_id, root_ctx.span_id());
    assert_eq!(rec.named("on thread").parent_id, Some(root_ctx.span_id()));
    assert_eq!(task.parent_id, Some(root_ctx.span_id()));
    assert_eq!(rec.named("before await").parent_id, Some(task.span_id));
    assert_eq!(rec.named("after await").parent_id, Some(task.span_id));
    assert!(
        rec.spans()
            .iter()
            .all(|s| s.trace_id == root_ctx.trace_id())
    );
}

/// What code inside a future sets on the current span is kept, on any poll: the last poll leaves
/// the span and finishes it in one step, which must not lose what that poll set.
#[test]
fn a_future_keeps_what_its_polls_set_on_the_current_span() {
    let _serial = serial();
    let (rec, tracer) = install(Tracer::builder());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let once = async {
            current::set_tag("first", 1);
            current::checkpoint("only poll");
        };
        once.in_span(span("one poll").start()).await;
        let twice = async {
            current::set_tag("before", 1);
            tokio::task::yield_now().await;
            current::set_tag("after", 2);
            current::set_error("failed on the last poll");
        };
        twice.in_span(span("two polls").start()).await;
    });
    tracer.shutdown().unwrap();
    let one = rec.named("one poll");
    assert_eq!(one.tags.get("first"), Some(&TagValue::Int(1)));
    assert_eq!(one.checkpoints.len(), 1);
    let two = rec.named("two polls");
    assert_eq!(two.tags.get("before"), Some(&TagValue::Int(1)));
    assert_eq!(two.tags.get("after"), Some(&TagValue::Int(2)));
    assert!(
        matches!(&two.status, Status::Error(m) if m == "failed on the last poll"),
        "{:?}",
        two.status
    );
}

#[test]
fn unsampled_traces_propagate_but_record_nothing() {
    let _serial = serial();
    let (rec, tracer) = install(Tracer::builder().sampler(Sampler::never()));
    let (outer_ctx, inner_ctx) = {
        let outer = span("outer").enter();
        let inner = span("inner").enter();
        (outer.context().unwrap(), inner.context().unwrap())
    };
    // An owned span gets its own id, since it may outlive its parent.
    let (owned, owner) = {
        let outer = span("outer").enter();
        let task = span("task").start();
        (task.context().cloned().unwrap(), outer.context().unwrap())
    };
    let stats = tracer.shutdown().unwrap();
    assert!(rec.spans().is_empty());
    assert_eq!(stats.started, 0);
    assert!(!outer_ctx.is_sampled());
    // A scoped child of an unsampled span shares its context: nothing records, the same propagates.
    assert_eq!(inner_ctx, outer_ctx);
    assert!(!owned.is_sampled());
    assert_eq!(owned.trace_id(), owner.trace_id());
    assert_ne!(owned.span_id(), owner.span_id());
}

#[test]
fn remote_parent_starts_a_local_root() {
    let _serial = serial();
    let (rec, tracer) = install(Tracer::builder());
    let remote = SpanContext::new_remote(TraceId::random(), SpanId::random(), TraceFlags::SAMPLED);
    {
        let _server = span("handle")
            .kind(SpanKind::Server)
            .child_of(remote.clone())
            .enter();
    }
    let unsampled = remote.clone().with_flags(TraceFlags::default());
    {
        let _ignored = span("not sampled upstream").child_of(unsampled).enter();
    }
    tracer.shutdown().unwrap();
    let handle = rec.named("handle");
    assert_eq!(handle.trace_id, remote.trace_id());
    assert_eq!(handle.parent_id, Some(remote.span_id()));
    assert_eq!(
        rec.spans().len(),
        1,
        "the default sampler follows the remote decision"
    );
}

#[test]
fn tail_rule_keeps_failed_and_slow_traces_only() {
    let _serial = serial();
    let (rec, tracer) = install(
        Tracer::builder()
            .sampler(Sampler::never())
            .tail_sampling(TailRule::errors().slower_than(Duration::from_millis(30))),
    );
    {
        let _ok = span("ok root").enter();
        let _child = span("ok child").enter();
    }
    {
        let _failed = span("failed root").enter();
        let mut child = span("failed child").enter();
        child.set_error("disk full");
    }
    {
        let _slow = span("slow root").enter();
        std::thread::sleep(Duration::from_millis(35));
    }
    let stats = tracer.shutdown().unwrap();
    let mut names: Vec<_> = rec.spans().iter().map(|s| s.name.to_string()).collect();
    names.sort();
    assert_eq!(names, ["failed child", "failed root", "slow root"]);
    assert_eq!(stats.tail_kept, 3);
    assert_eq!(stats.tail_discarded, 2);
    assert_eq!(stats.finished, stats.accounted_for());
}

#[test]
fn a_full_queue_drops_and_counts() {
    let _serial = serial();
    let (rec, tracer) = install(
        Tracer::builder()
            .queue_capacity(8)
            .queue_limit(32)
            .collect_interval(Duration::from_secs(60)),
    );
    // One thread, far more spans than its queue holds, faster than the collector wakes.
    for _ in 0..10_000 {
        let _s = span("burst").enter();
    }
    let stats = tracer.shutdown().unwrap();
    assert_eq!(stats.finished, 10_000);
    assert!(stats.dropped.queue_full > 0, "{stats:?}");
    assert_eq!(stats.accounted_for(), stats.finished);
    assert_eq!(rec.spans().len() as u64, stats.recorded);
}

#[test]
fn a_full_queue_grows_up_to_its_limit_instead_of_dropping() {
    let _serial = serial();
    let (rec, tracer) = install(
        Tracer::builder()
            .queue_capacity(8)
            .collect_interval(Duration::from_secs(60)),
    );
    // A burst far beyond the first queue, faster than the collector wakes: the queue doubles
    // (8 -> 16 384) and the collector follows each new queue after draining the old one.
    for i in 0..10_000 {
        let mut s = span("burst").enter();
        s.set_tag("i", i);
    }
    let stats = tracer.shutdown().unwrap();
    assert_eq!(stats.finished, 10_000);
    assert_eq!(stats.dropped.total(), 0, "{stats:?}");
    assert_eq!(stats.recorded, 10_000);
    // In the order they finished, across the queues the thread moved through.
    let order: Vec<i64> = rec
        .spans()
        .iter()
        .map(|s| match s.tags.get("i") {
            Some(trace_core::TagValue::Int(i)) => *i,
            other => panic!("tag i: {other:?}"),
        })
        .collect();
    assert_eq!(order, (0..10_000).collect::<Vec<_>>());
}

#[test]
fn owned_span_can_finish_on_another_thread() {
    let _serial = serial();
    let (rec, tracer) = install(Tracer::builder());
    let mut job = span("job").start();
    job.set_tag("queue", "emails");
    std::thread::spawn(move || {
        let mut entered = job.enter();
        entered.checkpoint("picked up");
        let _step = span("step").enter();
    })
    .join()
    .unwrap();
    tracer.shutdown().unwrap();
    let job = rec.named("job");
    assert_eq!(rec.named("step").parent_id, Some(job.span_id));
    assert_eq!(job.checkpoints[0].name, "picked up");
    let _ = Span::disabled();
}

#[test]
fn installing_twice_is_refused_and_no_tracer_costs_nothing() {
    let _serial = serial();
    {
        let off = span("untraced").enter();
        assert!(off.context().is_none() && !off.is_recording());
    }
    let tracer = Tracer::builder().install().unwrap();
    let err = Tracer::builder().install().unwrap_err();
    assert!(err.to_string().contains("already installed"));
    drop(tracer);
    Tracer::builder().install().unwrap().shutdown().unwrap();
}
