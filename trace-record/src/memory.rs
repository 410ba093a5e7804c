//! [`MemoryRecorder`]: keeps spans in memory, for tests.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use trace_core::{RecordError, Recorder, SpanBatch, SpanRecord};

use crate::trace::Trace;

/// Keeps every recorded span in memory; clones share the same spans, so keep one clone to read
/// what the tracer recorded through the other.
///
/// ```
/// use trace_core::{span, Tracer};
/// use trace_record::MemoryRecorder;
///
/// let spans = MemoryRecorder::new();
/// let tracer = Tracer::builder().recorder(spans.clone()).install().unwrap();
/// {
///     let _s = span("work").enter();
/// }
/// tracer.flush().unwrap();
/// assert_eq!(spans.spans()[0].name, "work");
/// # tracer.shutdown().unwrap();
/// ```
#[derive(Clone, Debug, Default)]
pub struct MemoryRecorder {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    spans: Mutex<Vec<SpanRecord>>,
    added: Condvar,
}

impl MemoryRecorder {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<SpanRecord>> {
        // A panic while holding the lock cannot leave the list half-updated: it is only
        // extended, cloned or cleared.
        self.shared.spans.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The spans recorded so far, in the order they arrived.
    pub fn spans(&self) -> Vec<SpanRecord> {
        self.lock().clone()
    }

    /// The spans recorded so far, grouped into traces (see [`Trace::group`]).
    pub fn traces(&self) -> Vec<Trace> {
        Trace::group(self.spans())
    }

    /// How many spans were recorded so far.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no span was recorded yet.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Takes the spans recorded so far, leaving the recorder empty.
    pub fn take(&self) -> Vec<SpanRecord> {
        std::mem::take(&mut *self.lock())
    }

    /// The recorded span named `name`, if exactly one has that name.
    pub fn named(&self, name: &str) -> Option<SpanRecord> {
        let spans = self.lock();
        let mut found = spans.iter().filter(|s| s.name == name);
        match (found.next(), found.next()) {
            (Some(s), None) => Some(s.clone()),
            _ => None,
        }
    }

    /// Waits until at least `n` spans were recorded or `timeout` passed; returns whether they
    /// were. The tracer delivers spans in the background, so tests that do not shut it down wait
    /// with this (or call `flush` on the tracer's guard).
    pub fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut spans = self.lock();
        while spans.len() < n {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return false;
            };
            spans = match self.shared.added.wait_timeout(spans, left) {
                Ok((guard, _)) => guard,
                Err(p) => p.into_inner().0,
            };
        }
        true
    }
}

impl Recorder for MemoryRecorder {
    fn record(&mut self, batch: &SpanBatch<'_>) -> Result<(), RecordError> {
        let records = batch.to_records();
        self.lock().extend(records);
        self.shared.added.notify_all();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    fn sample(name: &'static str) -> SpanRecord {
        crate::test_support::span(name, None)
    }

    #[test]
    fn clones_share_spans_and_wait_for_wakes_up() {
        let reader = MemoryRecorder::new();
        let mut writer = reader.clone();
        let t = thread::spawn(move || {
            thread::sleep(Duration::from_millis(5));
            writer
                .record(&SpanBatch::from_records(&[sample("a"), sample("b")]))
                .unwrap();
        });
        assert!(reader.wait_for(2, Duration::from_secs(10)));
        t.join().unwrap();
        assert_eq!(reader.len(), 2);
        assert!(reader.named("a").is_some());
        assert!(!reader.wait_for(3, Duration::from_millis(1)));
        assert_eq!(reader.take().len(), 2);
        assert!(reader.is_empty());
    }
}
