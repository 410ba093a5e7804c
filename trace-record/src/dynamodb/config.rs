//! Where and how the DynamoDB recorder writes: table, AWS settings and the bounds of the writer.

use std::fmt;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_http_client::tls;

use super::error::SetupError;

/// The table name used when none is configured, as in the Go original.
pub const DEFAULT_TABLE: &str = "Traces";

/// Settings of the DynamoDB recorder, the table helpers and the reader.
///
/// Everything not set here comes from the standard AWS chain (`aws-config`): the environment
/// (`AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ACCESS_KEY_ID`, ...), the
/// shared config and credentials files (`AWS_PROFILE`), web identity tokens, and the ECS or EC2
/// instance role. Profiles using IAM Identity Center (SSO) need `aws-config` with its `sso`
/// feature in the application's own dependencies (left out here: it builds two more SDK crates).
///
/// ```
/// use std::time::Duration;
/// use trace_record::dynamodb::DynamoDbConfig;
///
/// let config = DynamoDbConfig::new()
///     .table("Traces")
///     .region("eu-west-1")
///     .retention(Duration::from_secs(30 * 24 * 3600))
///     .max_in_flight(8);
/// assert_eq!(config.table_name(), "Traces");
/// ```
#[derive(Clone)]
pub struct DynamoDbConfig {
    pub(crate) table: String,
    pub(crate) region: Option<String>,
    pub(crate) endpoint_url: Option<String>,
    pub(crate) profile: Option<String>,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) retention: Option<Duration>,
    pub(crate) queue_capacity: usize,
    pub(crate) max_in_flight: usize,
    pub(crate) max_attempts: u32,
    pub(crate) max_retry_time: Duration,
    pub(crate) base_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) shutdown_timeout: Duration,
}

impl Default for DynamoDbConfig {
    fn default() -> Self {
        Self {
            table: DEFAULT_TABLE.to_owned(),
            region: None,
            endpoint_url: None,
            profile: None,
            credentials: None,
            retention: None,
            queue_capacity: 65_536,
            max_in_flight: 8,
            max_attempts: 10,
            max_retry_time: Duration::from_secs(30),
            base_backoff: Duration::from_millis(25),
            max_backoff: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(10),
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

impl fmt::Debug for DynamoDbConfig {
    // Written by hand so that credentials never reach a log line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamoDbConfig")
            .field("table", &self.table)
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("profile", &self.profile)
            .field(
                "credentials",
                &self.credentials.as_ref().map(|_| "** redacted **"),
            )
            .field("retention", &self.retention)
            .field("queue_capacity", &self.queue_capacity)
            .field("max_in_flight", &self.max_in_flight)
            .field("max_attempts", &self.max_attempts)
            .field("max_retry_time", &self.max_retry_time)
            .field("base_backoff", &self.base_backoff)
            .field("max_backoff", &self.max_backoff)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .finish()
    }
}

impl DynamoDbConfig {
    /// The defaults: table `Traces`, everything else from the AWS chain, no TTL.
    pub fn new() -> Self {
        Self::default()
    }

    /// The table to write to and read from (default `Traces`).
    #[must_use]
    pub fn table(mut self, table: impl Into<String>) -> Self {
        self.table = table.into();
        self
    }

    /// The configured table name.
    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// The AWS region, overriding the chain (`AWS_REGION`, the profile, instance metadata).
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The endpoint URL, for a local server such as dynalite or DynamoDB Local (overrides
    /// `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_ENDPOINT_URL`).
    #[must_use]
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// The named profile of the shared config files to use instead of `AWS_PROFILE`/`default`.
    #[must_use]
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Fixed credentials instead of the chain: meant for local servers and tests (real
    /// deployments should use roles). They are never printed, not even by `Debug`.
    #[must_use]
    pub fn static_credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Self {
        self.credentials = Some(Credentials::new(
            access_key_id,
            secret_access_key,
            None,
            None,
            "trace-record static",
        ));
        self
    }

    /// Writes an `expires_at` attribute (epoch seconds) this long after each span's finish, so a
    /// table with TTL enabled on `expires_at` deletes old traces by itself (see
    /// [`enable_ttl`](super::enable_ttl)).
    #[must_use]
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = Some(retention);
        self
    }

    /// How many spans may wait for the writer (default 65,536); spans arriving when it is full are
    /// counted as [`LossReason::QueueFull`](super::LossReason::QueueFull).
    #[must_use]
    pub fn queue_capacity(mut self, spans: usize) -> Self {
        self.queue_capacity = spans.max(1);
        self
    }

    /// How many `BatchWriteItem` requests may be in flight at once (default 8).
    #[must_use]
    pub fn max_in_flight(mut self, requests: usize) -> Self {
        self.max_in_flight = requests.clamp(1, 1024);
        self
    }

    /// How many times one batch is sent at most, the first time included (default 10).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// How long one batch may keep being retried, from its first attempt (default 30 s). The
    /// attempt bound and this bound both apply.
    #[must_use]
    pub fn max_retry_time(mut self, time: Duration) -> Self {
        self.max_retry_time = time;
        self
    }

    /// The backoff: the first retry waits up to `base`, each further one up to twice as long,
    /// never more than `max` (defaults 25 ms and 5 s). Each wait is randomised ("jitter") so that
    /// many writers do not retry in step.
    #[must_use]
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.base_backoff = base;
        self.max_backoff = max.max(base);
        self
    }

    /// Timeouts for opening a connection (default 3 s) and for one request (default 10 s).
    #[must_use]
    pub fn timeouts(mut self, connect: Duration, request: Duration) -> Self {
        self.connect_timeout = connect;
        self.request_timeout = request;
        self
    }

    /// How long `flush` and `shutdown` wait for queued and in-flight writes (default 10 s); what
    /// is still pending then is counted as [`LossReason::Shutdown`](super::LossReason::Shutdown)
    /// at shutdown.
    #[must_use]
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Loads the AWS settings: the standard chain with this config's overrides, and the SDK's
    /// standard retries (3 attempts) for the table helpers and the reader.
    ///
    /// Fails when no region is found anywhere (the SDK would otherwise fail every request).
    pub async fn load_sdk_config(&self) -> Result<SdkConfig, SetupError> {
        self.load(RetryConfig::standard()).await
    }

    /// The client of the recorder's writer: without SDK retries, because the writer retries
    /// itself, within its own bounds, and resends only the items a batch left unprocessed.
    pub(crate) async fn writer_client(&self) -> Result<aws_sdk_dynamodb::Client, SetupError> {
        Ok(aws_sdk_dynamodb::Client::new(
            &self.load(RetryConfig::disabled()).await?,
        ))
    }

    async fn load(&self, retry: RetryConfig) -> Result<SdkConfig, SetupError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(https_client())
            .retry_config(retry)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(self.connect_timeout)
                    .operation_attempt_timeout(self.request_timeout)
                    .build(),
            );
        if let Some(region) = &self.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &self.endpoint_url {
            loader = loader.endpoint_url(url.clone());
        }
        if let Some(profile) = &self.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(credentials) = &self.credentials {
            loader =
                loader.credentials_provider(SharedCredentialsProvider::new(credentials.clone()));
        }
        let sdk = loader.load().await;
        if sdk.region().is_none() {
            return Err(SetupError::NoRegion);
        }
        Ok(sdk)
    }

    /// A DynamoDB client for these settings, for the table helpers and the reader.
    pub async fn client(&self) -> Result<aws_sdk_dynamodb::Client, SetupError> {
        Ok(aws_sdk_dynamodb::Client::new(
            &self.load_sdk_config().await?,
        ))
    }
}

/// HTTPS (and plain HTTP for local servers) over rustls with the *ring* crypto provider and the
/// platform's root certificates: one TLS stack, no C toolchain (the SDK's default client builds
/// aws-lc, a large C library).
fn https_client() -> aws_sdk_dynamodb::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_credentials() {
        let config = DynamoDbConfig::new().static_credentials("AKIDEXAMPLE", "very-secret-key");
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret-key"), "{shown}");
        assert!(!shown.contains("AKIDEXAMPLE"), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn bounds_stay_usable() {
        let config = DynamoDbConfig::new()
            .queue_capacity(0)
            .max_in_flight(0)
            .max_attempts(0)
            .backoff(Duration::from_secs(2), Duration::from_secs(1));
        assert_eq!(config.queue_capacity, 1);
        assert_eq!(config.max_in_flight, 1);
        assert_eq!(config.max_attempts, 1);
        assert_eq!(config.max_backoff, Duration::from_secs(2));
    }
}
