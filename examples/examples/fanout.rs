//! One trace across three services: a frontend calls two backends concurrently, and one backend
//! calls the other. Everything runs in this process on loopback ports, over real HTTP.
//!
//! ```text
//! cargo run -p examples --example fanout
//! ```
//!
//! ```text
//! client ──GET /checkout──▶ frontend ─┬─GET /inventory──▶ backend-a ──GET /price──▶ backend-b
//!                                     └─GET /price──────────────────────────────▶ backend-b
//! ```
//!
//! The client puts `user=demo` in the baggage; it travels with the trace to every hop, and
//! backend-b records what arrived. The example prints each request's trace as a tree and checks
//! that every span is in one trace with its parent present, across all the network hops.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use trace_core::http::{RequestBuilderExt, ServerTraceLayer};
use trace_core::propagation::{attach_baggage, current_baggage};
use trace_core::{FutureExt, SpanKind, Tracer, current, span};
use trace_record::{MemoryRecorder, Trace, tree};

type Error = Box<dyn std::error::Error + Send + Sync>;

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

#[tokio::main]
async fn main() -> Result<(), Error> {
    let spans = MemoryRecorder::new();
    let tracer = Tracer::builder()
        .service("fanout")
        .recorder(spans.clone())
        .install()?;
    let client = reqwest::Client::new();

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
    println!(
        "frontend http://{frontend}, backend-a http://{backend_a}, backend-b http://{backend_b}\n"
    );

    for i in 1..=2 {
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
        println!("request {i}: {body}");
    }

    // 12 spans a request: the demo span and its call, the frontend and its 2 calls, backend-a with
    // its stock count and call, and backend-b twice, each with a lookup.
    tracer.flush()?;
    spans.wait_for(2 * 12, Duration::from_secs(5));
    let traces = Trace::group(spans.spans());
    for trace in &traces {
        println!();
        tree::write_tree(&mut std::io::stdout(), trace)?;
        check(trace)?;
    }
    tracer.shutdown()?;
    println!(
        "\n{} traces, each one tree across 3 services: ok",
        traces.len()
    );
    Ok(())
}

/// Every span has its parent in the same trace, and exactly one root.
fn check(trace: &Trace) -> Result<(), Error> {
    let roots = trace.roots().count();
    let orphans = trace.orphans().count();
    let services: std::collections::BTreeSet<String> = trace
        .spans()
        .iter()
        .filter_map(|s| s.tags.get("service").map(|v| format!("{v:?}")))
        .collect();
    if roots != 1 || orphans != 0 || services.len() != 3 {
        return Err(format!(
            "trace {} is broken: {roots} roots, {orphans} orphans, services {services:?}",
            trace.trace_id()
        )
        .into());
    }
    Ok(())
}
