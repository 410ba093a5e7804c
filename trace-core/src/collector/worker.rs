use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use crate::clock::WallClock;
use crate::collector::convert::Converter;
use crate::collector::tail_buffer::TailBuffer;
use crate::collector::{Command, Ring};
use crate::context::Decision;
use crate::record::SpanRecord;
use crate::recorder::{ErrorHook, RecordError, Recorder};
use crate::sampling::TailRule;
use crate::span::data::SpanData;
use crate::span::raw::RawSpan;
use crate::tracer::stats::SharedStats;

/// Spans per `record` call: large enough to amortise a recorder's per-call cost, small enough to
/// bound the collector's memory.
const BATCH: usize = 1024;

/// How often the wall-clock anchor is renewed, so long runs follow the system clock.
const CLOCK_REFRESH: Duration = Duration::from_secs(10);

pub(crate) struct WorkerConfig {
    pub(crate) converter: Converter,
    pub(crate) recorders: Vec<Box<dyn Recorder>>,
    pub(crate) tail: Option<TailRule>,
    pub(crate) interval: Duration,
    pub(crate) stats: Arc<SharedStats>,
    pub(crate) hook: ErrorHook,
}

pub(crate) struct Worker {
    converter: Converter,
    clock_since: Instant,
    recorders: Vec<Box<dyn Recorder>>,
    tail: Option<TailBuffer>,
    interval: Duration,
    stats: Arc<SharedStats>,
    hook: ErrorHook,
    rings: Vec<Ring>,
    batch: Vec<SpanRecord>,
}

impl Worker {
    pub(crate) fn new(config: WorkerConfig) -> Self {
        let WorkerConfig {
            converter,
            recorders,
            tail,
            interval,
            stats,
            hook,
        } = config;
        Self {
            converter,
            clock_since: Instant::now(),
            recorders,
            tail: tail.map(TailBuffer::new),
            interval,
            stats,
            hook,
            rings: Vec::new(),
            batch: Vec::with_capacity(BATCH),
        }
    }

    /// The collector thread's loop; returns after a shutdown command or when every sender is gone.
    pub(crate) fn run(mut self, commands: Receiver<Command>) {
        loop {
            match commands.recv_timeout(self.interval) {
                Ok(Command::Register(ring)) => self.rings.push(ring),
                Ok(Command::Wake) | Err(RecvTimeoutError::Timeout) => self.collect(),
                Ok(Command::Flush(done)) => {
                    let mut waiting = self.register_pending(&commands);
                    self.collect();
                    self.each_recorder(|r| r.flush());
                    waiting.push(done);
                    for w in waiting {
                        let _ = w.send(());
                    }
                }
                Ok(Command::Shutdown(done)) => {
                    let mut waiting = self.register_pending(&commands);
                    self.shutdown();
                    waiting.push(done);
                    for w in waiting {
                        let _ = w.send(());
                    }
                    return;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.shutdown();
                    return;
                }
            }
        }
    }

    /// Takes rings registered just before a flush, whose spans the flush must include; returns
    /// the other flushes queued meanwhile, which this one serves too.
    fn register_pending(&mut self, commands: &Receiver<Command>) -> Vec<SyncSender<()>> {
        let mut waiting = Vec::new();
        while let Ok(cmd) = commands.try_recv() {
            match cmd {
                Command::Register(ring) => self.rings.push(ring),
                Command::Wake => {}
                Command::Flush(done) | Command::Shutdown(done) => waiting.push(done),
            }
        }
        waiting
    }

    /// Drains every ring and delivers what was in them.
    fn collect(&mut self) {
        if self.clock_since.elapsed() >= CLOCK_REFRESH {
            self.converter.clock = WallClock::new();
            self.clock_since = Instant::now();
        }
        let mut rings = std::mem::take(&mut self.rings);
        rings.retain_mut(|ring| {
            // Checked before draining: once abandoned, nothing more can arrive after the drain.
            let abandoned = ring.spans.is_abandoned();
            let available = ring.spans.slots();
            if let Ok(chunk) = ring.spans.read_chunk(available) {
                for raw in chunk {
                    if let Some(emptied) = self.accept(raw) {
                        // A full return queue means the thread has spares enough: free this one.
                        let _ = ring.recycle.push(emptied);
                    }
                }
            }
            !abandoned
        });
        self.rings = rings;
        self.deliver();
    }

    /// Takes one finished span; returns its emptied data box.
    fn accept(&mut self, raw: RawSpan) -> Option<Box<SpanData>> {
        let deferred = raw.decision == Decision::Defer;
        let local_root = raw.local_root;
        let (span, emptied) = self.converter.convert(raw);
        match (&mut self.tail, deferred) {
            (Some(tail), true) => tail.offer(span, local_root, &mut self.batch, &self.stats),
            _ => self.batch.push(span),
        }
        if self.batch.len() >= BATCH {
            self.deliver();
        }
        emptied
    }

    fn deliver(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        let total = batch.len() as u64;
        SharedStats::add(&self.stats.recorded, total);
        let mut lost = 0;
        for recorder in &mut self.recorders {
            let result = catch_unwind(AssertUnwindSafe(|| recorder.record(&batch)))
                .unwrap_or_else(|_| Err(RecordError::new("the recorder panicked")));
            if let Err(e) = result {
                // With several recorders, a span counts as recorded only if every one kept it.
                lost = lost.max(e.lost().unwrap_or(total).min(total));
                SharedStats::add(&self.stats.recorder_errors, 1);
                (self.hook)(&e);
            }
        }
        self.stats.unrecord(lost);
        self.batch = batch;
        self.batch.clear();
    }

    fn each_recorder(&mut self, op: impl Fn(&mut dyn Recorder) -> Result<(), RecordError>) {
        for recorder in &mut self.recorders {
            let result = catch_unwind(AssertUnwindSafe(|| op(&mut **recorder)))
                .unwrap_or_else(|_| Err(RecordError::new("the recorder panicked")));
            if let Err(e) = result {
                // Losses here were counted as recorded when `record` accepted them.
                self.stats.count_recorder_error(e.lost().unwrap_or(0));
                (self.hook)(&e);
            }
        }
    }

    fn shutdown(&mut self) {
        self.collect();
        if let Some(tail) = &mut self.tail {
            tail.drain(&mut self.batch, &self.stats);
        }
        self.deliver();
        self.each_recorder(|r| r.shutdown());
        // Spans that threads pushed after the final drain, having not yet seen the shutdown.
        std::thread::sleep(Duration::from_millis(1));
        let late: usize = self.rings.iter().map(|ring| ring.spans.slots()).sum();
        SharedStats::add(&self.stats.dropped_shutdown, late as u64);
    }
}
