//! The HTTP integration over real HTTP on loopback: the server layer, the reqwest integration and
//! the tower client layer carry one trace across services; bad or untrusted input starts fresh.

mod axum_support;
use axum_support::serve;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::get;
use http_body_util::Full;
use trace_core::http::{ClientTraceLayer, RequestBuilderExt, ServerTraceLayer};
use trace_core::propagation::{
    B3, PeerNet, Propagators, TraceParent, TrustPolicy, W3cBaggage, attach_baggage, current_baggage,
};
use trace_core::{
    Sampler, SpanKind, SpanRecord, Status, TagValue, Tracer, TracerGuard, current, span,
};
use trace_record::MemoryRecorder;

static SERIAL: Mutex<()> = Mutex::new(());

/// Only one tracer per process: tests take turns.
fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `f` on a fresh runtime, outside the test lock (which is not held across `.await`).
fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn install(sampler: Sampler) -> (TracerGuard, MemoryRecorder) {
    let rec = MemoryRecorder::new();
    let tracer = Tracer::builder()
        .service("http-test")
        .sampler(sampler)
        .recorder(rec.clone())
        .install()
        .unwrap();
    (tracer, rec)
}

fn by_name(spans: &[SpanRecord], name: &str) -> SpanRecord {
    let found: Vec<_> = spans.iter().filter(|s| s.name == name).collect();
    assert_eq!(found.len(), 1, "spans named {name}: {spans:#?}");
    found[0].clone()
}

fn str_tag(s: &SpanRecord, key: &str) -> Option<String> {
    match s.tags.get(key)? {
        TagValue::Str(v) => Some(v.to_string()),
        other => Some(format!("{other:?}")),
    }
}

fn int_tag(s: &SpanRecord, key: &str) -> Option<i64> {
    match s.tags.get(key)? {
        TagValue::Int(v) => Some(*v),
        _ => None,
    }
}

#[derive(Clone)]
struct Next(Option<String>);

/// A service that calls `next` (if any) with reqwest and answers with the baggage it saw.
async fn hop(State(next): State<Next>) -> String {
    let seen = current_baggage().get("user").unwrap_or("none").to_owned();
    current::set_tag("seen.user", seen.clone());
    match next.0 {
        Some(url) => reqwest::Client::new()
            .get(url)
            .send_traced()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        None => seen,
    }
}

fn hop_app(next: Option<String>) -> Router {
    Router::new()
        .route("/hop/{n}", get(hop))
        .with_state(Next(next))
        .layer(ServerTraceLayer::new())
}

#[test]
fn three_services_make_one_trace_and_baggage_reaches_the_last_hop() {
    let _serial = serial();
    run(async {
        let (tracer, rec) = install(Sampler::always());
        let c = serve(hop_app(None)).await;
        let b = serve(hop_app(Some(format!("http://{c}/hop/3")))).await;
        let a = serve(hop_app(Some(format!("http://{b}/hop/2")))).await;

        let mut root = span("test root").root().start();
        let reply = {
            let _e = root.enter();
            let mut bag = current_baggage();
            bag.insert("user", "ann lee").unwrap();
            let _b = attach_baggage(bag).expect("a span is current");
            reqwest::Client::new()
                .get(format!("http://{a}/hop/1"))
                .send_traced()
        }
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
        root.finish();
        assert_eq!(reply, "ann lee", "baggage arrived at the last hop");

        tracer.flush().unwrap();
        assert!(rec.wait_for(7, Duration::from_secs(5)));
        let spans = rec.spans();
        assert_eq!(spans.len(), 7, "{spans:#?}");
        let root = by_name(&spans, "test root");
        assert!(
            spans.iter().all(|s| s.trace_id == root.trace_id),
            "one trace"
        );

        let servers: Vec<&SpanRecord> = spans
            .iter()
            .filter(|s| s.kind == SpanKind::Server)
            .collect();
        let clients: Vec<&SpanRecord> = spans
            .iter()
            .filter(|s| s.kind == SpanKind::Client)
            .collect();
        assert_eq!((servers.len(), clients.len()), (3, 3));
        // Each server span's parent is a client span; each client span's parent is the root or a server.
        for s in &servers {
            let parent = spans
                .iter()
                .find(|p| Some(p.span_id) == s.parent_id)
                .expect("parent present");
            assert_eq!(parent.kind, SpanKind::Client);
            assert_eq!(s.name, "GET /hop/{n}", "named after the matched route");
            assert_eq!(str_tag(s, "http.route").as_deref(), Some("/hop/{n}"));
            assert_eq!(int_tag(s, "http.response.status_code"), Some(200));
            assert_eq!(str_tag(s, "seen.user").as_deref(), Some("ann lee"));
        }
        for c in &clients {
            let parent = spans
                .iter()
                .find(|p| Some(p.span_id) == c.parent_id)
                .expect("parent present");
            assert!(parent.kind == SpanKind::Server || parent.span_id == root.span_id);
            assert_eq!(str_tag(c, "http.request.method").as_deref(), Some("GET"));
            assert_eq!(int_tag(c, "http.response.status_code"), Some(200));
        }
        let paths: Vec<String> = servers
            .iter()
            .filter_map(|s| str_tag(s, "url.path"))
            .collect();
        for p in ["/hop/1", "/hop/2", "/hop/3"] {
            assert!(paths.iter().any(|x| x == p), "{paths:?}");
        }
        tracer.shutdown().unwrap();
    });
}

async fn echo_headers(headers: HeaderMap) -> String {
    let ctx = current::context()
        .map(|c| c.trace_id().to_string())
        .unwrap_or_default();
    let rid = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    format!("{ctx} {rid}")
}

async fn fail() -> StatusCode {
    StatusCode::SERVICE_UNAVAILABLE
}

fn echo_app(layer: ServerTraceLayer) -> Router {
    Router::new()
        .route("/echo", get(echo_headers))
        .route("/fail", get(fail))
        .layer(layer)
}

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT: &str = "00f067aa0ba902b7";

async fn get_with(url: String, headers: &[(&str, String)]) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(url);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    req.send().await.unwrap()
}

#[test]
fn malformed_and_oversized_headers_start_fresh_traces() {
    let _serial = serial();
    run(async {
        let (tracer, rec) = install(Sampler::always());
        let addr = serve(echo_app(ServerTraceLayer::new().trace_response(true))).await;
        let good = format!("00-{TRACE}-{PARENT}-01");
        let cases: Vec<Vec<(&str, String)>> = vec![
            vec![("traceparent", good.to_uppercase())],
            vec![("traceparent", format!("ff-{TRACE}-{PARENT}-01"))],
            vec![("traceparent", format!("00-{}-{PARENT}-01", "0".repeat(32)))],
            vec![("traceparent", format!("{good}-extra"))],
            vec![("traceparent", good.clone()), ("traceparent", good.clone())],
            vec![(
                "traceparent",
                format!("cc-{TRACE}-{PARENT}-01-{}", "a".repeat(4000)),
            )],
            vec![
                ("traceparent", "garbage".into()),
                ("baggage", "x".repeat(20_000)),
            ],
        ];
        let n = cases.len();
        for headers in cases {
            let resp = get_with(format!("http://{addr}/echo"), &headers).await;
            assert_eq!(resp.status(), 200);
            let tr = resp.headers()["traceresponse"].to_str().unwrap().to_owned();
            let tr = TraceParent::parse(&tr).expect("valid traceresponse");
            assert_ne!(
                tr.trace_id.to_string(),
                TRACE,
                "fresh trace for {headers:?}"
            );
            assert!(
                tr.flags.is_random_trace_id(),
                "our ids set the Level 2 random flag"
            );
        }
        // A valid header in the same setup is continued, so the cases above really were rejections.
        let resp = get_with(
            format!("http://{addr}/echo"),
            &[
                ("traceparent", good.clone()),
                ("tracestate", "BAD=1".into()),
            ],
        )
        .await;
        let body = resp.text().await.unwrap();
        assert!(body.starts_with(TRACE), "{body}");

        tracer.flush().unwrap();
        assert!(rec.wait_for(n + 1, Duration::from_secs(5)));
        let spans = rec.spans();
        let roots = spans.iter().filter(|s| s.parent_id.is_none()).count();
        assert_eq!(roots, n, "every malformed request is a new root");
        let continued = spans
            .iter()
            .find(|s| s.trace_id.to_string() == TRACE)
            .unwrap();
        assert_eq!(
            continued.parent_id.map(|p| p.to_string()).as_deref(),
            Some(PARENT)
        );
        tracer.shutdown().unwrap();
    });
}

#[test]
fn untrusted_policy_ignores_remote_sampling() {
    let _serial = serial();
    run(async {
        // The sampler follows a trusted parent's flag and records nothing that starts here.
        let (tracer, rec) = install(Sampler::parent_based(Sampler::never()));
        let honour = serve(echo_app(ServerTraceLayer::new().trace_response(true))).await;
        let ignore = serve(echo_app(
            ServerTraceLayer::new()
                .trust(TrustPolicy::Ignore)
                .trace_response(true),
        ))
        .await;
        let loopback = serve(echo_app(
            ServerTraceLayer::new()
                .trust(TrustPolicy::TrustedPeers(PeerNet::loopback().to_vec()))
                .trace_response(true),
        ))
        .await;
        let elsewhere = serve(echo_app(
            ServerTraceLayer::new()
                .trust(TrustPolicy::TrustedPeers(vec![
                    "10.0.0.0/8".parse().unwrap(),
                ]))
                .trace_response(true),
        ))
        .await;
        let sampled = [("traceparent", format!("00-{TRACE}-{PARENT}-01"))];

        let mut continued = Vec::new();
        for (addr, label) in [
            (honour, "honour"),
            (ignore, "ignore"),
            (loopback, "loopback trusted"),
            (elsewhere, "peer not trusted"),
        ] {
            let resp = get_with(format!("http://{addr}/echo"), &sampled).await;
            let tr = TraceParent::parse(resp.headers()["traceresponse"].to_str().unwrap()).unwrap();
            let same_trace = tr.trace_id.to_string() == TRACE;
            assert_eq!(
                same_trace,
                tr.flags.is_sampled(),
                "{label}: sampled only when the caller's flag was honoured"
            );
            continued.push((label, same_trace));
        }
        assert_eq!(
            continued,
            [
                ("honour", true),
                ("ignore", false),
                ("loopback trusted", true),
                ("peer not trusted", false)
            ]
        );
        tracer.flush().unwrap();
        assert!(rec.wait_for(2, Duration::from_secs(5)));
        let spans = rec.spans();
        assert_eq!(
            spans.len(),
            2,
            "only the honoured requests recorded: {spans:#?}"
        );
        assert!(spans.iter().all(|s| s.trace_id.to_string() == TRACE));
        tracer.shutdown().unwrap();
    });
}

#[test]
fn ignored_callers_are_linked_and_the_local_sampler_decides() {
    let _serial = serial();
    run(async {
        let (tracer, rec) = install(Sampler::always());
        let ignore = serve(echo_app(ServerTraceLayer::new().trust(TrustPolicy::Ignore))).await;
        // The caller says "not sampled"; this process records anyway, in a new trace linked to it.
        let resp = get_with(
            format!("http://{ignore}/echo"),
            &[("traceparent", format!("00-{TRACE}-{PARENT}-00"))],
        )
        .await;
        assert_eq!(resp.status(), 200);
        tracer.flush().unwrap();
        assert!(rec.wait_for(1, Duration::from_secs(5)));
        let s = by_name(&rec.spans(), "GET /echo");
        assert_ne!(s.trace_id.to_string(), TRACE);
        assert_eq!(s.parent_id, None);
        assert_eq!(s.links.len(), 1);
        assert_eq!(s.links[0].trace_id.to_string(), TRACE);
        assert_eq!(s.links[0].span_id.to_string(), PARENT);
        tracer.shutdown().unwrap();
    });
}

#[test]
fn request_id_echo_and_error_status() {
    let _serial = serial();
    run(async {
        let (tracer, rec) = install(Sampler::always());
        let addr = serve(echo_app(ServerTraceLayer::new().request_id(true))).await;
        let resp = get_with(format!("http://{addr}/echo?q=1"), &[]).await;
        let echoed = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
        let body = resp.text().await.unwrap();
        let (trace, rid) = body.split_once(' ').unwrap();
        assert_eq!(echoed, trace, "response carries the trace id");
        let (rid_trace, rid_span) = rid.split_once(':').unwrap();
        assert_eq!(rid_trace, trace, "handler sees <trace>:<its span>");

        let resp = get_with(format!("http://{addr}/fail"), &[]).await;
        assert_eq!(resp.status(), 503);
        tracer.flush().unwrap();
        assert!(rec.wait_for(2, Duration::from_secs(5)));
        let spans = rec.spans();
        let echo = by_name(&spans, "GET /echo");
        assert_eq!(echo.span_id.to_string(), rid_span);
        assert_eq!(
            str_tag(&echo, "url.path").as_deref(),
            Some("/echo"),
            "no query"
        );
        assert_eq!(
            str_tag(&echo, "client.address").as_deref(),
            Some("127.0.0.1")
        );
        let failed = by_name(&spans, "GET /fail");
        assert_eq!(int_tag(&failed, "http.response.status_code"), Some(503));
        assert_eq!(str_tag(&failed, "error.type").as_deref(), Some("503"));
        assert!(matches!(failed.status, Status::Error(_)));
        tracer.shutdown().unwrap();
    });
}

#[test]
fn tower_client_layer_on_hyper_with_b3() {
    let _serial = serial();
    run(async {
        use hyper_util::client::legacy::Client;
        use hyper_util::rt::TokioExecutor;
        use tower_service::Service;

        let (tracer, rec) = install(Sampler::always());
        let b3 = Propagators::new()
            .with(B3::multi())
            .with(W3cBaggage::default());
        let addr = serve(
            Router::new()
                .route("/echo", get(echo_headers))
                .layer(ServerTraceLayer::new().propagators(b3.clone())),
        )
        .await;
        let hyper = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
        let mut client = tower_layer_apply(ClientTraceLayer::new().propagators(b3), hyper);

        let mut root = span("caller").root().start();
        let root_ctx = root.context().cloned().unwrap();
        let req = Request::get(format!("http://{addr}/echo"))
            .body(Full::new(Bytes::new()))
            .unwrap();
        std::future::poll_fn(|cx| client.poll_ready(cx))
            .await
            .unwrap();
        let sent = {
            let _e = root.enter();
            client.call(req)
        };
        let resp = sent.await.unwrap();
        root.finish();
        assert_eq!(resp.status(), 200);

        tracer.flush().unwrap();
        assert!(rec.wait_for(3, Duration::from_secs(5)));
        let spans = rec.spans();
        let client_span = spans.iter().find(|s| s.kind == SpanKind::Client).unwrap();
        let server_span = spans.iter().find(|s| s.kind == SpanKind::Server).unwrap();
        assert_eq!(client_span.parent_id, Some(root_ctx.span_id()));
        assert_eq!(
            server_span.parent_id,
            Some(client_span.span_id),
            "B3 carried the context"
        );
        assert!(spans.iter().all(|s| s.trace_id == root_ctx.trace_id()));
        assert_eq!(int_tag(client_span, "http.response.status_code"), Some(200));
        tracer.shutdown().unwrap();
    });
}

fn tower_layer_apply<S>(layer: ClientTraceLayer, inner: S) -> trace_core::http::ClientTrace<S> {
    tower_layer::Layer::layer(&layer, inner)
}
