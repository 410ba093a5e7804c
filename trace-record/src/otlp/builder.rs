//! [`OtlpBuilder`]: the recorder's settings from the environment with overrides.

use std::fmt;
use std::time::Duration;

use super::config::{
    self, Compression, ConfigError, DEFAULT_ENDPOINT, DEFAULT_GRPC_ENDPOINT, FromEnv, Limits,
    Lookup, OtlpConfig, Protocol,
};
use super::encode::{SDK_NAME, SDK_VERSION};
use super::recorder::{OtlpRecorder, SetupError};

/// Builds an [`OtlpRecorder`]. Every setting not given here comes from the standard environment
/// variables of the OTLP exporter specification, then from the defaults:
///
/// | setting | variables (the `TRACES_` one wins) | default |
/// |---|---|---|
/// | [`endpoint`](Self::endpoint) | `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (as is), `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `/v1/traces`) | `http://localhost:4318/v1/traces` |
/// | [`header`](Self::header) | `OTEL_EXPORTER_OTLP_[TRACES_]HEADERS`: `k=v,k2=v2`, percent-decoded | none |
/// | [`timeout`](Self::timeout) | `OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT`: milliseconds | 10 s |
/// | [`compression`](Self::compression) | `OTEL_EXPORTER_OTLP_[TRACES_]COMPRESSION`: `gzip` or `none` | none |
/// | [`service_name`](Self::service_name) | `OTEL_SERVICE_NAME`, else `service.name` in `OTEL_RESOURCE_ATTRIBUTES` | each span's service |
/// | [`resource_attribute`](Self::resource_attribute) | `OTEL_RESOURCE_ATTRIBUTES`: `k=v,..`, percent-decoded | none |
///
/// | [`protocol`](Self::protocol) | `OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`: `http/protobuf`, or `grpc` (feature `otlp-grpc`; then the default endpoint is `http://localhost:4317` and `OTEL_EXPORTER_OTLP_ENDPOINT` is used as is) | `http/protobuf` |
///
/// A bad value in any of them makes [`build`](Self::build) fail with a [`ConfigError`] naming
/// the variable.
pub struct OtlpBuilder {
    env: Option<Lookup>,
    endpoint: Option<String>,
    protocol: Option<Protocol>,
    headers: Vec<(String, String)>,
    timeout: Option<Duration>,
    compression: Option<Compression>,
    service_name: Option<String>,
    resource: Vec<(String, String)>,
    scope: (String, String),
    limits: Limits,
}

impl fmt::Debug for OtlpBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtlpBuilder")
            .field("reads_env", &self.env.is_some())
            .field("endpoint", &self.endpoint)
            .field("timeout", &self.timeout)
            .field("compression", &self.compression)
            .field("service_name", &self.service_name)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Default for OtlpBuilder {
    fn default() -> Self {
        Self {
            env: Some(Box::new(|name| std::env::var(name).ok())),
            endpoint: None,
            protocol: None,
            headers: Vec::new(),
            timeout: None,
            compression: None,
            service_name: None,
            resource: Vec::new(),
            scope: (SDK_NAME.to_owned(), SDK_VERSION.to_owned()),
            limits: Limits::default(),
        }
    }
}

impl OtlpBuilder {
    /// The full URL to `POST` to, used as is (like `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`).
    #[must_use]
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// The transport (default OTLP/HTTP protobuf). [`Protocol::Grpc`] needs the `otlp-grpc`
    /// feature: without it, [`build`](Self::build) fails.
    #[must_use]
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = Some(protocol);
        self
    }

    /// Adds a request header (e.g. an API key), after those from the environment.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// How long one request may take, connecting included.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How request bodies are compressed.
    #[must_use]
    pub fn compression(mut self, compression: Compression) -> Self {
        self.compression = Some(compression);
        self
    }

    /// The `service.name` resource attribute of every span, instead of each span's own service.
    #[must_use]
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = Some(name.into());
        self
    }

    /// Adds a resource attribute (after those of `OTEL_RESOURCE_ATTRIBUTES`, replacing one with
    /// the same key).
    #[must_use]
    pub fn resource_attribute(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.resource.push((key.into(), value.into()));
        self
    }

    /// The instrumentation scope's name and version (default `trace-core` and this version).
    #[must_use]
    pub fn scope(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.scope = (name.into(), version.into());
        self
    }

    /// The bounds of batches, queue, requests and retries.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Reads settings from `lookup` instead of the process environment (e.g. prefixed variables,
    /// or a test's own map).
    #[must_use]
    pub fn env_from(mut self, lookup: impl Fn(&str) -> Option<String> + Send + 'static) -> Self {
        self.env = Some(Box::new(lookup));
        self
    }

    /// Ignores the environment: only the builder's settings and the defaults count.
    #[must_use]
    pub fn without_env(mut self) -> Self {
        self.env = None;
        self
    }

    /// The settings the recorder would use, or the first bad one.
    pub fn config(&self) -> Result<OtlpConfig, ConfigError> {
        let env = match &self.env {
            Some(lookup) => FromEnv::read(lookup)?,
            None => FromEnv::default(),
        };
        let protocol = self.protocol.or(env.protocol).unwrap_or_default();
        if protocol == Protocol::Grpc && !cfg!(feature = "otlp-grpc") {
            return Err(ConfigError {
                source_name: "OtlpBuilder::protocol".into(),
                problem: "gRPC needs trace-record's `otlp-grpc` feature".into(),
            });
        }
        let default = match protocol {
            Protocol::HttpProtobuf => DEFAULT_ENDPOINT,
            Protocol::Grpc => DEFAULT_GRPC_ENDPOINT,
        };
        let (source, url) = match (&self.endpoint, env.endpoint_for(protocol)) {
            (Some(url), _) => ("OtlpBuilder::endpoint".to_owned(), url.clone()),
            (None, Some(from_env)) => from_env,
            (None, None) => ("default".to_owned(), default.to_owned()),
        };
        let endpoint = config::parse_endpoint(&source, &url)?;
        let mut headers = env.headers.unwrap_or_default();
        for (name, value) in &self.headers {
            headers.extend(config::parse_headers(
                "OtlpBuilder::header",
                &format!("{name}={}", encode_value(value)),
            )?);
        }
        let mut resource = env.resource;
        for (key, value) in &self.resource {
            resource.retain(|(k, _)| k != key);
            resource.push((key.clone(), value.clone()));
        }
        let limits = self.limits.clone();
        if limits.max_batch_spans == 0 || limits.queue_requests == 0 || limits.max_in_flight == 0 {
            return Err(ConfigError {
                source_name: "OtlpBuilder::limits".into(),
                problem: "max_batch_spans, queue_requests and max_in_flight must be at least 1"
                    .into(),
            });
        }
        if limits.max_attempts == 0 {
            return Err(ConfigError {
                source_name: "OtlpBuilder::limits".into(),
                problem: "max_attempts must be at least 1 (the first attempt)".into(),
            });
        }
        Ok(OtlpConfig {
            endpoint,
            protocol,
            headers,
            timeout: self
                .timeout
                .or(env.timeout)
                .unwrap_or(Duration::from_secs(10)),
            compression: self.compression.or(env.compression).unwrap_or_default(),
            service_name: self.service_name.clone().or(env.service_name),
            resource,
            scope_name: self.scope.0.clone(),
            scope_version: self.scope.1.clone(),
            limits,
        })
    }

    /// Resolves the settings and starts the recorder's sender thread. Does not contact the
    /// endpoint: an unreachable receiver shows up as retried requests and counted losses.
    pub fn build(self) -> Result<OtlpRecorder, SetupError> {
        let config = self.config().map_err(SetupError::Config)?;
        OtlpRecorder::start(config)
    }
}

/// Percent-encodes `%` and `,` so a builder value passes through the list parser unchanged.
fn encode_value(value: &str) -> String {
    value.replace('%', "%25").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::otlp::OtlpRecorder;

    fn with_env(vars: &[(&str, &str)]) -> OtlpBuilder {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        OtlpRecorder::builder().env_from(move |k| map.get(k).cloned())
    }

    #[test]
    fn the_default_endpoint_is_the_local_collector() {
        let config = with_env(&[]).config().unwrap();
        assert_eq!(config.endpoint(), DEFAULT_ENDPOINT);
        assert_eq!(config.timeout(), Duration::from_secs(10));
        assert_eq!(config.compression(), Compression::None);
    }

    #[test]
    fn builder_settings_win_over_the_environment() {
        let config = with_env(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "500"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "a=1"),
            ("OTEL_SERVICE_NAME", "env-service"),
            ("OTEL_RESOURCE_ATTRIBUTES", "team=env,region=eu"),
        ])
        .endpoint("http://code:1234/traces")
        .timeout(Duration::from_secs(2))
        .compression(Compression::None)
        .header("b", "x,y%z")
        .service_name("code-service")
        .resource_attribute("team", "code")
        .config()
        .unwrap();
        assert_eq!(config.endpoint(), "http://code:1234/traces");
        assert_eq!(config.timeout(), Duration::from_secs(2));
        assert_eq!(config.compression(), Compression::None);
        let headers: Vec<_> = config.headers().collect();
        assert_eq!(headers, [("a", &b"1"[..]), ("b", &b"x,y%z"[..])]);
        assert_eq!(config.service_name(), Some("code-service"));
        assert_eq!(
            config.resource_attributes(),
            [
                ("region".to_owned(), "eu".to_owned()),
                ("team".to_owned(), "code".to_owned())
            ]
        );
    }

    #[test]
    fn the_environment_is_used_when_the_builder_says_nothing() {
        let config = with_env(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://env:4318/"),
            ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "750"),
        ])
        .config()
        .unwrap();
        assert_eq!(config.endpoint(), "http://env:4318/v1/traces");
        assert_eq!(config.timeout(), Duration::from_millis(750));
    }

    #[test]
    fn a_bad_setting_fails_the_build_with_its_name() {
        let error = with_env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost")])
            .build()
            .unwrap_err();
        assert!(
            error.to_string().contains("OTEL_EXPORTER_OTLP_ENDPOINT"),
            "{error}"
        );
        let error = with_env(&[]).header("bad name", "v").build().unwrap_err();
        assert!(error.to_string().contains("header name"), "{error}");
        let error = with_env(&[])
            .limits(Limits {
                max_in_flight: 0,
                ..Limits::default()
            })
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("max_in_flight"), "{error}");
    }
}
