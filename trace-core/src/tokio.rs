//! Carrying the current span into tokio tasks (feature `tokio`).

use std::future::Future;

use tokio::task::JoinHandle;

use crate::span::FutureExt;

/// Like [`tokio::spawn`], with the current span as the parent of spans the task opens, on every
/// poll, whichever worker thread runs it.
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(future.in_current_span())
}

/// Like [`tokio::task::spawn_blocking`], with the current span as the parent.
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    tokio::task::spawn_blocking(crate::thread::wrap(f))
}
