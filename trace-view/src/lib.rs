//! # trace-view
//!
//! Look at traces recorded by `trace-record`: answer "what happened in this request, and where
//! did the time go" with no server to run. The `trace-view` binary wraps these modules:
//!
//! - [`input`]: reads YAML span files (or stdin) tolerantly: a bad document is reported with its
//!   line and skipped, a file that holds no spans at all is an error;
//! - [`list`]: one line per trace, filtered and sorted;
//! - [`tree`]: the call tree with aligned durations and a time bar per span;
//! - [`html`]: one self-contained HTML page with a waterfall per trace;
//! - [`perfetto`]: Chrome trace-event JSON for Perfetto UI and `chrome://tracing`;
//! - [`stats`]: latency percentiles per span name.
//!
//! ```
//! use trace_view::{html, input};
//!
//! let yaml = "\
//! ---
//! trace_id: 4bf92f3577b34da6a3ce929d0e0e4736
//! span_id: 00f067aa0ba902b7
//! parent_id: '0000000000000000'
//! name: GET /users
//! kind: server
//! process: api:4242@web-1
//! start: 2023-11-14T22:13:20.000000000Z
//! finish: 2023-11-14T22:13:20.001500000Z
//! service: api
//! duration_ns: 1500000
//! status: ok
//! ";
//! let mut loaded = input::Loaded::default();
//! loaded.read_stream("example.yaml", yaml.as_bytes(), None, false);
//! assert!(loaded.problems.is_empty());
//! let traces = trace_record::Trace::group(loaded.spans);
//! let mut page = Vec::new();
//! html::write_html(&mut page, &traces, None)?;
//! assert!(String::from_utf8(page)?.contains("GET /users"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod format;
pub mod html;
pub mod input;
pub mod list;
pub mod perfetto;
pub mod stats;
pub mod tree;

#[cfg(test)]
mod test_support;
