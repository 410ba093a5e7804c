//! What the driver reads about a server process from `/proc`: CPU time of all its threads (and of
//! its tokio worker alone), and its peak resident memory.

use std::time::Duration;

use crate::Error;

/// CPU time of a process, split into its tokio worker thread(s) and everything else.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cpu {
    /// utime + stime of the whole process (all threads, living and exited).
    pub total: Duration,
    /// utime + stime of the thread named [`WORKER`].
    pub worker: Duration,
}

impl std::ops::Sub for Cpu {
    type Output = Cpu;
    fn sub(self, rhs: Cpu) -> Cpu {
        Cpu {
            total: self.total.saturating_sub(rhs.total),
            worker: self.worker.saturating_sub(rhs.worker),
        }
    }
}

/// The name of the server's tokio worker thread (at most 15 bytes: Linux cuts `comm` there).
pub const WORKER: &str = "bench-worker";

fn ticks_per_second() -> u64 {
    // SAFETY: sysconf only reads a configuration value.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(t).ok().filter(|&t| t > 0).unwrap_or(100)
}

/// (comm, utime + stime in ticks) from a `stat` file; comm may hold spaces and parentheses.
fn parse_stat(text: &str) -> Result<(String, u64), Error> {
    let open = text.find('(').ok_or("stat: no comm")?;
    let close = text.rfind(')').ok_or("stat: no comm")?;
    let comm = text[open + 1..close].to_owned();
    // After comm: state is field 3; utime and stime are fields 14 and 15.
    let fields: Vec<&str> = text[close + 1..].split_whitespace().collect();
    let get = |n: usize| -> Result<u64, Error> {
        Ok(fields.get(n - 3).ok_or("stat: too few fields")?.parse()?)
    };
    Ok((comm, get(14)? + get(15)?))
}

/// Reads the CPU time of process `pid` now.
pub fn cpu(pid: u32) -> Result<Cpu, Error> {
    let tick = ticks_per_second();
    let to_time = |t: u64| Duration::from_nanos(t * 1_000_000_000 / tick);
    let (_, total) = parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat"))?)?;
    let mut worker = 0;
    for entry in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let Ok(text) = std::fs::read_to_string(entry?.path().join("stat")) else {
            continue; // the thread just exited
        };
        let (comm, t) = parse_stat(&text)?;
        if comm == WORKER {
            worker += t;
        }
    }
    Ok(Cpu {
        total: to_time(total),
        worker: to_time(worker),
    })
}

/// Peak resident set size (VmHWM) of process `pid`, in bytes.
pub fn peak_rss(pid: u32) -> Result<u64, Error> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .ok_or("status: no VmHWM")?;
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .ok_or("status: empty VmHWM")?
        .parse()?;
    Ok(kb * 1024)
}
