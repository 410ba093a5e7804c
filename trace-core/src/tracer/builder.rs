use std::fmt;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::WallClock;
use crate::collector::batch::Origin;
use crate::collector::global;
use crate::collector::recorder::{ErrorHook, ErrorReporter, RecordError, Recorder};
use crate::collector::shared::Shared;
use crate::collector::stats::SharedStats;
use crate::collector::{THREAD_NAME, Worker, WorkerConfig};
use crate::record::Process;
use crate::sampling::{Sampler, TailRule};
use crate::tracer::exit;
use crate::tracer::guard::TracerGuard;

/// Entry point for installing the process-wide tracer.
///
/// ```
/// use trace_core::{Sampler, Tracer};
/// # #[derive(Debug)] struct Discard;
/// # impl trace_core::Recorder for Discard {
/// #     fn record(&mut self, _: &trace_core::SpanBatch<'_>) -> Result<(), trace_core::RecordError> { Ok(()) }
/// # }
/// let tracer = Tracer::builder()
///     .service("checkout")
///     .sampler(Sampler::ratio(0.5))
///     .recorder(Discard)
///     .install()
///     .expect("no other tracer is installed");
/// // ... traced work ...
/// let stats = tracer.shutdown().expect("recorders flushed in time");
/// assert_eq!(stats.dropped.total(), 0);
/// ```
#[derive(Debug)]
pub struct Tracer;

impl Tracer {
    /// A builder with the defaults: service named after the executable, parent-based sampling
    /// that records every trace started here, no tail rule, no recorder.
    pub fn builder() -> TracerBuilder {
        TracerBuilder::default()
    }
}

/// Configuration of the tracer; see [`Tracer::builder`].
#[must_use = "call `.install()` to start tracing"]
pub struct TracerBuilder {
    service: Option<String>,
    sampler: Sampler,
    tail: Option<TailRule>,
    tail_grace: Duration,
    recorders: Vec<Box<dyn Recorder>>,
    queue_capacity: usize,
    queue_limit: usize,
    collect_interval: Duration,
    flush_interval: Duration,
    shutdown_timeout: Duration,
    hook: Option<ErrorHook>,
}

impl Default for TracerBuilder {
    fn default() -> Self {
        Self {
            service: None,
            sampler: Sampler::default(),
            tail: None,
            tail_grace: Duration::from_millis(300),
            recorders: Vec::new(),
            queue_capacity: 4096,
            queue_limit: 1 << 16,
            collect_interval: Duration::from_millis(20),
            flush_interval: Duration::from_secs(1),
            shutdown_timeout: Duration::from_secs(30),
            hook: None,
        }
    }
}

impl TracerBuilder {
    /// The service name written on every span (default: the executable's name).
    pub fn service(mut self, name: impl Into<String>) -> Self {
        self.service = Some(name.into());
        self
    }

    /// The head sampler (default: [`Sampler::default`]).
    pub fn sampler(mut self, sampler: Sampler) -> Self {
        self.sampler = sampler;
        self
    }

    /// Keeps unsampled traces that end in error or run slow; see [`TailRule`].
    pub fn tail_sampling(mut self, rule: TailRule) -> Self {
        self.tail = Some(rule);
        self
    }

    /// How long the tail rule waits, after a trace's local root ended and every thread's queue
    /// was drained once more, for spans that end after the root (detached threads and tasks)
    /// before it decides (default 300 ms). Spans ending later follow the decision; see
    /// [`TailRule`]. Undecided traces are held this much longer, so a longer window needs a
    /// larger buffer at a high rate of traces.
    pub fn tail_grace(mut self, grace: Duration) -> Self {
        self.tail_grace = grace;
        self
    }

    /// Adds a recorder; every finished span goes to each recorder added.
    pub fn recorder(mut self, recorder: impl Recorder) -> Self {
        self.recorders.push(Box::new(recorder));
        self
    }

    /// Spans each thread's queue to the collector holds at first (default 4096, about 400 KB).
    /// A queue that fills before the collector empties it (a burst, or a host too busy to run the
    /// collector on time) doubles, up to [`queue_limit`](Self::queue_limit).
    pub fn queue_capacity(mut self, spans: usize) -> Self {
        self.queue_capacity = spans.max(2);
        self
    }

    /// The most spans one thread may have queued for the collector (default 65,536, about 6 MB
    /// while a thread is that far ahead). When a queue at this size is full, further spans are
    /// dropped and counted in [`Stats::dropped`](crate::Stats). Set it to the
    /// [`queue_capacity`](Self::queue_capacity) for queues that never grow.
    pub fn queue_limit(mut self, spans: usize) -> Self {
        self.queue_limit = spans.max(2);
        self
    }

    /// How often the collector drains every thread's queue and hands what it found to the
    /// recorders (default 20 ms). A queue that fills up faster wakes it sooner.
    pub fn collect_interval(mut self, interval: Duration) -> Self {
        self.collect_interval = interval.max(Duration::from_micros(100));
        self
    }

    /// How often, at most, the recorders are flushed after they received spans (default 1 s), so
    /// that a crash loses at most about this much.
    pub fn flush_interval(mut self, interval: Duration) -> Self {
        self.flush_interval = interval;
        self
    }

    /// How long flush and shutdown wait for the recorders (default 30 s).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Receives every recorder error (default: printed to stderr).
    pub fn on_error(mut self, hook: impl Fn(&RecordError) + Send + Sync + 'static) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// Installs the tracer and starts its collector thread.
    pub fn install(self) -> Result<TracerGuard, InstallError> {
        let process = Arc::new(Process::current());
        let service: Arc<str> = self.service.unwrap_or_else(|| process.name.clone()).into();
        let hook = self.hook.unwrap_or_else(|| {
            Arc::new(|e: &RecordError| eprintln!("trace-core: recorder error: {e}"))
        });
        let stats = Arc::new(SharedStats::default());
        let (commands, receiver) = mpsc::channel();
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::new(Shared {
            service: Arc::clone(&service),
            sampler: self.sampler,
            tail: self.tail.clone(),
            queue_capacity: self.queue_capacity,
            queue_limit: self.queue_limit.max(self.queue_capacity),
            commands,
            arrivals: Arc::clone(&arrivals),
            stats: Arc::clone(&stats),
            exit_timeout: self.shutdown_timeout,
        });
        let mut recorders = self.recorders;
        for r in &mut recorders {
            r.attach(ErrorReporter {
                stats: Arc::clone(&stats),
                hook: Arc::clone(&hook),
            });
        }
        // Install first, so a refused install starts no thread and leaves the recorders unused.
        let generation = global::install(Arc::clone(&shared))
            .map_err(|_| InstallError(Reason::AlreadyInstalled))?;
        let worker = Worker::new(WorkerConfig {
            origin: Origin {
                clock: WallClock::new(),
                service,
                process,
            },
            recorders,
            tail: self.tail,
            tail_grace: self.tail_grace,
            collect_every: self.collect_interval,
            flush_every: self.flush_interval,
            arrivals,
            stats: Arc::clone(&stats),
            hook,
        });
        exit::install_hooks();
        let thread = std::thread::Builder::new()
            .name(THREAD_NAME.into())
            .spawn(move || {
                // Recorders run here: what their client libraries emit is not traced back in.
                crate::thread::mark_recorder_thread();
                worker.run(receiver)
            });
        match thread {
            Ok(thread) => Ok(TracerGuard::new(
                generation,
                shared,
                thread,
                self.shutdown_timeout,
            )),
            Err(e) => {
                global::uninstall(generation);
                Err(InstallError(Reason::Thread(e)))
            }
        }
    }
}

impl fmt::Debug for TracerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TracerBuilder")
            .field("service", &self.service)
            .field("sampler", &self.sampler)
            .field("tail", &self.tail)
            .field("tail_grace", &self.tail_grace)
            .field("recorders", &self.recorders.len())
            .field("queue_capacity", &self.queue_capacity)
            .field("queue_limit", &self.queue_limit)
            .field("collect_interval", &self.collect_interval)
            .field("flush_interval", &self.flush_interval)
            .finish_non_exhaustive()
    }
}

/// The error from installing a tracer while another one is installed, or when the collector
/// thread could not be started.
#[derive(Debug)]
pub struct InstallError(Reason);

#[derive(Debug)]
enum Reason {
    AlreadyInstalled,
    Thread(std::io::Error),
}

impl fmt::Display for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Reason::AlreadyInstalled => f.write_str(
                "a tracer is already installed in this process; shut it down (drop its guard) first",
            ),
            Reason::Thread(e) => write!(f, "could not start the trace collector thread: {e}"),
        }
    }
}

impl std::error::Error for InstallError {}
