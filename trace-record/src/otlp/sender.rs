//! The background sender: takes finished requests off the queue, sends up to `max_in_flight` at
//! once, and retries 429, 502, 503, 504 and connection failures within the configured bounds.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, mpsc, watch};

use super::client::Client;
use super::config::Limits;
use super::progress::Progress;
use super::response::Answer;
use super::stats::{Counters, LossReason};
use crate::delivery::{backoff, dispatch, stopped};

/// One encoded `ExportTraceServiceRequest` and how many spans it holds.
#[derive(Debug)]
pub(crate) struct Batch {
    pub(crate) body: Vec<u8>,
    pub(crate) spans: u64,
}

struct Sender {
    client: Client,
    limits: Limits,
    progress: Arc<Progress>,
    stop: watch::Receiver<bool>,
}

/// Runs until the queue is closed and drained or `stop` turns true, then waits for the requests
/// in flight (which end promptly once `stop` is set).
pub(crate) async fn run(
    client: Client,
    limits: Limits,
    progress: Arc<Progress>,
    queue: mpsc::Receiver<Batch>,
    stop: watch::Receiver<bool>,
) {
    let max_in_flight = limits.max_in_flight;
    let sender = Arc::new(Sender {
        client,
        limits,
        progress: progress.clone(),
        stop: stop.clone(),
    });
    dispatch(
        queue,
        max_in_flight,
        stop,
        |batch, _| batch,
        |batch, permit| {
            tokio::spawn(sender.clone().deliver(batch, permit));
        },
        |queue| {
            let mut abandoned = 0;
            while let Ok(batch) = queue.try_recv() {
                abandoned += batch.spans;
            }
            progress.lost(
                LossReason::Shutdown,
                abandoned,
                true,
                "still queued when the shutdown deadline passed",
            );
        },
    )
    .await;
}

impl Sender {
    /// Sends `batch` until it is delivered or counted as lost.
    async fn deliver(self: Arc<Self>, batch: Batch, _permit: OwnedSemaphorePermit) {
        let counters = &self.progress.counters;
        let spans = batch.spans;
        let body = self.client.prepare(batch.body);
        let started = Instant::now();
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            Counters::add(&counters.requests, 1);
            Counters::add(&counters.bytes_sent, body.len() as u64);
            let result = tokio::select! {
                result = self.client.send(body.clone()) => result,
                _ = stopped(&self.stop) => {
                    self.progress.lost(
                        LossReason::Shutdown,
                        spans,
                        true,
                        "a request was still in flight when the shutdown deadline passed",
                    );
                    return;
                }
            };
            let (after, problem) = match result {
                Ok(Answer::Accepted { rejected, message }) => {
                    let rejected = rejected.min(spans);
                    self.progress.delivered(spans - rejected);
                    self.progress.lost(
                        LossReason::PartialSuccess,
                        rejected,
                        true,
                        format!("the receiver rejected {rejected} of {spans} spans: {message}"),
                    );
                    return;
                }
                Ok(Answer::Refused { problem }) => {
                    self.progress.lost(
                        LossReason::Rejected,
                        spans,
                        true,
                        format!("the receiver refused {spans} spans: {problem}"),
                    );
                    return;
                }
                Ok(Answer::Retry {
                    throttled,
                    after,
                    problem,
                }) => {
                    let counter = if throttled {
                        &counters.throttled_requests
                    } else {
                        &counters.transient_errors
                    };
                    Counters::add(counter, 1);
                    (after, problem)
                }
                Err(problem) => {
                    Counters::add(&counters.transient_errors, 1);
                    (None, problem)
                }
            };
            let limits = &self.limits;
            // The server's `Retry-After` wins over our own backoff, even when longer.
            let wait = after.map_or_else(
                || backoff(attempts, limits.base_backoff, limits.max_backoff),
                |after| after.max(Duration::from_millis(1)),
            );
            if attempts >= limits.max_attempts || started.elapsed() + wait > limits.max_retry_time {
                self.progress.lost(
                    LossReason::RetriesExhausted,
                    spans,
                    true,
                    format!(
                        "gave up on {spans} spans after {attempts} attempts in {:.1?}: {problem}",
                        started.elapsed()
                    ),
                );
                return;
            }
            Counters::add(&counters.retried_requests, 1);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stopped(&self.stop) => {
                    self.progress.lost(
                        LossReason::Shutdown,
                        spans,
                        true,
                        "a request was waiting to be retried when the shutdown deadline passed",
                    );
                    return;
                }
            }
        }
    }
}
