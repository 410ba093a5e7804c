//! Installing the tracer: one call sets the service name, sampler and recorders, starts the
//! collector, and returns the guard that flushes everything at shutdown.

mod builder;
pub(crate) mod global;
mod guard;
pub(crate) mod shared;
pub(crate) mod stats;

pub use builder::{InstallError, Tracer, TracerBuilder};
pub use guard::{FlushError, TracerGuard};
pub use stats::{Dropped, Stats};
