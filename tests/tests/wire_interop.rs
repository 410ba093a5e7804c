//! Interop with an independent implementation, OpenTelemetry Python: headers it writes are read by
//! our propagators, and headers we write are read by it, for `traceparent`/`tracestate`/`baggage`
//! and B3 (single and multi).
//!
//! Needs `OTEL_PYTHON`, the interpreter of a venv with OpenTelemetry installed: `bash scripts/test.sh`
//! sets it up (scripts/services/otel-python.sh).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use trace_core::propagation::{B3, Propagator, Propagators, format_trace_state, parse_trace_state};
use trace_core::{Baggage, SpanContext, SpanId, TraceFlags, TraceId};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../scripts/interop/otel_propagation.py"
);
const TRACE_STATE: &str = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,tenant1@vendor=x";

fn python(mode: &str, input: &Value) -> Value {
    let py = std::env::var("OTEL_PYTHON").unwrap_or_else(|_| {
        panic!(
            "OTEL_PYTHON is not set: the interop test needs OpenTelemetry Python. Run `bash scripts/test.sh`, \
             or `source scripts/services/otel-python.sh` in this shell before `cargo test`."
        )
    });
    let mut child = Command::new(&py)
        .arg(SCRIPT)
        .arg(mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {py}: {e} (run `bash scripts/test.sh`)"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{SCRIPT} {mode} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn headers(v: &Value) -> HashMap<String, String> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

fn baggage_map(b: &Baggage) -> BTreeMap<String, String> {
    b.entries()
        .iter()
        .map(|e| (e.key.clone(), e.value.clone()))
        .collect()
}

fn json_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn their_headers_read_by_us() {
    // Values with `%`, `=`, `,`, `;` and non-ASCII; not spaces, which OpenTelemetry Python writes as
    // `+` (form encoding), a literal plus under W3C Baggage.
    let bag = json!({"user": "ann", "odd": "100%=✓", "list": "a,b;c"});
    for sampled in [true, false] {
        let out = python(
            "generate",
            &json!({"sampled": sampled, "tracestate": TRACE_STATE, "baggage": bag}),
        );
        let want = &out["expected"];
        let trace = want["trace_id"].as_str().unwrap();
        let span = want["span_id"].as_str().unwrap();

        let w3c = Propagators::w3c()
            .extract(&headers(&out["headers"]["w3c"]))
            .expect("we read OpenTelemetry's traceparent");
        assert_eq!(w3c.trace_id().to_string(), trace);
        assert_eq!(w3c.span_id().to_string(), span);
        assert_eq!(w3c.is_sampled(), sampled);
        assert_eq!(
            format_trace_state(w3c.trace_state(), 512).as_deref(),
            Some(TRACE_STATE)
        );
        assert_eq!(baggage_map(w3c.baggage()), json_map(&bag));

        for form in ["b3single", "b3multi"] {
            let ctx = B3::single()
                .extract(&headers(&out["headers"][form]))
                .unwrap_or_else(|| {
                    panic!("we read OpenTelemetry's {form}: {}", out["headers"][form])
                });
            assert_eq!(ctx.trace_id().to_string(), trace, "{form}");
            assert_eq!(ctx.span_id().to_string(), span, "{form}");
            assert_eq!(ctx.is_sampled(), sampled, "{form}");
        }
    }
}

#[test]
fn our_headers_read_by_them() {
    for sampled in [true, false] {
        let trace_id = TraceId::random();
        let span_id = SpanId::random();
        let mut bag = Baggage::default();
        bag.insert("user", "ann lee").unwrap();
        bag.insert("odd", "100%=✓ +x,y;z").unwrap();
        let ctx = SpanContext::new_remote(
            trace_id,
            span_id,
            TraceFlags::default()
                .with_sampled(sampled)
                .with_random_trace_id(true),
        )
        .with_trace_state(parse_trace_state(TRACE_STATE).unwrap())
        .with_baggage(bag.clone());

        let mut w3c = HashMap::new();
        Propagators::w3c().inject(&ctx, &mut w3c);
        let mut single = HashMap::new();
        B3::single().inject(&ctx, &mut single);
        let mut multi = HashMap::new();
        B3::multi().inject(&ctx, &mut multi);
        let got = python(
            "extract",
            &json!({"w3c": w3c, "b3single": single, "b3multi": multi}),
        );

        for form in ["w3c", "b3single", "b3multi"] {
            let g = &got[form];
            assert!(
                g.is_object(),
                "OpenTelemetry did not read our {form} headers: {got}"
            );
            assert_eq!(g["trace_id"], trace_id.to_string(), "{form}");
            assert_eq!(g["span_id"], span_id.to_string(), "{form}");
            assert_eq!(g["sampled"], sampled, "{form}");
        }
        assert_eq!(got["w3c"]["tracestate"], TRACE_STATE);
        assert_eq!(json_map(&got["w3c"]["baggage"]), baggage_map(&bag));
    }
}
