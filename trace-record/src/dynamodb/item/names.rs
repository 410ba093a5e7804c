//! Attribute names of a span item. `name` and `finish` (and others) are DynamoDB reserved words:
//! expressions must refer to them through `ExpressionAttributeNames` (`#n`), never inline.

pub(crate) const TRACE_ID: &str = "trace_id";
pub(crate) const SPAN_ID: &str = "span_id";
pub(crate) const PARENT_ID: &str = "parent_id";
pub(crate) const FLAGS: &str = "flags";
pub(crate) const TRACE_STATE: &str = "trace_state";
/// The tag `read_trace` puts on a span whose item was trimmed: how many entries were removed.
pub const TRIMMED_TAG: &str = "dynamodb.trimmed";
pub(crate) const NAME: &str = "name";
pub(crate) const KIND: &str = "kind";
pub(crate) const SERVICE: &str = "service";
pub(crate) const PROCESS: &str = "process";
pub(crate) const CODE: &str = "code";
pub(crate) const CODE_MODULE: &str = "module";
pub(crate) const CODE_FILE: &str = "file";
pub(crate) const CODE_LINE: &str = "line";
pub(crate) const START: &str = "start";
pub(crate) const FINISH: &str = "finish";
pub(crate) const START_UNIX_NANOS: &str = "start_unix_nanos";
pub(crate) const FINISH_UNIX_NANOS: &str = "finish_unix_nanos";
pub(crate) const DURATION_NANOS: &str = "duration_nanos";
pub(crate) const STATUS: &str = "status";
pub(crate) const STATUS_MESSAGE: &str = "status_message";
pub(crate) const TAGS: &str = "tags";
pub(crate) const TAG_ORDER: &str = "tag_order";
pub(crate) const FLOAT_TAGS: &str = "float_tags";
pub(crate) const CHECKPOINTS: &str = "checkpoints";
pub(crate) const CHECKPOINT_NAME: &str = "name";
pub(crate) const CHECKPOINT_OFFSET_NANOS: &str = "offset_nanos";
pub(crate) const LINKS: &str = "links";
pub(crate) const TRIMMED: &str = "trimmed";
pub(crate) const EXPIRES_AT: &str = "expires_at";

/// The sort key value of a root span's `parent_id`, as in Dapper and the YAML file.
pub(crate) const NO_PARENT: &str = "0000000000000000";
