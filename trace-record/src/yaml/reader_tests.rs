//! The reader on damaged input: garbage, torn and partly bad files. Every problem is an error
//! with the line of the document it belongs to; the good documents around it are still read.

use trace_core::SpanRecord;

use super::{ErrorKind, ReadError, read_spans, to_string};
use crate::test_support::{full_span, span};

fn docs(spans: &[SpanRecord]) -> String {
    spans.iter().map(|s| to_string(s).unwrap()).collect()
}

fn read(bytes: &[u8]) -> (Vec<SpanRecord>, Vec<ReadError>) {
    let mut spans = Vec::new();
    let mut errors = Vec::new();
    for result in read_spans(bytes) {
        match result {
            Ok(span) => spans.push(span),
            Err(e) => errors.push(e),
        }
    }
    (spans, errors)
}

/// Deterministic pseudo-random bytes (xorshift), so a failure can be replayed.
fn random_bytes(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed.to_le_bytes()[3]
        })
        .collect()
}

#[test]
fn random_bytes_are_an_error_not_an_empty_trace() {
    for seed in 1..=32 {
        let bytes = random_bytes(4096, seed);
        let (spans, errors) = read(&bytes);
        assert!(spans.is_empty(), "seed {seed}");
        assert!(
            !errors.is_empty(),
            "seed {seed}: 4 KiB of random bytes read as no error"
        );
        // The first document starts at the first line that is not blank.
        let blank = bytes.iter().take_while(|b| b.is_ascii_whitespace());
        let first_line = 1 + blank.filter(|&&b| b == b'\n').count() as u64;
        assert_eq!(errors[0].line(), first_line, "seed {seed}: {}", errors[0]);
        assert!(!matches!(errors[0].kind(), ErrorKind::Torn), "seed {seed}");
        // Strict reading names the first bad document.
        let strict = read_spans(&bytes[..]).collect::<Result<Vec<_>, _>>();
        assert_eq!(strict.unwrap_err().line(), first_line, "seed {seed}");
    }
}

#[test]
fn text_that_is_not_spans_is_an_error() {
    for garbage in [
        "hello world\n",
        "hello world",
        "{\"trace_id\": 1}\n",
        "- a\n- b\n",
        "2025-01-01 INFO started\n2025-01-01 INFO stopped\n",
        "key: value\nother: 3\n",
        "\u{0}\u{1}\u{2}",
    ] {
        let (spans, errors) = read(garbage.as_bytes());
        assert!(spans.is_empty(), "{garbage:?}");
        assert_eq!(errors.len(), 1, "{garbage:?}: {errors:?}");
        assert!(
            matches!(
                errors[0].kind(),
                ErrorKind::Yaml(_) | ErrorKind::Utf8(_) | ErrorKind::Field(_)
            ),
            "{garbage:?}: {}",
            errors[0]
        );
        assert_eq!(errors[0].line(), 1);
    }
}

#[test]
fn a_torn_last_document_is_reported_wherever_it_was_cut() {
    let spans = [span("a", None), full_span(), span("c", None)];
    let text = docs(&spans);
    let bytes = text.as_bytes();
    let last_start = bytes.len() - to_string(&spans[2]).unwrap().len();
    let last_line = 1 + text[..last_start].lines().count() as u64;
    // Cut right after the `---` line: an empty last document, nothing torn. Cut inside the
    // `...` line: whole.
    for cut in last_start + "---\n".len() + 1..=bytes.len() - "...\n".len() {
        let (read, errors) = read(&bytes[..cut]);
        assert_eq!(read, spans[..2], "cut at byte {cut}");
        assert_eq!(errors.len(), 1, "cut at byte {cut}: {errors:?}");
        assert!(
            matches!(errors[0].kind(), ErrorKind::Torn),
            "cut at byte {cut}: {}",
            errors[0]
        );
        assert_eq!(errors[0].line(), last_line, "cut at byte {cut}");
        assert!(errors[0].to_string().contains("torn"), "{}", errors[0]);
    }
    let (read, errors) = read(bytes);
    assert_eq!(read, spans);
    assert!(errors.is_empty());
}

#[test]
fn a_bad_document_in_the_middle_costs_only_itself() {
    let before = [span("a", None), span("b", None)];
    let after = [span("c", None), full_span()];
    let mut text = docs(&before);
    let bad_line = 1 + text.lines().count() as u64;
    text.push_str("---\ntrace_id: 4bf92f3577b34da6a3ce929d0e0e4736\nspan_id: \"unclosed\n");
    let second_bad_line = 1 + text.lines().count() as u64;
    text.push_str(
        &to_string(&span("x", None))
            .unwrap()
            .replace("kind: internal", "kind: sideways"),
    );
    text.push_str(&docs(&after));
    let (read, errors) = read(text.as_bytes());
    assert_eq!(read, [&before[..], &after[..]].concat());
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].line(), bad_line);
    assert!(matches!(errors[0].kind(), ErrorKind::Yaml(_)));
    assert_eq!(errors[1].line(), second_bad_line);
    assert!(matches!(errors[1].kind(), ErrorKind::Field(f) if f.field == "kind"));
    assert!(
        errors[1]
            .to_string()
            .starts_with(&format!("span at line {second_bad_line}")),
        "{}",
        errors[1]
    );

    // Strict reading stops at the first bad one and names its line.
    let strict = read_spans(text.as_bytes()).collect::<Result<Vec<_>, _>>();
    assert_eq!(strict.unwrap_err().line(), bad_line);
}

#[test]
fn random_bytes_after_good_spans_are_reported_and_the_spans_kept() {
    let good = [span("a", None), span("b", None)];
    let mut bytes = docs(&good).into_bytes();
    bytes.extend_from_slice(b"---\n");
    bytes.extend_from_slice(&random_bytes(4096, 7));
    bytes.extend_from_slice(b"\n");
    bytes.extend_from_slice(docs(&good[..1]).as_bytes());
    let (read, errors) = read(&bytes);
    assert_eq!(read, [&good[..], &good[..1]].concat());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line(), 1 + docs(&good).lines().count() as u64);
}

#[test]
fn an_empty_input_is_an_empty_trace() {
    for empty in ["", "\n\n", "---\n", "---\n...\n"] {
        let (spans, errors) = read(empty.as_bytes());
        assert!(spans.is_empty() && errors.is_empty(), "{empty:?}");
    }
}

#[test]
fn a_document_longer_than_the_limit_is_skipped_without_being_held() {
    let good = docs(&[span("a", None)]);
    let limit = good.len() + 16;
    // A long document of short lines, one endless line, then a good span after each.
    let long_lines = format!("---\n{}", "key: value\n".repeat(limit));
    let one_line = format!("---\n{}\n", "x".repeat(limit * 3));
    let text = format!("{good}{long_lines}{good}{one_line}{good}");
    let results: Vec<_> = super::reader::SpanReader::new(text.as_bytes())
        .max_document_bytes(limit)
        .collect();
    assert_eq!(results.len(), 5, "{results:?}");
    for i in [0, 2, 4] {
        assert_eq!(results[i].as_ref().unwrap().name, "a");
    }
    for (i, expected_line) in [
        (1, good.lines().count() + 1),
        (3, 2 * good.lines().count() + limit + 2),
    ] {
        let e = results[i].as_ref().unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::TooLarge { .. }), "{e}");
        assert_eq!(e.line(), expected_line as u64, "{e}");
    }
    // Without a `---` at all: one oversized document, an error.
    let garbage = "y".repeat(limit * 2);
    let results: Vec<_> = super::reader::SpanReader::new(garbage.as_bytes())
        .max_document_bytes(limit)
        .collect();
    assert_eq!(results.len(), 1);
    assert!(matches!(
        results[0].as_ref().unwrap_err().kind(),
        ErrorKind::TooLarge { .. }
    ));
}

#[test]
fn a_document_closed_off_without_its_end_marker_is_torn_even_when_it_parses() {
    // What an append after a crash leaves: the torn document (here cut at a line boundary, so
    // what is left parses, without its tags), a newline, then the next run's documents.
    let spans = [span("a", None), full_span(), span("c", None)];
    let first = to_string(&spans[0]).unwrap();
    let second = to_string(&spans[1]).unwrap();
    let cut = second.find("\ntags:").expect("full_span has tags") + 1;
    let text = format!(
        "{first}{}\n{}",
        &second[..cut],
        to_string(&spans[2]).unwrap()
    );
    let results: Vec<_> = read_spans(text.as_bytes()).collect();
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(results[0].as_ref().unwrap(), &spans[0]);
    let torn = results[1].as_ref().unwrap_err();
    assert!(matches!(torn.kind(), ErrorKind::Torn), "{torn}");
    assert_eq!(torn.line(), 1 + first.lines().count() as u64);
    assert_eq!(results[2].as_ref().unwrap(), &spans[2]);
}

#[test]
fn documents_without_end_markers_still_read() {
    // Files written before documents ended with `...`.
    let spans = [span("a", None), full_span()];
    let text: String = spans
        .iter()
        .map(|s| to_string(s).unwrap().replace("\n...\n", "\n"))
        .collect();
    assert!(!text.contains("\n..."));
    let read: Vec<_> = read_spans(text.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(read, spans);
}
