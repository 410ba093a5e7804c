//! Measurements criterion does not make: where the CPU goes (caller vs background threads), cost per
//! span with one and two calling threads, and memory under a recorder that cannot keep up.
//!
//! Each prints `EXTRA <what> <peer> key=value ...` lines that `scripts/bench.sh` collects.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use trace_core::{Recorder, Tracer};
use trace_record::YamlRecorder;

use crate::support::shapes::{Peer, Session, Shape, workload};
use crate::support::{cpu, ours, with_fastrace};

/// Spans in one iteration of the child shape (root + 100 children).
const SPANS_PER_ITER: u64 = 101;

/// Runs every load measurement; small counts in test mode.
pub fn run(full: bool) {
    let iters: u64 = if full { 20_000 } else { 5 };
    for peer in [Peer::Ours, Peer::Fastrace, Peer::Tracing] {
        cpu_share(peer, iters);
    }
    for peer in [Peer::Ours, Peer::Fastrace, Peer::Tracing] {
        threads(peer, iters);
    }
    full_speed(iters);
    let overload_iters: u64 = if full { 10_000 } else { 5 };
    overload_ours(overload_iters);
    overload_fastrace(overload_iters);
    yaml(iters, true);
    yaml(iters, false);
}

/// Lets background threads finish what they were handed.
fn settle() {
    std::thread::sleep(Duration::from_millis(60));
}

/// Iterations run before measuring (to connect threads and warm caches); their spans are delivered
/// before the measurement starts or, in [`threads`], subtracted.
const WARM_ITERS: u64 = 10;

/// Iterations between two pauses of the producer in the CPU and thread measurements.
const PACE_EVERY: u64 = 10;

/// Gives the background threads room on a small machine: a sleeping caller uses no CPU, so the
/// CPU-time numbers are unchanged, and the collector can keep up instead of dropping spans (a
/// dropped span costs the collector nothing, which would flatter the ratio).
fn pace(i: u64) {
    if i % PACE_EVERY == PACE_EVERY - 1 {
        std::thread::sleep(Duration::from_micros(400));
    }
}

/// CPU per span of the caller's thread, and of the background threads (collector, sink) per span
/// they delivered.
fn cpu_share(peer: Peer, iters: u64) {
    let Some(work) = workload(peer, Shape::Child) else {
        return;
    };
    let Some(session) = Session::start(peer, Shape::Child) else {
        return;
    };
    for _ in 0..WARM_ITERS {
        black_box(work());
    }
    settle();
    let (process0, thread0) = (cpu::process(), cpu::thread());
    for i in 0..iters {
        black_box(work());
        pace(i);
    }
    let thread1 = cpu::thread();
    // Everything handed off must be processed inside the measured interval.
    let delivered = session
        .end(&format!("cpu/{}", peer.name()))
        .saturating_sub(WARM_ITERS * SPANS_PER_ITER);
    settle();
    let process1 = cpu::process();
    let produced = iters * SPANS_PER_ITER;
    let caller_cpu = thread1 - thread0;
    let background_cpu = (process1 - process0).saturating_sub(caller_cpu);
    let caller = caller_cpu.as_nanos() as f64 / produced as f64;
    let background = background_cpu.as_nanos() as f64 / delivered.max(1) as f64;
    let total = caller + background;
    println!(
        "EXTRA cpu {} produced={produced} delivered={delivered} caller_ns={caller:.1} background_ns={background:.1} total_ns={total:.1} ratio={:.2}",
        peer.name(),
        total / caller
    );
}

/// Caller's CPU per span with one calling thread, then two at once.
fn threads(peer: Peer, iters: u64) {
    let Some(work) = workload(peer, Shape::Child) else {
        return;
    };
    let mut results = Vec::new();
    for n in [1usize, 2] {
        let Some(session) = Session::start(peer, Shape::Child) else {
            return;
        };
        let barrier = Arc::new(Barrier::new(n));
        let handles: Vec<_> = (0..n)
            .map(|_| {
                let barrier = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    for _ in 0..WARM_ITERS {
                        black_box(work());
                    }
                    barrier.wait();
                    let cpu0 = cpu::thread();
                    for i in 0..iters {
                        black_box(work());
                        pace(i);
                    }
                    let spent = cpu::thread() - cpu0;
                    if peer == Peer::Tracing {
                        crate::support::with_tracing::flush_thread();
                    }
                    spent
                })
            })
            .collect();
        let times: Vec<Duration> = handles
            .into_iter()
            .map(|h| h.join().expect("bench thread"))
            .collect();
        let produced = iters * SPANS_PER_ITER * n as u64;
        let delivered = session
            .end(&format!("threads{n}/{}", peer.name()))
            .saturating_sub(WARM_ITERS * SPANS_PER_ITER * n as u64);
        let cpu_ns = times.iter().map(|t| t.as_nanos() as f64).sum::<f64>() / produced as f64;
        results.push((cpu_ns, delivered, produced));
    }
    if let [(cpu1, d1, p1), (cpu2, d2, p2)] = results[..] {
        println!(
            "EXTRA threads {} cpu1_ns={cpu1:.1} cpu2_ns={cpu2:.1} cpu_ratio={:.2} delivered1={d1}/{p1} delivered2={d2}/{p2}",
            peer.name(),
            cpu2 / cpu1
        );
    }
}

/// The recorder in the overload runs takes this long per span: about a million spans a second,
/// several times slower than the tracers produce them.
const SLOW_PER_SPAN: Duration = Duration::from_micros(1);

/// Our tracer with a slow recorder and the default queue: memory stays bounded and every span that
/// does not make it is counted.
fn overload_ours(iters: u64) {
    let count = Arc::new(AtomicU64::new(0));
    let guard = Tracer::builder()
        .service("bench-overload")
        .recorder(ours::Slow {
            per_span: SLOW_PER_SPAN,
            count: Arc::clone(&count),
        })
        .install()
        .expect("no other tracer is installed");
    let rss0 = cpu::rss_bytes();
    for _ in 0..iters {
        black_box(ours::child100());
    }
    let rss1 = cpu::rss_bytes();
    let stats = guard
        .shutdown()
        .expect("the slow recorder finishes its last batches");
    let produced = iters * SPANS_PER_ITER;
    let accounted = stats.accounted_for();
    println!(
        "EXTRA overload ours produced={produced} finished={} recorded={} dropped={} accounted={} rss_growth_mb={:.1}",
        stats.finished,
        stats.recorded,
        stats.dropped.total(),
        accounted == stats.finished && stats.finished == produced,
        rss1.saturating_sub(rss0) as f64 / 1e6
    );
}

/// fastrace with the same slow reporter: its queue grows with the backlog.
fn overload_fastrace(iters: u64) {
    with_fastrace::install();
    with_fastrace::flush();
    fastrace::set_reporter(with_fastrace::Slow(SLOW_PER_SPAN), with_fastrace::config());
    let reported0 = with_fastrace::REPORTED.load(Ordering::Relaxed);
    let rss0 = cpu::rss_bytes();
    for _ in 0..iters {
        black_box(with_fastrace::child100());
    }
    let rss1 = cpu::rss_bytes();
    let during = with_fastrace::REPORTED.load(Ordering::Relaxed) - reported0;
    // Back to the counting reporter, then drain the backlog.
    fastrace::set_reporter(with_fastrace::Count, with_fastrace::config());
    with_fastrace::flush();
    settle();
    let after = with_fastrace::REPORTED.load(Ordering::Relaxed) - reported0;
    println!(
        "EXTRA overload fastrace produced={} reported_while_producing={during} reported_after_drain={after} rss_growth_mb={:.1}",
        iters * SPANS_PER_ITER,
        rss1.saturating_sub(rss0) as f64 / 1e6
    );
}

/// What one unpaced run of child-shape traces cost, from install to shutdown.
struct FullSpeedRun {
    stats: trace_core::Stats,
    produced: u64,
    wall: Duration,
    /// CPU of the calling thread.
    caller: Duration,
    /// CPU of every other thread (collector, recorders) until shutdown returned.
    background: Duration,
}

/// Produces `iters` child-shape traces on this thread as fast as it can with `builder`'s tracer,
/// then shuts it down.
fn run_full_speed(builder: trace_core::TracerBuilder, iters: u64) -> FullSpeedRun {
    let guard = builder.install().expect("no other tracer is installed");
    let (wall0, process0, thread0) = (Instant::now(), cpu::process(), cpu::thread());
    for _ in 0..iters {
        black_box(ours::child100());
    }
    let thread1 = cpu::thread();
    let stats = guard.shutdown().expect("the recorder flushes");
    let (wall, process1) = (wall0.elapsed(), cpu::process());
    let caller = thread1 - thread0;
    FullSpeedRun {
        stats,
        produced: iters * SPANS_PER_ITER,
        wall,
        caller,
        background: (process1 - process0).saturating_sub(caller),
    }
}

/// One thread opening child-shape spans as fast as it can, unpaced, with the default configuration
/// (queue, collector cadence) and a counting recorder: the share of spans dropped (and counted) is
/// how far the collector falls behind a caller that does nothing but trace.
fn full_speed(iters: u64) {
    let count = Arc::new(AtomicU64::new(0));
    let builder = Tracer::builder()
        .service("bench-full-speed")
        .recorder(ours::Count(Arc::clone(&count)));
    let run = run_full_speed(builder, iters);
    let (stats, produced, wall) = (&run.stats, run.produced, run.wall);
    let (caller, background) = (run.caller, run.background);
    println!(
        "EXTRA full_speed ours produced={produced} recorded={} counted_by_recorder={} dropped={} dropped_pct={:.3} wall_s={:.3} caller_ns={:.1} background_ns={:.1}",
        stats.recorded,
        count.load(Ordering::Relaxed),
        stats.dropped.total(),
        100.0 * stats.dropped.total() as f64 / produced as f64,
        wall.as_secs_f64(),
        caller.as_nanos() as f64 / produced as f64,
        background.as_nanos() as f64 / stats.recorded.max(1) as f64,
    );
}

/// Our tracer writing every span as YAML: to a real file, or to `io::sink()` to separate
/// serialization from I/O. The caller produces child-shape traces as fast as it can with the default
/// queue, so the collector runs flat out and what it cannot take is dropped and counted: recorded
/// spans per second (wall, and per CPU-second of the background threads) is the recorder's
/// throughput, and the caller's cost per span shows it never waited.
fn yaml(iters: u64, to_file: bool) {
    let path = std::env::temp_dir().join(format!("bench-yaml-{}.yaml", std::process::id()));
    let recorder: Box<dyn Recorder> = if to_file {
        match YamlRecorder::truncate(&path) {
            Ok(r) => Box::new(r),
            Err(e) => {
                println!("EXTRA skipped yaml: cannot create {}: {e}", path.display());
                return;
            }
        }
    } else {
        Box::new(YamlRecorder::new(std::io::sink()))
    };
    let builder = Tracer::builder().service("bench-yaml").recorder(recorder);
    let run = run_full_speed(builder, iters);
    let (stats, produced, wall) = (&run.stats, run.produced, run.wall);
    let (caller, background) = (run.caller, run.background);
    let bytes = if to_file {
        std::fs::metadata(&path).map_or(0, |m| m.len())
    } else {
        0
    };
    let _ = std::fs::remove_file(&path);
    println!(
        "EXTRA yaml {} produced={produced} recorded={} dropped={} wall_s={:.3} spans_per_s={:.0} background_cpu_s={:.3} spans_per_cpu_s={:.0} caller_ns={:.1} file_mb={:.1}",
        if to_file { "ours" } else { "ours_sink" },
        stats.recorded,
        stats.dropped.total(),
        wall.as_secs_f64(),
        stats.recorded as f64 / wall.as_secs_f64(),
        background.as_secs_f64(),
        stats.recorded as f64 / background.as_secs_f64().max(1e-9),
        caller.as_nanos() as f64 / produced as f64,
        bytes as f64 / 1e6
    );
}
