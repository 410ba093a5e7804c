//! An axum app served on loopback, for the HTTP tests.

use std::net::SocketAddr;

use axum::Router;

/// Serves `app` on a free loopback port (with the peer address as connect info, which the server
/// layer records) until the test's runtime ends; returns where.
pub async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}
