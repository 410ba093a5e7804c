//! Which failed writes to retry (the wait before a retry is [`crate::delivery::backoff`]).

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

/// What to do about a failed request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The table or account is over its throughput: back off and resend.
    Throttled,
    /// A 5xx answer, a timeout or a broken connection: back off and resend.
    Transient,
    /// The request was invalid (e.g. one bad item in the batch): resending it cannot help, but the
    /// items may succeed one by one.
    Invalid,
    /// Missing table, no permission, bad credentials, a request that could not be built: give up.
    Fatal,
}

const THROTTLING_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "Throttling",
    "LimitExceededException",
];

const TRANSIENT_CODES: &[&str] = &[
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "TransactionInProgressException",
];

/// Sorts an SDK error into what the writer does next.
pub(crate) fn classify<E>(error: &SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata,
{
    match error {
        SdkError::ServiceError(service) => {
            classify_service(service.err().code(), Some(service.raw().status().as_u16()))
        }
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            Failure::Transient
        }
        SdkError::ConstructionFailure(_) => Failure::Fatal,
        _ => Failure::Transient,
    }
}

fn classify_service(code: Option<&str>, status: Option<u16>) -> Failure {
    match code {
        Some(c) if THROTTLING_CODES.contains(&c) => Failure::Throttled,
        Some(c) if TRANSIENT_CODES.contains(&c) => Failure::Transient,
        Some("ValidationException" | "SerializationException") => Failure::Invalid,
        _ => match status {
            Some(429) => Failure::Throttled,
            Some(500..=599) | None => Failure::Transient,
            Some(_) => Failure::Fatal,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_errors_are_sorted_by_code_then_status() {
        use Failure::*;
        assert_eq!(
            classify_service(Some("ProvisionedThroughputExceededException"), Some(400)),
            Throttled
        );
        assert_eq!(
            classify_service(Some("ThrottlingException"), Some(400)),
            Throttled
        );
        assert_eq!(
            classify_service(Some("InternalServerError"), Some(500)),
            Transient
        );
        assert_eq!(
            classify_service(Some("ValidationException"), Some(400)),
            Invalid
        );
        assert_eq!(
            classify_service(Some("ResourceNotFoundException"), Some(400)),
            Fatal
        );
        assert_eq!(
            classify_service(Some("AccessDeniedException"), Some(400)),
            Fatal
        );
        assert_eq!(classify_service(None, Some(503)), Transient);
        assert_eq!(classify_service(None, Some(429)), Throttled);
        assert_eq!(classify_service(None, Some(403)), Fatal);
    }
}
