//! Emptied data boxes on their way back to the threads that filled them.

use crate::span::data::SpanData;
use crate::span::raw::RawSpan;

/// Emptied data boxes kept for threads that need them; beyond this they are freed.
const SPARE_BOXES: usize = 4096;

/// Emptied data boxes waiting to go back to the threads. Boxes, not values: a box is what a span
/// holds and what a thread's return queue carries, so none is ever reallocated.
#[derive(Default)]
#[allow(clippy::vec_box)]
pub(crate) struct Spares(Vec<Box<SpanData>>);

impl Spares {
    /// Empties a delivered or discarded span's box into the pool.
    pub(crate) fn recycle(&mut self, raw: RawSpan) {
        if let Some(mut data) = raw.data
            && self.0.len() < SPARE_BOXES
        {
            data.clear();
            self.0.push(data);
        }
    }

    pub(crate) fn pop(&mut self) -> Option<Box<SpanData>> {
        self.0.pop()
    }
}
