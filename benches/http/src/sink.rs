//! The OTLP endpoint of the `ours_otlp` variant: an HTTP/1.1 server on loopback, in the driver's
//! process (so its CPU is not the server's), that reads each request body, counts it and answers
//! with an empty `ExportTraceServiceResponse` (an empty protobuf message is zero bytes).

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;

use crate::Error;

/// A running sink.
pub struct Sink {
    /// `http://127.0.0.1:PORT/v1/traces`.
    pub endpoint: String,
    /// Requests answered so far.
    pub requests: Arc<AtomicU64>,
}

/// Starts the sink on a thread of its own.
pub fn start() -> Result<Sink, Error> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let endpoint = format!("http://{}/v1/traces", listener.local_addr()?);
    let requests = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&requests);
    std::thread::Builder::new()
        .name("otlp-sink".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => return eprintln!("otlp sink: {e}"),
            };
            if let Err(e) = rt.block_on(serve(listener, counter)) {
                eprintln!("otlp sink: {e}");
            }
        })?;
    Ok(Sink { endpoint, requests })
}

async fn serve(listener: std::net::TcpListener, counter: Arc<AtomicU64>) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    loop {
        let (stream, _) = listener.accept().await?;
        let counter = Arc::clone(&counter);
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let counter = Arc::clone(&counter);
                    async move {
                        // Read the whole body, as a collector would, then discard it.
                        let _ = req.into_body().collect().await;
                        counter.fetch_add(1, Ordering::Relaxed);
                        let resp = hyper::Response::builder()
                            .header(http::header::CONTENT_TYPE, "application/x-protobuf")
                            .body(Full::new(Bytes::new()))
                            .unwrap_or_default();
                        Ok::<_, Infallible>(resp)
                    }
                });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
