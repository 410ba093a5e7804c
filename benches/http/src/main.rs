//! The end-to-end HTTP benchmark of issue 17: an axum 0.8 service on one tokio worker thread,
//! `GET /work/{n}` calling five instrumented `async fn`s (six spans a request), traced by this
//! project and by what users run today, each variant in a process of its own under a load
//! generator in another process.
//!
//! ```text
//! http-bench run                      the whole benchmark (see `driver` for its environment)
//! http-bench server VARIANT           one server; prints `PORT n`, then obeys `flush`, `stats`, `quit` on stdin
//! http-bench load PORT CONNS N [RATE] N requests on CONNS keep-alive connections (closed loop), or at RATE/s (open loop)
//! http-bench hog                      spins one thread until killed
//! http-bench profile VARIANT [N]      one server under $HTTP_BENCH_SERVER_WRAPPER, N requests
//! ```
//!
//! `scripts/bench.sh http` builds it in the bench profile and runs `http-bench run`.

mod app;
mod driver;
mod load;
mod procfs;
mod report;
mod server;
mod sink;
mod variant;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => driver::run(),
        Some("profile") => driver::profile(&args[1..]),
        Some("server") => server::main(&args[1..]),
        Some("load") => load::main(&args[1..]),
        Some("hog") => hog(),
        _ => Err("usage: http-bench run | server VARIANT | load PORT CONNS N [RATE] | hog | profile VARIANT [N]".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("http-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A boxed error with a message: this is a command-line tool that reports and exits.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Keeps one core busy until killed: the neighbour that a busy host or a CPU quota gives a service.
fn hog() -> Result<(), Error> {
    let mut x = 0u64;
    loop {
        for i in 0..1_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i));
        }
    }
}
