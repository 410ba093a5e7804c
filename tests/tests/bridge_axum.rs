//! The `tracing` bridge in an axum app: tower-http's `TraceLayer` inside our `ServerTraceLayer`
//! gives one tree per request (our server span, tower-http's request span, the handler's spans),
//! continuing the caller's trace; a 5xx answer makes tower-http's ERROR event mark its span.

mod axum_support;
mod bridge_support;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::get;
use bridge_support::{assert_child, bridge_everywhere, install, named, names, runtime};
use tower_http::trace::TraceLayer;
use trace_core::http::ServerTraceLayer;
use trace_core::{Sampler, SpanId, SpanKind, SpanRecord, Status, TagValue, TraceId, traced};

#[traced(name = "load user", args(id))]
async fn handler(Path(id): Path<u64>) -> String {
    format!("user {}", lookup(id).await)
}

#[tracing::instrument]
async fn lookup(id: u64) -> u64 {
    tokio::task::yield_now().await;
    tracing::info!(id, "found");
    id * 10
}

async fn fail() -> StatusCode {
    StatusCode::SERVICE_UNAVAILABLE
}

async fn serve() -> SocketAddr {
    let app = Router::new()
        .route("/users/{id}", get(handler))
        .route("/fail", get(fail))
        // The last layer added runs first: ours reads the caller's headers and opens the trace,
        // tower-http's request span is its child.
        .layer(TraceLayer::new_for_http())
        .layer(ServerTraceLayer::new());
    axum_support::serve(app).await
}

fn traceparent(n: u64) -> (TraceId, SpanId, String) {
    let trace: TraceId = format!("{:032x}", 0xabc0_0000 + n).parse().unwrap();
    let parent: SpanId = format!("{:016x}", 0x1000 + n).parse().unwrap();
    (trace, parent, format!("00-{trace}-{parent}-01"))
}

#[test]
fn one_tree_per_request_through_tower_http_and_our_layer() {
    bridge_everywhere();
    let installed = install(Sampler::always());
    let rt = runtime();
    let callers: Vec<_> = (1..=6).map(traceparent).collect();
    rt.block_on(async {
        let addr = serve().await;
        let client = reqwest::Client::new();
        let calls = callers.iter().enumerate().map(|(i, (_, _, header))| {
            let request = client
                .get(format!("http://{addr}/users/{i}"))
                .header("traceparent", header)
                .send();
            async move { request.await.unwrap().text().await.unwrap() }
        });
        let bodies = futures_join_all(calls).await;
        for (i, body) in bodies.iter().enumerate() {
            assert_eq!(body, &format!("user {}", i * 10));
        }
    });
    drop(rt);
    let spans = installed.finish();
    let mut traces: BTreeMap<TraceId, Vec<SpanRecord>> = BTreeMap::new();
    for s in spans {
        traces.entry(s.trace_id).or_default().push(s);
    }
    assert_eq!(traces.len(), callers.len(), "one trace per request");
    for (trace, caller, _) in &callers {
        let spans = &traces[trace];
        assert_eq!(spans.len(), 4, "{:?}", names(spans));
        let server = named(spans, "GET /users/{id}");
        assert_eq!(server.kind, SpanKind::Server);
        assert_eq!(
            server.parent_id,
            Some(*caller),
            "continues the caller's trace"
        );
        let request = named(spans, "request");
        assert_child(request, server);
        assert_eq!(
            request.tags.get("method"),
            Some(&TagValue::Str("GET".into()))
        );
        assert_eq!(
            request.code.as_ref().unwrap().module.as_deref(),
            Some("tower_http::trace::make_span")
        );
        let handler = named(spans, "load user");
        assert_child(handler, request);
        let lookup = named(spans, "lookup");
        assert_child(lookup, handler);
        assert_eq!(lookup.checkpoints.len(), 1);
        assert!(lookup.checkpoints[0].name.starts_with("found id="));
        assert_eq!(lookup.tags.get("id"), handler.tags.get("id"));
    }
}

#[test]
fn a_server_error_marks_tower_https_span() {
    bridge_everywhere();
    let installed = install(Sampler::always());
    let rt = runtime();
    rt.block_on(async {
        let addr = serve().await;
        let status = reqwest::get(format!("http://{addr}/fail"))
            .await
            .unwrap()
            .status();
        assert_eq!(status, 503);
    });
    drop(rt);
    let spans = installed.finish();
    assert_eq!(spans.len(), 2, "{:?}", names(&spans));
    let server = named(&spans, "GET /fail");
    let request = named(&spans, "request");
    assert_child(request, server);
    let Status::Error(message) = &request.status else {
        panic!("tower-http's on_failure event did not mark the span: {request:?}");
    };
    assert!(message.starts_with("response failed"), "{message}");
    assert!(
        server.status.is_error(),
        "our layer saw the 503 too: {server:?}"
    );
}

/// Awaits every future, in order (no `futures` dependency for one helper).
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    calls: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let tasks: Vec<_> = calls.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}
