//! Shared by the OTLP tests: the decoder and rotel started by scripts/services/rotel.sh, a session
//! of the decoder per test (its own path, its own scripted answers, its own record of decoded
//! requests), a decoder process of a test's own (for a receiver that is down at first), and spans
//! to send.

#![allow(dead_code)] // each test binary uses a different part

#[path = "../loopback/mod.rs"]
mod loopback;
#[allow(unused_imports)] // each test binary uses its own part of the support module
pub use loopback::{eventually, free_port};

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use serde_json::Value;
use trace_core::{
    Checkpoint, Link, Process, SpanId, SpanKind, SpanRecord, Status, Tags, TraceFlags, TraceId,
    TraceState,
};
use trace_record::otlp::{Limits, OtlpBuilder, OtlpRecorder};

const HOW_TO_START: &str = "the OTLP tests need the OTLP decoder and rotel: run `bash scripts/test.sh` \
     (it installs and starts them, then runs every test), or source scripts/services/otel-python.sh \
     and scripts/services/rotel.sh in a bash shell with `CLEANUP=()` defined and run cargo test \
     from that shell";

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: {HOW_TO_START}"))
}

/// The decoder's base URL; fails the test with instructions when it does not answer.
pub fn decoder() -> String {
    let url = var("TRACE_TEST_OTLP_DECODER");
    let (status, _) = http(&url, "GET", "/health", None).unwrap_or_else(|e| {
        panic!("nothing answers at TRACE_TEST_OTLP_DECODER={url} ({e}): {HOW_TO_START}")
    });
    assert_eq!(
        status, 200,
        "the OTLP decoder at {url} is unwell: {HOW_TO_START}"
    );
    url
}

/// rotel's OTLP/HTTP base URL (it forwards to the decoder's session `default`).
pub fn rotel() -> String {
    let url = var("TRACE_TEST_ROTEL_ENDPOINT");
    let host = url.trim_start_matches("http://");
    TcpStream::connect(host).unwrap_or_else(|e| {
        panic!("nothing answers at TRACE_TEST_ROTEL_ENDPOINT={url} ({e}): {HOW_TO_START}")
    });
    url
}

/// rotel's OTLP/gRPC endpoint (it forwards to the decoder's session `default`).
pub fn rotel_grpc() -> String {
    let url = var("TRACE_TEST_ROTEL_GRPC_ENDPOINT");
    let host = url.trim_start_matches("http://");
    TcpStream::connect(host).unwrap_or_else(|e| {
        panic!("nothing answers at TRACE_TEST_ROTEL_GRPC_ENDPOINT={url} ({e}): {HOW_TO_START}")
    });
    url
}

/// A minimal HTTP/1.1 exchange (one request per connection) with the decoder's control API.
pub fn http(
    base: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let host = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    Ok((status, body))
}

/// One test's corner of the decoder.
pub struct Session {
    base: String,
    pub name: String,
}

impl Session {
    /// A new session whose next requests get `answers` (JSON objects, see decoder.py), then 200.
    pub fn new(answers: Value) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "t{}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        Self::named(decoder(), name, answers)
    }

    pub fn named(base: String, name: String, answers: Value) -> Self {
        let body = serde_json::json!({ "answers": answers }).to_string();
        let (status, text) = http(&base, "PUT", &format!("/control/{name}"), Some(&body)).unwrap();
        assert_eq!(status, 204, "{text}");
        Self { base, name }
    }

    /// The URL the recorder posts to.
    pub fn endpoint(&self) -> String {
        format!("{}/s/{}/v1/traces", self.base, self.name)
    }

    /// Every request the decoder received for this session, decoded.
    pub fn requests(&self) -> Vec<Value> {
        let (status, body) =
            http(&self.base, "GET", &format!("/control/{}", self.name), None).unwrap();
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<Vec<Value>>(&body).unwrap()
    }

    /// The spans of the requests the decoder answered with 200.
    pub fn accepted_spans(&self) -> Vec<Value> {
        spans_of(self.requests().iter().filter(|r| r["answered"] == 200))
    }
}

/// The spans in `requests`, each with its resource and scope attached under `_resource` and
/// `_scope`.
pub fn spans_of<'a>(requests: impl Iterator<Item = &'a Value>) -> Vec<Value> {
    let mut spans = Vec::new();
    for request in requests {
        assert!(
            request.get("error").is_none(),
            "the decoder could not read a request: {request}"
        );
        for rs in request["resource_spans"].as_array().unwrap() {
            for ss in rs["scope_spans"].as_array().unwrap() {
                for span in ss["spans"].as_array().unwrap() {
                    let mut span = span.clone();
                    span["_resource"] = rs["resource"].clone();
                    span["_scope"] = ss["scope"].clone();
                    spans.push(span);
                }
            }
        }
    }
    spans
}

/// The value of attribute `key` in a decoded attribute list: e.g. `{"int": 3}`.
pub fn attribute<'a>(attributes: &'a Value, key: &str) -> Option<&'a Value> {
    attributes
        .as_array()?
        .iter()
        .find(|kv| kv[0] == key)
        .map(|kv| &kv[1])
}

/// A builder that ignores the process environment (tests share it), with quick retries.
pub fn builder(endpoint: &str) -> OtlpBuilder {
    OtlpRecorder::builder()
        .without_env()
        .endpoint(endpoint)
        .timeout(Duration::from_secs(10))
        .limits(quick_limits())
}

pub fn quick_limits() -> Limits {
    Limits {
        base_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(100),
        ..Limits::default()
    }
}

/// `n` spans of one trace (a root and its children), with a tag of each type.
pub fn spans(n: usize) -> Vec<SpanRecord> {
    let trace_id = TraceId::random();
    let root = SpanId::random();
    let process = Arc::new(Process::current());
    let start = SystemTime::now();
    (0..n)
        .map(|i| {
            let mut tags = Tags::new();
            tags.set("i", i as i64);
            tags.set("s", "text");
            tags.set("f", 0.5);
            tags.set("b", true);
            SpanRecord {
                trace_id,
                span_id: if i == 0 { root } else { SpanId::random() },
                parent_id: (i > 0).then_some(root),
                flags: TraceFlags::SAMPLED,
                trace_state: TraceState::from_entries(vec![("vendor".into(), "v1".into())]),
                name: Cow::Owned(format!("span {i}")),
                kind: SpanKind::Internal,
                service: Arc::from("otlp-test"),
                process: process.clone(),
                code: None,
                start,
                finish: start + Duration::from_millis(1),
                duration: Duration::from_millis(1),
                status: Status::Ok,
                tags,
                checkpoints: vec![Checkpoint {
                    name: "half".into(),
                    offset: Duration::from_micros(500),
                }],
                links: Vec::<Link>::new(),
            }
        })
        .collect()
}

/// The span ids of `records`, sorted, as the decoder writes them.
pub fn ids(records: &[SpanRecord]) -> Vec<String> {
    let mut ids: Vec<String> = records.iter().map(|r| r.span_id.to_string()).collect();
    ids.sort();
    ids
}

/// The span ids of decoded spans, sorted.
pub fn decoded_ids(spans: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = spans
        .iter()
        .map(|s| s["span_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// A decoder process of the test's own on `port`, stopped when dropped.
pub struct OwnDecoder {
    child: Child,
    pub base: String,
}

impl OwnDecoder {
    pub fn start(port: u16) -> Self {
        let python = var("OTEL_PYTHON");
        let script = var("TRACE_TEST_OTLP_DECODER_SCRIPT");
        let mut child = Command::new(python)
            .arg(script)
            .arg("--port")
            .arg(port.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the decoder starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("listening"), "the decoder said {line:?}");
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for OwnDecoder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

static SERIAL: Mutex<()> = Mutex::new(());

/// Held by each test for as long as its tracer is installed (one tracer per process).
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}
