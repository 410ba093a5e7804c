//! CPU time of the process and of the calling thread, and resident memory: to split a span's cost
//! between the caller and the tracer's background threads, and to see what a backlog costs.

use std::time::Duration;

fn clock(id: libc::clockid_t) -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec and `id` is one of the clocks Linux always has.
    let rc = unsafe { libc::clock_gettime(id, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(
        u64::try_from(ts.tv_sec).unwrap_or(0),
        u32::try_from(ts.tv_nsec).unwrap_or(0),
    )
}

/// CPU time used by every thread of this process so far, including threads that have exited.
pub fn process() -> Duration {
    clock(libc::CLOCK_PROCESS_CPUTIME_ID)
}

/// CPU time used by the calling thread so far.
pub fn thread() -> Duration {
    clock(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// Resident set size of this process in bytes (0 if `/proc` cannot tell).
pub fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// A criterion measurement that reads the benchmarking thread's CPU time instead of the wall
/// clock. On a small shared machine the wall clock also counts the time the thread waited for a
/// core (another process, or the tracer's own collector thread, ran): the caller's CPU time is
/// what the span cost it. Background threads are measured separately (see `load.rs`).
pub struct ThreadCpu {
    wall: criterion::measurement::WallTime,
}

impl ThreadCpu {
    pub fn new() -> Self {
        Self {
            wall: criterion::measurement::WallTime,
        }
    }
}

impl std::fmt::Debug for ThreadCpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ThreadCpu")
    }
}

impl criterion::measurement::Measurement for ThreadCpu {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        thread()
    }
    fn end(&self, start: Duration) -> Duration {
        thread().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn criterion::measurement::ValueFormatter {
        // Same unit as the wall clock: nanoseconds.
        criterion::measurement::Measurement::formatter(&self.wall)
    }
}
