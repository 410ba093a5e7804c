//! Installing the tracer: one call sets the service name, sampler and recorders, starts the
//! collector, and returns the guard that flushes everything at shutdown.

mod builder;
mod exit;
mod guard;

pub use crate::collector::stats::TailStats;
pub use crate::collector::stats::{Dropped, Stats};
pub use builder::{InstallError, Tracer, TracerBuilder};
pub use guard::{FlushError, TracerGuard};
