//! [`TreeRecorder`]: prints each finished trace as a call tree.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Stderr, Write};
use std::time::{Duration, Instant};

use trace_core::{RecordError, Recorder, SpanBatch, SpanRecord, TraceId};

use super::printer::write_tree;
use crate::trace::Trace;

/// Prints every trace as an indented call tree (see [`write_tree`]) once it has finished here.
///
/// Spans are held per trace until the trace's root (the span without a parent) arrives; then
/// the trace is printed, with every span of it that arrived in the same batch or before. A
/// trace whose root is elsewhere (its local root has a remote parent) or whose spans outlive
/// their root is printed once no span of it arrived for the [linger](Self::linger) time, and
/// whatever is left is printed at shutdown. Memory is bounded: past
/// [`max_spans`](Self::max_spans) held spans, the oldest traces are printed early, marked
/// incomplete, rather than lost.
///
/// ```
/// use trace_core::{span, Tracer};
/// use trace_record::TreeRecorder;
///
/// let tracer = Tracer::builder().recorder(TreeRecorder::stderr()).install().unwrap();
/// {
///     let _request = span("GET /users").enter();
///     let _query = span("SELECT users").enter();
/// }
/// tracer.shutdown().unwrap(); // prints the tree to stderr
/// ```
pub struct TreeRecorder<W = Stderr> {
    out: W,
    pending: HashMap<TraceId, Pending>,
    held: usize,
    max_spans: usize,
    linger: Duration,
    /// Orders traces by arrival, to print the oldest first when the buffer is full.
    arrivals: u64,
}

struct Pending {
    spans: Vec<SpanRecord>,
    root_arrived: bool,
    first: u64,
    last_seen: Instant,
}

impl TreeRecorder<Stderr> {
    /// Prints to standard error.
    pub fn stderr() -> Self {
        Self::new(io::stderr())
    }
}

impl<W: Write> TreeRecorder<W> {
    /// Prints to `out`.
    pub fn new(out: W) -> Self {
        Self {
            out,
            pending: HashMap::new(),
            held: 0,
            max_spans: 10_000,
            linger: Duration::from_secs(2),
            arrivals: 0,
        }
    }

    /// At most this many spans are held waiting for their trace to finish (default 10 000).
    #[must_use]
    pub fn max_spans(mut self, spans: usize) -> Self {
        self.max_spans = spans.max(1);
        self
    }

    /// How long a trace without a local root may go without new spans before it is printed
    /// anyway (default 2 s).
    #[must_use]
    pub fn linger(mut self, linger: Duration) -> Self {
        self.linger = linger;
        self
    }

    /// The writer the trees go to.
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    fn hold(&mut self, span: SpanRecord, now: Instant) {
        let first = self.arrivals;
        let pending = self
            .pending
            .entry(span.trace_id)
            .or_insert_with(|| Pending {
                spans: Vec::new(),
                root_arrived: false,
                first,
                last_seen: now,
            });
        self.arrivals += 1;
        pending.root_arrived |= span.is_root();
        pending.last_seen = now;
        pending.spans.push(span);
        self.held += 1;
    }

    /// Prints and forgets the traces `ready` picks; returns the first write error.
    fn print_where(
        &mut self,
        mut ready: impl FnMut(&Pending) -> bool,
        note: Option<&str>,
    ) -> Result<(), RecordError> {
        let mut ids: Vec<(u64, TraceId)> = self
            .pending
            .iter()
            .filter(|(_, p)| ready(p))
            .map(|(id, p)| (p.first, *id))
            .collect();
        ids.sort_unstable();
        let mut result = Ok(());
        for (_, id) in ids {
            if let Some(pending) = self.pending.remove(&id) {
                let n = pending.spans.len();
                self.held -= n;
                if let Err(e) = self.print(id, pending.spans, note)
                    && result.is_ok()
                {
                    result =
                        Err(RecordError::from_source("printing a trace tree", e)
                            .with_lost(n as u64));
                }
            }
        }
        result
    }

    fn print(&mut self, id: TraceId, spans: Vec<SpanRecord>, note: Option<&str>) -> io::Result<()> {
        // Spans are held under their own trace id.
        let trace = Trace::build(id, spans);
        let mut text = Vec::with_capacity(256);
        write_tree(&mut text, &trace)?;
        if let Some(note) = note {
            writeln!(text, "  ({note})")?;
        }
        self.out.write_all(&text)?;
        self.out.flush()
    }

    fn make_room(&mut self) -> Result<(), RecordError> {
        let mut result = Ok(());
        while self.held > self.max_spans {
            let Some(oldest) = self.pending.values().map(|p| p.first).min() else {
                break;
            };
            let r = self.print_where(
                |p| p.first == oldest,
                Some("incomplete: printed early, the tree printer's buffer was full"),
            );
            if result.is_ok() {
                result = r;
            }
        }
        result
    }
}

impl<W: Write + Send + 'static> Recorder for TreeRecorder<W> {
    fn record(&mut self, batch: &SpanBatch<'_>) -> Result<(), RecordError> {
        let now = Instant::now();
        for span in batch {
            // The tree needs the whole trace, so spans are held as owned copies until it is done.
            self.hold(span.to_record(), now);
        }
        let linger = self.linger;
        // Whole batch first: a child finished on another thread may follow its root in it.
        let finished = self.print_where(
            |p| p.root_arrived || now.duration_since(p.last_seen) >= linger,
            None,
        );
        let room = self.make_room();
        finished.and(room)
    }

    fn flush(&mut self) -> Result<(), RecordError> {
        let now = Instant::now();
        let linger = self.linger;
        self.print_where(|p| now.duration_since(p.last_seen) >= linger, None)
    }

    fn shutdown(&mut self) -> Result<(), RecordError> {
        self.print_where(|_| true, None)
    }
}

impl<W> fmt::Debug for TreeRecorder<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TreeRecorder")
            .field("traces_held", &self.pending.len())
            .field("spans_held", &self.held)
            .field("max_spans", &self.max_spans)
            .field("linger", &self.linger)
            .finish_non_exhaustive()
    }
}
