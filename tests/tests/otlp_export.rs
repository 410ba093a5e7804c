//! Traces through a real collector: the OTLP recorder sends to rotel (started by
//! scripts/services/rotel.sh), which forwards with its own OTLP exporter to the decoder; the test
//! reads back what the decoder decoded with the OpenTelemetry project's classes and checks every
//! field of the mapping.

mod otlp_support;

use std::process::Command;
use std::time::Duration;

use otlp_support::{
    Session, attribute, builder, eventually, ids, rotel, rotel_grpc, serial, spans, spans_of,
};
use serde_json::{Value, json};
use trace_core::{Recorder, SpanBatch, SpanKind, Tracer, current, span};
use trace_record::otlp::{Compression, Protocol};

/// The spans of `trace_id` the collector forwarded to the decoder, waiting until `n` arrived.
fn forwarded(trace_id: &str, n: usize) -> Vec<Value> {
    let default = Session::named(otlp_support::decoder(), "default".into(), json!([]));
    let mut found = Vec::new();
    let arrived = eventually(Duration::from_secs(30), || {
        found = spans_of(default.requests().iter())
            .into_iter()
            .filter(|s| s["trace_id"] == trace_id)
            .collect();
        found.len() >= n
    });
    assert!(
        arrived,
        "{} of {n} spans of {trace_id} arrived through rotel: {found:#?}",
        found.len()
    );
    found
}

fn by_name<'a>(spans: &'a [Value], name: &str) -> &'a Value {
    spans
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no span {name:?} in {spans:#?}"))
}

#[test]
fn a_trace_arrives_complete_through_rotel() {
    let _serial = serial();
    let recorder = builder(&format!("{}/v1/traces", rotel()))
        .compression(Compression::Gzip)
        .resource_attribute("deployment.environment", "test")
        .build()
        .unwrap();
    let stats = recorder.stats();
    let tracer = Tracer::builder()
        .service("checkout")
        .recorder(recorder)
        .install()
        .unwrap();
    let (trace_id, flags, linked) = {
        let other = span("other trace").root().enter();
        let linked = other.context().unwrap();
        drop(other);
        let mut root = span("POST /checkout").kind(SpanKind::Server).enter();
        root.set_tag("http.request.method", "POST");
        root.set_tag("cart.items", -3);
        root.set_tag("cart.total", 49.5);
        root.set_tag("user.premium", true);
        {
            let mut child = span("load cart")
                .kind(SpanKind::Client)
                .link(&linked)
                .enter();
            child.checkpoint("cache miss");
        }
        {
            let _failing = span("charge").enter();
            current::set_error("card declined");
        }
        let context = root.context().unwrap();
        (
            context.trace_id().to_string(),
            context.flags().bits(),
            linked,
        )
    };
    tracer.shutdown().unwrap();
    assert_eq!(stats.get().delivered, 4, "{:?}", stats.get());

    let spans = forwarded(&trace_id, 3);
    assert_eq!(spans.len(), 3, "{spans:#?}");
    let root = by_name(&spans, "POST /checkout");
    let child = by_name(&spans, "load cart");
    let failing = by_name(&spans, "charge");

    // The tree.
    assert_eq!(root["parent_span_id"], "");
    assert_eq!(child["parent_span_id"], root["span_id"]);
    assert_eq!(failing["parent_span_id"], root["span_id"]);
    for span in &spans {
        assert_eq!(span["span_id"].as_str().unwrap().len(), 16);
        assert_eq!(span["flags"], flags, "the W3C flags: {span}");
        assert_eq!(span["trace_state"], "");
        let (start, end) = (
            span["start_time_unix_nano"].as_u64().unwrap(),
            span["end_time_unix_nano"].as_u64().unwrap(),
        );
        assert!(start > 1_600_000_000_000_000_000 && end >= start, "{span}");
        assert!(
            start >= root["start_time_unix_nano"].as_u64().unwrap()
                && end <= root["end_time_unix_nano"].as_u64().unwrap(),
            "inside the root: {span}"
        );
    }
    // Kinds.
    assert_eq!(root["kind"], "SPAN_KIND_SERVER");
    assert_eq!(child["kind"], "SPAN_KIND_CLIENT");
    assert_eq!(failing["kind"], "SPAN_KIND_INTERNAL");
    // Typed attributes.
    let attributes = &root["attributes"];
    assert_eq!(
        attribute(attributes, "http.request.method"),
        Some(&json!({"string": "POST"}))
    );
    assert_eq!(
        attribute(attributes, "cart.items"),
        Some(&json!({"int": -3}))
    );
    assert_eq!(
        attribute(attributes, "cart.total"),
        Some(&json!({"double": 49.5}))
    );
    assert_eq!(
        attribute(attributes, "user.premium"),
        Some(&json!({"bool": true}))
    );
    // Status.
    assert_eq!(
        failing["status"],
        json!({"code": "STATUS_CODE_ERROR", "message": "card declined"})
    );
    assert_eq!(root["status"]["code"], "STATUS_CODE_UNSET");
    // Checkpoint → event, inside the span.
    let events = child["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["name"], "cache miss");
    let at = events[0]["time_unix_nano"].as_u64().unwrap();
    assert!(
        at >= child["start_time_unix_nano"].as_u64().unwrap()
            && at <= child["end_time_unix_nano"].as_u64().unwrap()
    );
    // Link.
    assert_eq!(
        child["links"],
        json!([{
            "trace_id": linked.trace_id().to_string(),
            "span_id": linked.span_id().to_string(),
            "trace_state": "",
            "attributes": [],
            "flags": 0
        }])
    );
    for span in &spans {
        assert_eq!(span["dropped_attributes_count"], 0);
        assert_eq!(span["dropped_events_count"], 0);
        assert_eq!(span["dropped_links_count"], 0);
    }
    // Resource and scope.
    let resource = &root["_resource"];
    assert_eq!(
        attribute(resource, "service.name"),
        Some(&json!({"string": "checkout"}))
    );
    assert_eq!(
        attribute(resource, "process.pid"),
        Some(&json!({"int": std::process::id()}))
    );
    assert!(attribute(resource, "host.name").is_some(), "{resource}");
    assert_eq!(
        attribute(resource, "telemetry.sdk.language"),
        Some(&json!({"string": "rust"}))
    );
    assert_eq!(
        attribute(resource, "telemetry.sdk.name"),
        Some(&json!({"string": "trace-core"}))
    );
    assert_eq!(
        attribute(resource, "deployment.environment"),
        Some(&json!({"string": "test"}))
    );
    assert_eq!(root["_scope"]["name"], "trace-core");
}

/// The example program (`cargo run -p examples --features otlp --example otlp`), pointed at rotel
/// with the standard variable, gets its trace through.
#[test]
fn the_example_trace_arrives_through_rotel() {
    // `cargo test` builds the example next to this test's directory (target/<profile>/examples).
    let exe = std::env::current_exe().unwrap();
    let example = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("examples").join("otlp"))
        .unwrap();
    assert!(
        example.exists(),
        "{} is missing: build it with `cargo test --features examples/otlp` (scripts/test.sh does)",
        example.display()
    );
    let output = Command::new(&example)
        .env_clear()
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", rotel())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let trace_id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("trace id: "))
        .unwrap_or_else(|| panic!("no trace id in {stdout}"))
        .to_owned();
    let spans = forwarded(&trace_id, 4);
    let names: std::collections::BTreeSet<_> = spans
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        names.contains("POST /checkout") && names.contains("load cart"),
        "{names:?}"
    );
    let errors: Vec<_> = spans
        .iter()
        .filter(|s| s["status"]["code"] == "STATUS_CODE_ERROR")
        .collect();
    assert_eq!(errors.len(), 1, "{spans:#?}");
    assert!(
        errors[0]["status"]["message"]
            .as_str()
            .unwrap()
            .contains("none left")
    );
    assert_eq!(
        attribute(&spans[0]["_resource"], "service.name"),
        Some(&json!({"string": "otlp-example"}))
    );
}

/// OTLP/gRPC (feature `otlp-grpc`) into rotel's gRPC receiver, plain and gzip.
#[test]
fn spans_sent_over_grpc_arrive_through_rotel() {
    for compression in [Compression::None, Compression::Gzip] {
        let mut recorder = builder(&rotel_grpc())
            .protocol(Protocol::Grpc)
            .compression(compression)
            .build()
            .unwrap();
        let sent = spans(20);
        recorder.record(&SpanBatch::from_records(&sent)).unwrap();
        recorder.flush().unwrap();
        let stats = recorder.current_stats();
        assert_eq!((stats.delivered, stats.lost_total()), (20, 0), "{stats:?}");
        let arrived = forwarded(&sent[0].trace_id.to_string(), 20);
        let mut got: Vec<String> = arrived
            .iter()
            .map(|s| s["span_id"].as_str().unwrap().to_owned())
            .collect();
        got.sort();
        assert_eq!(got, ids(&sent));
        let root = by_name(&arrived, "span 0");
        assert_eq!(
            attribute(&root["attributes"], "f"),
            Some(&json!({"double": 0.5}))
        );
    }
}
