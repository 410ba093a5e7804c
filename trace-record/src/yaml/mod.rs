//! Spans as YAML documents: [`YamlRecorder`] writes them, [`read_spans`] reads them back.
//!
//! # The schema
//!
//! A span file is a stream of YAML documents, one per finished span, each starting with a `---`
//! line and ending with a `...` line, appended in the order the spans finish (children usually
//! before their parents). A document without its `...` line was cut short (a crash or a full
//! disk while it was written). Keys
//! come in this order; the first eight are the keys of the Go original the format descends from.
//!
//! | key | YAML type | meaning |
//! |---|---|---|
//! | `trace_id` | string, 32 lowercase hex digits | the trace the span belongs to |
//! | `span_id` | string, 16 lowercase hex digits | the span |
//! | `parent_id` | string, 16 lowercase hex digits | the parent span; `'0000000000000000'` for the root of a trace |
//! | `name` | string | what the span did, e.g. `GET /users/:id` |
//! | `kind` | string: `internal`, `server`, `client`, `producer` or `consumer` | the span's role |
//! | `process` | string `name:pid@host` | where the span ran |
//! | `start` | string, RFC 3339 in UTC with 9 fractional digits | wall-clock start |
//! | `finish` | string, same format | wall-clock finish, `start` + `duration_ns` |
//! | `service` | string | the logical application that recorded the span |
//! | `duration_ns` | integer | elapsed nanoseconds, from a monotonic clock |
//! | `flags` | integer | the W3C trace flags the span propagated: 1 = sampled, 2 = random trace id (a span kept by the tail rule is not sampled) |
//! | `status` | string: `ok` or `error` | how the span ended |
//! | `error` | string | the error message; only when `status` is `error` |
//! | `trace_state` | string, a W3C `tracestate` header | vendor state the trace arrived with; only when there is one |
//! | `code` | map: `module` (string, optional), `file` (string), `line` (integer) | the code that opened the span; left out when unknown |
//! | `tags` | map of string to string, integer, float or boolean | the span's tags, in the order they were set; left out when empty |
//! | `checkpoints` | list of maps: `name` (string), `offset_ns` (integer) | named moments, as nanoseconds from `start`; left out when empty |
//! | `links` | list of maps: `trace_id`, `span_id` (strings, hex as above) | causal links to spans other than the parent; left out when empty |
//!
//! Ids are always strings: the writer quotes any id YAML could read as a number (all digits,
//! `1e10...`), so no reader ever turns one into a number. Other strings are written plain when
//! that is unambiguous and double-quoted (JSON-style escapes) otherwise. Tags are nested under `tags`, so a tag
//! named `name` or `start` cannot clash with the span's own fields. Tag values keep their types:
//! `3` is an integer, `'3'` a string, `3.0` a float, `true` a boolean. Readers ignore keys they
//! do not know, so later versions may add keys.
//!
//! An example document with every key:
//!
//! ```yaml
//! ---
//! trace_id: 4bf92f3577b34da6a3ce929d0e0e4736
//! span_id: 00f067aa0ba902b7
//! parent_id: 53995c3f42cd8ad8
//! name: charge card
//! kind: client
//! process: checkout:4242@web-1
//! start: 2025-11-14T22:13:20.000100000Z
//! finish: 2025-11-14T22:13:20.010528663Z
//! service: checkout
//! duration_ns: 10428663
//! flags: 3
//! status: error
//! error: card declined
//! code:
//!   module: checkout::payment
//!   file: src/payment.rs
//!   line: 42
//! tags:
//!   name: visa
//!   amount_cents: 1299
//!   retry: false
//!   load: 0.75
//! checkpoints:
//! - name: request sent
//!   offset_ns: 1163587
//! links:
//! - trace_id: 0af7651916cd43dd8448eb211c80319c
//!   span_id: b7ad6b7169203331
//! ...
//! ```
//!
//! # Writing and reading
//!
//! ```
//! use trace_core::{span, Tracer};
//! use trace_record::yaml::{self, YamlRecorder};
//! use trace_record::Trace;
//!
//! let path = std::env::temp_dir().join(format!("doc-schema-{}.yaml", std::process::id()));
//! let tracer = Tracer::builder().recorder(YamlRecorder::truncate(&path)?).install()?;
//! {
//!     let mut request = span("GET /users").enter();
//!     request.set_tag("name", "a tag, not the span's name");
//!     let _query = span("SELECT users").enter();
//! }
//! tracer.shutdown()?;
//!
//! let spans = yaml::read_file(&path)?.collect::<Result<Vec<_>, _>>()?;
//! let traces = Trace::group(spans);
//! assert_eq!(traces.len(), 1);
//! let root = traces[0].roots().next().unwrap();
//! assert_eq!(root.name, "GET /users");
//! assert_eq!(traces[0].children(root.span_id).next().unwrap().name, "SELECT users");
//! # std::fs::remove_file(&path)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod emit;
mod reader;
mod recorder;
mod schema;
mod text;

pub use reader::{ErrorKind, ReadError, SpanReader, read_file, read_spans};
pub use recorder::{WriteError, YamlRecorder, to_string};
pub use schema::InvalidField;

#[cfg(test)]
mod tests;
