//! The gRPC integration over real HTTP/2 on loopback: one trace through the demo's three hops
//! (HTTP -> gRPC -> HTTP), status codes and errors on the RPC spans, streams covered to their end,
//! and bad metadata that never fails a call.

mod grpc_common;

use grpc_common::hop::proto::{PricingClient, QuoteRequest};
use grpc_common::hop::{self, UNKNOWN_ITEM};
use grpc_common::{
    child, children, connect, install, only, run, serial, settle, tag, traced_client,
};
use tonic::metadata::{AsciiMetadataKey, BinaryMetadataKey, BinaryMetadataValue, MetadataValue};
use tonic::service::interceptor::InterceptedService;
use trace_core::grpc::{GrpcServerLayer, TraceInterceptor};
use trace_core::http::RequestBuilderExt;
use trace_core::propagation::{PeerNet, TrustPolicy};
use trace_core::{SpanKind, SpanRecord, Status, span};
use trace_record::Trace;

const QUOTE: &str = "hop.Pricing/Quote";
const WATCH: &str = "hop.Pricing/Watch";

fn assert_ok_rpc(s: &SpanRecord, responses: u64) {
    assert_eq!(tag(s, "rpc.system").as_deref(), Some("grpc"), "{s:#?}");
    assert_eq!(tag(s, "rpc.service").as_deref(), Some("hop.Pricing"));
    assert_eq!(
        tag(s, "rpc.grpc.status_code").as_deref(),
        Some("0"),
        "{s:#?}"
    );
    assert_eq!(s.status, Status::Ok, "{s:#?}");
    assert_eq!(tag(s, "rpc.grpc.request.messages").as_deref(), Some("1"));
    assert_eq!(
        tag(s, "rpc.grpc.response.messages"),
        Some(responses.to_string()),
        "{s:#?}"
    );
}

/// The backend hop under an RPC's server span: an HTTP client span and the backend's server span.
fn assert_backend_call(trace: &Trace, rpc_server: &SpanRecord, item: &str, status: &str) {
    let calls = children(
        trace,
        rpc_server,
        &format!("GET /price/{item}"),
        SpanKind::Client,
    );
    assert!(!calls.is_empty(), "no backend call under {rpc_server:#?}");
    for call in calls {
        assert_eq!(
            tag(call, "http.response.status_code").as_deref(),
            Some(status)
        );
        let backend = child(trace, call, "GET /price/{item}", SpanKind::Server);
        assert_eq!(tag(backend, "service").as_deref(), Some("backend"));
        assert_eq!(
            tag(backend, "http.response.status_code").as_deref(),
            Some(status)
        );
    }
}

#[test]
fn http_grpc_http_is_one_trace_with_statuses_and_errors() {
    let _serial = serial();
    let (tracer, rec) = install();
    let (trace_id, body) = run(async {
        let hops = hop::start().await.expect("services start");
        let mut request = span("test request").root().start();
        let trace_id = request.context().expect("recording").trace_id();
        let response = {
            let _entered = request.enter();
            reqwest::Client::new()
                .get(format!("http://{}/checkout/widget", hops.frontend))
                .send_traced()
        }
        .await
        .expect("the frontend answers");
        assert_eq!(response.status(), 200);
        let body = response.text().await.expect("a body");
        request.finish();
        (trace_id, body)
    });
    assert_eq!(
        body,
        format!("widget: 600 cents; watched [600, 600, 600]; {UNKNOWN_ITEM}: NotFound")
    );
    settle(&tracer, &rec);

    let traces = Trace::group(rec.spans());
    assert_eq!(traces.len(), 1, "one trace: {traces:#?}");
    let trace = &traces[0];
    assert_eq!(trace.trace_id(), trace_id);
    assert_eq!(trace.roots().count(), 1);
    assert_eq!(trace.orphans().count(), 0, "every parent link unbroken");
    assert_eq!(trace.len(), 24);

    let root = trace.roots().next().expect("a root");
    let call = child(trace, root, "GET /checkout/widget", SpanKind::Client);
    let frontend = child(trace, call, "GET /checkout/{item}", SpanKind::Server);
    assert_eq!(tag(frontend, "service").as_deref(), Some("frontend"));

    // HTTP -> gRPC: the frontend's RPCs, each continued by the server, in order.
    let quotes = children(trace, frontend, QUOTE, SpanKind::Client);
    let watches = children(trace, frontend, WATCH, SpanKind::Client);
    assert_eq!((quotes.len(), watches.len()), (2, 1));

    let (quote, watch, unknown) = (quotes[0], watches[0], quotes[1]);
    let quote_server = child(trace, quote, QUOTE, SpanKind::Server);
    assert_eq!(tag(quote_server, "rpc.method").as_deref(), Some("Quote"));
    assert_eq!(tag(quote_server, "service").as_deref(), Some("pricing"));
    assert_ok_rpc(quote, 1);
    assert_ok_rpc(quote_server, 1);
    // gRPC -> HTTP.
    assert_backend_call(trace, quote_server, "widget", "200");

    // A server stream: three messages, and the span lasts until the last one.
    let watch_server = child(trace, watch, WATCH, SpanKind::Server);
    assert_ok_rpc(watch, 3);
    assert_ok_rpc(watch_server, 3);
    assert_eq!(
        children(trace, watch_server, "GET /price/widget", SpanKind::Client).len(),
        3
    );
    assert_backend_call(trace, watch_server, "widget", "200");
    let last_call = children(trace, watch_server, "GET /price/widget", SpanKind::Client)
        .into_iter()
        .map(|s| s.finish)
        .max()
        .expect("calls");
    assert!(
        watch_server.finish >= last_call,
        "the stream's span covers the stream"
    );

    // The error RPC: NOT_FOUND on both sides, from the backend's 404.
    let unknown_server = child(trace, unknown, QUOTE, SpanKind::Server);
    for s in [unknown, unknown_server] {
        assert_eq!(
            tag(s, "rpc.grpc.status_code").as_deref(),
            Some("5"),
            "{s:#?}"
        );
        assert_eq!(tag(s, "error.type").as_deref(), Some("NotFound"));
        assert!(
            matches!(&s.status, Status::Error(m) if m.contains("no item")),
            "{s:#?}"
        );
    }
    assert_backend_call(trace, unknown_server, UNKNOWN_ITEM, "404");
    tracer.shutdown().expect("shutdown");
}

const GOOD_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const GOOD_PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/// ASCII metadata as sent: keys and raw values.
type Metadata<'a> = Vec<(&'a str, Vec<u8>)>;

/// Calls `Quote` with `metadata` on an untraced channel and returns the server's span: the call
/// must succeed whatever the metadata says.
fn server_span_for(metadata: &[(&str, Vec<u8>)], binary: Option<(&str, &[u8])>) -> SpanRecord {
    let (tracer, rec) = install();
    run(async {
        let hops = hop::start().await.expect("services start");
        let channel = connect(hops.pricing).await;
        let mut client = PricingClient::new(channel);
        let mut request = tonic::Request::new(QuoteRequest {
            item: "widget".into(),
        });
        for (key, value) in metadata {
            let value = MetadataValue::try_from(value.as_slice()).expect("a value HTTP/2 carries");
            let key = AsciiMetadataKey::from_bytes(key.as_bytes()).expect("a metadata key");
            request.metadata_mut().append(key, value);
        }
        if let Some((key, value)) = binary {
            let key = BinaryMetadataKey::from_bytes(key.as_bytes()).expect("a binary key");
            request
                .metadata_mut()
                .append_bin(key, BinaryMetadataValue::from_bytes(value));
        }
        let quote = client.quote_request(request).await;
        assert_eq!(quote.expect("the call succeeds").cents, 600, "{metadata:?}");
    });
    settle(&tracer, &rec);
    let server = only(&rec.spans(), QUOTE, SpanKind::Server).clone();
    tracer.shutdown().expect("shutdown");
    server
}

#[test]
fn malformed_and_oversized_metadata_start_fresh_traces() {
    let _serial = serial();
    // The control: a valid traceparent is continued, so a fresh trace below is the layer's choice.
    let s = server_span_for(&[("traceparent", GOOD_PARENT.into())], None);
    assert_eq!(s.trace_id.to_string(), GOOD_TRACE);
    assert_eq!(
        s.parent_id.map(|p| p.to_string()).as_deref(),
        Some("00f067aa0ba902b7")
    );

    let oversized = format!("{GOOD_PARENT}-{}", "a".repeat(4000));
    let mut obs_text = GOOD_PARENT.as_bytes().to_vec();
    obs_text[10] = 0xe9;
    let cases: Vec<(&str, Metadata)> = vec![
        (
            "not hex",
            vec![("traceparent", b"00-zzzz-00f067aa0ba902b7-01".to_vec())],
        ),
        ("oversized", vec![("traceparent", oversized.into_bytes())]),
        ("not visible ASCII", vec![("traceparent", obs_text)]),
        (
            "repeated",
            vec![
                ("traceparent", GOOD_PARENT.into()),
                ("traceparent", GOOD_PARENT.into()),
            ],
        ),
        (
            "uppercase",
            vec![("traceparent", GOOD_PARENT.to_uppercase().into_bytes())],
        ),
    ];
    for (what, metadata) in cases {
        let s = server_span_for(&metadata, None);
        assert_eq!(s.parent_id, None, "{what}: a fresh trace");
        assert_ne!(s.trace_id.to_string(), GOOD_TRACE, "{what}");
    }

    // `-bin` metadata is never read, even when it holds a context in another format's bytes.
    let s = server_span_for(&[], Some(("traceparent-bin", GOOD_PARENT.as_bytes())));
    assert_eq!(s.parent_id, None, "binary metadata ignored");

    // An oversized baggage or tracestate loses only itself: the trace is still continued.
    let baggage = (0..1000)
        .map(|i| format!("k{i}=v{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let tracestate = (0..40)
        .map(|i| format!("v{i}=x"))
        .collect::<Vec<_>>()
        .join(",");
    let s = server_span_for(
        &[
            ("traceparent", GOOD_PARENT.into()),
            ("baggage", baggage.into_bytes()),
            ("tracestate", tracestate.into_bytes()),
        ],
        None,
    );
    assert_eq!(
        s.trace_id.to_string(),
        GOOD_TRACE,
        "oversized baggage and tracestate"
    );
}

/// The interceptor opens no span but carries the caller's: the server continues it.
#[test]
fn the_interceptor_propagates_the_current_span() {
    let _serial = serial();
    let (tracer, rec) = install();
    let caller = run(async {
        let hops = hop::start().await.expect("services start");
        let channel = connect(hops.pricing).await;
        let intercepted = InterceptedService::new(channel, TraceInterceptor::default());
        let mut client = PricingClient::new(intercepted);
        let mut caller = span("caller").root().start();
        let id = caller.context().expect("recording").clone();
        let _entered = caller.enter();
        client.quote("widget").await.expect("the call succeeds");
        id
    });
    settle(&tracer, &rec);
    let spans = rec.spans();
    assert!(
        !spans
            .iter()
            .any(|s| s.name == QUOTE && s.kind == SpanKind::Client),
        "no client span"
    );
    let server = only(&spans, QUOTE, SpanKind::Server);
    assert_eq!(server.trace_id, caller.trace_id());
    assert_eq!(server.parent_id, Some(caller.span_id()));
    tracer.shutdown().expect("shutdown");
}

/// A stream the caller drops half-way: both spans end, as `CANCELLED`, not as successes.
#[test]
fn a_stream_dropped_half_way_is_cancelled_on_both_sides() {
    let _serial = serial();
    let (tracer, rec) = install();
    run(async {
        let hops = hop::start().await.expect("services start");
        let mut client = traced_client(hops.pricing).await;
        let mut stream = client.watch("widget", 100).await.expect("a stream");
        let first = stream.message().await.expect("a message");
        assert_eq!(first.map(|q| q.cents), Some(600));
        drop(stream);
    });
    settle(&tracer, &rec);
    let spans = rec.spans();
    for kind in [SpanKind::Client, SpanKind::Server] {
        let s = only(&spans, WATCH, kind);
        assert_eq!(
            tag(s, "rpc.grpc.status_code").as_deref(),
            Some("1"),
            "{s:#?}"
        );
        assert!(s.status.is_error(), "{s:#?}");
    }
    tracer.shutdown().expect("shutdown");
}

/// The server applies the trust policy to gRPC callers as to HTTP ones, with the peer's address
/// from tonic's connection info: a loopback caller is trusted by `TrustedPeers(loopback)`, not by
/// `TrustedPeers(10.0.0.0/8)` nor by `Ignore`, whose spans start a trace linked to the caller's.
#[test]
fn the_trust_policy_decides_whose_trace_continues() {
    let _serial = serial();
    let policies = [
        (
            TrustPolicy::TrustedPeers(PeerNet::loopback().to_vec()),
            true,
        ),
        (
            TrustPolicy::TrustedPeers(vec!["10.0.0.0/8".parse().expect("a net")]),
            false,
        ),
        (TrustPolicy::Ignore, false),
    ];
    for (policy, continued) in policies {
        let (tracer, rec) = install();
        run(async {
            let hops = hop::start().await.expect("services start");
            let layer = GrpcServerLayer::new().trust(policy.clone());
            let pricing = hop::serve_pricing(layer, hops.backend)
                .await
                .expect("serves");
            let mut client = traced_client(pricing).await;
            let mut caller = span("caller").root().start();
            let _entered = caller.enter();
            client.quote("widget").await.expect("the call succeeds");
        });
        settle(&tracer, &rec);
        let spans = rec.spans();
        let client = only(&spans, QUOTE, SpanKind::Client);
        let server = only(&spans, QUOTE, SpanKind::Server);
        if continued {
            assert_eq!(server.parent_id, Some(client.span_id), "{policy:?}");
            assert_eq!(server.trace_id, client.trace_id);
        } else {
            assert_eq!(server.parent_id, None, "{policy:?}");
            assert_ne!(server.trace_id, client.trace_id);
            assert_eq!(server.links.len(), 1, "linked to the caller");
            assert_eq!(server.links[0].span_id, client.span_id);
        }
        tracer.shutdown().expect("shutdown");
    }
}

/// A stream that fails after its headers were sent carries the status in its trailers: both spans
/// read it there and are marked as errors.
#[test]
fn an_error_status_in_the_trailers_marks_the_spans() {
    let _serial = serial();
    let (tracer, rec) = install();
    run(async {
        let hops = hop::start().await.expect("services start");
        let mut client = traced_client(hops.pricing).await;
        let mut stream = client
            .watch(UNKNOWN_ITEM, 2)
            .await
            .expect("the stream starts: the status comes later");
        let failed = stream.message().await.expect_err("the first message fails");
        assert_eq!(failed.code(), tonic::Code::NotFound);
    });
    settle(&tracer, &rec);
    let spans = rec.spans();
    for kind in [SpanKind::Client, SpanKind::Server] {
        let s = only(&spans, WATCH, kind);
        assert_eq!(
            tag(s, "rpc.grpc.status_code").as_deref(),
            Some("5"),
            "{s:#?}"
        );
        assert_eq!(tag(s, "rpc.grpc.response.messages").as_deref(), Some("0"));
        assert!(
            matches!(&s.status, Status::Error(m) if m.contains("no item")),
            "{s:#?}"
        );
    }
    tracer.shutdown().expect("shutdown");
}
