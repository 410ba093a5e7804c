//! The tail rule keeps every failed or slow trace that the head sampler let go, complete or
//! marked incomplete with the number of spans it lost, whichever thread its spans end on and
//! in whichever order; and it keeps nothing else. Every span is accounted for in `stats()`.
//!
//! The thread cases run many traces in one test, against a collector draining every
//! millisecond, since what they guard against is a race between the rings of different threads.

#[allow(dead_code)] // each test binary uses a part of the helpers
mod support;

use std::collections::HashMap;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use support::{Collect, install, serial};
use trace_core::{
    Sampler, SpanRecord, Stats, TRACE_INCOMPLETE_TAG, TagValue, TailRule, TraceId, Tracer,
    TracerBuilder, TracerGuard, orphaned_spans, span,
};

const RUNS: usize = 200;

/// Unsampled traces, a tail rule, and a collector that drains every millisecond so that it often
/// looks at the rings while a trace is half-way through them.
fn tail_builder(rule: TailRule, grace: Duration) -> TracerBuilder {
    Tracer::builder()
        .sampler(Sampler::never())
        .tail_sampling(rule)
        .tail_grace(grace)
        .collect_interval(Duration::from_millis(1))
}

/// The recorded spans by trace.
fn traces(rec: &Collect) -> HashMap<TraceId, Vec<SpanRecord>> {
    let mut by_trace: HashMap<TraceId, Vec<SpanRecord>> = HashMap::new();
    for s in rec.spans() {
        by_trace.entry(s.trace_id).or_default().push(s);
    }
    by_trace
}

/// Asserts that exactly `count` traces were recorded, each with exactly the spans `names` and
/// no incompleteness mark.
fn assert_complete(rec: &Collect, count: usize, names: &[&str]) {
    let traces = traces(rec);
    assert_eq!(traces.len(), count, "traces kept");
    let mut expected: Vec<_> = names.to_vec();
    expected.sort_unstable();
    for spans in traces.values() {
        let mut got: Vec<_> = spans.iter().map(|s| &*s.name).collect();
        got.sort_unstable();
        assert_eq!(got, expected, "{spans:#?}");
        assert!(
            spans
                .iter()
                .all(|s| s.tags.get(TRACE_INCOMPLETE_TAG).is_none()),
            "{spans:#?}"
        );
    }
}

/// Every span that finished is recorded, dropped or let go, and nothing is held any more.
/// Shuts the tracer down and checks what every thread case checks: `RUNS` failed traces of
/// `names` kept complete, `(kept, discarded)` traces, every span accounted for.
fn shutdown_and_check(
    tracer: TracerGuard,
    rec: &Collect,
    names: &[&str],
    (kept, discarded): (u64, u64),
) -> Stats {
    let stats = tracer.shutdown().unwrap();
    assert_complete(rec, RUNS, names);
    assert_eq!(
        (stats.tail.traces_kept, stats.tail.traces_discarded),
        (kept, discarded)
    );
    assert_accounted(&stats);
    stats
}

fn assert_accounted(stats: &Stats) {
    assert_eq!(stats.finished, stats.accounted_for(), "{stats:#?}");
    assert_eq!(stats.tail.held_spans, 0, "{stats:#?}");
    assert_eq!(stats.started, stats.finished + stats.open_at_shutdown);
}

/// Waits until the collector's counters satisfy `done`; fails (it does not pass) after a minute.
fn wait_for(tracer: &TracerGuard, done: impl Fn(&Stats) -> bool) {
    let since = Instant::now();
    loop {
        let stats = tracer.stats();
        if done(&stats) {
            return;
        }
        assert!(
            since.elapsed() < Duration::from_secs(60),
            "the collector never got there: {stats:#?}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_failing_child_on_a_joined_thread_keeps_its_trace() {
    let _serial = serial();
    // No grace window: only the drain pass after the root protects the child here.
    let (rec, tracer) = install(tail_builder(TailRule::errors(), Duration::ZERO));
    for i in 0..2 * RUNS {
        let _root = span("root").enter();
        trace_core::thread::spawn(move || {
            let mut child = span("child").enter();
            if i % 2 == 0 {
                child.set_error("failed");
            }
        })
        .join()
        .unwrap();
    }
    let stats = shutdown_and_check(tracer, &rec, &["root", "child"], (200, 200));
    assert_eq!((stats.tail_kept, stats.tail_discarded), (400, 400));
}

#[test]
fn a_failing_child_on_a_long_lived_worker_thread_keeps_its_trace() {
    let _serial = serial();
    let (rec, tracer) = install(tail_builder(TailRule::errors(), Duration::ZERO));
    type Job = Box<dyn FnOnce() + Send>;
    let (jobs, queue) = mpsc::channel::<Job>();
    let (done, finished) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        for job in queue {
            job();
            done.send(()).unwrap();
        }
    });
    // A warm-up span, so the worker's ring is registered (and drained) before the test thread's:
    // a decision made at the end of the pass that saw the root could miss the child.
    jobs.send(Box::new(|| drop(span("warm-up").enter())))
        .unwrap();
    finished.recv().unwrap();
    for i in 0..2 * RUNS {
        let _root = span("root").enter();
        jobs.send(Box::new(trace_core::thread::wrap(move || {
            let mut child = span("pooled child").enter();
            if i % 2 == 1 {
                child.set_error("failed");
            }
        })))
        .unwrap();
        finished.recv().unwrap();
    }
    drop(jobs);
    worker.join().unwrap();
    shutdown_and_check(tracer, &rec, &["root", "pooled child"], (200, 201));
}

// Spawns with the helpers of the `tokio` feature.
#[cfg(feature = "tokio")]
#[test]
fn failing_work_in_spawn_blocking_and_across_await_keeps_its_trace() {
    use trace_core::FutureExt;

    let _serial = serial();
    let (rec, tracer) = install(tail_builder(TailRule::errors(), Duration::ZERO));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    rt.block_on(async {
        for i in 0..2 * RUNS {
            async move {
                trace_core::tokio::spawn_blocking(move || {
                    let mut child = span("blocking child").enter();
                    if i % 2 == 0 {
                        child.set_error("failed");
                    }
                })
                .await
                .unwrap();
                tokio::task::yield_now().await;
                trace_core::tokio::spawn(
                    async { tokio::task::yield_now().await }.in_span(span("task").start()),
                )
                .await
                .unwrap();
            }
            .in_span(span("async root").start())
            .await;
        }
    });
    drop(rt);
    shutdown_and_check(
        tracer,
        &rec,
        &["async root", "blocking child", "task"],
        (200, 200),
    );
}

// Spawns with the helpers of the `tokio` feature.
#[cfg(feature = "tokio")]
#[test]
fn a_failing_task_that_ends_after_an_await_elsewhere_keeps_its_trace() {
    use trace_core::FutureExt;

    let _serial = serial();
    let (rec, tracer) = install(tail_builder(TailRule::errors(), Duration::ZERO));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        for _ in 0..RUNS {
            async {
                let task = trace_core::tokio::spawn(
                    async {
                        tokio::task::yield_now().await;
                        let mut s = span("failing step").enter();
                        s.set_error("failed");
                    }
                    .in_span(span("task").start()),
                );
                tokio::task::yield_now().await;
                task.await.unwrap();
            }
            .in_span(span("async root").start())
            .await;
        }
    });
    drop(rt);
    let stats = tracer.shutdown().unwrap();
    assert_complete(&rec, RUNS, &["async root", "task", "failing step"]);
    assert_eq!(stats.tail.traces_kept, 200);
    assert_accounted(&stats);
}

#[test]
fn a_failing_span_that_ends_after_its_root_joins_the_trace() {
    let _serial = serial();
    // A grace window longer than the test: every trace is decided at shutdown, with its late
    // child, whatever the machine's pace.
    let (rec, tracer) = install(tail_builder(TailRule::errors(), Duration::from_secs(600)));
    let mut detached = Vec::new();
    for i in 0..2 * RUNS {
        let (go, wait) = mpsc::channel::<()>();
        {
            let _root = span("root").enter();
            detached.push(trace_core::thread::spawn(move || {
                wait.recv().unwrap();
                let mut child = span("detached child").enter();
                if i % 2 == 0 {
                    child.set_error("failed after the root");
                }
            }));
        }
        go.send(()).unwrap();
    }
    for d in detached {
        d.join().unwrap();
    }
    let stats = shutdown_and_check(tracer, &rec, &["root", "detached child"], (200, 200));
    assert_eq!(stats.tail.decided_at_shutdown, 400);
}

#[test]
fn ten_thousand_traces_keep_exactly_the_failed_and_the_slow_ones() {
    let _serial = serial();
    let threshold = Duration::from_secs(1);
    let (rec, tracer) = install(
        Tracer::builder()
            .sampler(Sampler::never())
            .tail_sampling(TailRule::errors().slower_than(threshold))
            .queue_capacity(1 << 16),
    );
    // Six spans: root, a sibling, and a chain four deep whose last span fails in 20 traces.
    let trace = |fail: bool| {
        let _root = span("root").enter();
        {
            let _sibling = span("sibling").enter();
        }
        let _d1 = span("depth 1").enter();
        let _d2 = span("depth 2").enter();
        let _d3 = span("depth 3").enter();
        let mut d4 = span("depth 4").enter();
        if fail {
            d4.set_error("failed deep down");
        }
    };
    // The slow roots run side by side, so the test takes a second, not twenty.
    let slow: Vec<_> = (0..20)
        .map(|_| {
            std::thread::spawn(move || {
                let _root = span("root").enter();
                let _sibling = span("sibling").enter();
                drop(_sibling);
                let _d1 = span("depth 1").enter();
                let _d2 = span("depth 2").enter();
                let _d3 = span("depth 3").enter();
                let _d4 = span("depth 4").enter();
                std::thread::sleep(threshold + Duration::from_millis(100));
            })
        })
        .collect();
    for i in 0..9_980 {
        trace(i % 499 == 0 && i / 499 < 20);
    }
    for s in slow {
        s.join().unwrap();
    }
    let stats = tracer.shutdown().unwrap();
    let names = [
        "root", "sibling", "depth 1", "depth 2", "depth 3", "depth 4",
    ];
    assert_complete(&rec, 40, &names);
    let failed = rec.spans().iter().filter(|s| s.status.is_error()).count();
    assert_eq!(failed, 20);
    assert_eq!(
        (stats.tail.traces_kept, stats.tail.traces_discarded),
        (40, 9_960)
    );
    assert_eq!((stats.tail_kept, stats.tail_discarded), (240, 59_760));
    assert_eq!(stats.dropped.total(), 0);
    assert_accounted(&stats);
}

#[test]
fn evicted_spans_are_marked_on_the_kept_root() {
    let _serial = serial();
    let (rec, tracer) = install(
        tail_builder(TailRule::errors().max_buffered_spans(1_000), Duration::ZERO)
            .queue_capacity(1 << 16),
    );
    // 2,000 traces open at once, two finished children each: the buffer cannot hold them all.
    let mut roots = Vec::new();
    for _ in 0..2_000 {
        let root = span("root").start();
        let ctx = root.context().unwrap().clone();
        for _ in 0..2 {
            drop(span("child").child_of(ctx.clone()).enter());
        }
        roots.push(root);
    }
    tracer.flush().unwrap();
    // Twenty of them fail at the very end, in the root.
    for (i, mut root) in roots.into_iter().enumerate() {
        if i % 100 == 7 {
            root.set_error("failed at the end");
        }
        root.finish();
    }
    let stats = tracer.shutdown().unwrap();
    let traces = traces(&rec);
    assert_eq!(traces.len(), 20, "every failed trace is kept");
    let mut marked = 0;
    let mut missing = 0;
    for spans in traces.values() {
        let root = spans.iter().find(|s| s.name == "root").expect("root kept");
        assert!(root.status.is_error());
        let lost = match root.tags.get(TRACE_INCOMPLETE_TAG) {
            Some(TagValue::Int(n)) => {
                marked += 1;
                *n as usize
            }
            None => 0,
            other => panic!("{other:?}"),
        };
        missing += lost;
        assert_eq!(
            spans.len() + lost,
            3,
            "present + missing = the trace: {spans:#?}"
        );
    }
    assert!(
        marked > 0,
        "the buffer evicted some of the failed traces' children"
    );
    assert_eq!(stats.tail.incomplete_traces, marked);
    assert_eq!(stats.tail.missing_spans, missing as u64);
    assert!(stats.dropped.tail_buffer_full >= 3_000, "{stats:#?}");
    assert_accounted(&stats);
}

#[test]
fn shutdown_decides_held_traces_and_counts_open_spans() {
    let _serial = serial();
    let orphans_before = orphaned_spans();
    let (rec, tracer) = install(tail_builder(TailRule::errors(), Duration::from_secs(600)));
    let mut open = Vec::new();
    for i in 0..10 {
        let root = span("open root").start();
        let ctx = root.context().unwrap().clone();
        let mut child = span("child").child_of(ctx).enter();
        if i < 4 {
            child.set_error("failed");
        }
        drop(child);
        open.push(root);
    }
    for i in 0..6 {
        let _root = span("closed root").enter();
        if i < 3 {
            trace_core::current::set_error("failed");
        }
    }
    let stats = tracer.shutdown().unwrap();
    drop(open);
    // 4 failed traces without their open root, 3 failed closed roots.
    assert_eq!(stats.tail.decided_at_shutdown, 16);
    assert_eq!(
        (stats.tail.traces_kept, stats.tail.traces_discarded),
        (7, 9)
    );
    assert_eq!(stats.open_at_shutdown, 10);
    assert_eq!((stats.started, stats.finished), (26, 16));
    assert_eq!(stats.tail.incomplete_traces, 4, "the open root is missing");
    let fragments: Vec<_> = rec
        .spans()
        .into_iter()
        .filter(|s| s.name == "child")
        .collect();
    assert_eq!(fragments.len(), 4);
    for child in fragments {
        assert_eq!(
            child.tags.get(TRACE_INCOMPLETE_TAG),
            Some(&TagValue::Int(1))
        );
    }
    assert_eq!(orphaned_spans() - orphans_before, 10);
    assert_accounted(&stats);
}

#[test]
fn late_spans_follow_a_remembered_decision() {
    let _serial = serial();
    let (rec, tracer) = install(tail_builder(TailRule::errors(), Duration::ZERO));
    // Three traces whose roots end with a child still open: one failed, two did not.
    let mut late = Vec::new();
    for fail in [true, false, false] {
        let mut root = span("root").start();
        let ctx = root.context().unwrap().clone();
        late.push(span("late child").child_of(ctx).start());
        if fail {
            root.set_error("failed");
        }
        root.finish();
    }
    wait_for(&tracer, |s| {
        s.tail.traces_kept + s.tail.traces_discarded == 3
    });
    let mut late = late.into_iter();
    late.next().unwrap().finish(); // follows "kept"
    late.next().unwrap().finish(); // follows "let go"
    let mut rescuer = late.next().unwrap();
    rescuer.set_error("failed after the decision");
    rescuer.finish(); // a failure: kept on its own, marked
    let stats = tracer.shutdown().unwrap();
    assert_eq!(stats.tail.late_spans, 3);
    assert_eq!(stats.tail.rescued_late, 1);
    assert_eq!((stats.tail_kept, stats.tail_discarded), (3, 3));
    let traces = traces(&rec);
    assert_eq!(traces.len(), 2);
    let rescued: Vec<_> = traces.values().filter(|t| t.len() == 1).collect();
    assert_eq!(rescued.len(), 1);
    assert_eq!(
        rescued[0][0].tags.get(TRACE_INCOMPLETE_TAG),
        Some(&TagValue::Int(1)),
        "its root was let go"
    );
    assert_accounted(&stats);
}

#[test]
fn late_spans_after_a_forgotten_decision_are_counted() {
    let _serial = serial();
    let (rec, tracer) = install(tail_builder(
        TailRule::errors().remembered_decisions(10),
        Duration::ZERO,
    ));
    let mut root = span("root").start();
    let ctx = root.context().unwrap().clone();
    let late = span("late child").child_of(ctx).start();
    root.set_error("failed");
    root.finish();
    wait_for(&tracer, |s| s.tail.traces_kept == 1);
    for _ in 0..20 {
        let _other = span("other").enter();
    }
    wait_for(&tracer, |s| s.tail.traces_discarded == 20);
    late.finish();
    let stats = tracer.shutdown().unwrap();
    assert_eq!(stats.dropped.tail_decision_forgotten, 1);
    assert_eq!(stats.tail.late_spans, 0);
    assert_eq!(rec.spans().len(), 1, "the root alone");
    assert_accounted(&stats);
}

#[test]
fn a_slow_second_local_root_rescues_a_trace_already_let_go() {
    let _serial = serial();
    let threshold = Duration::from_secs(1);
    let (rec, tracer) = install(tail_builder(TailRule::slow(threshold), Duration::ZERO));
    // A service calling itself: the outer request's context goes out, comes back as a remote
    // parent, and the inner request (a second local root of the trace) ends quickly.
    let mut outer = span("outer request").start();
    let remote = trace_core::SpanContext::new_remote(
        outer.context().unwrap().trace_id(),
        outer.context().unwrap().span_id(),
        trace_core::TraceFlags::default(),
    );
    drop(span("inner request").child_of(remote).enter());
    wait_for(&tracer, |s| s.tail.traces_discarded == 1);
    std::thread::sleep(threshold);
    outer.set_tag("done", true);
    outer.finish();
    let stats = tracer.shutdown().unwrap();
    assert_eq!(stats.tail.rescued_late, 1);
    let spans = rec.spans();
    assert_eq!(spans.len(), 1);
    assert_eq!(&*spans[0].name, "outer request");
    assert_eq!(
        spans[0].tags.get(TRACE_INCOMPLETE_TAG),
        Some(&TagValue::Int(1)),
        "the inner request was let go"
    );
    assert_accounted(&stats);
}

/// A second request of a trace that this process already decided (a later step of the same
/// workflow) is held and decided on its own, whether the first decision is remembered or not.
#[test]
fn a_trace_that_comes_back_later_is_decided_on_its_own() {
    let _serial = serial();
    let (rec, tracer) = install(tail_builder(
        TailRule::errors().remembered_decisions(10),
        Duration::ZERO,
    ));
    let visit = |trace_id: TraceId, fail: bool| {
        let caller = trace_core::SpanContext::new_remote(
            trace_id,
            trace_core::SpanId::random(),
            trace_core::TraceFlags::default(),
        );
        let _request = span("request").child_of(caller).enter();
        let mut step = span("step").enter();
        if fail {
            step.set_error("failed");
        }
    };
    let remembered = TraceId::random();
    let forgotten = TraceId::random();
    visit(forgotten, false);
    wait_for(&tracer, |s| s.tail.traces_discarded == 1);
    visit(remembered, false);
    wait_for(&tracer, |s| s.tail.traces_discarded == 2);
    // Ten more decisions: `forgotten` falls out of memory, `remembered` is the eleventh...
    for _ in 0..9 {
        drop(span("other").enter());
    }
    wait_for(&tracer, |s| s.tail.traces_discarded == 11);
    // ... still there, as the oldest.
    visit(remembered, true);
    visit(forgotten, true);
    let stats = tracer.shutdown().unwrap();
    let traces = traces(&rec);
    assert_eq!(traces.len(), 2, "{traces:#?}");
    let root = |id: TraceId| {
        let spans = &traces[&id];
        assert_eq!(spans.len(), 2, "{spans:#?}");
        spans.iter().find(|s| s.name == "request").unwrap().clone()
    };
    assert_eq!(
        root(remembered).tags.get(TRACE_INCOMPLETE_TAG),
        Some(&TagValue::Int(2)),
        "the first visit (2 spans) was let go"
    );
    assert_eq!(
        root(forgotten).tags.get(TRACE_INCOMPLETE_TAG),
        None,
        "nothing is known about the first visit any more"
    );
    assert_eq!(stats.dropped.tail_decision_forgotten, 0);
    assert_eq!(stats.tail.late_spans, 0);
    assert_eq!(stats.tail.traces_kept, 2);
    assert_accounted(&stats);
}

/// The case: a late child of a kept trace after 5,000 other traces is still kept.
#[test]
fn a_late_child_after_five_thousand_other_traces_follows_the_default_memory() {
    let _serial = serial();
    let (rec, tracer) =
        install(tail_builder(TailRule::errors(), Duration::ZERO).queue_capacity(1 << 14));
    let mut root = span("root").start();
    let ctx = root.context().unwrap().clone();
    let late = span("late child").child_of(ctx).start();
    root.set_error("failed");
    root.finish();
    wait_for(&tracer, |s| s.tail.traces_kept == 1);
    for _ in 0..5_000 {
        drop(span("other").enter());
    }
    wait_for(&tracer, |s| s.tail.traces_discarded == 5_000);
    late.finish();
    let stats = tracer.shutdown().unwrap();
    assert_eq!(stats.tail.late_spans, 1);
    assert_eq!(stats.dropped.tail_decision_forgotten, 0);
    assert_complete(&rec, 1, &["root", "late child"]);
    assert_accounted(&stats);
}
