// `FlushError::Lost` carries the counters (with the tail rule's, over 128 bytes): flush and
// shutdown are called a few times per run, so moving them costs nothing worth a box in the API.
#![allow(clippy::result_large_err)]

use std::fmt;
use std::sync::Arc;
use std::sync::mpsc::{self, SyncSender};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::collector::Command;
use crate::collector::global;
use crate::collector::shared::Shared;
use crate::collector::stats::Stats;

/// The installed tracer. Dropping it (or calling [`shutdown`](Self::shutdown)) delivers every
/// finished span to the recorders, shuts them down and uninstalls the tracer.
///
/// Keep it alive for as long as the program traces, typically as a local in `main`.
#[must_use = "dropping the guard shuts the tracer down at once"]
pub struct TracerGuard {
    generation: u64,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    timeout: Duration,
}

impl TracerGuard {
    pub(crate) fn new(
        generation: u64,
        shared: Arc<Shared>,
        thread: JoinHandle<()>,
        timeout: Duration,
    ) -> Self {
        Self {
            generation,
            shared,
            thread: Some(thread),
            timeout,
        }
    }

    /// Delivers every span finished so far to the recorders and flushes them; returns once they
    /// are done (or the shutdown timeout passed). Spans of unsampled traces that the tail rule
    /// has not decided yet stay held: they are delivered when their trace is kept.
    ///
    /// Fails with [`FlushError::Lost`] when the recorders lost spans since the last flush or
    /// shutdown answered (a failed write, an unreachable server): they are counted in
    /// [`Stats::dropped`] too.
    pub fn flush(&self) -> Result<(), FlushError> {
        self.request(Command::Flush)
    }

    /// The tracer's counters now.
    pub fn stats(&self) -> Stats {
        self.shared.stats.snapshot()
    }

    /// Uninstalls the tracer, delivers every finished span, shuts the recorders down and returns
    /// the final counters; fails as [`flush`](Self::flush) does when spans were lost since the
    /// last flush.
    pub fn shutdown(mut self) -> Result<Stats, FlushError> {
        self.shutdown_in_place()?;
        Ok(self.stats())
    }

    fn shutdown_in_place(&mut self) -> Result<(), FlushError> {
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        global::uninstall(self.generation);
        self.request(Command::Shutdown)?;
        let _ = thread.join();
        Ok(())
    }

    fn request(&self, command: fn(SyncSender<u64>) -> Command) -> Result<(), FlushError> {
        let (done, wait) = mpsc::sync_channel(1);
        self.shared
            .commands
            .send(command(done))
            .map_err(|_| FlushError::Stopped)?;
        match wait.recv_timeout(self.timeout) {
            Ok(0) => Ok(()),
            Ok(spans) => Err(FlushError::Lost {
                spans,
                stats: self.stats(),
            }),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(FlushError::Timeout(self.timeout)),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(FlushError::Stopped),
        }
    }
}

impl Drop for TracerGuard {
    fn drop(&mut self) {
        if let Err(e) = self.shutdown_in_place() {
            eprintln!("trace-core: {e}");
        }
    }
}

impl fmt::Debug for TracerGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TracerGuard")
            .field("service", &self.shared.service)
            .field("running", &self.thread.is_some())
            .finish_non_exhaustive()
    }
}

/// Why a flush or shutdown did not complete, or did not keep everything.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FlushError {
    /// The recorders took longer than the configured shutdown timeout.
    Timeout(Duration),
    /// The collector thread is no longer running.
    Stopped,
    /// Everything was delivered, but the recorders lost `spans` spans since the last flush or
    /// shutdown answered (counted in [`Stats::dropped`]).
    Lost {
        /// How many spans were lost.
        spans: u64,
        /// The counters when the flush answered.
        stats: Stats,
    },
}

impl fmt::Display for FlushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout(t) => write!(f, "the recorders did not finish within {t:?}"),
            Self::Stopped => f.write_str("the trace collector is not running"),
            Self::Lost { spans, .. } => {
                write!(
                    f,
                    "the recorders lost {spans} spans (see the error hook's reports)"
                )
            }
        }
    }
}

impl std::error::Error for FlushError {}
