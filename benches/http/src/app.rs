//! The service: `GET /work/{n}` awaits five `async fn`s in turn, each yielding once to the
//! runtime, so every request opens six spans (the server's and five children) and polls each
//! child twice. Written once and instrumented by each tracer's own attribute.

/// The handler and its five steps, with `$attr` on every step.
macro_rules! service {
    ($(#[$attr:meta])*) => {
        $(#[$attr])*
        async fn parse(n: u64) -> u64 {
            tokio::task::yield_now().await;
            n.wrapping_add(1)
        }

        $(#[$attr])*
        async fn authorize(n: u64) -> u64 {
            tokio::task::yield_now().await;
            n.wrapping_mul(3)
        }

        $(#[$attr])*
        async fn load(n: u64) -> u64 {
            tokio::task::yield_now().await;
            n ^ 0x5a5a
        }

        $(#[$attr])*
        async fn compute(n: u64) -> u64 {
            tokio::task::yield_now().await;
            n.rotate_left(7)
        }

        $(#[$attr])*
        async fn render(n: u64) -> u64 {
            tokio::task::yield_now().await;
            n % 1_000_003
        }

        /// `GET /work/{n}`.
        pub async fn work(axum::extract::Path(n): axum::extract::Path<u64>) -> String {
            let n = parse(n).await;
            let n = authorize(n).await;
            let n = load(n).await;
            let n = compute(n).await;
            render(n).await.to_string()
        }

        /// The router, before any tracing layer.
        pub fn router() -> axum::Router {
            axum::Router::new().route("/work/{n}", axum::routing::get(work))
        }
    };
}

/// No instrumentation.
pub mod plain {
    service!();
}

/// This project's `#[traced]`.
pub mod ours {
    service!(#[trace_core::traced]);
}

/// `tracing`'s `#[instrument]`, as its documentation shows it.
pub mod tracing_peer {
    service!(#[tracing::instrument]);
}

/// fastrace's `#[trace]`.
pub mod fastrace_peer {
    service!(#[fastrace::trace]);
}

/// Spans one request opens in every traced variant.
pub const SPANS_PER_REQUEST: u64 = 6;
