//! The three services of the gRPC hop demo, shared by `examples/grpc_hop.rs` and the tests that
//! check its trace (`tests/tests/grpc_hop.rs`). Each runs on a loopback port, over real HTTP/1.1
//! and HTTP/2:
//!
//! ```text
//! GET /checkout/{item} ──▶ frontend (axum) ──hop.Pricing/Quote, /Watch──▶ pricing (tonic)
//!                                                     GET /price/{item} ──▶ backend (axum)
//! ```
//!
//! The frontend asks for a quote, watches three successive prices (a server stream), and asks
//! for a `discontinued` item, which the backend does not know: 404 over HTTP, `NOT_FOUND` over
//! gRPC, both recorded as errors on their spans.

#![allow(dead_code)] // each includer uses its own part

pub mod proto;

use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use tonic::codegen::tokio_stream::Stream;
use tonic::transport::{Channel, Endpoint, Server};
use tonic::{Request, Status};
use tower_layer::Layer;
use trace_core::grpc::{GrpcClientLayer, GrpcClientTrace, GrpcServerLayer};
use trace_core::http::{RequestBuilderExt, ServerTraceLayer};
use trace_core::{current, span};

use proto::{
    Pricing, PricingClient, PricingServer, Quote, QuoteRequest, QuoteStream, WatchRequest,
};

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The item the backend does not know.
pub const UNKNOWN_ITEM: &str = "discontinued";

/// Where the three services listen.
#[derive(Clone, Copy, Debug)]
pub struct Hops {
    pub frontend: SocketAddr,
    pub pricing: SocketAddr,
    pub backend: SocketAddr,
}

/// Starts the backend, the gRPC pricing service and the frontend, each traced by its layer.
pub async fn start() -> Result<Hops, Error> {
    let backend = serve_http("backend", Router::new().route("/price/{item}", get(price))).await?;
    let pricing = serve_pricing(GrpcServerLayer::new(), backend).await?;
    let channel = Endpoint::from_shared(format!("http://{pricing}"))?.connect_lazy();
    let client = PricingClient::new(GrpcClientLayer::new().layer(channel));
    let frontend = serve_http(
        "frontend",
        Router::new()
            .route("/checkout/{item}", get(checkout))
            .with_state(client),
    )
    .await?;
    Ok(Hops {
        frontend,
        pricing,
        backend,
    })
}

async fn serve_http(name: &'static str, app: Router) -> Result<SocketAddr, Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
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

/// Starts the gRPC pricing service, traced by `layer`, calling the HTTP backend at `backend`.
pub async fn serve_pricing(
    layer: GrpcServerLayer,
    backend: SocketAddr,
) -> Result<SocketAddr, Error> {
    let pricing = PricingService {
        http: reqwest::Client::new(),
        backend,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    tokio::spawn(async move {
        let served = Server::builder()
            .layer(layer)
            .add_service(PricingServer(pricing))
            .serve_with_incoming(incoming)
            .await;
        if let Err(e) = served {
            eprintln!("pricing: {e}");
        }
    });
    Ok(addr)
}

// ---- backend (HTTP) ----

async fn price(Path(item): Path<String>) -> Result<String, StatusCode> {
    let _lookup = span("lookup price").enter();
    if item == UNKNOWN_ITEM {
        return Err(StatusCode::NOT_FOUND);
    }
    Ok((100 * item.len()).to_string())
}

// ---- pricing (gRPC) ----

#[derive(Clone)]
struct PricingService {
    http: reqwest::Client,
    backend: SocketAddr,
}

impl PricingService {
    /// One price from the backend, the HTTP outcome turned into a gRPC status.
    async fn fetch(&self, item: &str) -> Result<Quote, Status> {
        let response = self
            .http
            .get(format!("http://{}/price/{item}", self.backend))
            .send_traced()
            .await
            .map_err(|e| Status::unavailable(e.to_string()))?;
        match response.status() {
            StatusCode::OK => {}
            StatusCode::NOT_FOUND => return Err(Status::not_found(format!("no item {item:?}"))),
            other => return Err(Status::internal(format!("backend answered {other}"))),
        }
        let text = response
            .text()
            .await
            .map_err(|e| Status::unavailable(e.to_string()))?;
        let cents = text
            .parse()
            .map_err(|_| Status::internal(format!("backend sent a bad price {text:?}")))?;
        Ok(Quote {
            item: item.to_owned(),
            cents,
        })
    }
}

/// The server-stream half of `Watch`: quotes arrive from a task as the backend answers.
struct Quotes(tokio::sync::mpsc::Receiver<Result<Quote, Status>>);

impl Stream for Quotes {
    type Item = Result<Quote, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

impl Pricing for PricingService {
    fn quote(
        &self,
        request: Request<QuoteRequest>,
    ) -> Pin<Box<dyn Future<Output = Result<Quote, Status>> + Send>> {
        current::set_tag("service", "pricing");
        let this = self.clone();
        Box::pin(async move { this.fetch(&request.into_inner().item).await })
    }

    fn watch(
        &self,
        request: Request<WatchRequest>,
    ) -> Pin<Box<dyn Future<Output = Result<QuoteStream, Status>> + Send>> {
        current::set_tag("service", "pricing");
        let this = self.clone();
        let WatchRequest { item, count } = request.into_inner();
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        // The task's spans (the backend calls) are children of the RPC's span.
        trace_core::tokio::spawn(async move {
            for _ in 0..count.min(100) {
                if tx.send(this.fetch(&item).await).await.is_err() {
                    break; // the caller went away
                }
            }
        });
        Box::pin(async move { Ok(Box::pin(Quotes(rx)) as QuoteStream) })
    }
}

// ---- frontend (HTTP) ----

type Client = PricingClient<GrpcClientTrace<Channel>>;

async fn checkout(
    State(mut pricing): State<Client>,
    Path(item): Path<String>,
) -> Result<String, (StatusCode, String)> {
    let failed = |s: Status| (StatusCode::BAD_GATEWAY, s.to_string());
    let quote = pricing.quote(&item).await.map_err(failed)?;
    let mut stream = pricing.watch(&item, 3).await.map_err(failed)?;
    let mut watched = Vec::new();
    while let Some(q) = stream.message().await.map_err(failed)? {
        watched.push(q.cents);
    }
    // An item the backend does not know: the error is expected, and recorded on the spans.
    let unknown = match pricing.quote(UNKNOWN_ITEM).await {
        Ok(q) => format!("{} cents", q.cents),
        Err(s) => format!("{:?}", s.code()),
    };
    Ok(format!(
        "{item}: {} cents; watched {watched:?}; {UNKNOWN_ITEM}: {unknown}",
        quote.cents
    ))
}
