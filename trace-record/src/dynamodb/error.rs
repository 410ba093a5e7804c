//! Errors of the DynamoDB recorder's setup, the table helpers and the reader.

use std::fmt;

use aws_sdk_dynamodb::error::DisplayErrorContext;

/// The recorder or a client could not be set up.
#[derive(Debug)]
#[non_exhaustive]
pub enum SetupError {
    /// No region was configured and the AWS chain found none (set `AWS_REGION` or
    /// [`DynamoDbConfig::region`](super::DynamoDbConfig::region)).
    NoRegion,
    /// The recorder's background thread or runtime could not start.
    Runtime(std::io::Error),
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoRegion => f.write_str(
                "no AWS region configured: set AWS_REGION or DynamoDbConfig::region (any region name works for a local server)",
            ),
            Self::Runtime(e) => write!(f, "cannot start the DynamoDB writer thread: {e}"),
        }
    }
}

impl std::error::Error for SetupError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::NoRegion => None,
            Self::Runtime(e) => Some(e),
        }
    }
}

/// A DynamoDB request failed; the message includes the service's error code and message.
#[derive(Debug)]
pub struct RequestError {
    operation: &'static str,
    message: String,
}

impl RequestError {
    pub(crate) fn new<E>(operation: &'static str, error: E) -> Self
    where
        E: std::error::Error,
    {
        Self {
            operation,
            // `DisplayErrorContext` walks the source chain; none of it holds credentials.
            message: DisplayErrorContext(error).to_string(),
        }
    }

    pub(crate) fn other(operation: &'static str, message: impl Into<String>) -> Self {
        Self {
            operation,
            message: message.into(),
        }
    }

    /// The DynamoDB operation that failed, e.g. `Query`.
    pub fn operation(&self) -> &'static str {
        self.operation
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DynamoDB {} failed: {}", self.operation, self.message)
    }
}

impl std::error::Error for RequestError {}
