//! Runs one shape of one tracer N times, for `valgrind --tool=callgrind`: instructions do not
//! depend on the machine's load, so they back the timings of `peers.rs` with a noise-free count.
//!
//! `instructions <peer> <shape> <iterations>`: the loop is in [`measured`], which
//! `scripts/bench.sh` passes to callgrind's `--toggle-collect`, so set-up, warm-up, the collector
//! thread and shutdown are not counted. With no arguments (as `cargo test --benches` runs it),
//! every workload runs a few times as a smoke test.

mod support;

use std::hint::black_box;
use std::process::ExitCode;

use support::{Peer, Shape, shapes};

/// The measured loop; kept out of line so callgrind can collect inside it only.
#[inline(never)]
fn measured(work: fn() -> u64, iterations: u64) -> u64 {
    let mut acc = 0u64;
    for _ in 0..iterations {
        acc = acc.wrapping_add(black_box(work()));
    }
    acc
}

fn run(peer: Peer, shape: Shape, iterations: u64) -> Result<(), String> {
    let work = shapes::workload(peer, shape)
        .ok_or_else(|| format!("{} has no {} shape", peer.name(), shape.name()))?;
    let session = shapes::Session::start(peer, shape)
        .ok_or_else(|| format!("{}/{} cannot be arranged", shape.name(), peer.name()))?;
    // Warm up: connects the thread to the tracer and fills lazily initialised state. As many
    // iterations as are measured, then a pause in which the background threads catch up: the
    // measured loop then finds the steady state a long-running program is in (for ours, emptied
    // data boxes back from the collector), rather than what callgrind's one-thread-at-a-time
    // scheduling leaves (a collector that has barely run).
    for _ in 0..iterations.max(10) {
        black_box(work());
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    black_box(measured(work, iterations));
    session.end(&format!("{}/{}", shape.name(), peer.name()));
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let result = match &args[..] {
        [] => Shape::ALL.into_iter().try_for_each(|shape| {
            Peer::ALL.into_iter().try_for_each(|peer| {
                if shapes::workload(peer, shape).is_none() {
                    return Ok(());
                }
                // tracing's "no subscriber" case is only possible before its subscriber is set.
                match run(peer, shape, 3) {
                    Err(e) if e.ends_with("cannot be arranged") => Ok(()),
                    other => other,
                }
            })
        }),
        [peer, shape, iterations] => (|| {
            let peer = Peer::parse(peer).ok_or_else(|| format!("unknown peer `{peer}`"))?;
            let shape = Shape::parse(shape).ok_or_else(|| format!("unknown shape `{shape}`"))?;
            let iterations = iterations
                .parse()
                .map_err(|e| format!("iterations `{iterations}`: {e}"))?;
            run(peer, shape, iterations)
        })(),
        _ => Err("usage: instructions <peer> <shape> <iterations>".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("instructions: {e}");
            ExitCode::FAILURE
        }
    }
}
