//! # trace-record
//!
//! Recorders for [`trace_core`]: where finished spans go, and how to read them back.
//!
//! - [`yaml`]: one YAML document per span, appended to a file ([`YamlRecorder`]), and a reader
//!   that yields the spans back ([`yaml::read_spans`]). The schema is documented there.
//! - [`Trace`]: spans grouped into the tree of one trace.
//! - [`tree`]: a trace printed as an indented call tree ([`tree::write_tree`]), and
//!   [`TreeRecorder`], which prints each trace as it finishes.
//! - [`MemoryRecorder`]: keeps spans in memory, for tests.
//! - `otlp` (feature `otlp`): sends spans to any OpenTelemetry backend as OTLP/HTTP protobuf.
//!
//! ```
//! use trace_core::{span, Tracer};
//! use trace_record::{Trace, YamlRecorder, tree, yaml};
//!
//! let path = std::env::temp_dir().join(format!("doc-crate-{}.yaml", std::process::id()));
//! let tracer = Tracer::builder()
//!     .service("checkout")
//!     .recorder(YamlRecorder::truncate(&path)?)
//!     .install()?;
//! {
//!     let mut request = span("GET /checkout").enter();
//!     request.set_tag("user", "ann");
//!     let _load = span("load cart").enter();
//! }
//! tracer.shutdown()?;
//!
//! let spans = yaml::read_file(&path)?.collect::<Result<Vec<_>, _>>()?;
//! for trace in Trace::group(spans) {
//!     tree::write_tree(&mut std::io::stdout(), &trace)?;
//! }
//! # std::fs::remove_file(&path)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

#[cfg(any(feature = "dynamodb", feature = "otlp"))]
mod delivery;
#[cfg(feature = "dynamodb")]
pub mod dynamodb;
mod memory;
#[cfg(feature = "otlp")]
pub mod otlp;
mod trace;
pub mod tree;
pub mod yaml;

#[cfg(test)]
mod test_support;

pub use memory::MemoryRecorder;
pub use trace::Trace;
pub use tree::TreeRecorder;
pub use yaml::YamlRecorder;
