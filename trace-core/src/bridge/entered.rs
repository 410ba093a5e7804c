//! The bridged spans entered on this thread. `tracing` tells of entering and leaving in two calls,
//! so what our side entered waits here in between: one entry per enter, left on the same thread.

use std::cell::RefCell;

use tracing_core::span::Id;

use crate::current::{self, Attached};
use crate::span::Span;

/// How an entered bridged span was made current.
pub(super) enum Entry {
    /// A span of ours, at this depth of the thread's stack.
    Own(usize),
    /// An unsampled parent's context.
    Shared(Attached),
}

struct Entered {
    /// Which [`TracingLayer`](super::TracingLayer), in case several see the same ids.
    layer: u64,
    id: u64,
    entry: Entry,
}

thread_local! {
    static ENTERED: RefCell<Vec<Entered>> = const { RefCell::new(Vec::new()) };
}

/// Makes `own` current on this thread until [`leave`].
pub(super) fn enter_own(layer: u64, id: &Id, own: &Span) {
    if let Some(depth) = own.enter_unguarded() {
        push(layer, id, Entry::Own(depth));
    }
}

/// Makes the unsampled context `shared` current on this thread until [`leave`].
pub(super) fn enter_shared(layer: u64, id: &Id, shared: &crate::SpanContext) {
    push(layer, id, Entry::Shared(current::attach(shared.clone())));
}

fn push(layer: u64, id: &Id, entry: Entry) {
    let _ = ENTERED.try_with(|entered| {
        if let Ok(mut entered) = entered.try_borrow_mut() {
            entered.push(Entered {
                layer,
                id: id.into_u64(),
                entry,
            });
        }
    });
}

/// Takes the latest entry of span `id`, if it was entered on this thread.
pub(super) fn leave(layer: u64, id: &Id) -> Option<Entry> {
    let id = id.into_u64();
    ENTERED
        .try_with(|entered| {
            let mut entered = entered.try_borrow_mut().ok()?;
            let at = entered
                .iter()
                .rposition(|e| e.id == id && e.layer == layer)?;
            Some(entered.remove(at).entry)
        })
        .ok()
        .flatten()
}
