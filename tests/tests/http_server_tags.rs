//! The server layer's span names and tags on every path through its naming: a route without
//! parameters (its path is its template), a route with one, the same route under an extension
//! method (which has no static name), and a request no route matched (named after its path).
//! Requests repeat, so the second of each pair takes the names made by the first.

mod axum_support;

use std::time::Duration;

use axum::Router;
use axum::routing::{any, get};
use trace_core::http::ServerTraceLayer;
use trace_core::{SpanKind, SpanRecord, TagValue, Tracer};
use trace_record::MemoryRecorder;

fn str_tag(s: &SpanRecord, key: &str) -> Option<String> {
    match s.tags.get(key)? {
        TagValue::Str(v) => Some(v.to_string()),
        other => Some(format!("{other:?}")),
    }
}

#[test]
fn server_spans_are_named_and_tagged_for_every_kind_of_route() {
    let rec = MemoryRecorder::new();
    let tracer = Tracer::builder()
        .service("http-tags")
        .recorder(rec.clone())
        .install()
        .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let requests = [
        ("GET", "/health"),
        ("GET", "/items/7"),
        ("PURGE", "/items/8"),
        ("GET", "/nowhere"),
    ];
    rt.block_on(async {
        let app = Router::new()
            .route("/health", get(|| async { "ok" }))
            .route("/items/{id}", any(|| async { "item" }))
            .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "none") })
            .layer(ServerTraceLayer::new());
        let addr = axum_support::serve(app).await;
        let client = reqwest::Client::new();
        for _ in 0..2 {
            for (method, path) in requests {
                let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
                client
                    .request(method, format!("http://{addr}{path}"))
                    .send()
                    .await
                    .unwrap();
            }
        }
    });
    assert!(rec.wait_for(8, Duration::from_secs(5)));
    let spans = rec.spans();
    assert_eq!(spans.len(), 8, "{spans:#?}");
    let expect = [
        // name, method, path, route, status
        ("GET /health", "GET", "/health", Some("/health"), 200),
        (
            "GET /items/{id}",
            "GET",
            "/items/7",
            Some("/items/{id}"),
            200,
        ),
        (
            "PURGE /items/{id}",
            "PURGE",
            "/items/8",
            Some("/items/{id}"),
            200,
        ),
        ("GET /nowhere", "GET", "/nowhere", None, 404),
    ];
    for (name, method, path, route, status) in expect {
        let named: Vec<&SpanRecord> = spans.iter().filter(|s| s.name == name).collect();
        assert_eq!(named.len(), 2, "two spans named {name}: {spans:#?}");
        for s in named {
            assert_eq!(s.kind, SpanKind::Server);
            assert_eq!(str_tag(s, "http.request.method").as_deref(), Some(method));
            assert_eq!(str_tag(s, "url.path").as_deref(), Some(path));
            assert_eq!(str_tag(s, "http.route").as_deref(), route, "{name}");
            assert_eq!(
                s.tags.get("http.response.status_code"),
                Some(&TagValue::Int(status))
            );
            assert_eq!(str_tag(s, "client.address").as_deref(), Some("127.0.0.1"));
        }
    }
    tracer.shutdown().unwrap();
}
