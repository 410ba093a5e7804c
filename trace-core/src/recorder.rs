//! The interface between the tracer and the stores that keep finished spans.

use std::fmt;
use std::sync::Arc;

use crate::record::SpanRecord;

/// A destination for finished spans.
///
/// The tracer's collector thread calls these methods, never the thread that finished the span: a
/// recorder may block, buffer or do I/O without slowing traced code. When it falls behind, the
/// per-thread queues fill up and further spans are dropped and counted in
/// [`Stats::dropped`](crate::Stats).
///
/// ```
/// use trace_core::{Recorder, RecordError, SpanRecord};
///
/// /// Counts spans and prints nothing.
/// #[derive(Debug, Default)]
/// struct Counting(usize);
///
/// impl Recorder for Counting {
///     fn record(&mut self, spans: &[SpanRecord]) -> Result<(), RecordError> {
///         self.0 += spans.len();
///         Ok(())
///     }
/// }
/// ```
pub trait Recorder: Send + 'static {
    /// Takes a batch of finished spans.
    ///
    /// On `Err`, the tracer counts [`RecordError::lost`] spans (by default the whole batch) as
    /// dropped and passes the error to the error hook.
    fn record(&mut self, spans: &[SpanRecord]) -> Result<(), RecordError>;

    /// Makes everything recorded so far durable (write buffers out, wait for in-flight requests).
    fn flush(&mut self) -> Result<(), RecordError> {
        Ok(())
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
    fn record(&mut self, spans: &[SpanRecord]) -> Result<(), RecordError> {
        (**self).record(spans)
    }
    fn flush(&mut self) -> Result<(), RecordError> {
        (**self).flush()
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
    pub(crate) stats: Arc<crate::tracer::stats::SharedStats>,
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
