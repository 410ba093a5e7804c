//! The messages of `hop.proto`, written by hand with prost's derive (no protoc, no build script),
//! and the glue tonic's code generator would write: a client and the server's method dispatch.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tonic::body::Body;
use tonic::client::GrpcService;
use tonic::codegen::tokio_stream::Stream;
use tonic::codegen::{Bytes, StdError, http};
use tonic::server::{NamedService, ServerStreamingService, UnaryService};
use tonic::{Request, Response, Status, Streaming};
use tonic_prost::ProstCodec;

/// `hop.QuoteRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct QuoteRequest {
    #[prost(string, tag = "1")]
    pub item: String,
}

/// `hop.WatchRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct WatchRequest {
    #[prost(string, tag = "1")]
    pub item: String,
    #[prost(uint32, tag = "2")]
    pub count: u32,
}

/// `hop.Quote`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Quote {
    #[prost(string, tag = "1")]
    pub item: String,
    #[prost(uint64, tag = "2")]
    pub cents: u64,
}

pub const SERVICE: &str = "hop.Pricing";
pub const QUOTE: &str = "/hop.Pricing/Quote";
pub const WATCH: &str = "/hop.Pricing/Watch";

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
pub type QuoteStream = Pin<Box<dyn Stream<Item = Result<Quote, Status>> + Send>>;

/// What a `hop.Pricing` server implements.
pub trait Pricing: Clone + Send + Sync + 'static {
    fn quote(&self, request: Request<QuoteRequest>) -> BoxFuture<Result<Quote, Status>>;
    fn watch(&self, request: Request<WatchRequest>) -> BoxFuture<Result<QuoteStream, Status>>;
}

/// A `hop.Pricing` server for tonic's router.
#[derive(Clone)]
pub struct PricingServer<P>(pub P);

impl<P: Pricing> NamedService for PricingServer<P> {
    const NAME: &'static str = SERVICE;
}

struct QuoteMethod<P>(P);

impl<P: Pricing> UnaryService<QuoteRequest> for QuoteMethod<P> {
    type Response = Quote;
    type Future = BoxFuture<Result<Response<Quote>, Status>>;

    fn call(&mut self, request: Request<QuoteRequest>) -> Self::Future {
        let reply = self.0.quote(request);
        Box::pin(async move { reply.await.map(Response::new) })
    }
}

struct WatchMethod<P>(P);

impl<P: Pricing> ServerStreamingService<WatchRequest> for WatchMethod<P> {
    type Response = Quote;
    type ResponseStream = QuoteStream;
    type Future = BoxFuture<Result<Response<QuoteStream>, Status>>;

    fn call(&mut self, request: Request<WatchRequest>) -> Self::Future {
        let stream = self.0.watch(request);
        Box::pin(async move { stream.await.map(Response::new) })
    }
}

impl<P: Pricing> tower_service::Service<http::Request<Body>> for PricingServer<P> {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<http::Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let pricing = self.0.clone();
        Box::pin(async move {
            Ok(match request.uri().path() {
                QUOTE => {
                    let mut grpc = tonic::server::Grpc::new(ProstCodec::default());
                    grpc.unary(QuoteMethod(pricing), request).await
                }
                WATCH => {
                    let mut grpc = tonic::server::Grpc::new(ProstCodec::default());
                    grpc.server_streaming(WatchMethod(pricing), request).await
                }
                _ => Status::unimplemented("no such method").into_http(),
            })
        })
    }
}

/// A `hop.Pricing` client over any tonic transport (a traced channel here).
#[derive(Clone, Debug)]
pub struct PricingClient<T> {
    grpc: tonic::client::Grpc<T>,
}

impl<T> PricingClient<T>
where
    T: GrpcService<Body>,
    T::Error: Into<StdError>,
    T::ResponseBody: tonic::codegen::Body<Data = Bytes> + Send + 'static,
    <T::ResponseBody as tonic::codegen::Body>::Error: Into<StdError> + Send,
{
    pub fn new(transport: T) -> Self {
        Self {
            grpc: tonic::client::Grpc::new(transport),
        }
    }

    pub async fn quote(&mut self, item: &str) -> Result<Quote, Status> {
        self.quote_request(Request::new(QuoteRequest { item: item.into() }))
            .await
    }

    /// `Quote` with a request the caller built (its own metadata, say).
    pub async fn quote_request(&mut self, request: Request<QuoteRequest>) -> Result<Quote, Status> {
        self.ready().await?;
        let path = http::uri::PathAndQuery::from_static(QUOTE);
        let response = self
            .grpc
            .unary(request, path, ProstCodec::default())
            .await?;
        Ok(response.into_inner())
    }

    pub async fn watch(&mut self, item: &str, count: u32) -> Result<Streaming<Quote>, Status> {
        self.ready().await?;
        let request = Request::new(WatchRequest {
            item: item.into(),
            count,
        });
        let path = http::uri::PathAndQuery::from_static(WATCH);
        let response = self
            .grpc
            .server_streaming(request, path, ProstCodec::default())
            .await?;
        Ok(response.into_inner())
    }

    async fn ready(&mut self) -> Result<(), Status> {
        self.grpc
            .ready()
            .await
            .map_err(|e| Status::unavailable(format!("service not ready: {}", e.into())))
    }
}
