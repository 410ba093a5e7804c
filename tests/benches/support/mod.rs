//! The workloads of the side-by-side benchmark, built once per tracer so the criterion bench
//! (`peers.rs`) and the callgrind driver (`instructions.rs`) run exactly the same code.
//!
//! Every tracer gets the same shapes, each a `fn() -> u64` that runs one iteration: see [`Shape`].
//! The traced functions have the same body as the plain ones (`black_box(x).wrapping_mul(31)`), so
//! the difference to [`plain`] is the cost of the span.

// Both bench binaries include this module and each uses a part of it.
#![allow(dead_code)]

/// The workloads every traced module runs, composed from that module's instrumented pieces
/// (`in_root`, `child`, `nest`, `child_async`, `tag_i64`, `tag_str`): only the pieces differ
/// between tracers, so every tracer runs exactly the same shapes.
macro_rules! composed_workloads {
    () => {
        pub fn child100() -> u64 {
            in_root(|| (0..100).fold(0u64, |acc, i| acc.wrapping_add(child(i))))
        }

        pub fn deep10() -> u64 {
            in_root(|| nest(9))
        }

        pub fn async100() -> u64 {
            in_root(|| {
                block_on(async {
                    let mut acc = 0u64;
                    for i in 0..100 {
                        acc = acc.wrapping_add(child_async(i).await);
                    }
                    acc
                })
            })
        }

        pub fn tag_i64_100() -> u64 {
            in_root(|| (0..100).fold(0u64, |acc, i| acc.wrapping_add(tag_i64(i))))
        }

        pub fn tag_str_100() -> u64 {
            in_root(|| (0..100).fold(0u64, |acc, i| acc.wrapping_add(tag_str(i))))
        }
    };
}
pub(crate) use composed_workloads;

pub mod cpu;
pub mod executor;
pub mod load;
pub mod ours;
pub mod ours_api;
pub mod plain;
pub mod shapes;
pub mod with_fastrace;
pub mod with_tracing;

pub use shapes::{Peer, Shape};

/// Whether this process was started by `cargo bench` (full measurement) rather than by
/// `cargo test --benches` / `--all-targets`, which runs each bench binary once in test mode and
/// must stay quick.
pub fn full_run() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test" || a == "--list")
}
