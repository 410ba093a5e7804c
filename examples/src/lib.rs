//! Runnable examples: see `examples/`. The HTTP examples' shared parts live here, behind the
//! `http` feature.

#[cfg(feature = "http")]
pub mod fanout;
