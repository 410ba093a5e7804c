//! The YAML writer's output read back by an independent reader, PyYAML, and by the crate's own:
//! arbitrary strings (property-tested) and a list of tricky ones, as span names, tag keys, tag
//! values, error messages and checkpoint names, must come back exactly.
//!
//! Needs `OTEL_PYTHON`, a Python with PyYAML: `bash scripts/test.sh` sets it up
//! (scripts/services/otel-python.sh).

use std::borrow::Cow;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use proptest::prelude::*;
use serde_json::Value;
use trace_core::{
    Checkpoint, Process, Recorder, SpanBatch, SpanId, SpanKind, SpanRecord, Status, TagValue, Tags,
    TraceFlags, TraceId, TraceState,
};
use trace_record::yaml::{self, YamlRecorder};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../scripts/interop/yaml_read.py"
);

/// Strings YAML readers are known to trip on, beside the generated ones.
const TRICKY: &[&str] = &[
    "",
    " ",
    "a: b",
    "a #b",
    "#x",
    "-x",
    "- x",
    "? x",
    "?x",
    ":x",
    "'q'",
    "\"dq\"",
    "yes",
    "no",
    "Yes",
    "NO",
    "on",
    "off",
    "y",
    "n",
    "null",
    "Null",
    "~",
    "true",
    "False",
    "1",
    "-1",
    "0x1F",
    "0o17",
    "1e5",
    "1_000",
    ".5",
    "+.inf",
    "-.inf",
    ".nan",
    "12:30:00",
    "2001-12-14",
    "---",
    "...",
    "--- x",
    "a\nb",
    "a\r\nb",
    "tab\t",
    "\ttab",
    "nul\0",
    "bell\u{7}",
    "esc\u{1b}",
    "del\u{7f}",
    "c1\u{85}\u{9b}",
    "nbsp\u{a0}",
    "ls\u{2028}ps\u{2029}",
    "bom\u{feff}",
    "non\u{fffe}\u{ffff}",
    "héllo ✓ 日本 😀",
    "back\\slash",
    "{a: 1}",
    "[1, 2]",
    "*alias",
    "&anchor",
    "!tag",
    "!!str",
    "%YAML",
    "@at",
    "`tick",
    "|",
    ">",
    "a,b",
    "trailing ",
    " leading",
];

fn span(i: usize, name: String, tags: Tags, error: Option<String>, mark: String) -> SpanRecord {
    let start = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    SpanRecord {
        trace_id: TraceId::random(),
        span_id: SpanId::from_u64(i as u64 + 1).expect("nonzero"),
        parent_id: None,
        flags: TraceFlags::default(),
        trace_state: TraceState::default(),
        name: Cow::Owned(name),
        kind: SpanKind::Internal,
        service: Arc::from("svc"),
        process: Arc::new(Process {
            name: "app".into(),
            pid: 1,
            host: "h".into(),
        }),
        code: None,
        start,
        finish: start + Duration::from_millis(1),
        duration: Duration::from_millis(1),
        status: error.map_or(Status::Ok, |e| Status::Error(Cow::Owned(e))),
        tags,
        checkpoints: vec![Checkpoint {
            name: Cow::Owned(mark),
            offset: Duration::ZERO,
        }],
        links: Vec::new(),
    }
}

/// The fields PyYAML reports for `value`, as `yaml_read.py` prints them.
fn expected_tag(key: &str, value: &TagValue) -> Value {
    let (kind, text) = match value {
        TagValue::Str(s) => ("str", Value::String(s.to_string())),
        TagValue::Int(v) => ("int", Value::String(v.to_string())),
        TagValue::Bool(v) => ("bool", Value::Bool(*v)),
        TagValue::Float(v) if v.is_nan() => ("float", Value::String("nan".into())),
        TagValue::Float(v) if v.is_infinite() => (
            "float",
            Value::String(if *v > 0.0 { "inf" } else { "-inf" }.into()),
        ),
        TagValue::Float(v) => ("float", Value::String(python_repr(*v))),
    };
    serde_json::json!([key, kind, text])
}

/// Python's `repr` of a float: the shortest round-trip digits, like Rust's `Debug`, but with an
/// exponent form of its own.
fn python_repr(v: f64) -> String {
    let text = format!("{v:?}");
    if let Some((mantissa, exp)) = text.split_once('e') {
        let exp: i32 = exp.parse().expect("exponent");
        let mantissa = mantissa.strip_suffix(".0").unwrap_or(mantissa);
        return format!(
            "{mantissa}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        );
    }
    // Python writes 1e16 and above, and below 1e-4, with an exponent.
    if v != 0.0 && (v.abs() >= 1e16 || v.abs() < 1e-4) {
        let sci = format!("{v:e}");
        let (mantissa, exp) = sci.split_once('e').expect("exponent");
        let exp: i32 = exp.parse().expect("exponent");
        return format!(
            "{mantissa}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        );
    }
    text
}

/// Writes `spans` with the recorder, then checks PyYAML and the crate's reader both read them back.
fn round_trip(spans: &[SpanRecord]) {
    let py = std::env::var("OTEL_PYTHON").unwrap_or_else(|_| {
        panic!("OTEL_PYTHON is not set: run `bash scripts/test.sh` or source scripts/services/otel-python.sh")
    });
    let path = std::env::temp_dir().join(format!("trace-pyyaml-{}.yaml", SpanId::random()));
    let mut recorder = YamlRecorder::truncate(&path).expect("temp file");
    recorder
        .record(&SpanBatch::from_records(spans))
        .expect("every span is writable");
    drop(recorder);

    let ours: Vec<SpanRecord> = yaml::read_file(&path)
        .expect("open")
        .collect::<Result<_, _>>()
        .expect("our reader reads every document");
    assert_eq!(ours.len(), spans.len());
    for (read, written) in ours.iter().zip(spans) {
        assert_eq!(read.name, written.name);
        assert_eq!(read.status, written.status);
        assert_eq!(read.checkpoints, written.checkpoints);
        assert_eq!(read.tags.len(), written.tags.len());
        for (r, w) in read.tags.iter().zip(written.tags.iter()) {
            assert_eq!(r.key, w.key);
            match (&r.value, &w.value) {
                (TagValue::Float(a), TagValue::Float(b)) if a.is_nan() => assert!(b.is_nan()),
                (TagValue::Float(a), TagValue::Float(b)) => assert_eq!(a.to_bits(), b.to_bits()),
                (a, b) => assert_eq!(a, b),
            }
        }
    }

    let output = Command::new(&py)
        .arg(SCRIPT)
        .arg(&path)
        .output()
        .expect("run python");
    let _ = std::fs::remove_file(&path);
    assert!(
        output.status.success(),
        "PyYAML could not read the file: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs: Vec<Value> = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(theirs.len(), spans.len());
    for (doc, written) in theirs.iter().zip(spans) {
        assert_eq!(doc["span_id"], written.span_id.to_string());
        assert_eq!(doc["name"], *written.name);
        assert_eq!(
            doc["error"],
            written
                .status
                .error_message()
                .map_or(Value::Null, |m| Value::String(m.into()))
        );
        assert_eq!(doc["checkpoints"][0], *written.checkpoints[0].name);
        let tags: Vec<Value> = written
            .tags
            .iter()
            .map(|t| expected_tag(&t.key, &t.value))
            .collect();
        assert_eq!(doc["tags"], Value::Array(tags), "span {}", written.name);
    }
}

#[test]
fn tricky_strings_read_back_through_pyyaml_and_our_reader() {
    let mut spans = Vec::new();
    for (i, s) in TRICKY.iter().enumerate() {
        let mut tags = Tags::new();
        tags.set(format!("key {s}"), *s);
        tags.set("int", -(i as i64));
        tags.set(
            "float",
            [0.5, -0.0, 1e300, 1e-7, f64::NAN, f64::INFINITY][i % 6],
        );
        tags.set("bool", i % 2 == 0);
        spans.push(span(
            i,
            s.to_string(),
            tags,
            Some(s.to_string()),
            s.to_string(),
        ));
    }
    // A key too long for an implicit key.
    let mut tags = Tags::new();
    tags.set("k".repeat(1500), "long key");
    spans.push(span(TRICKY.len(), "long".into(), tags, None, "x".into()));
    round_trip(&spans);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn arbitrary_strings_read_back_through_pyyaml_and_our_reader(
        docs in prop::collection::vec(
            (any::<String>(), any::<String>(), any::<String>(), any::<f64>(), any::<i64>()),
            1..20,
        )
    ) {
        let spans: Vec<_> = docs
            .into_iter()
            .enumerate()
            .map(|(i, (name, key, value, f, n))| {
                let mut tags = Tags::new();
                tags.set(key.clone(), value.clone());
                tags.set(format!("{key}.f"), f);
                tags.set(format!("{key}.n"), n);
                span(i, name, tags, Some(value), key)
            })
            .collect();
        round_trip(&spans);
    }
}
