//! The fan-out demo's three services, shared by `examples/fanout.rs` and by tests that record
//! its traces (trace-view's CLI tests).
//!
//! ```text
//! client ──GET /checkout──▶ frontend ─┬─GET /inventory──▶ backend-a ──GET /price──▶ backend-b
//!                                     └─GET /price──────────────────────────────▶ backend-b
//! ```

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use trace_core::http::{RequestBuilderExt, ServerTraceLayer};
use trace_core::propagation::{attach_baggage, current_baggage};
use trace_core::{FutureExt, SpanKind, current, span};

/// Any error of the demo.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Spans one request makes: the demo span and its call, the frontend and its 2 calls, backend-a
/// with its stock count and call, and backend-b twice, each with a lookup.
pub const SPANS_PER_REQUEST: usize = 12;

#[derive(Clone)]
struct Peers {
    client: reqwest::Client,
    backend_a: SocketAddr,
    backend_b: SocketAddr,
}

async fn serve(name: &'static str, app: Router) -> Result<SocketAddr, Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    // Every span this service opens says which service it belongs to: the three share a process.
    // The tagging middleware runs inside the request span, so it is added first (innermost).
    let app = app
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| async move {
                current::set_tag("service", name);
                next.run(req).await
            },
        ))
        .layer(ServerTraceLayer::new());
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("{name}: {e}");
        }
    });
    Ok(addr)
}

async fn get_text(client: &reqwest::Client, url: String) -> Result<String, String> {
    let response = client
        .get(url)
        .send_traced()
        .await
        .map_err(|e| e.to_string())?;
    response.text().await.map_err(|e| e.to_string())
}

async fn checkout(State(p): State<Peers>) -> Result<String, String> {
    // Both calls start now, from the request span, and run concurrently.
    let (inventory, price) = tokio::join!(
        get_text(&p.client, format!("http://{}/inventory", p.backend_a)),
        get_text(&p.client, format!("http://{}/price", p.backend_b)),
    );
    Ok(format!("inventory: {}, price: {}", inventory?, price?))
}

async fn inventory(State(p): State<Peers>) -> Result<String, String> {
    let count = async {
        tokio::time::sleep(Duration::from_millis(2)).await;
        7
    }
    .in_span(span("count stock").start())
    .await;
    let price = get_text(&p.client, format!("http://{}/price", p.backend_b)).await?;
    Ok(format!("{count} in stock at {price}"))
}

async fn price() -> String {
    let user = current_baggage().get("user").unwrap_or("?").to_owned();
    current::set_tag("baggage.user", user.clone());
    let _lookup = span("lookup price").enter();
    format!("42 (for {user})")
}

/// Starts the three services on loopback and sends `requests` requests through them, each the
/// root of a trace (with `user=demo` in its baggage); returns the response bodies. Needs a tokio
/// runtime and an installed tracer.
pub async fn run(requests: usize) -> Result<Vec<String>, Error> {
    let client = reqwest::Client::new();
    let mut bodies = Vec::with_capacity(requests);

    let backend_b = serve("backend-b", Router::new().route("/price", get(price))).await?;
    let backend_a_peers = Peers {
        client: client.clone(),
        backend_a: backend_b, // unused by backend-a
        backend_b,
    };
    let backend_a = serve(
        "backend-a",
        Router::new()
            .route("/inventory", get(inventory))
            .with_state(backend_a_peers),
    )
    .await?;
    let frontend = serve(
        "frontend",
        Router::new()
            .route("/checkout", get(checkout))
            .with_state(Peers {
                client: client.clone(),
                backend_a,
                backend_b,
            }),
    )
    .await?;

    for i in 1..=requests {
        let mut request = span(format!("demo request {i}"))
            .kind(SpanKind::Internal)
            .root()
            .start();
        let body = {
            let _entered = request.enter();
            let mut baggage = current_baggage();
            baggage.insert("user", "demo")?;
            let _with_baggage = attach_baggage(baggage);
            client
                .get(format!("http://{frontend}/checkout"))
                .send_traced()
        }
        .await?
        .text()
        .await?;
        request.set_tag("response", body.clone());
        request.finish();
        bodies.push(body);
    }

    Ok(bodies)
}
