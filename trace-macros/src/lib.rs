//! Procedural macros of `trace-core`: `#[traced]` and `trace!`.
