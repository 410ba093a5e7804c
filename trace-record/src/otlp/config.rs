//! Where and how the OTLP recorder sends: endpoint, headers, timeout, compression, resource, and
//! the bounds of its batches, queue and retries; read from the standard `OTEL_*` environment
//! variables, with the builder's settings taking precedence.

use std::fmt;
use std::time::Duration;

use hyper::http::{HeaderName, HeaderValue, Uri};

/// The endpoint used when none is configured.
pub const DEFAULT_ENDPOINT: &str = "http://localhost:4318/v1/traces";

/// The endpoint used for OTLP/gRPC when none is configured.
pub const DEFAULT_GRPC_ENDPOINT: &str = "http://localhost:4317";

/// The OTLP transport.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Protocol {
    /// OTLP/HTTP with protobuf bodies (`http/protobuf`), the default.
    #[default]
    HttpProtobuf,
    /// OTLP/gRPC over HTTP/2 without TLS (`grpc`); needs the `otlp-grpc` feature.
    Grpc,
}

/// How request bodies are compressed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Compression {
    /// Sent as is (the default, as in the OTLP exporter specification).
    #[default]
    None,
    /// `Content-Encoding: gzip`.
    Gzip,
}

/// A setting that could not be used; the recorder was not created.
#[derive(Debug)]
pub struct ConfigError {
    /// The environment variable or builder method the bad value came from.
    pub source_name: String,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OTLP recorder: {}: {}", self.source_name, self.problem)
    }
}

impl std::error::Error for ConfigError {}

fn bad(source_name: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        source_name: source_name.to_owned(),
        problem: problem.into(),
    }
}

/// The OTLP recorder's settings, resolved: defaults, then the environment, then the builder.
///
/// Built by [`OtlpRecorder::builder`](super::OtlpRecorder::builder) (see
/// [`OtlpBuilder::config`](super::OtlpBuilder::config)).
#[derive(Clone)]
pub struct OtlpConfig {
    pub(crate) endpoint: Uri,
    pub(crate) protocol: Protocol,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) timeout: Duration,
    pub(crate) compression: Compression,
    pub(crate) service_name: Option<String>,
    pub(crate) resource: Vec<(String, String)>,
    pub(crate) scope_name: String,
    pub(crate) scope_version: String,
    pub(crate) limits: Limits,
}

impl fmt::Debug for OtlpConfig {
    // Written by hand so that header values (API keys, tokens) never reach a log line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<_> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("OtlpConfig")
            .field("endpoint", &self.endpoint)
            .field("protocol", &self.protocol)
            .field("headers (values redacted)", &headers)
            .field("timeout", &self.timeout)
            .field("compression", &self.compression)
            .field("service_name", &self.service_name)
            .field("resource", &self.resource)
            .field("scope_name", &self.scope_name)
            .field("scope_version", &self.scope_version)
            .field("limits", &self.limits)
            .finish()
    }
}

impl OtlpConfig {
    /// The URL requests are sent to.
    pub fn endpoint(&self) -> String {
        self.endpoint.to_string()
    }

    /// The transport.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Extra request headers (names and values).
    pub fn headers(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.headers.iter().map(|(k, v)| (k.as_str(), v.as_bytes()))
    }

    /// How long one request may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// How bodies are compressed.
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// `service.name` for every span, when configured; otherwise each span's own service.
    pub fn service_name(&self) -> Option<&str> {
        self.service_name.as_deref()
    }

    /// Extra resource attributes, in order.
    pub fn resource_attributes(&self) -> &[(String, String)] {
        &self.resource
    }

    /// The batching, queueing and retry bounds.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
}

/// The bounds of the recorder's batches, queue, requests and retries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Spans per request at most (default 2048).
    pub max_batch_spans: usize,
    /// Bytes per request (before compression) at most (default 4 MiB, the common receiver
    /// limit). A span larger than this alone is sent without its attributes, events and links
    /// (counted in its `dropped_*_count` fields), or counted as lost if still too large.
    pub max_batch_bytes: usize,
    /// Requests waiting for a free sender at most (default 64); a full queue drops (and counts)
    /// the newest batch instead of blocking the tracer.
    pub queue_requests: usize,
    /// Requests in flight at most (default 4).
    pub max_in_flight: usize,
    /// Attempts per request at most, the first included (default 6).
    pub max_attempts: u32,
    /// Time from a request's first attempt after which it is not retried (default 30 s).
    pub max_retry_time: Duration,
    /// The first retry waits up to this long, each further one up to twice as long (default
    /// 100 ms), with full jitter.
    pub base_backoff: Duration,
    /// The longest wait between attempts (default 5 s); a longer `Retry-After` is honoured as
    /// long as it fits in `max_retry_time`.
    pub max_backoff: Duration,
    /// How long `flush` and `shutdown` wait for queued and in-flight requests (default 10 s).
    pub shutdown_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_batch_spans: 2048,
            max_batch_bytes: 4 * 1024 * 1024,
            queue_requests: 64,
            max_in_flight: 4,
            max_attempts: 6,
            max_retry_time: Duration::from_secs(30),
            base_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

/// Where environment variables are read from.
pub(crate) type Lookup = Box<dyn Fn(&str) -> Option<String> + Send>;

/// The environment's settings, each `None` when its variable is unset.
#[derive(Debug, Default)]
pub(crate) struct FromEnv {
    pub(crate) protocol: Option<Protocol>,
    /// (variable, value, whether it is the base `OTEL_EXPORTER_OTLP_ENDPOINT`).
    pub(crate) endpoint: Option<(String, String, bool)>,
    pub(crate) headers: Option<Vec<(HeaderName, HeaderValue)>>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) compression: Option<Compression>,
    pub(crate) service_name: Option<String>,
    pub(crate) resource: Vec<(String, String)>,
}

/// The trace-specific variable when set, else the general one; with the name it came from.
fn pick(lookup: &dyn Fn(&str) -> Option<String>, general: &str) -> Option<(String, String)> {
    let specific = general.replace("OTEL_EXPORTER_OTLP_", "OTEL_EXPORTER_OTLP_TRACES_");
    lookup(&specific)
        .map(|v| (specific, v))
        .or_else(|| lookup(general).map(|v| (general.to_owned(), v)))
}

impl FromEnv {
    pub(crate) fn read(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut env = Self::default();
        if let Some((name, protocol)) = pick(lookup, "OTEL_EXPORTER_OTLP_PROTOCOL") {
            env.protocol = Some(parse_protocol(&name, &protocol)?);
        }
        if let Some(url) = lookup("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            env.endpoint = Some(("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT".into(), url, false));
        } else if let Some(base) = lookup("OTEL_EXPORTER_OTLP_ENDPOINT") {
            env.endpoint = Some(("OTEL_EXPORTER_OTLP_ENDPOINT".into(), base, true));
        }
        if let Some((name, value)) = pick(lookup, "OTEL_EXPORTER_OTLP_HEADERS") {
            env.headers = Some(parse_headers(&name, &value)?);
        }
        if let Some((name, value)) = pick(lookup, "OTEL_EXPORTER_OTLP_TIMEOUT") {
            env.timeout = Some(parse_timeout(&name, &value)?);
        }
        if let Some((name, value)) = pick(lookup, "OTEL_EXPORTER_OTLP_COMPRESSION") {
            env.compression = Some(parse_compression(&name, &value)?);
        }
        if let Some(value) = lookup("OTEL_RESOURCE_ATTRIBUTES") {
            env.resource = parse_pairs("OTEL_RESOURCE_ATTRIBUTES", &value)?;
        }
        if let Some(name) = lookup("OTEL_SERVICE_NAME")
            && !name.trim().is_empty()
        {
            env.service_name = Some(name.trim().to_owned());
        }
        Ok(env)
    }
}

impl FromEnv {
    /// The endpoint from the environment for `protocol`, with the variable it came from: for
    /// OTLP/HTTP the base URL gets the signal's path appended (keeping any path it has); for
    /// gRPC it is used as is.
    pub(crate) fn endpoint_for(&self, protocol: Protocol) -> Option<(String, String)> {
        let (name, url, base) = self.endpoint.as_ref()?;
        let url = match (base, protocol) {
            (true, Protocol::HttpProtobuf) if url.ends_with('/') => format!("{url}v1/traces"),
            (true, Protocol::HttpProtobuf) => format!("{url}/v1/traces"),
            _ => url.clone(),
        };
        Some((name.clone(), url))
    }
}

/// `OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf`, or `grpc` with the `otlp-grpc` feature.
pub(crate) fn parse_protocol(source: &str, value: &str) -> Result<Protocol, ConfigError> {
    match value.trim() {
        "http/protobuf" => Ok(Protocol::HttpProtobuf),
        "grpc" if cfg!(feature = "otlp-grpc") => Ok(Protocol::Grpc),
        "grpc" => Err(bad(
            source,
            "`grpc` needs trace-record's `otlp-grpc` feature; without it this recorder sends \
             `http/protobuf`",
        )),
        other => Err(bad(
            source,
            format!("`{other}` is not supported: use `http/protobuf` (or `grpc`)"),
        )),
    }
}

/// Checks an endpoint URL: `http` (or `https`, which needs TLS this build does not have),
/// with a host.
pub(crate) fn parse_endpoint(source: &str, url: &str) -> Result<Uri, ConfigError> {
    let uri: Uri = url
        .trim()
        .parse()
        .map_err(|e| bad(source, format!("`{url}` is not a URL: {e}")))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err(bad(
                source,
                format!(
                    "`{url}`: https endpoints are not supported yet (send to a local collector \
                     over http and let it forward with TLS)"
                ),
            ));
        }
        _ => {
            return Err(bad(source, format!("`{url}` must start with `http://`")));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(bad(source, format!("`{url}` has no host")));
    }
    Ok(uri)
}

/// `OTEL_EXPORTER_OTLP_TIMEOUT`: whole milliseconds.
pub(crate) fn parse_timeout(source: &str, value: &str) -> Result<Duration, ConfigError> {
    match value.trim().parse::<u64>() {
        Ok(0) => Err(bad(source, "a timeout of 0 ms would fail every request")),
        Ok(ms) => Ok(Duration::from_millis(ms)),
        Err(_) => Err(bad(
            source,
            format!("`{value}` is not a whole number of milliseconds"),
        )),
    }
}

/// `OTEL_EXPORTER_OTLP_COMPRESSION`: `gzip` or `none`.
pub(crate) fn parse_compression(source: &str, value: &str) -> Result<Compression, ConfigError> {
    match value.trim() {
        "gzip" => Ok(Compression::Gzip),
        "none" | "" => Ok(Compression::None),
        other => Err(bad(
            source,
            format!("`{other}` is not a supported compression (`gzip` or `none`)"),
        )),
    }
}

/// `OTEL_EXPORTER_OTLP_HEADERS`: `key=value` pairs, values percent-decoded.
pub(crate) fn parse_headers(
    source: &str,
    value: &str,
) -> Result<Vec<(HeaderName, HeaderValue)>, ConfigError> {
    parse_pairs(source, value)?
        .into_iter()
        .map(|(k, v)| {
            let name = HeaderName::try_from(k.as_str())
                .map_err(|_| bad(source, format!("`{k}` is not a valid header name")))?;
            let value = HeaderValue::try_from(v.as_str()).map_err(|_| {
                bad(
                    source,
                    format!("the value of `{k}` is not a valid header value"),
                )
            })?;
            Ok((name, value))
        })
        .collect()
}

/// A `key=value,key2=value2` list as in `OTEL_RESOURCE_ATTRIBUTES` and `..._HEADERS` (the W3C
/// baggage format without properties): spaces around keys and values trimmed, values
/// percent-decoded, empty members skipped. A member without `=` or with an empty key, or a bad
/// percent escape, is an error: the whole value is refused rather than half applied.
pub(crate) fn parse_pairs(source: &str, value: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let mut pairs = Vec::new();
    for member in value.split(',') {
        if member.trim().is_empty() {
            continue;
        }
        let (key, raw) = member
            .split_once('=')
            .ok_or_else(|| bad(source, format!("`{}` is not `key=value`", member.trim())))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(bad(source, format!("`{}` has an empty key", member.trim())));
        }
        let decoded = percent_decode(raw.trim()).ok_or_else(|| {
            bad(
                source,
                format!("the value of `{key}` has a bad percent escape or is not UTF-8"),
            )
        })?;
        pairs.push((key.to_owned(), decoded));
    }
    Ok(pairs)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    fn env(vars: &[(&str, &str)]) -> Result<FromEnv, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        FromEnv::read(&move |k| map.get(k).cloned())
    }

    #[test]
    fn the_base_endpoint_gets_the_traces_path_and_the_traces_endpoint_is_used_as_is() {
        let e = |vars| {
            env(vars)
                .unwrap()
                .endpoint_for(Protocol::HttpProtobuf)
                .unwrap()
                .1
        };
        assert_eq!(
            e(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")]),
            "http://c:4318/v1/traces"
        );
        assert_eq!(
            e(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/")]),
            "http://c:4318/v1/traces"
        );
        assert_eq!(
            e(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/prefix")]),
            "http://c:4318/prefix/v1/traces"
        );
        assert_eq!(
            e(&[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
                ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://t:9/custom")
            ]),
            "http://t:9/custom"
        );
        assert!(env(&[]).unwrap().endpoint.is_none());
        // For gRPC the base endpoint is used as is.
        let grpc = env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317")]).unwrap();
        assert_eq!(
            grpc.endpoint_for(Protocol::Grpc).unwrap().1,
            "http://c:4317"
        );
    }

    #[test]
    fn headers_are_percent_decoded_and_the_traces_variable_wins() {
        let h = env(&[
            ("OTEL_EXPORTER_OTLP_HEADERS", "general=1"),
            (
                "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
                " api-key = a%20b%3Dc , x-tenant=t1,",
            ),
        ])
        .unwrap()
        .headers
        .unwrap();
        let h: Vec<_> = h
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(h, [("api-key", "a b=c"), ("x-tenant", "t1")]);
    }

    #[test]
    fn bad_values_are_errors_naming_the_variable() {
        for (var, value, expected) in [
            ("OTEL_EXPORTER_OTLP_HEADERS", "novalue", "not `key=value`"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "k=%zz", "percent escape"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "bad key=v", "header name"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "10s", "milliseconds"),
            ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "0", "0 ms"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd", "gzip"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", "http/protobuf"),
            ("OTEL_RESOURCE_ATTRIBUTES", "=v", "empty key"),
        ] {
            let error = env(&[(var, value)])
                .err()
                .unwrap_or_else(|| panic!("{var}={value} accepted"));
            assert_eq!(error.source_name, var);
            assert!(error.to_string().contains(expected), "{error}");
        }
    }

    #[test]
    fn timeout_compression_resource_and_service_are_read() {
        let e = env(&[
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "deployment.environment=prod,team=a%2Cb",
            ),
            ("OTEL_SERVICE_NAME", "checkout"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ])
        .unwrap();
        assert_eq!(e.timeout, Some(Duration::from_millis(2500)));
        assert_eq!(e.compression, Some(Compression::Gzip));
        assert_eq!(
            e.resource,
            [
                ("deployment.environment".to_owned(), "prod".to_owned()),
                ("team".to_owned(), "a,b".to_owned())
            ]
        );
        assert_eq!(e.service_name.as_deref(), Some("checkout"));
    }

    #[test]
    fn endpoints_must_be_http_urls_with_a_host() {
        assert!(parse_endpoint("x", "http://127.0.0.1:4318/v1/traces").is_ok());
        for url in [
            "localhost:4318",
            "ftp://h/x",
            "not a url",
            "https://h/v1/traces",
        ] {
            assert!(parse_endpoint("x", url).is_err(), "{url}");
        }
    }

    proptest! {
        #[test]
        fn any_percent_encoded_value_decodes_to_itself(value in "\\PC{0,40}") {
            let encoded: String = value
                .bytes()
                .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
                .collect();
            let pairs = parse_pairs("x", &format!("k={encoded}")).unwrap();
            prop_assert_eq!(&pairs[0].1, &value);
        }
    }
}
