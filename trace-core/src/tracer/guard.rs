use std::fmt;
use std::sync::Arc;
use std::sync::mpsc::{self, SyncSender};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::collector::Command;
use crate::tracer::global;
use crate::tracer::shared::Shared;
use crate::tracer::stats::Stats;

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
    /// are done (or the shutdown timeout passed).
    pub fn flush(&self) -> Result<(), FlushError> {
        self.request(Command::Flush)
    }

    /// The tracer's counters now.
    pub fn stats(&self) -> Stats {
        self.shared.stats.snapshot()
    }

    /// Uninstalls the tracer, delivers every finished span, shuts the recorders down and returns
    /// the final counters.
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

    fn request(&self, command: fn(SyncSender<()>) -> Command) -> Result<(), FlushError> {
        let (done, wait) = mpsc::sync_channel(1);
        self.shared
            .commands
            .send(command(done))
            .map_err(|_| FlushError::Stopped)?;
        wait.recv_timeout(self.timeout).map_err(|e| match e {
            mpsc::RecvTimeoutError::Timeout => FlushError::Timeout(self.timeout),
            mpsc::RecvTimeoutError::Disconnected => FlushError::Stopped,
        })
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

/// Why a flush or shutdown did not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlushError {
    /// The recorders took longer than the configured shutdown timeout.
    Timeout(Duration),
    /// The collector thread is no longer running.
    Stopped,
}

impl fmt::Display for FlushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout(t) => write!(f, "the recorders did not finish within {t:?}"),
            Self::Stopped => f.write_str("the trace collector is not running"),
        }
    }
}

impl std::error::Error for FlushError {}
