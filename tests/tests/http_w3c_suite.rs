//! The W3C Trace Context test suite's cases, through a real server: the headers a traced handler
//! would send downstream, for each incoming header set.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};

use axum::Router;
use axum::routing::get;
use trace_core::http::ServerTraceLayer;
use trace_core::propagation::{Propagator, Propagators, TraceParent};
use trace_core::{Tracer, TracerGuard, current};
use trace_record::MemoryRecorder;

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

const TRACE: &str = "12345678901234567890123456789012";
const PARENT: &str = "1234567890123456";

/// What the handler would inject into an outgoing request: `traceparent` and `tracestate`.
async fn downstream() -> String {
    let mut out: HashMap<String, String> = HashMap::new();
    if let Some(ctx) = current::context() {
        Propagators::w3c().inject(&ctx, &mut out);
    }
    format!(
        "{}\n{}",
        out.get("traceparent").map(String::as_str).unwrap_or(""),
        out.get("tracestate").map(String::as_str).unwrap_or("")
    )
}

struct Suite {
    addr: SocketAddr,
    rt: tokio::runtime::Runtime,
    _tracer: TracerGuard,
}

impl Suite {
    fn start() -> Self {
        let tracer = Tracer::builder()
            .service("w3c-suite")
            .recorder(MemoryRecorder::new())
            .install()
            .unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let addr = rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let app = Router::new()
                .route("/", get(downstream))
                .layer(ServerTraceLayer::new());
            tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
            addr
        });
        Self {
            addr,
            rt,
            _tracer: tracer,
        }
    }

    /// Sends `headers` (repeats allowed, in order) and returns the downstream traceparent and
    /// tracestate.
    fn send(&self, headers: &[(&str, &str)]) -> (TraceParent, String) {
        let url = format!("http://{}/", self.addr);
        let body = self.rt.block_on(async {
            let mut req = reqwest::Client::new().get(url);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            req.send().await.unwrap().text().await.unwrap()
        });
        let (tp, ts) = body.split_once('\n').unwrap();
        (
            TraceParent::parse(tp).expect("valid traceparent sent downstream"),
            ts.to_owned(),
        )
    }

    fn continued(&self, headers: &[(&str, &str)]) -> bool {
        self.send(headers).0.trace_id.to_string() == TRACE
    }
}

fn tp(flags: &str) -> String {
    format!("00-{TRACE}-{PARENT}-{flags}")
}

#[test]
fn traceparent_cases() {
    let _serial = serial();
    let s = Suite::start();
    let good = tp("01");
    assert!(s.continued(&[("traceparent", &good)]));
    assert!(
        s.continued(&[("TraceParent", &good)]),
        "header name case-insensitive"
    );
    assert!(
        s.continued(&[("traceparent", &format!(" {good}\t"))]),
        "OWS"
    );
    assert!(
        !s.continued(&[("traceparent", &good), ("traceparent", &good)]),
        "duplicated"
    );
    assert!(s.continued(&[("traceparent", &format!("cc-{TRACE}-{PARENT}-01-future"))]));
    assert!(!s.continued(&[("traceparent", &format!("cc-{TRACE}-{PARENT}-01.future"))]));
    assert!(
        !s.continued(&[("traceparent", &format!("{good}-"))]),
        "trailing data on 00"
    );
    assert!(!s.continued(&[("traceparent", &format!("ff-{TRACE}-{PARENT}-01"))]));
    let lower = "abcdef0123456789abcdef0123456789";
    let (out, _) = s.send(&[(
        "traceparent",
        &format!("00-{}-{PARENT}-01", lower.to_uppercase()),
    )]);
    assert_ne!(out.trace_id.to_string(), lower, "uppercase hex");
    let (out, _) = s.send(&[("traceparent", &format!("00-{lower}-{PARENT}-01"))]);
    assert_eq!(
        out.trace_id.to_string(),
        lower,
        "the same id in lowercase is continued"
    );

    // The parent id sent on is our own span; the trace id and the flags carry over.
    let (out, _) = s.send(&[("traceparent", &tp("03"))]);
    assert_ne!(out.parent_id.to_string(), PARENT);
    assert!(
        out.flags.is_sampled() && out.flags.is_random_trace_id(),
        "Level 2 flag propagated"
    );
    let (out, _) = s.send(&[("traceparent", &tp("00"))]);
    assert!(!out.flags.is_sampled() && !out.flags.is_random_trace_id());
    // A future version's unknown flag bits are not forwarded (Level 1: sent as zero).
    let (out, _) = s.send(&[("traceparent", &tp("ff"))]);
    assert_eq!(out.flags.bits(), 0x03);
    // A fresh trace sets the random flag on the id we generated.
    let (out, _) = s.send(&[]);
    assert!(out.flags.is_random_trace_id());
}

#[test]
fn tracestate_cases() {
    let _serial = serial();
    let s = Suite::start();
    let good = tp("00");
    let ts = |values: &[&str]| {
        let mut h = vec![("traceparent", good.as_str())];
        h.extend(values.iter().map(|v| ("tracestate", *v)));
        s.send(&h).1
    };
    assert_eq!(ts(&["foo=1,bar=2"]), "foo=1,bar=2", "forwarded unchanged");
    assert_eq!(
        ts(&["foo=1", "bar=2"]),
        "foo=1,bar=2",
        "several headers combined in order"
    );
    assert_eq!(ts(&["", "foo=1"]), "foo=1", "empty header skipped");
    assert_eq!(
        ts(&["foo=1 ,\t bar=2, ,"]),
        "foo=1,bar=2",
        "OWS and empty members"
    );
    assert_eq!(
        ts(&["foo=1,foo=2"]),
        "foo=1",
        "duplicate keys de-duplicated, not dropped"
    );
    for bad in [
        "foo=1,FOO=2",
        "foo =1",
        "foo.bar=1",
        "foo@=1,bar=2",
        "@foo=1",
        "foo=bar=baz",
        "foo=,bar=3",
        "a@b@c=1",
    ] {
        assert_eq!(ts(&[bad]), "", "{bad:?} discards the tracestate");
    }
    let list = |n: usize| {
        (0..n)
            .map(|i| format!("k{i}=v"))
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(ts(&[&list(32)]).split(',').count(), 32);
    assert_eq!(ts(&[&list(33)]), "", "33 members");
    // A bad tracestate never costs the traceparent; without a good traceparent it is dropped.
    assert!(s.continued(&[("traceparent", &good), ("tracestate", "BAD=1")]));
    let (out, state) = s.send(&[("traceparent", "junk"), ("tracestate", "foo=1")]);
    assert_ne!(out.trace_id.to_string(), TRACE);
    assert_eq!(state, "");
}
