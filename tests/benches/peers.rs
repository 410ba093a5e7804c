//! Side by side: this project's tracer, `tracing` (+ a recording layer), `fastrace` (+ a counting
//! reporter) and plain calls, in the shapes of issue 6. Run with `scripts/bench.sh`, which turns
//! criterion's estimates into one table of ns per span.
//!
//! Under `cargo test --benches` / `--all-targets` every workload runs once (criterion's test mode)
//! and the load measurements run a few hundred spans, so tests stay quick.

mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::Criterion;
use criterion::measurement::{Measurement, WallTime};

use support::{Peer, Shape, full_run, shapes};

fn bench_shape<M: Measurement>(c: &mut Criterion<M>, shape: Shape) {
    let mut group = c.benchmark_group(shape.name());
    for peer in Peer::ALL {
        let Some(work) = shapes::workload(peer, shape) else {
            continue;
        };
        let label = format!("{}/{}", shape.name(), peer.name());
        let Some(session) = shapes::Session::start(peer, shape) else {
            println!("EXTRA skipped {label}: cannot be arranged in this process");
            continue;
        };
        group.bench_function(peer.name(), |b| b.iter(|| black_box(work())));
        session.end(&label);
    }
    group.finish();
}

fn run<M: Measurement>(c: Criterion<M>) {
    let mut c = c
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
        .sample_size(20)
        .configure_from_args();
    for shape in Shape::ALL {
        bench_shape(&mut c, shape);
    }
    c.final_summary();
}

fn main() {
    // BENCH_LOAD_ONLY=1 skips criterion and runs only the load measurements.
    if std::env::var("BENCH_LOAD_ONLY").is_ok_and(|v| v == "1") {
        support::load::run(full_run());
        return;
    }
    // The caller's CPU time by default; BENCH_CLOCK=wall for the wall clock.
    if std::env::var("BENCH_CLOCK").is_ok_and(|v| v == "wall") {
        run(Criterion::default().with_measurement(WallTime));
    } else {
        run(Criterion::default().with_measurement(support::cpu::ThreadCpu::new()));
    }
    support::load::run(full_run());
}
