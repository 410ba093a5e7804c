//! The background writer: takes items off the queue, sends them in `BatchWriteItem` calls of at
//! most 25 with a bounded number in flight, and retries what failed within the configured bounds.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use tokio::sync::{OwnedSemaphorePermit, mpsc, watch};

use super::item::Item;
use super::progress::Progress;
use super::retry::{Failure, classify};
use super::stats::{Counters, LossReason};
use crate::delivery::{backoff, dispatch, stopped};

/// DynamoDB's limit on the items of one `BatchWriteItem` call.
pub(crate) const MAX_BATCH: usize = 25;

/// The writer's bounds, copied out of the configuration.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    pub(crate) max_in_flight: usize,
    pub(crate) max_attempts: u32,
    pub(crate) max_retry_time: Duration,
    pub(crate) base_backoff: Duration,
    pub(crate) max_backoff: Duration,
}

struct Batches {
    client: Client,
    table: String,
    limits: Limits,
    progress: Arc<Progress>,
    stop: watch::Receiver<bool>,
}

/// How one attempt loop ended.
enum Outcome {
    Done,
    /// The batch was refused as invalid: send its items one by one so only the bad one is lost.
    Split(Vec<Item>),
}

/// Runs until the queue is closed and drained or `stop` turns true, then waits for the batches in
/// flight (which end promptly once `stop` is set).
pub(crate) async fn run(
    client: Client,
    table: String,
    limits: Limits,
    progress: Arc<Progress>,
    queue: mpsc::Receiver<Item>,
    stop: watch::Receiver<bool>,
) {
    let max_in_flight = limits.max_in_flight;
    let batches = Arc::new(Batches {
        client,
        table,
        limits,
        progress: progress.clone(),
        stop: stop.clone(),
    });
    dispatch(
        queue,
        max_in_flight,
        stop,
        |first, queue| {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(item) => batch.push(item),
                    Err(_) => break,
                }
            }
            batch
        },
        |batch, permit| {
            tokio::spawn(batches.clone().write(batch, permit));
        },
        |queue| {
            let mut abandoned = 0;
            while queue.try_recv().is_ok() {
                abandoned += 1;
            }
            progress.lost(
                LossReason::Shutdown,
                abandoned,
                "still queued when the shutdown deadline passed",
            );
        },
    )
    .await;
}

impl Batches {
    async fn write(self: Arc<Self>, items: Vec<Item>, _permit: OwnedSemaphorePermit) {
        if let Outcome::Split(items) = self.attempts(items, true).await {
            for item in items {
                self.attempts(vec![item], false).await;
            }
        }
    }

    /// Sends `pending` until every item is written or counted as lost.
    async fn attempts(&self, mut pending: Vec<Item>, may_split: bool) -> Outcome {
        let counters = &self.progress.counters;
        let started = Instant::now();
        let mut retries = 0u32;
        loop {
            let requests = pending.iter().cloned().filter_map(put_request).collect();
            Counters::add(&counters.requests, 1);
            let send = self
                .client
                .batch_write_item()
                .request_items(self.table.clone(), requests)
                .send();
            let result = tokio::select! {
                result = send => result,
                _ = stopped(&self.stop) => {
                    self.progress.lost(
                        LossReason::Shutdown,
                        pending.len() as u64,
                        "a write was still in flight when the shutdown deadline passed",
                    );
                    return Outcome::Done;
                }
            };
            let problem = match result {
                Ok(output) => {
                    let left: Vec<Item> = output
                        .unprocessed_items
                        .and_then(|mut tables| tables.remove(&self.table))
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|w| w.put_request.map(|p| p.item))
                        .collect();
                    self.progress
                        .written(pending.len().saturating_sub(left.len()) as u64);
                    if left.is_empty() {
                        return Outcome::Done;
                    }
                    Counters::add(&counters.unprocessed_items, left.len() as u64);
                    let problem = format!("{} items stayed unprocessed", left.len());
                    pending = left;
                    problem
                }
                Err(error) => {
                    let failure = classify(&error);
                    let problem = DisplayErrorContext(&error).to_string();
                    match failure {
                        Failure::Throttled => Counters::add(&counters.throttled_requests, 1),
                        Failure::Transient => Counters::add(&counters.transient_errors, 1),
                        Failure::Invalid if may_split && pending.len() > 1 => {
                            return Outcome::Split(pending);
                        }
                        Failure::Invalid | Failure::Fatal => {
                            self.progress.lost(
                                LossReason::Rejected,
                                pending.len() as u64,
                                format!("the table {} refused the write: {problem}", self.table),
                            );
                            return Outcome::Done;
                        }
                    }
                    problem
                }
            };
            retries += 1;
            let limits = &self.limits;
            let wait = backoff(retries, limits.base_backoff, limits.max_backoff);
            if retries >= limits.max_attempts || started.elapsed() + wait > limits.max_retry_time {
                self.progress.lost(
                    LossReason::RetriesExhausted,
                    pending.len() as u64,
                    format!(
                        "gave up after {retries} attempts in {:.1?}: {problem}",
                        started.elapsed()
                    ),
                );
                return Outcome::Done;
            }
            Counters::add(&counters.retried_requests, 1);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stopped(&self.stop) => {
                    self.progress.lost(
                        LossReason::Shutdown,
                        pending.len() as u64,
                        "a write was waiting to be retried when the shutdown deadline passed",
                    );
                    return Outcome::Done;
                }
            }
        }
    }
}

fn put_request(item: Item) -> Option<WriteRequest> {
    // Building fails only without an item, which `item` always is.
    let put = PutRequest::builder().set_item(Some(item)).build().ok()?;
    Some(WriteRequest::builder().put_request(put).build())
}
