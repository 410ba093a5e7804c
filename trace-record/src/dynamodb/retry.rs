//! When to retry a failed write and how long to wait first.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// Exponential backoff with "full jitter": the `n`th retry (from 1) waits a random time up to
/// `min(max, base * 2^(n-1))`, at least a millisecond.
pub(crate) fn backoff(retry: u32, base: Duration, max: Duration) -> Duration {
    let ceiling = base
        .checked_mul(1u32 << retry.saturating_sub(1).min(20))
        .unwrap_or(max)
        .min(max);
    let nanos = ceiling.as_nanos() as u64;
    let jittered = if nanos == 0 {
        0
    } else {
        random() % (nanos + 1)
    };
    Duration::from_nanos(jittered).max(Duration::from_millis(1))
}

/// A small, well-mixed random number; the jitter does not need a cryptographic generator, only
/// different values in different writers and retries.
fn random() -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut z = STATE
        .fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
        .wrapping_add(seed)
        .wrapping_add(0x9e37_79b9_7f4a_7c15);
    // splitmix64's finaliser.
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_under_its_ceiling() {
        let base = Duration::from_millis(10);
        let max = Duration::from_millis(300);
        for retry in 1..40 {
            let ceiling = (base * (1 << (retry - 1).min(20))).min(max);
            for _ in 0..50 {
                let wait = backoff(retry, base, max);
                assert!(
                    wait <= ceiling.max(Duration::from_millis(1)),
                    "{retry}: {wait:?}"
                );
            }
        }
        // Jitter: not every wait is the same.
        let waits: std::collections::HashSet<_> = (0..50).map(|_| backoff(5, base, max)).collect();
        assert!(waits.len() > 10, "{waits:?}");
    }

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
