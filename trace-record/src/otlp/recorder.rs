//! The [`Recorder`] that encodes spans into OTLP requests and hands them to its sender thread.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use trace_core::{ErrorReporter, RecordError, Recorder, SpanBatch, SpanView};

use super::builder::OtlpBuilder;
use super::client::Client;
use super::config::{ConfigError, Limits, OtlpConfig};
use super::encode::{Detail, Prelude, Pushed, RequestEncoder};
use super::progress::Progress;
use super::sender::{self, Batch};
use super::stats::{Counters, LossReason, OtlpStats, StatsHandle};
use crate::delivery::Worker;

/// How long shutdown waits for the sender thread after telling it to stop.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// Why the recorder could not be created.
#[derive(Debug)]
pub enum SetupError {
    /// A setting (from the environment or the builder) is invalid.
    Config(ConfigError),
    /// The sender thread or its runtime could not be started.
    Runtime(std::io::Error),
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(e) => e.fmt(f),
            Self::Runtime(e) => write!(f, "OTLP recorder: could not start its sender: {e}"),
        }
    }
}

impl std::error::Error for SetupError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Config(e) => Some(e),
            Self::Runtime(e) => Some(e),
        }
    }
}

/// Sends finished spans to an OpenTelemetry collector or backend as OTLP/HTTP protobuf
/// (`POST /v1/traces`, `Content-Type: application/x-protobuf`, optionally gzip).
///
/// `record` encodes each span straight into the request being built (no copy of the span) and
/// hands full requests to a bounded queue; a thread of the recorder's own, running a
/// single-threaded tokio runtime, sends them, a few at a time, retrying 429, 502, 503, 504 and
/// connection failures with backoff and jitter (honouring `Retry-After`). Traced code never
/// waits for the network, and every span that does not arrive is counted by [`LossReason`]
/// and reported to the tracer's error hook.
///
/// ```no_run
/// use trace_core::{Tracer, span};
/// use trace_record::otlp::OtlpRecorder;
///
/// // OTEL_EXPORTER_OTLP_ENDPOINT etc. apply; the builder's settings win over them.
/// let recorder = OtlpRecorder::builder().service_name("checkout").build()?;
/// let stats = recorder.stats();
/// let tracer = Tracer::builder().service("checkout").recorder(recorder).install()?;
/// {
///     let _request = span("GET /cart").enter();
/// }
/// tracer.shutdown()?; // sends what is left, waiting up to the shutdown timeout
/// println!("{} spans delivered", stats.get().delivered);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct OtlpRecorder {
    encoder: RequestEncoder,
    prelude: Prelude,
    limits: Limits,
    /// Spans in `encoder` that came in the current `record` call (the rest came earlier).
    open_from_this_call: u64,
    queue: Option<mpsc::Sender<Batch>>,
    progress: Arc<Progress>,
    worker: Worker,
}

impl fmt::Debug for OtlpRecorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtlpRecorder")
            .field("stats", &self.current_stats())
            .field("running", &self.worker.is_running())
            .finish_non_exhaustive()
    }
}

/// Spans of one `record` call that were not handed on, by reason.
#[derive(Default)]
struct CallLosses {
    too_large: u64,
    queue_full: u64,
    stopped: u64,
}

impl OtlpRecorder {
    /// A builder reading the standard `OTEL_*` environment variables, with overrides.
    pub fn builder() -> OtlpBuilder {
        OtlpBuilder::default()
    }

    pub(crate) fn start(config: OtlpConfig) -> Result<Self, super::SetupError> {
        let limits = config.limits.clone();
        let (queue_tx, queue_rx) = mpsc::channel(limits.queue_requests);
        let progress = Arc::new(Progress::default());
        let sender_progress = progress.clone();
        let sender_limits = limits.clone();
        let client = Client::new(&config);
        let worker = Worker::spawn("trace-otlp", move |runtime, stop| {
            runtime.block_on(sender::run(
                client,
                sender_limits,
                sender_progress,
                queue_rx,
                stop,
            ));
        })
        .map_err(SetupError::Runtime)?;
        let prelude = Prelude::new(
            config.service_name.clone(),
            &config.resource,
            &config.scope_name,
            &config.scope_version,
        );
        Ok(Self {
            encoder: RequestEncoder::with_capacity(limits.max_batch_bytes.min(64 * 1024)),
            prelude,
            limits,
            open_from_this_call: 0,
            queue: Some(queue_tx),
            progress,
            worker,
        })
    }

    /// A handle to the recorder's counters that outlives the recorder.
    pub fn stats(&self) -> StatsHandle {
        StatsHandle(self.progress.counters.clone())
    }

    /// The counters right now.
    pub fn current_stats(&self) -> OtlpStats {
        self.stats().get()
    }

    /// Adds one span to the open request, sealing it first when it is full.
    fn add(&mut self, span: SpanView<'_>, losses: &mut CallLosses) {
        if self.encoder.spans() >= self.limits.max_batch_spans {
            self.seal(losses);
        }
        let max = self.limits.max_batch_bytes;
        if self.encoder.push(&self.prelude, span, Detail::Full, max) == Pushed::Full {
            self.seal(losses);
            let _ = self.encoder.push(&self.prelude, span, Detail::Full, max);
        }
        if self.encoder.spans() == 1 && self.encoder.bytes() > max {
            // Alone and still too large: send the span without its attributes, events and links.
            self.encoder.clear();
            let _ = self.encoder.push(&self.prelude, span, Detail::Trimmed, max);
            if self.encoder.bytes() > max {
                self.encoder.clear();
                losses.too_large += 1;
                return;
            }
            Counters::add(&self.progress.counters.trimmed, 1);
        }
        self.open_from_this_call += 1;
    }

    /// Hands the open request to the sender.
    fn seal(&mut self, losses: &mut CallLosses) {
        let spans = self.encoder.spans() as u64;
        if spans == 0 {
            return;
        }
        let from_this_call = std::mem::take(&mut self.open_from_this_call);
        let earlier = spans - from_this_call;
        let batch = Batch {
            body: self.encoder.finish(),
            spans,
        };
        let (reason, message) = match self.queue.as_ref().map(|q| q.try_send(batch)) {
            Some(Ok(())) => {
                self.progress.settlement.enqueued(spans);
                return;
            }
            Some(Err(TrySendError::Full(_))) => {
                losses.queue_full += from_this_call;
                (
                    LossReason::QueueFull,
                    "a batch was ready with the request queue full",
                )
            }
            // The sender is gone: shut down already, or its thread died.
            Some(Err(TrySendError::Closed(_))) | None => {
                losses.stopped += from_this_call;
                (
                    LossReason::Shutdown,
                    "a batch was ready after the sender stopped",
                )
            }
        };
        // Spans of earlier calls were counted as recorded: report them as lost now.
        self.progress.lost(reason, earlier, false, message);
    }

    fn record_batch(&mut self, spans: &SpanBatch<'_>) -> Result<(), RecordError> {
        let counters = &self.progress.counters;
        Counters::add(&counters.received, spans.len() as u64);
        self.open_from_this_call = 0;
        let mut losses = CallLosses::default();
        if self.queue.is_none() {
            losses.stopped = spans.len() as u64;
        } else {
            for span in spans {
                self.add(span, &mut losses);
            }
        }
        // The spans now left open are the next call's "earlier" ones.
        self.open_from_this_call = 0;
        let counters = &self.progress.counters;
        counters.add_lost(LossReason::TooLarge, losses.too_large);
        counters.add_lost(LossReason::QueueFull, losses.queue_full);
        counters.add_lost(LossReason::Shutdown, losses.stopped);
        let lost = losses.too_large + losses.queue_full + losses.stopped;
        if lost == 0 {
            return Ok(());
        }
        let mut reasons = Vec::new();
        if losses.too_large > 0 {
            reasons.push(format!(
                "{} over the {} byte request limit even without attributes",
                losses.too_large, self.limits.max_batch_bytes
            ));
        }
        if losses.queue_full > 0 {
            reasons.push(format!(
                "{} in a batch that found the request queue full",
                losses.queue_full
            ));
        }
        if losses.stopped > 0 {
            reasons.push(format!(
                "{} arrived after the sender stopped",
                losses.stopped
            ));
        }
        Err(RecordError::new(format!("OTLP recorder: {}", reasons.join(", "))).with_lost(lost))
    }

    fn wait(&self, deadline: Instant) -> Result<(), RecordError> {
        let settlement = &self.progress.settlement;
        match settlement.wait_settled(settlement.enqueued_so_far(), deadline) {
            0 => Ok(()),
            pending => Err(RecordError::new(format!(
                "OTLP recorder: {pending} spans still queued or in flight after {:?}",
                self.limits.shutdown_timeout
            ))
            .with_lost(0)),
        }
    }

    fn stop(&mut self) {
        // Dropping the queue's sender lets the sender drain the queue and end by itself.
        self.queue = None;
        self.worker.stop(STOP_GRACE);
    }
}

impl Recorder for OtlpRecorder {
    fn record(&mut self, batch: &SpanBatch<'_>) -> Result<(), RecordError> {
        self.record_batch(batch)
    }

    /// Requests leave as soon as they are queued, from the sender thread: the schedule has
    /// nothing to add, and waiting here would stall the collector behind a slow server.
    fn flush_scheduled(&mut self) -> Result<(), RecordError> {
        Ok(())
    }

    fn flush(&mut self) -> Result<(), RecordError> {
        let mut losses = CallLosses::default();
        // Spans of the open request were all recorded by earlier calls.
        self.open_from_this_call = 0;
        self.seal(&mut losses);
        self.wait(Instant::now() + self.limits.shutdown_timeout)
    }

    fn shutdown(&mut self) -> Result<(), RecordError> {
        let flushed = self.flush();
        let before = self.current_stats().lost(LossReason::Shutdown);
        self.stop();
        let abandoned = self.current_stats().lost(LossReason::Shutdown) - before;
        match flushed {
            Ok(()) => Ok(()),
            // The abandoned spans were reported (and counted) one request at a time.
            Err(_) => Err(RecordError::new(format!(
                "OTLP recorder: shutdown deadline of {:?} passed; {abandoned} spans not delivered",
                self.limits.shutdown_timeout
            ))
            .with_lost(0)),
        }
    }

    fn attach(&mut self, reporter: ErrorReporter) {
        self.progress.set_reporter(reporter);
    }
}

impl Drop for OtlpRecorder {
    fn drop(&mut self) {
        if self.worker.is_running() {
            let _ = self.shutdown();
        }
    }
}
