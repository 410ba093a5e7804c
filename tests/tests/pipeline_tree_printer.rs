//! The tree printer as a recorder behind a real tracer: each trace is printed once, whole, when
//! its root finishes, with its children indented under it.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use trace_core::{Tracer, span};
use trace_record::TreeRecorder;

/// A writer the test reads while the recorder owns a clone.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn each_trace_is_printed_once_as_a_tree() {
    let out = Output::default();
    let tracer = Tracer::builder()
        .recorder(TreeRecorder::new(out.clone()))
        .install()
        .unwrap();
    for n in 0..3 {
        let _request = span(format!("request {n}")).enter();
        let worker = trace_core::thread::spawn(|| {
            let mut s = span("on a thread").enter();
            s.set_error("failed");
        });
        worker.join().unwrap();
        let mut step = span("step").enter();
        step.checkpoint("halfway");
    }
    tracer.flush().unwrap();
    let printed = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    tracer.shutdown().unwrap();

    assert_eq!(printed.matches("\ntrace ").count() + 1, 3, "{printed}");
    for n in 0..3 {
        let start = printed.find(&format!("  request {n}: ")).unwrap();
        let block: Vec<&str> = printed[start..].lines().take(4).collect();
        assert!(block[1].starts_with("    on a thread: "), "{printed}");
        assert!(block[1].ends_with("✗ error: failed"), "{printed}");
        assert!(block[2].starts_with("    step: "), "{printed}");
        assert!(
            block[3].starts_with("      · checkpoint [halfway] +"),
            "{printed}"
        );
    }
}
