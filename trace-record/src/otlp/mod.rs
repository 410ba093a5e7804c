//! Sending spans to any OpenTelemetry backend as OTLP/HTTP protobuf (feature `otlp`), or as
//! OTLP/gRPC (feature `otlp-grpc`, without TLS).
//!
//! - [`OtlpRecorder`] (built with [`OtlpRecorder::builder`]): the [`Recorder`](trace_core::Recorder).
//! - [`OtlpBuilder`]: endpoint, headers, timeout, compression and resource, from the standard
//!   `OTEL_*` environment variables with overrides; [`OtlpConfig`] is the result.
//! - [`OtlpStats`] / [`StatsHandle`]: what was delivered and what was lost, by [`LossReason`].
//!
//! How a span is written (the `opentelemetry.proto.trace.v1.Span` fields):
//!
//! | span | OTLP |
//! |---|---|
//! | trace id, span id, parent id | `trace_id` (16 bytes), `span_id` (8), `parent_span_id` (8; empty for a root) |
//! | trace state, W3C flags | `trace_state` (`k=v,k2=v2`), `flags` (low byte) |
//! | name, kind | `name`, `kind` (`SPAN_KIND_INTERNAL` .. `SPAN_KIND_CONSUMER`) |
//! | start, finish | `start_time_unix_nano`, `end_time_unix_nano` |
//! | code location | attributes `code.file.path`, `code.line.number`, `code.namespace` (the module) |
//! | tags | attributes, typed: string, int, double, bool (HTTP tags already use the semantic conventions' names) |
//! | error status and message | `status { code: STATUS_CODE_ERROR, message }`; success leaves the status unset |
//! | checkpoints | events: `name`, `time_unix_nano` = start + offset |
//! | links | links: `trace_id`, `span_id` |
//! | a span over the request size limit | sent without attributes, events and links, their numbers in `dropped_*_count` |
//!
//! Each request holds one `ResourceSpans` per (service, process) with `service.name`,
//! `host.name`, `process.pid`, `process.executable.name`, `telemetry.sdk.name` /
//! `language` / `version` and the configured resource attributes, and one `ScopeSpans` whose
//! scope is `trace-core` and its version (see [`OtlpBuilder::scope`]).

mod builder;
mod client;
mod config;
mod encode;
#[cfg(feature = "otlp-grpc")]
mod grpc;
mod progress;
mod recorder;
mod response;
mod sender;
mod stats;
mod wire;

#[cfg(test)]
mod tests;

pub use builder::OtlpBuilder;
pub use config::{
    Compression, ConfigError, DEFAULT_ENDPOINT, DEFAULT_GRPC_ENDPOINT, Limits, OtlpConfig, Protocol,
};
pub use encode::encode_request;
pub use recorder::{OtlpRecorder, SetupError};
pub use stats::{LossReason, OtlpStats, StatsHandle};
