//! Which traces are recorded.
//!
//! The head decision is made once, when a trace starts in this process, and every local span of the
//! trace inherits it. The optional [`TailRule`] rescues traces the head decision let go when they
//! turn out to matter: one of their spans failed, or their local root was slow.

mod rate_limit;
mod sampler;
mod tail;

pub use sampler::Sampler;
pub use tail::{TRACE_INCOMPLETE_TAG, TailRule};
