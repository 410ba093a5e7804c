//! Reading a trace back: one `Query` on the partition key, all pages.

use std::collections::HashMap;
use std::fmt;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use trace_core::{SpanRecord, TraceId};

use super::error::RequestError;
use super::item::names::TRACE_ID;
use super::item::{DecodeError, decode};

/// Why a trace could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReadError {
    /// The `Query` failed.
    Request(RequestError),
    /// An item is not a span as the recorder writes it.
    Decode(DecodeError),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Request(e) => e.fmt(f),
            Self::Decode(e) => write!(f, "cannot read a span of the trace: {e}"),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Request(e) => Some(e),
            Self::Decode(e) => Some(e),
        }
    }
}

/// Every span of one trace, in `span_id` order (the table's sort key), as the same
/// [`SpanRecord`]s the tracer recorded: anything that works on a YAML trace works on these.
///
/// Uses strongly consistent reads, so spans written before the call are all seen. An empty result
/// means no span of that trace is in the table.
///
/// ```no_run
/// # async fn demo(trace_id: trace_core::TraceId) -> Result<(), Box<dyn std::error::Error>> {
/// use trace_record::dynamodb::{DynamoDbConfig, read_trace};
///
/// let config = DynamoDbConfig::new();
/// let spans = read_trace(&config.client().await?, config.table_name(), trace_id).await?;
/// for span in &spans {
///     println!("{} {} {:?}", span.span_id, span.name, span.duration);
/// }
/// # Ok(()) }
/// ```
pub async fn read_trace(
    client: &Client,
    table: &str,
    trace_id: TraceId,
) -> Result<Vec<SpanRecord>, ReadError> {
    let mut spans = Vec::new();
    let mut start_key: Option<HashMap<String, AttributeValue>> = None;
    loop {
        let page = client
            .query()
            .table_name(table)
            // A placeholder keeps the expression valid whatever the key is called.
            .key_condition_expression("#t = :t")
            .expression_attribute_names("#t", TRACE_ID)
            .expression_attribute_values(":t", AttributeValue::S(trace_id.to_string()))
            .consistent_read(true)
            .set_exclusive_start_key(start_key.take())
            .send()
            .await
            .map_err(|e| ReadError::Request(RequestError::new("Query", e)))?;
        for item in page.items() {
            spans.push(decode(item).map_err(ReadError::Decode)?);
        }
        match page.last_evaluated_key {
            Some(key) if !key.is_empty() => start_key = Some(key),
            _ => return Ok(spans),
        }
    }
}
