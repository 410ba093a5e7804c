//! Traces as indented call trees, like the kamilsk tracer printed them: [`write_tree`] renders
//! one [`Trace`](crate::Trace), [`TreeRecorder`] prints each trace as it finishes.

mod format;
mod printer;
mod recorder;

pub use format::Short;
pub use printer::{tree_string, write_tree};
pub use recorder::TreeRecorder;

#[cfg(test)]
mod tests;
