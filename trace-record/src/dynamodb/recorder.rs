//! The [`Recorder`] that sends spans to DynamoDB from a background thread of its own.

use std::fmt;
use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use trace_core::{ErrorReporter, RecordError, Recorder, SpanBatch};

use super::config::DynamoDbConfig;
use super::error::SetupError;
use super::item::{self, Item};
use super::progress::Progress;
use super::stats::{Counters, DynamoDbStats, LossReason, StatsHandle};
use super::writer::{self, Limits};
use crate::delivery::Worker;

/// How long shutdown waits for the writer thread after telling it to stop.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// Records finished spans into a DynamoDB table.
///
/// `record` only encodes the spans and puts them on a bounded queue; a thread of the recorder's
/// own, running a single-threaded tokio runtime, writes them in `BatchWriteItem` calls with
/// retries. It therefore works from a plain `fn main` and inside any async runtime, and a busy
/// application runtime never delays span writes (nor the reverse).
///
/// ```no_run
/// use trace_core::{Tracer, span};
/// use trace_record::dynamodb::{DynamoDbConfig, DynamoDbRecorder};
///
/// let recorder = DynamoDbRecorder::new(DynamoDbConfig::new().table("Traces"))?;
/// let stats = recorder.stats();
/// let tracer = Tracer::builder().service("api").recorder(recorder).install()?;
/// {
///     let _request = span("GET /users").enter();
/// }
/// tracer.shutdown()?; // waits for the writes, up to the shutdown timeout
/// println!("{} spans written", stats.get().written);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct DynamoDbRecorder {
    queue: Option<mpsc::Sender<Item>>,
    progress: Arc<Progress>,
    retention: Option<Duration>,
    shutdown_timeout: Duration,
    worker: Worker,
}

impl fmt::Debug for DynamoDbRecorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamoDbRecorder")
            .field("stats", &self.progress.counters)
            .field("running", &self.worker.is_running())
            .finish_non_exhaustive()
    }
}

impl DynamoDbRecorder {
    /// Loads the AWS settings (the standard chain with `config`'s overrides) and starts the
    /// writer thread.
    ///
    /// Blocks while the settings load (environment and files; instance metadata only when
    /// nothing else gives a region or credentials). Does not contact DynamoDB: a missing table or
    /// bad credentials show up as counted, reported losses.
    pub fn new(config: DynamoDbConfig) -> Result<Self, SetupError> {
        let loader = config.clone();
        Self::start(config, move |runtime| {
            runtime.block_on(loader.writer_client())
        })
    }

    fn start(
        config: DynamoDbConfig,
        connect: impl FnOnce(&tokio::runtime::Runtime) -> Result<Client, SetupError> + Send + 'static,
    ) -> Result<Self, SetupError> {
        let (ready_tx, ready) = std_mpsc::sync_channel(1);
        let (queue_tx, queue_rx) = mpsc::channel(config.queue_capacity);
        let progress = Arc::new(Progress::default());
        let limits = Limits {
            max_in_flight: config.max_in_flight,
            max_attempts: config.max_attempts,
            max_retry_time: config.max_retry_time,
            base_backoff: config.base_backoff,
            max_backoff: config.max_backoff,
        };
        let table = config.table.clone();
        let writer_progress = progress.clone();
        let mut worker = Worker::spawn("trace-dynamodb", move |runtime, stop| {
            let client = match connect(runtime) {
                Ok(client) => client,
                Err(error) => {
                    let _ = ready_tx.send(Err(error));
                    return;
                }
            };
            let _ = ready_tx.send(Ok(()));
            runtime.block_on(writer::run(
                client,
                table,
                limits,
                writer_progress,
                queue_rx,
                stop,
            ));
        })
        .map_err(SetupError::Runtime)?;
        match ready.recv() {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                worker.join();
                return Err(error);
            }
            Err(_) => {
                worker.join();
                return Err(SetupError::Runtime(std::io::Error::other(
                    "the DynamoDB writer thread ended during setup",
                )));
            }
        }
        Ok(Self {
            queue: Some(queue_tx),
            progress,
            retention: config.retention,
            shutdown_timeout: config.shutdown_timeout,
            worker,
        })
    }

    /// A handle to the recorder's counters that outlives the recorder.
    pub fn stats(&self) -> StatsHandle {
        StatsHandle(self.progress.counters.clone())
    }

    /// The counters right now.
    pub fn current_stats(&self) -> DynamoDbStats {
        self.stats().get()
    }

    fn wait(&self, deadline: Instant) -> Result<(), RecordError> {
        let target = self.progress.enqueued_so_far();
        match self.progress.wait_settled(target, deadline) {
            0 => Ok(()),
            pending => Err(RecordError::new(format!(
                "DynamoDB recorder: {pending} spans still queued or in flight after {:?}",
                self.shutdown_timeout
            ))
            .with_lost(0)),
        }
    }

    fn stop(&mut self) {
        // Dropping the sender lets the writer drain the queue and end by itself.
        self.queue = None;
        self.worker.stop(STOP_GRACE);
    }
}

impl Recorder for DynamoDbRecorder {
    fn record(&mut self, spans: &SpanBatch<'_>) -> Result<(), RecordError> {
        let counters = &self.progress.counters;
        Counters::add(&counters.received, spans.len() as u64);
        let mut too_large = 0u64;
        let mut queue_full = 0u64;
        let mut accepted = 0u64;
        let mut stopped = 0u64;
        for span in spans {
            let encoded = match item::encode(&span, self.retention) {
                Ok(encoded) => encoded,
                Err(_) => {
                    too_large += 1;
                    continue;
                }
            };
            if encoded.trimmed > 0 {
                Counters::add(&counters.trimmed, 1);
            }
            match self.queue.as_ref().map(|q| q.try_send(encoded.item)) {
                Some(Ok(())) => accepted += 1,
                Some(Err(TrySendError::Full(_))) => queue_full += 1,
                // The writer is gone: shut down already, or its thread died.
                Some(Err(TrySendError::Closed(_))) | None => stopped += 1,
            }
        }
        self.progress.enqueued(accepted);
        counters.add_lost(LossReason::TooLarge, too_large);
        counters.add_lost(LossReason::QueueFull, queue_full);
        counters.add_lost(LossReason::Shutdown, stopped);
        if too_large + queue_full + stopped == 0 {
            return Ok(());
        }
        let mut reasons = Vec::new();
        if too_large > 0 {
            reasons.push(format!(
                "{too_large} over the {} KB item limit even without tags",
                item::MAX_ITEM_BYTES / 1024
            ));
        }
        if queue_full > 0 {
            reasons.push(format!("{queue_full} arrived with the queue full"));
        }
        if stopped > 0 {
            reasons.push(format!("{stopped} arrived after the writer stopped"));
        }
        Err(
            RecordError::new(format!("DynamoDB recorder: {}", reasons.join(", ")))
                .with_lost(too_large + queue_full + stopped),
        )
    }

    /// Requests leave as soon as they are queued, from the sender thread: the schedule has
    /// nothing to add, and waiting here would stall the collector behind a slow server.
    fn flush_scheduled(&mut self) -> Result<(), RecordError> {
        Ok(())
    }

    fn flush(&mut self) -> Result<(), RecordError> {
        self.wait(Instant::now() + self.shutdown_timeout)
    }

    fn shutdown(&mut self) -> Result<(), RecordError> {
        let flushed = self.flush();
        let before = self.current_stats().lost.shutdown;
        self.stop();
        let abandoned = self.current_stats().lost.shutdown - before;
        match flushed {
            Ok(()) => Ok(()),
            // The abandoned spans were reported (and counted) one batch at a time.
            Err(_) => Err(RecordError::new(format!(
                "DynamoDB recorder: shutdown deadline of {:?} passed; {abandoned} spans not written",
                self.shutdown_timeout
            ))
            .with_lost(0)),
        }
    }

    fn attach(&mut self, reporter: ErrorReporter) {
        self.progress.set_reporter(reporter);
    }
}

impl Drop for DynamoDbRecorder {
    fn drop(&mut self) {
        if self.worker.is_running() {
            let _ = self.shutdown();
        }
    }
}
