//! The printer's output and the tree recorder's timing.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use trace_core::{Recorder, SpanBatch, SpanId, SpanKind, Status};

use super::{TreeRecorder, tree_string};
use crate::test_support::span_at;
use crate::trace::Trace;

#[test]
fn prints_an_indented_tree_with_durations_tags_errors_and_checkpoints() {
    let mut root = span_at("GET /checkout", None, 0);
    root.kind = SpanKind::Server;
    root.duration = Duration::from_nanos(14_038_083);
    root.tags.set("user", "ann");
    root.tags.set("items", 3);
    root.checkpoints.push(trace_core::Checkpoint {
        name: "validated".into(),
        offset: Duration::from_micros(1_164),
    });
    let load = span_at("load cart", Some(root.span_id), 1);
    let mut charge = span_at("charge card", Some(root.span_id), 2);
    charge.kind = SpanKind::Client;
    charge.status = Status::Error("card declined".into());
    let inner = span_at("tokenize", Some(charge.span_id), 3);
    let lost = span_at("late", Some(SpanId::from_u64(0xabc).unwrap()), 4);
    let trace = &Trace::group(vec![inner, charge, load, root, lost])[0];
    let text = tree_string(trace);
    let expected = "\
trace 4bf92f3577b34da6a3ce929d0e0e4736 (svc): 5 spans, 14ms
  GET /checkout [server]: 14.038ms {user=ann, items=3}
    · checkpoint [validated] +1.164ms
    load cart: 10ms at +1ms
    charge card [client]: 10ms at +2ms ✗ error: card declined
      tokenize: 10ms at +3ms
  late: 10ms at +4ms (parent 0000000000000abc not in trace)
";
    assert_eq!(text, expected);
}

/// A writer whose output the test can read while the recorder owns it.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Shared {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn prints_a_trace_when_its_root_arrives_and_the_rest_at_shutdown() {
    let out = Shared::default();
    let mut rec = TreeRecorder::new(out.clone()).linger(Duration::from_secs(3600));
    let root = span_at("root", None, 0);
    let child = span_at("child", Some(root.span_id), 1);
    let mut other = span_at("remote child", Some(SpanId::random()), 2);
    other.trace_id = trace_core::TraceId::random();
    rec.record(&SpanBatch::from_records(&[child.clone(), other]))
        .unwrap();
    assert_eq!(out.text(), "", "nothing is complete yet");
    rec.record(&SpanBatch::from_records(&[root])).unwrap();
    let text = out.text();
    assert!(
        text.contains("  root: 10ms\n    child: 10ms at +1ms\n"),
        "{text}"
    );
    assert!(!text.contains("remote child"));
    rec.flush().unwrap();
    assert!(!out.text().contains("remote child"), "still lingering");
    rec.shutdown().unwrap();
    assert!(out.text().contains("remote child"), "{}", out.text());
}

#[test]
fn a_full_buffer_prints_the_oldest_trace_early() {
    let out = Shared::default();
    let mut rec = TreeRecorder::new(out.clone()).max_spans(2);
    let root = span_at("root", None, 0);
    let children: Vec<_> = (0..3)
        .map(|i| span_at("child", Some(root.span_id), i))
        .collect();
    rec.record(&SpanBatch::from_records(&children)).unwrap();
    let text = out.text();
    assert!(text.contains("incomplete"), "{text}");
    assert_eq!(text.matches("child").count(), 3, "nothing lost: {text}");
    assert!(format!("{rec:?}").contains("spans_held: 0"));
}

#[test]
fn a_failing_writer_is_an_error() {
    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("closed"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut rec = TreeRecorder::new(Broken);
    let err = rec
        .record(&SpanBatch::from_records(&[span_at("root", None, 0)]))
        .unwrap_err();
    assert!(err.to_string().contains("closed"), "{err}");
    assert_eq!(err.lost(), Some(1));
}
