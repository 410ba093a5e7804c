//! The spans the DynamoDB benches write: requests of five spans with a few tags each.

use trace_core::{SpanKind, SpanRecord, Tracer, span};
use trace_record::MemoryRecorder;

/// `spans` spans (a multiple of five), recorded by a real tracer.
pub fn workload(spans: usize) -> Vec<SpanRecord> {
    let memory = MemoryRecorder::new();
    let tracer = Tracer::builder()
        .service("bench")
        .recorder(memory.clone())
        .install()
        .expect("no other tracer in the bench");
    for request in 0..spans / 5 {
        let mut root = span("GET /users/:id").kind(SpanKind::Server).enter();
        root.set_tag("http.request.method", "GET");
        root.set_tag("request", request);
        for step in ["auth", "load user", "load orders", "render"] {
            let mut child = span(step).enter();
            child.set_tag("rows", 12);
            child.set_tag("cache.hit", false);
        }
    }
    tracer.shutdown().expect("tracer shutdown");
    memory.spans()
}
