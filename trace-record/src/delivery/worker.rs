//! The thread a networked recorder sends from: a single-threaded tokio runtime of its own, so it
//! works from a plain `fn main` and inside any async runtime, and a busy application runtime
//! never delays span delivery (nor the reverse).

use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};

/// The sender thread and the signal that tells its tasks to give up.
#[derive(Debug)]
pub(crate) struct Worker {
    stop: watch::Sender<bool>,
    thread: Option<(JoinHandle<()>, std_mpsc::Receiver<()>)>,
}

impl Worker {
    /// Starts thread `name`; `run` gets its runtime (to block on) and the stop signal.
    pub(crate) fn spawn(
        name: &str,
        run: impl FnOnce(&Runtime, watch::Receiver<bool>) + Send + 'static,
    ) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name(name)
            // The clients' own `tracing` spans (the AWS SDK, hyper) must not be bridged into the
            // traces these threads deliver: that would trace the tracer.
            .on_thread_start(trace_core::thread::mark_recorder_thread)
            .build()?;
        let (stop, stop_rx) = watch::channel(false);
        let (done_tx, done) = std_mpsc::channel();
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                trace_core::thread::mark_recorder_thread();
                run(&runtime, stop_rx);
                let _ = done_tx.send(());
            })?;
        Ok(Self {
            stop,
            thread: Some((thread, done)),
        })
    }

    pub(crate) fn is_running(&self) -> bool {
        self.thread.is_some()
    }

    /// Tells the tasks to stop and waits up to `grace` for the thread to end.
    pub(crate) fn stop(&mut self, grace: Duration) {
        let _ = self.stop.send(true);
        if let Some((thread, done)) = self.thread.take()
            && done.recv_timeout(grace).is_ok()
        {
            let _ = thread.join();
        }
    }

    /// Waits for a thread that ends by itself (e.g. after failing its setup).
    #[cfg_attr(not(feature = "dynamodb"), allow(dead_code))] // only DynamoDB's setup can fail
    pub(crate) fn join(&mut self) {
        if let Some((thread, _)) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A future that ends when `stop` turns true.
pub(crate) fn stopped(stop: &watch::Receiver<bool>) -> impl Future<Output = ()> + use<> {
    let mut stop = stop.clone();
    async move {
        let _ = stop.wait_for(|s| *s).await;
    }
}

/// The sender's loop: while fewer than `max_in_flight` sends run, takes the next item off
/// `queue`, lets `gather` add more to it (e.g. up to a batch size), and starts `send` with the
/// permit that holds its slot. Ends when the queue is closed and empty or `stop` turns true; then
/// hands what is still queued to `abandon` (to count it) and waits for the sends in flight, which
/// end promptly once `stop` is set.
pub(crate) async fn dispatch<T, B>(
    mut queue: mpsc::Receiver<T>,
    max_in_flight: usize,
    mut stop: watch::Receiver<bool>,
    mut gather: impl FnMut(T, &mut mpsc::Receiver<T>) -> B,
    mut send: impl FnMut(B, OwnedSemaphorePermit),
    abandon: impl FnOnce(&mut mpsc::Receiver<T>),
) {
    let permits = std::sync::Arc::new(Semaphore::new(max_in_flight));
    loop {
        // Taking the permit before the item lets the queue fill while every send is busy, so
        // batches come out full under load and the first item is not held back when idle.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = stop.wait_for(|s| *s) => break,
        };
        let first = tokio::select! {
            item = queue.recv() => match item {
                Some(item) => item,
                None => break,
            },
            _ = stop.wait_for(|s| *s) => break,
        };
        let batch = gather(first, &mut queue);
        send(batch, permit);
    }
    queue.close();
    abandon(&mut queue);
    let _ = permits.acquire_many(max_in_flight as u32).await;
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn dispatch_sends_everything_then_stops_and_abandons_the_rest() {
        let sent = Arc::new(Mutex::new(Vec::new()));
        let abandoned = Arc::new(Mutex::new(0));
        let (tx, rx) = mpsc::channel(100);
        for i in 0..10 {
            tx.try_send(i).unwrap();
        }
        drop(tx);
        let (sent2, abandoned2) = (sent.clone(), abandoned.clone());
        let mut worker = Worker::spawn("test-dispatch", move |runtime, stop| {
            runtime.block_on(dispatch(
                rx,
                2,
                stop,
                |first, queue| {
                    // Pairs: the first item and, when there is one, the next.
                    let mut batch = vec![first];
                    if let Ok(next) = queue.try_recv() {
                        batch.push(next);
                    }
                    batch
                },
                |batch, permit| {
                    let sent = sent2.clone();
                    tokio::spawn(async move {
                        sent.lock().unwrap().push(batch);
                        drop(permit);
                    });
                },
                |queue| {
                    while queue.try_recv().is_ok() {
                        *abandoned2.lock().unwrap() += 1;
                    }
                },
            ));
        })
        .unwrap();
        worker.join();
        let mut all: Vec<i32> = sent.lock().unwrap().iter().flatten().copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert!(sent.lock().unwrap().iter().all(|b| b.len() == 2));
        assert_eq!(*abandoned.lock().unwrap(), 0);
        assert!(!worker.is_running());
    }
}
