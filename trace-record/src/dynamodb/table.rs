//! Creating the table the recorder writes to.

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, TableStatus,
    TimeToLiveSpecification, TimeToLiveStatus,
};

use super::error::RequestError;
use super::item::names::{EXPIRES_AT, SPAN_ID, TRACE_ID};

/// What [`create_table`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableCreated {
    /// The table was created and is now active.
    Created,
    /// A table with the right keys already existed (and is active).
    AlreadyExisted,
}

/// Creates the traces table (partition key `trace_id`, sort key `span_id`, both strings,
/// on-demand billing) unless it exists, and waits until it is `ACTIVE` (new tables start in
/// `CREATING`), for at most `timeout`.
///
/// An existing table with other keys is an error rather than something to write into.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use trace_record::dynamodb::{DynamoDbConfig, create_table};
///
/// let config = DynamoDbConfig::new();
/// let client = config.client().await?;
/// create_table(&client, config.table_name(), Duration::from_secs(60)).await?;
/// # Ok(()) }
/// ```
pub async fn create_table(
    client: &Client,
    table: &str,
    timeout: Duration,
) -> Result<TableCreated, RequestError> {
    let key = |name: &str, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .map_err(|e| RequestError::new("CreateTable", e))
    };
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(|e| RequestError::new("CreateTable", e))
    };
    let created = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(TRACE_ID, KeyType::Hash)?)
        .key_schema(key(SPAN_ID, KeyType::Range)?)
        .attribute_definitions(attribute(TRACE_ID)?)
        .attribute_definitions(attribute(SPAN_ID)?)
        .send()
        .await;
    let outcome = match created {
        Ok(_) => TableCreated::Created,
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) =>
        {
            TableCreated::AlreadyExisted
        }
        Err(e) => return Err(RequestError::new("CreateTable", e)),
    };
    wait_until_active(client, table, timeout).await?;
    Ok(outcome)
}

/// Waits until `table` is `ACTIVE` and checks that its keys are the recorder's.
pub async fn wait_until_active(
    client: &Client,
    table: &str,
    timeout: Duration,
) -> Result<(), RequestError> {
    let deadline = Instant::now() + timeout;
    let mut wait = Duration::from_millis(50);
    loop {
        let described = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| RequestError::new("DescribeTable", e))?;
        let Some(description) = described.table else {
            return Err(RequestError::other(
                "DescribeTable",
                "no table description in the answer",
            ));
        };
        let keys: Vec<(&str, &KeyType)> = description
            .key_schema()
            .iter()
            .map(|k| (k.attribute_name(), k.key_type()))
            .collect();
        if keys != [(TRACE_ID, &KeyType::Hash), (SPAN_ID, &KeyType::Range)] {
            return Err(RequestError::other(
                "DescribeTable",
                format!(
                    "table {table} has keys {keys:?}; the trace recorder needs `{TRACE_ID}` (hash) and `{SPAN_ID}` (range)"
                ),
            ));
        }
        match description.table_status {
            Some(TableStatus::Active) => return Ok(()),
            status if Instant::now() + wait > deadline => {
                return Err(RequestError::other(
                    "DescribeTable",
                    format!("table {table} is still {status:?} after {timeout:?}"),
                ));
            }
            _ => tokio::time::sleep(wait).await,
        }
        wait = (wait * 2).min(Duration::from_secs(2));
    }
}

/// Turns on DynamoDB's time to live on the `expires_at` attribute, which the recorder writes when
/// a [`retention`](super::DynamoDbConfig::retention) is set. Succeeds if it is already on.
pub async fn enable_ttl(client: &Client, table: &str) -> Result<(), RequestError> {
    let current = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(|e| RequestError::new("DescribeTimeToLive", e))?;
    if let Some(ttl) = current.time_to_live_description {
        let on = matches!(
            ttl.time_to_live_status,
            Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
        );
        if on && ttl.attribute_name.as_deref() == Some(EXPIRES_AT) {
            return Ok(());
        }
    }
    let spec = TimeToLiveSpecification::builder()
        .enabled(true)
        .attribute_name(EXPIRES_AT)
        .build()
        .map_err(|e| RequestError::new("UpdateTimeToLive", e))?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(spec)
        .send()
        .await
        .map_err(|e| RequestError::new("UpdateTimeToLive", e))?;
    Ok(())
}
