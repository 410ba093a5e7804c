//! The one process-wide slot for the installed tracer.
//!
//! The per-span path reads only two relaxed atomics from here (`ENABLED` and `GENERATION`), which
//! every core keeps in its cache because they change only at install and shutdown.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::collector::shared::Shared;

static ENABLED: AtomicBool = AtomicBool::new(false);
static GENERATION: AtomicU64 = AtomicU64::new(0);
static INSTALLED: Mutex<Option<(u64, Arc<Shared>)>> = Mutex::new(None);
static ORPHANS: AtomicU64 = AtomicU64::new(0);

/// Whether a tracer is installed: the first thing every span checks.
#[inline]
pub(crate) fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Changes whenever a tracer is installed or shut down, so threads drop their cached sinks.
#[inline]
pub(crate) fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

fn slot() -> MutexGuard<'static, Option<(u64, Arc<Shared>)>> {
    // A panic while holding this lock cannot leave the slot half-written: every write is a single
    // assignment. So a poisoned lock is still usable.
    INSTALLED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The installed tracer and its generation.
#[cold]
pub(crate) fn installed() -> Option<(u64, Arc<Shared>)> {
    slot().as_ref().map(|(g, s)| (*g, Arc::clone(s)))
}

/// Installs `shared` unless a tracer is installed; returns its generation.
pub(crate) fn install(shared: Arc<Shared>) -> Result<u64, Arc<Shared>> {
    let mut slot = slot();
    if slot.is_some() {
        return Err(shared);
    }
    let generation = GENERATION.load(Ordering::Relaxed) + 1;
    *slot = Some((generation, shared));
    GENERATION.store(generation, Ordering::Release);
    ENABLED.store(true, Ordering::Release);
    Ok(generation)
}

/// Uninstalls the tracer of `generation`, if it is still the installed one.
pub(crate) fn uninstall(generation: u64) {
    let mut slot = slot();
    if slot.as_ref().is_some_and(|(g, _)| *g == generation) {
        *slot = None;
        ENABLED.store(false, Ordering::Release);
        GENERATION.store(generation + 1, Ordering::Release);
    }
}

#[cold]
pub(crate) fn count_orphan() {
    ORPHANS.fetch_add(1, Ordering::Relaxed);
}

/// Spans that finished when no tracer could take them: started under a tracer that was shut down
/// before they ended, or ended while their thread was being torn down.
pub fn orphaned_spans() -> u64 {
    ORPHANS.load(Ordering::Relaxed)
}
