//! Carrying the current span into other threads, and marking the tracer's own threads.

use std::cell::Cell;
use std::thread::JoinHandle;

use crate::current;

/// Like [`std::thread::spawn`], with the current span as the parent of spans the thread opens.
///
/// ```
/// let handle = trace_core::thread::spawn(|| 1 + 1);
/// assert_eq!(handle.join().unwrap(), 2);
/// ```
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    std::thread::spawn(wrap(f))
}

/// Wraps `f` so it runs under the current context wherever it is called (a thread pool, a
/// callback): the context is captured now and attached when `f` runs.
pub fn wrap<F, T>(f: F) -> impl FnOnce() -> T + Send + 'static
where
    F: FnOnce() -> T + Send + 'static,
{
    let ctx = current::context();
    move || {
        let _attached = ctx.map(current::attach);
        f()
    }
}

thread_local! {
    static RECORDER_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Marks the calling thread as one of the tracer's own: a recorder's writer thread or the
/// collector. Integrations that turn other libraries' telemetry into spans (the `tracing` bridge)
/// ignore everything that happens on a marked thread, so a recorder whose client library is
/// instrumented (the AWS SDK under the DynamoDB recorder) never traces its own writes into the
/// traces it writes: no feedback loop.
///
/// Call it first thing on every thread a recorder starts, including the threads of a runtime it
/// owns (tokio's `Builder::on_thread_start(trace_core::thread::mark_recorder_thread)`).
///
/// ```
/// std::thread::spawn(|| {
///     trace_core::thread::mark_recorder_thread();
///     assert!(trace_core::thread::is_recorder_thread());
/// })
/// .join()
/// .unwrap();
/// assert!(!trace_core::thread::is_recorder_thread());
/// ```
pub fn mark_recorder_thread() {
    let _ = RECORDER_THREAD.try_with(|marked| marked.set(true));
}

/// Whether [`mark_recorder_thread`] was called on this thread.
#[inline]
pub fn is_recorder_thread() -> bool {
    RECORDER_THREAD.try_with(Cell::get).unwrap_or(false)
}
