//! The writer and the reader together: exact output, round trips, damaged files.

use std::io::{self, Write};

use trace_core::{Recorder, SpanBatch, SpanRecord, Status};

use super::{ErrorKind, YamlRecorder, read_spans, to_string};
use crate::test_support::{full_span, span};

fn write_all(spans: &[SpanRecord]) -> Vec<u8> {
    let mut rec = YamlRecorder::new(Vec::new());
    rec.record(&SpanBatch::from_records(spans)).unwrap();
    rec.into_inner().unwrap()
}

fn read_all(bytes: &[u8]) -> Vec<SpanRecord> {
    read_spans(bytes).collect::<Result<_, _>>().unwrap()
}

#[test]
fn every_field_round_trips() {
    let root = span("root", None);
    let full = full_span();
    let bytes = write_all(&[full.clone(), root.clone()]);
    assert_eq!(read_all(&bytes), vec![full, root]);
}

#[test]
fn keys_come_in_schema_order_and_empty_ones_are_left_out() {
    let text = to_string(&full_span()).unwrap();
    let keys: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with([' ', '-']) && l.contains(':'))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "trace_id",
            "span_id",
            "parent_id",
            "name",
            "kind",
            "process",
            "start",
            "finish",
            "service",
            "duration_ns",
            "flags",
            "status",
            "error",
            "code",
            "tags",
            "checkpoints",
            "links"
        ]
    );
    let minimal = to_string(&span("root", None)).unwrap();
    for absent in ["error:", "code:", "tags:", "checkpoints:", "links:"] {
        assert!(!minimal.contains(absent), "{absent} in {minimal}");
    }
    assert!(minimal.starts_with("---\n"));
    assert!(
        minimal.contains("\nparent_id: '0000000000000000'\n"),
        "{minimal}"
    );
}

#[test]
fn ids_that_look_like_numbers_are_quoted_and_tags_keep_their_types() {
    let text = to_string(&full_span()).unwrap();
    assert!(text.contains("span_id: '1234567890123456'"), "{text}");
    assert!(text.contains("span_id: '0000000000000001'"), "{text}");
    assert!(
        text.contains("trace_id: '1e50000000000000000000000000abcd'")
            || text.contains("trace_id: 1e50000000000000000000000000abcd"),
        "{text}"
    );
    assert!(text.contains("  count: 3\n"), "{text}");
    assert!(text.contains("  ratio: 0.25\n"), "{text}");
    assert!(text.contains("  whole: 2.0\n"), "{text}");
    assert!(text.contains("  ok: true\n"), "{text}");
    assert!(text.contains("  digits: \"0042\"\n"), "{text}");
    assert!(text.contains("  looks_bool: \"true\"\n"), "{text}");
    // Through a generic YAML parser too: ids are strings there as well.
    for doc in text.split("\n---\n") {
        let value: serde_yaml::Value =
            serde_yaml::from_str(doc.trim_start_matches("---\n")).unwrap();
        assert!(value["span_id"].is_string());
        assert!(value["trace_id"].is_string());
        assert!(value["parent_id"].is_string());
        assert!(value["tags"]["count"].is_i64());
        assert!(value["tags"]["whole"].is_f64());
    }
}

#[test]
fn times_are_utc_with_nanoseconds() {
    let text = to_string(&span("root", None)).unwrap();
    assert!(
        text.contains("\nstart: 2023-11-14T22:13:20.000000000Z\n"),
        "{text}"
    );
    assert!(
        text.contains("\nfinish: 2023-11-14T22:13:20.010000000Z\n"),
        "{text}"
    );
}

#[test]
fn a_truncated_last_document_is_skipped_wherever_it_was_cut() {
    let spans = [span("a", None), full_span(), span("c", None)];
    let bytes = write_all(&spans);
    let last_start = bytes.len() - to_string(&spans[2]).unwrap().len();
    // Up to its `...` line: past that the document is whole.
    for cut in last_start..bytes.len() - "...\n".len() {
        let read = read_all(&bytes[..cut]);
        assert_eq!(read, spans[..2], "cut at byte {cut}");
    }
    assert_eq!(read_all(&bytes), spans);
}

#[test]
fn a_malformed_document_costs_only_itself() {
    let good = [span("a", None), span("b", None)];
    let mut bytes = write_all(&good[..1]);
    bytes.extend_from_slice(b"---\ntrace_id: [not, closed\n");
    bytes.extend_from_slice(b"---\nname: missing fields\n");
    let mut bad_id = to_string(&span("x", None)).unwrap();
    bad_id = bad_id.replace("trace_id: 4bf9", "trace_id: XXf9");
    bytes.extend_from_slice(bad_id.as_bytes());
    bytes.extend_from_slice(&[b'-', b'-', b'-', b'\n', 0xff, 0xfe, b'\n']);
    bytes.extend_from_slice(&write_all(&good[1..]));
    let results: Vec<_> = read_spans(&bytes[..]).collect();
    assert_eq!(results.len(), 6, "{results:?}");
    assert_eq!(results[0].as_ref().unwrap(), &good[0]);
    assert_eq!(results[5].as_ref().unwrap(), &good[1]);
    let errors: Vec<_> = results[1..5]
        .iter()
        .map(|r| r.as_ref().unwrap_err())
        .collect();
    assert!(matches!(errors[0].kind(), ErrorKind::Yaml(_)));
    assert!(matches!(errors[1].kind(), ErrorKind::Yaml(_)));
    assert!(
        errors[1].to_string().contains("missing field"),
        "{}",
        errors[1]
    );
    assert!(matches!(errors[2].kind(), ErrorKind::Field(f) if f.field == "trace_id"));
    assert!(matches!(errors[3].kind(), ErrorKind::Utf8(_)));
    let first_line = 1 + to_string(&good[0]).unwrap().lines().count() as u64;
    assert_eq!(errors[0].line(), first_line);
    assert!(
        errors[0]
            .to_string()
            .starts_with(&format!("span at line {first_line}"))
    );
}

#[test]
fn error_status_without_message_and_blank_lines_are_tolerated() {
    let mut s = span("a", None);
    s.status = Status::Error("".into());
    let text = to_string(&s).unwrap();
    assert!(text.contains("error: \"\""), "{text}");
    let spaced = format!("\n\n{}\n\n...\n{}", text, text.trim_start_matches("---\n"));
    let read = read_all(spaced.as_bytes());
    assert_eq!(read, vec![s.clone(), s]);
}

#[test]
fn an_unwritable_span_is_reported_and_the_rest_written() {
    let mut bad = span("before 1970", None);
    bad.start = std::time::UNIX_EPOCH - std::time::Duration::from_secs(5);
    let good = span("fine", None);
    let mut rec = YamlRecorder::new(Vec::new());
    let err = rec
        .record(&SpanBatch::from_records(&[bad, good.clone()]))
        .unwrap_err();
    assert_eq!(err.lost(), Some(1));
    assert!(err.to_string().contains("1970"), "{err}");
    assert_eq!(read_all(&rec.into_inner().unwrap()), vec![good]);
}

/// A writer that fails after `left` bytes.
struct Failing {
    left: usize,
}

impl Write for Failing {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::other("disk full"));
        }
        let n = buf.len().min(self.left);
        self.left -= n;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn io_errors_become_record_errors() {
    let mut rec = YamlRecorder::new(Failing { left: 10 });
    let spans: Vec<_> = (0..200).map(|_| span("s", None)).collect();
    let err = rec
        .record(&SpanBatch::from_records(&spans))
        .and_then(|()| rec.flush())
        .unwrap_err();
    assert!(err.to_string().contains("disk full"), "{err}");
    assert!(format!("{rec:?}").contains("YamlRecorder"));
}

#[test]
fn create_appends_and_truncate_empties() {
    let path = std::env::temp_dir().join(format!(
        "trace-record-unit-{}-{:?}.yaml",
        std::process::id(),
        std::thread::current().id()
    ));
    let a = span("a", None);
    let b = span("b", None);
    for (truncate, span) in [(true, &a), (false, &b)] {
        let mut rec = if truncate {
            YamlRecorder::truncate(&path).unwrap()
        } else {
            YamlRecorder::create(&path).unwrap()
        };
        rec.record(&SpanBatch::from_records(std::slice::from_ref(span)))
            .unwrap();
        rec.shutdown().unwrap();
    }
    let read = |p: &std::path::Path| -> Vec<SpanRecord> {
        super::read_file(p).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(read(&path), vec![a.clone(), b]);
    let mut rec = YamlRecorder::truncate(&path).unwrap();
    rec.record(&SpanBatch::from_records(std::slice::from_ref(&a)))
        .unwrap();
    drop(rec.into_inner().unwrap());
    assert_eq!(read(&path), vec![a]);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn the_documented_example_is_exactly_what_the_writer_writes() {
    let docs = include_str!("mod.rs");
    let start = docs.find("//! ```yaml\n").unwrap() + "//! ```yaml\n".len();
    let end = start + docs[start..].find("//! ```\n").unwrap();
    let example: String = docs[start..end]
        .lines()
        .map(|l| {
            format!(
                "{}\n",
                l.trim_start_matches("//!").strip_prefix(' ').unwrap_or("")
            )
        })
        .collect();
    let spans = read_all(example.as_bytes());
    assert_eq!(spans.len(), 1);
    let span = &spans[0];
    assert!(span.status.is_error() && span.code.is_some() && !span.links.is_empty());
    assert_eq!(span.tags.len(), 4);
    assert_eq!(to_string(span).unwrap(), example);
}
