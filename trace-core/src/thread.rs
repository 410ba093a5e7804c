//! Carrying the current span into other threads.

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
