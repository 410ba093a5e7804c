//! The collector thread: drains every thread's ring on a fixed cadence, applies the tail rule and
//! lends batches to the recorders, which it also flushes on a schedule.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::clock::WallClock;
use crate::collector::batch::{Origin, SpanBatch};
use crate::collector::recorder::{ErrorHook, RecordError, Recorder};
use crate::collector::spares::Spares;
use crate::collector::stats::SharedStats;
use crate::collector::tail_buffer::{Settle, TailBuffer};
use crate::collector::{Command, Ring};
use crate::context::Decision;
use crate::sampling::TailRule;
use crate::span::raw::RawSpan;

/// Spans per `record` call, after each of which a collector that keeps up yields its core: large
/// enough to amortise a recorder's per-call cost, small enough that a batch (about 0.3 ms for the
/// YAML recorder) never holds a request thread off its core for long. With batches of 1,024 and
/// no yield, the YAML variant's p99 latency in the HTTP benchmark was 1.5× to 2.7× plain's (see
/// BENCHMARKS.md).
const BATCH: usize = 256;

/// A yield that kept the collector off its core longer than this means other threads want all of
/// it: the rest of the pass runs without yielding.
const YIELD_LIMIT: Duration = Duration::from_micros(500);

/// How often the wall-clock anchor is renewed, so long runs follow the system clock.
const CLOCK_REFRESH: Duration = Duration::from_secs(10);

/// What a waiting caller asked for, weakest first: serving a stronger request serves the weaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Request {
    Flush,
    Exit,
    Shutdown,
}

/// Who waits for `cmd` and what it asks for; `None` for a wake-up, which nobody waits for.
fn requested(cmd: Command) -> Option<(SyncSender<u64>, Request)> {
    match cmd {
        Command::Wake => None,
        Command::Flush(done) => Some((done, Request::Flush)),
        Command::Exit(done) => Some((done, Request::Exit)),
        Command::Shutdown(done) => Some((done, Request::Shutdown)),
    }
}

pub(crate) struct WorkerConfig {
    pub(crate) origin: Origin,
    pub(crate) recorders: Vec<Box<dyn Recorder>>,
    pub(crate) tail: Option<TailRule>,
    /// How long after its local root a trace waits for late spans before the tail rule decides.
    pub(crate) tail_grace: Duration,
    pub(crate) collect_every: Duration,
    pub(crate) flush_every: Duration,
    pub(crate) arrivals: Arc<Mutex<Vec<Ring>>>,
    pub(crate) stats: Arc<SharedStats>,
    pub(crate) hook: ErrorHook,
}

pub(crate) struct Worker {
    origin: Origin,
    clock_since: Instant,
    recorders: Vec<Box<dyn Recorder>>,
    tail: Option<TailBuffer>,
    collect_every: Duration,
    flush_every: Duration,
    last_flush: Instant,
    /// Spans were delivered since the recorders were last flushed.
    unflushed: bool,
    arrivals: Arc<Mutex<Vec<Ring>>>,
    stats: Arc<SharedStats>,
    hook: ErrorHook,
    rings: Vec<Ring>,
    batch: Vec<RawSpan>,
    spare: Spares,
    /// `dropped.recorder` when the last flush or shutdown answered.
    lost_reported: u64,
    /// Whether this pass yields between batches: not once it found a queue more than half full,
    /// nor once a yield gave the core away for long, since a collector that keeps yielding to busy
    /// threads (or to a process spinning beside them) falls behind and the queues fill.
    yielding: bool,
}

impl Worker {
    pub(crate) fn new(config: WorkerConfig) -> Self {
        let WorkerConfig {
            origin,
            recorders,
            tail,
            tail_grace,
            collect_every,
            flush_every,
            arrivals,
            stats,
            hook,
        } = config;
        Self {
            origin,
            clock_since: Instant::now(),
            recorders,
            tail: tail.map(|rule| TailBuffer::new(rule, tail_grace)),
            collect_every,
            flush_every,
            last_flush: Instant::now(),
            unflushed: false,
            arrivals,
            stats,
            hook,
            rings: Vec::new(),
            batch: Vec::with_capacity(BATCH),
            spare: Spares::default(),
            lost_reported: 0,
            yielding: false,
        }
    }

    /// The collector thread's loop; returns after a shutdown command or when every sender is gone.
    ///
    /// The cadence is a deadline, not a timeout restarted by each message: however many wake-ups
    /// or requests arrive, every ring is drained at least once per `collect_every`.
    pub(crate) fn run(mut self, commands: Receiver<Command>) {
        let mut next = Instant::now() + self.collect_every;
        loop {
            match commands.recv_timeout(next.saturating_duration_since(Instant::now())) {
                Ok(Command::Wake) => self.collect(),
                Err(RecvTimeoutError::Timeout) => {}
                Ok(cmd) => {
                    if let Some((done, request)) = requested(cmd)
                        && self.serve(&commands, done, request)
                    {
                        return;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.shutdown();
                    return;
                }
            }
            let now = Instant::now();
            if now >= next {
                self.collect();
                if self.unflushed && now.duration_since(self.last_flush) >= self.flush_every {
                    self.flush_recorders(|r| r.flush_scheduled());
                }
                next = now + self.collect_every;
            }
        }
    }

    /// Serves `request` together with the requests queued behind it, as the strongest of them
    /// asks (a shutdown queued behind a flush still shuts down), and answers them all; returns
    /// whether the collector has stopped.
    fn serve(
        &mut self,
        commands: &Receiver<Command>,
        done: SyncSender<u64>,
        mut request: Request,
    ) -> bool {
        let mut waiting = vec![done];
        while let Ok(cmd) = commands.try_recv() {
            if let Some((done, queued)) = requested(cmd) {
                waiting.push(done);
                request = request.max(queued);
            }
        }
        match request {
            Request::Flush => {
                self.collect();
                self.flush_recorders(|r| r.flush());
            }
            Request::Exit => {
                self.collect();
                self.decide_held();
                self.flush_recorders(|r| r.flush());
            }
            Request::Shutdown => self.shutdown(),
        }
        self.answer(waiting);
        request == Request::Shutdown
    }

    /// Tells each waiter how many spans the recorders lost since the last answer.
    fn answer(&mut self, waiting: Vec<SyncSender<u64>>) {
        let dropped = self.stats.dropped_recorder();
        let lost = dropped - self.lost_reported.min(dropped);
        self.lost_reported = dropped;
        for w in waiting {
            let _ = w.send(lost);
        }
    }

    /// Drains every ring and delivers what was in them.
    fn collect(&mut self) {
        if self.clock_since.elapsed() >= CLOCK_REFRESH {
            self.origin.clock = WallClock::new();
            self.clock_since = Instant::now();
        }
        {
            let mut arrivals = self.arrivals.lock().unwrap_or_else(|p| p.into_inner());
            self.rings.append(&mut arrivals);
        }
        if let Some(tail) = &mut self.tail {
            tail.begin_pass();
        }
        let mut rings = std::mem::take(&mut self.rings);
        self.yielding = true;
        rings.retain_mut(|ring| {
            loop {
                // Checked before draining: once abandoned, nothing more can arrive after the drain.
                let abandoned = ring.spans.is_abandoned();
                let available = ring.spans.slots();
                if available * 2 > ring.spans.buffer().capacity() {
                    self.yielding = false;
                }
                if let Ok(chunk) = ring.spans.read_chunk(available) {
                    for raw in chunk {
                        if raw.data.is_some()
                            && !abandoned
                            && let Some(spare) = self.spare.pop()
                        {
                            // One box back for each one taken: the thread never has to allocate.
                            // A full return queue means the thread has spares enough.
                            let _ = ring.recycle.push(spare);
                        }
                        self.accept(raw);
                    }
                }
                if !abandoned {
                    return true;
                }
                // The thread outgrew this queue (and left the next one first) or exited.
                match ring.take_successor() {
                    Some(next) => ring.spans = next,
                    None => return false,
                }
            }
        });
        self.rings = rings;
        if let Some(tail) = &mut self.tail {
            tail.end_pass(&mut Settle {
                out: &mut self.batch,
                spare: &mut self.spare,
                stats: &self.stats,
            });
        }
        self.deliver();
    }

    /// Takes one finished span.
    fn accept(&mut self, raw: RawSpan) {
        match &mut self.tail {
            Some(tail) if raw.decision == Decision::Defer => {
                let mut settle = Settle {
                    out: &mut self.batch,
                    spare: &mut self.spare,
                    stats: &self.stats,
                };
                tail.offer(raw, &mut settle);
            }
            _ => self.batch.push(raw),
        }
        if self.batch.len() >= BATCH {
            self.deliver();
        }
    }

    fn deliver(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let total = self.batch.len() as u64;
        SharedStats::add(&self.stats.recorded, total);
        let batch = SpanBatch::raw(&self.batch, &self.origin);
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
        self.unflushed = true;
        for raw in self.batch.drain(..) {
            self.spare.recycle(raw);
        }
        // Request threads that woke while this batch was written run before the next one.
        if self.yielding {
            let before = Instant::now();
            std::thread::yield_now();
            if before.elapsed() > YIELD_LIMIT {
                self.yielding = false;
            }
        }
    }

    fn flush_recorders(&mut self, op: impl Fn(&mut dyn Recorder) -> Result<(), RecordError>) {
        self.each_recorder(op);
        self.unflushed = false;
        self.last_flush = Instant::now();
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

    /// Has the tail rule decide every trace it holds, now, and delivers the kept ones.
    fn decide_held(&mut self) {
        if let Some(tail) = &mut self.tail {
            tail.drain(&mut Settle {
                out: &mut self.batch,
                spare: &mut self.spare,
                stats: &self.stats,
            });
        }
        self.deliver();
    }

    fn shutdown(&mut self) {
        self.collect();
        self.decide_held();
        self.each_recorder(|r| r.shutdown());
        // Spans that threads pushed after the final drain, having not yet seen the shutdown.
        std::thread::sleep(Duration::from_millis(1));
        let late: usize = self.rings.iter().map(|ring| ring.spans.slots()).sum();
        SharedStats::add(&self.stats.dropped_shutdown, late as u64);
        self.stats.count_open_at_shutdown();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;
    use crate::collector::batch::SpanBatch;
    use crate::record::Process;

    /// Counts how often it was shut down.
    struct Shutdowns(Arc<Mutex<u32>>);

    impl Recorder for Shutdowns {
        fn record(&mut self, _: &SpanBatch<'_>) -> Result<(), RecordError> {
            Ok(())
        }

        fn shutdown(&mut self) -> Result<(), RecordError> {
            *self.0.lock().unwrap() += 1;
            Ok(())
        }
    }

    /// A shutdown that arrives while a flush waits is served with it: the recorders are shut
    /// down and the collector stops, where it used to answer the shutdown and keep running, so
    /// the guard's join never returned.
    #[test]
    fn a_shutdown_queued_behind_a_flush_still_stops_the_collector() {
        let shutdowns = Arc::new(Mutex::new(0));
        let worker = Worker::new(WorkerConfig {
            origin: Origin {
                clock: WallClock::new(),
                service: "test".into(),
                process: Arc::new(Process::current()),
            },
            recorders: vec![Box::new(Shutdowns(Arc::clone(&shutdowns)))],
            tail: None,
            tail_grace: Duration::from_millis(1),
            collect_every: Duration::from_secs(3600),
            flush_every: Duration::from_secs(3600),
            arrivals: Arc::default(),
            stats: Arc::default(),
            hook: Arc::new(|_: &RecordError| {}),
        });
        let (commands, receiver) = mpsc::sync_channel(8);
        let (flushed, flush_answer) = mpsc::sync_channel(1);
        let (shut, shutdown_answer) = mpsc::sync_channel(1);
        commands.send(Command::Flush(flushed)).unwrap();
        commands.send(Command::Shutdown(shut)).unwrap();
        let (stopped, has_stopped) = mpsc::channel();
        // `commands` stays alive: only serving the shutdown can end `run`.
        std::thread::spawn(move || {
            worker.run(receiver);
            let _ = stopped.send(());
        });
        assert_eq!(flush_answer.recv_timeout(Duration::from_secs(10)), Ok(0));
        assert_eq!(shutdown_answer.recv_timeout(Duration::from_secs(10)), Ok(0));
        assert_eq!(
            has_stopped.recv_timeout(Duration::from_secs(10)),
            Ok(()),
            "the collector kept running after answering the shutdown"
        );
        assert_eq!(*shutdowns.lock().unwrap(), 1);
        drop(commands);
    }
}
