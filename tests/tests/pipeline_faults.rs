//! The span pipeline under the faults a long-running service meets: threads that come and go by
//! the thousand, a process killed while idle or exiting without dropping its guard, a disk that
//! fills up, and a file appended to after its last writer was cut short. Each test says what the
//! tracer's counters and the file must show; none of them measures time.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, MutexGuard};
use std::time::{Duration, Instant};

use trace_core::{FlushError, RecordError, Recorder, SpanBatch, SpanId, Tracer, span};
use trace_record::yaml::{self, YamlRecorder};

/// Tests install the process-wide tracer one at a time.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "trace-tests-{name}-{}-{}.yaml",
        std::process::id(),
        SpanId::random()
    ))
}

/// Counts what it is given, and nothing else.
#[derive(Clone, Default)]
struct Counting(Arc<AtomicU64>);

impl Recorder for Counting {
    fn record(&mut self, batch: &SpanBatch<'_>) -> Result<(), RecordError> {
        self.0.fetch_add(batch.len() as u64, Ordering::Relaxed);
        Ok(())
    }
}

/// This process's resident set, from `/proc/self/status`.
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .expect("VmRSS line");
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("VmRSS value");
    kb * 1024
}

/// One request on a thread of its own: a root and ten children.
fn request_on_a_new_thread() -> std::thread::JoinHandle<()> {
    std::thread::spawn(|| {
        let _root = span("request").enter();
        for _ in 0..10 {
            let _child = span("step").enter();
        }
    })
}

#[test]
fn spans_of_exited_threads_are_recorded_while_new_threads_keep_coming() {
    let _serial = serial();
    let counted = Counting::default();
    let tracer = Tracer::builder()
        .recorder(counted.clone())
        .install()
        .unwrap();
    let rss_before = rss_bytes();
    let mut rss_peak = rss_before;
    let mut recorded_while_churning = 0;
    // A steady stream of short-lived threads, a few alive at a time, as a thread-per-request
    // server has. The old collector restarted its 20 ms wait at every new thread's message and
    // so never drained while they kept coming.
    const THREADS: usize = 20_000;
    let mut live = Vec::with_capacity(8);
    for i in 0..THREADS {
        live.push(request_on_a_new_thread());
        if live.len() == 8 {
            for t in live.drain(..) {
                t.join().unwrap();
            }
        }
        if i % 1000 == 999 {
            rss_peak = rss_peak.max(rss_bytes());
            if i >= THREADS / 2 && recorded_while_churning == 0 {
                recorded_while_churning = tracer.stats().recorded;
            }
        }
    }
    for t in live {
        t.join().unwrap();
    }
    let stats = tracer.shutdown().unwrap();
    assert_eq!(stats.finished, THREADS as u64 * 11);
    assert_eq!(stats.recorded, stats.finished, "{stats:?}");
    assert_eq!(counted.0.load(Ordering::Relaxed), stats.recorded);
    assert!(
        recorded_while_churning > 0,
        "nothing was recorded while threads kept coming: {stats:?}"
    );
    // Each thread's ring is about 360 KiB (4096 spans); the rings of exited threads are freed at
    // the next drain, so only a handful exist at once. Before the fix this grew without bound
    // (1 GB in 4 s).
    let growth = rss_peak.saturating_sub(rss_before);
    println!("RSS growth over {THREADS} threads: {} KiB", growth / 1024);
    assert!(
        growth < 128 * 1024 * 1024,
        "RSS grew by {} MiB while threads came and went",
        growth / (1024 * 1024)
    );
}

/// Runs this test binary again as a child that traces into `path` and then does `mode`.
fn child(mode: &str, path: &Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("TRACE_TEST_CHILD", mode)
        .env("TRACE_TEST_CHILD_FILE", path)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// The child side of the process tests; does nothing unless started by [`child`].
#[test]
fn child_process() {
    let (Ok(mode), Ok(path)) = (
        std::env::var("TRACE_TEST_CHILD"),
        std::env::var("TRACE_TEST_CHILD_FILE"),
    ) else {
        return;
    };
    let builder = Tracer::builder()
        .service("child")
        .recorder(YamlRecorder::create(&path).unwrap());
    let tail = mode == "tail-exit";
    let builder = if tail {
        // Nothing is decided before the exit unless the exit hook decides it.
        builder
            .sampler(trace_core::Sampler::never())
            .tail_sampling(trace_core::TailRule::errors())
            .tail_grace(Duration::from_secs(600))
    } else {
        builder
    };
    let tracer = builder.install().unwrap();
    for i in 0..10 {
        let mut root = span("request").enter();
        for _ in 0..10 {
            let _child = span("step").enter();
        }
        if tail && i % 2 == 0 {
            root.set_error("failed");
        }
    }
    match mode.as_str() {
        "idle" => {
            println!("spans finished");
            std::thread::sleep(Duration::from_secs(120));
        }
        "exit" | "tail-exit" => {
            // No destructor runs: only the exit hook stands between the queue and the file.
            std::mem::forget(tracer);
            std::process::exit(0);
        }
        other => panic!("unknown child mode {other}"),
    }
}

fn documents(path: &Path) -> (usize, usize) {
    let mut ok = 0;
    let mut bad = 0;
    for doc in yaml::read_file(path).unwrap() {
        match doc {
            Ok(_) => ok += 1,
            Err(_) => bad += 1,
        }
    }
    (ok, bad)
}

#[test]
fn spans_finished_before_an_idle_process_is_killed_are_in_the_file() {
    let path = temp_path("sigkill");
    let mut child = child("idle", &path);
    // The test harness prints its own lines first.
    let ready = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .any(|line| line.trim().ends_with("spans finished"));
    assert!(ready, "the child did not finish its spans");
    // The collector writes each batch as it drains (every 20 ms); wait until the child's 110
    // spans are there, for at most 30 s, then kill it without a chance to clean up.
    let deadline = Instant::now() + Duration::from_secs(30);
    while documents(&path).0 < 110 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(documents(&path), (110, 0), "the file after SIGKILL");
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn spans_queued_at_process_exit_are_flushed_by_the_exit_hook() {
    let path = temp_path("exit");
    let status = child("exit", &path).wait().unwrap();
    assert!(status.success());
    assert_eq!(documents(&path), (110, 0), "the file after process::exit");
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn traces_the_tail_rule_holds_at_process_exit_are_decided_and_flushed() {
    let path = temp_path("tail-exit");
    let status = child("tail-exit", &path).wait().unwrap();
    assert!(status.success());
    // The five failed requests, whole; the five others let go.
    assert_eq!(documents(&path), (55, 0), "the file after process::exit");
    std::fs::remove_file(&path).unwrap();
}

/// A 64 KiB tmpfs, unmounted on drop; `None` where mounting is not permitted.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount() -> Option<Self> {
        let dir = std::env::temp_dir().join(format!("trace-tests-full-{}", SpanId::random()));
        std::fs::create_dir_all(&dir).ok()?;
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(&dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if mounted {
            Some(Self(dir))
        } else {
            let _ = std::fs::remove_dir(&dir);
            None
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Traces `n` spans into `path` and shuts down; returns the final counters and what shutdown
/// said was lost.
fn trace_into(path: &Path, n: usize) -> (trace_core::Stats, u64) {
    let lost_seen = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&lost_seen);
    let tracer = Tracer::builder()
        .recorder(YamlRecorder::create(path).unwrap())
        .on_error(move |e| {
            seen.fetch_add(e.lost().unwrap_or(0), Ordering::Relaxed);
        })
        .install()
        .unwrap();
    for i in 0..n {
        let mut s = span("write").enter();
        s.set_tag("i", i);
    }
    let (stats, lost) = match tracer.shutdown() {
        Ok(stats) => (stats, 0),
        Err(FlushError::Lost { spans, stats }) => (stats, spans),
        Err(e) => panic!("shutdown: {e}"),
    };
    assert_eq!(stats.accounted_for(), stats.finished, "{stats:?}");
    assert_eq!(lost_seen.load(Ordering::Relaxed), stats.dropped.recorder);
    (stats, lost)
}

#[test]
fn a_full_disk_loses_counted_spans_and_a_later_append_starts_cleanly() {
    let _serial = serial();
    let Some(disk) = SmallDisk::mount() else {
        // No mount here: `/dev/full` fails every write, which still checks the counting.
        let (stats, lost) = trace_into(Path::new("/dev/full"), 100);
        assert_eq!(
            (stats.recorded, stats.dropped.recorder, lost),
            (0, 100, 100)
        );
        println!("tmpfs could not be mounted; checked with /dev/full only");
        return;
    };
    let path = disk.0.join("spans.yaml");
    let (stats, lost) = trace_into(&path, 4400);
    let (ok, bad) = documents(&path);
    println!("full disk: {stats:?}, {ok} documents in the file, {bad} unreadable");
    assert!(stats.dropped.recorder > 0, "64 KiB cannot hold 4400 spans");
    assert_eq!(lost, stats.dropped.recorder, "shutdown says what was lost");
    assert_eq!(ok as u64, stats.recorded, "recorded means in the file");
    assert!(bad <= 1, "at most the last document is torn");

    // Room again (the disk is grown), then a second run appends: the torn document must not
    // swallow the first new span.
    let grown = Command::new("mount")
        .args(["-o", "remount,size=1m"])
        .arg(&disk.0)
        .status()
        .is_ok_and(|s| s.success());
    assert!(grown, "remounting the tmpfs larger");
    let (stats2, lost2) = trace_into(&path, 11);
    assert_eq!((stats2.recorded, lost2), (11, 0));
    let (ok2, bad2) = documents(&path);
    assert_eq!(ok2, ok + 11, "every complete span of both runs reads back");
    assert_eq!(bad2, bad, "the torn document stays the only unreadable one");
}

#[test]
fn appending_after_a_torn_document_keeps_both_runs_apart() {
    let _serial = serial();
    let path = temp_path("torn");
    trace_into(&path, 5);
    // Cut the last document in the middle of a key, as a crash mid-write does.
    let text = std::fs::read_to_string(&path).unwrap();
    let cut = text.rfind("\nname: ").unwrap() + 3;
    std::fs::write(&path, &text[..cut]).unwrap();
    let reports = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&reports);
    let tracer = Tracer::builder()
        .recorder(YamlRecorder::create(&path).unwrap())
        .on_error(move |e| seen.lock().unwrap().push(e.to_string()))
        .install()
        .unwrap();
    for _ in 0..3 {
        let _s = span("after").enter();
    }
    tracer.shutdown().unwrap();
    assert_eq!(documents(&path), (4 + 3, 1), "4 whole, 1 torn, 3 new");
    let reports = reports.lock().unwrap();
    assert!(
        reports.iter().any(|r| r.contains("inside a document")),
        "the torn tail is reported: {reports:?}"
    );
    std::fs::remove_file(&path).unwrap();
}
