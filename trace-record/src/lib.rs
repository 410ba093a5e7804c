//! Recorders for `trace-core`.
