//! The interface between the tracer and the stores that keep finished spans.

use std::fmt;
use std::sync::Arc;

use crate::collector::batch::SpanBatch;

/// A destination for finished spans, in the manner of OpenTelemetry's span exporter: batches in,
/// `flush` and `shutdown`, every loss counted.
///
/// The tracer's collector thread calls these methods, never the thread that finished the span: a
/// recorder may buffer or do I/O without slowing traced code. While it works, the per-thread queues
/// fill; when they are full, further spans are dropped and counted in
/// [`Stats::dropped`](crate::Stats). A recorder that sends over a network should hand batches to a
/// thread of its own rather than block the collector.
///
/// Spans are lent as a [`SpanBatch`] of borrowed [`SpanView`](crate::SpanView)s, read where the
/// collector holds them: encoding straight from the view costs no per-span copy.
///
/// **Counting.** A span counts as recorded once `record` returns `Ok`, so a recorder should have
/// handed it to its sink by then (written to the OS, queued for sending). Spans it loses later (a
/// failed flush, a request that never succeeded) it reports through the [`ErrorReporter`] given to
/// [`attach`](Self::attach), or as the error of [`flush`](Self::flush), with
/// [`RecordError::with_lost`]: they move from recorded to dropped.
///
/// ```
/// use trace_core::{Recorder, RecordError, SpanBatch};
///
/// /// Counts spans and prints nothing.
/// #[derive(Debug, Default)]
/// struct Counting(usize);
///
/// impl Recorder for Counting {
///     fn record(&mut self, batch: &SpanBatch<'_>) -> Result<(), RecordError> {
///         self.0 += batch.len();
///         Ok(())
///     }
/// }
/// ```
pub trait Recorder: Send + 'static {
    /// Takes a batch of finished spans, lent for this call.
    ///
    /// On `Err`, the tracer counts [`RecordError::lost`] spans (by default the whole batch) as
    /// dropped and passes the error to the error hook.
    fn record(&mut self, batch: &SpanBatch<'_>) -> Result<(), RecordError>;

    /// Makes everything recorded so far durable (write buffers out, wait for in-flight requests).
    ///
    /// The collector calls it on [`TracerGuard::flush`] and, through
    /// [`flush_scheduled`](Self::flush_scheduled), on a schedule.
    ///
    /// [`TracerGuard::flush`]: crate::TracerGuard::flush
    fn flush(&mut self) -> Result<(), RecordError> {
        Ok(())
    }

    /// Called on the collector's schedule ([`TracerBuilder::flush_interval`]) after it delivered
    /// spans. It runs on the collector thread, so it must not wait long: the default calls
    /// [`flush`](Self::flush), which suits a recorder whose flush is a `write`; a recorder whose
    /// `flush` waits for a network (its requests already on their way from a thread of its own)
    /// returns at once instead.
    ///
    /// [`TracerBuilder::flush_interval`]: crate::TracerBuilder::flush_interval
    fn flush_scheduled(&mut self) -> Result<(), RecordError> {
        self.flush()
    }

    /// Called once when the tracer shuts down, after the last batch; flushes by default.
    fn shutdown(&mut self) -> Result<(), RecordError> {
        self.flush()
    }

    /// Called once at install with a handle for reporting failures that happen later, off the
    /// `record` call (for example in a recorder's own background writer).
    fn attach(&mut self, reporter: ErrorReporter) {
        let _ = reporter;
    }
}

impl<R: Recorder + ?Sized> Recorder for Box<R> {
    fn record(&mut self, batch: &SpanBatch<'_>) -> Result<(), RecordError> {
        (**self).record(batch)
    }
    fn flush(&mut self) -> Result<(), RecordError> {
        (**self).flush()
    }
    fn flush_scheduled(&mut self) -> Result<(), RecordError> {
        (**self).flush_scheduled()
    }
    fn shutdown(&mut self) -> Result<(), RecordError> {
        (**self).shutdown()
    }
    fn attach(&mut self, reporter: ErrorReporter) {
        (**self).attach(reporter);
    }
}

/// A recorder's failure.
#[derive(Debug)]
pub struct RecordError {
    message: String,
    lost: Option<u64>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl RecordError {
    /// An error with a message for people.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            lost: None,
            source: None,
        }
    }

    /// An error caused by another error.
    pub fn from_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            lost: None,
            source: Some(Box::new(source)),
        }
    }

    /// Says how many spans this failure lost (without it, a failed `record` loses its whole batch
    /// and a reported error loses none).
    #[must_use]
    pub fn with_lost(mut self, lost: u64) -> Self {
        self.lost = Some(lost);
        self
    }

    /// How many spans were lost, if the recorder said.
    pub fn lost(&self) -> Option<u64> {
        self.lost
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(lost) = self.lost {
            write!(f, " ({lost} spans lost)")?;
        }
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RecordError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

/// The user's handler for recorder errors (by default they are printed to stderr).
pub type ErrorHook = Arc<dyn Fn(&RecordError) + Send + Sync>;

/// A handle a recorder keeps to report failures that happen off the `record` call.
///
/// Each report counts its lost spans in the tracer's [`Stats`](crate::Stats) and goes to the
/// error hook. Cloning is cheap and the handle may move to any thread.
#[derive(Clone)]
pub struct ErrorReporter {
    pub(crate) stats: Arc<crate::collector::stats::SharedStats>,
    pub(crate) hook: ErrorHook,
}

impl ErrorReporter {
    /// Counts and reports one failure.
    pub fn report(&self, error: &RecordError) {
        self.stats.count_recorder_error(error.lost().unwrap_or(0));
        (self.hook)(error);
    }
}

impl fmt::Debug for ErrorReporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorReporter").finish_non_exhaustive()
    }
}
