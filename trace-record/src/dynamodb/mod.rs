//! Recording spans to Amazon DynamoDB (feature `dynamodb`), and reading traces back.
//!
//! - [`DynamoDbConfig`]: table, region, endpoint and credentials (standard AWS chain with
//!   overrides) and the writer's bounds.
//! - [`DynamoDbRecorder`]: the [`Recorder`](trace_core::Recorder); batched `BatchWriteItem`
//!   calls from a background thread, retried with exponential backoff and jitter.
//! - [`create_table`], [`enable_ttl`]: the table (on-demand) and its time to live.
//! - [`read_trace`]: one trace back as [`SpanRecord`](trace_core::SpanRecord)s.
//! - [`DynamoDbStats`]: what was written and what was lost, by [`LossReason`].
//! - [`span_to_item`], [`item_to_span`]: the item layout below, for other tools.
//!
//! One item per span, partition key `trace_id`, sort key `span_id`, so one `Query` returns a
//! whole trace:
//!
//! | attribute | type | content |
//! |---|---|---|
//! | `trace_id` | S, partition key | 32 lowercase hex digits |
//! | `span_id` | S, sort key | 16 lowercase hex digits |
//! | `parent_id` | S | 16 hex digits, all zeros for a root |
//! | `name`, `kind`, `service`, `process` | S | `process` is `name:pid@host` |
//! | `code` | M | `file` S, `line` N, `module` S (when known) |
//! | `start`, `finish` | S | RFC 3339, UTC, nanoseconds |
//! | `start_unix_nanos`, `finish_unix_nanos`, `duration_nanos` | N | nanoseconds |
//! | `status` | S | `ok` or `error`; `status_message` S with an error |
//! | `tags` | M | key → S, N or BOOL; `tag_order` L keeps their order, `float_tags` SS marks floats |
//! | `checkpoints` | L of M | `name` S, `offset_nanos` N (from the span's start) |
//! | `links` | L of M | `trace_id` S, `span_id` S |
//! | `trimmed` | N | entries removed to fit 400 KB (absent normally) |
//! | `expires_at` | N | epoch seconds, for DynamoDB TTL (when a retention is configured) |
//!
//! `name` and `finish` are reserved words in DynamoDB expressions: refer to them as `#n` with
//! `ExpressionAttributeNames` (`{"#n": "name"}`) in filters and projections.

mod config;
mod error;
mod item;
mod progress;
mod reader;
mod recorder;
mod retry;
mod stats;
mod table;
mod writer;

pub use config::{DEFAULT_TABLE, DynamoDbConfig};
pub use error::{RequestError, SetupError};
pub use item::names::TRIMMED_TAG;
pub use item::{DecodeError, ItemTooLarge, item_to_span, span_to_item};
pub use reader::{ReadError, read_trace};
pub use recorder::DynamoDbRecorder;
pub use stats::{DynamoDbStats, LossReason, Lost, StatsHandle};
pub use table::{TableCreated, create_table, enable_ttl, wait_until_active};

/// The AWS SDK client type the helpers take, re-exported so callers need not depend on the SDK.
pub use aws_sdk_dynamodb::Client;
