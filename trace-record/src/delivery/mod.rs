//! What the networked recorders (DynamoDB, OTLP) share about delivering spans from a background
//! thread: the thread and its dispatch loop (a bounded number of sends in flight), how long to
//! wait before a retry, and how a flush waits for exactly the spans handed over before it while
//! losses reach the tracer's error hook.

mod backoff;
mod settlement;
mod worker;

pub(crate) use backoff::backoff;
pub(crate) use settlement::Settlement;
pub(crate) use worker::{Worker, dispatch, stopped};
