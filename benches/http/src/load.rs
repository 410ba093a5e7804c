//! The load generator, a process of its own on one thread: `GET /work/{n}` over keep-alive
//! HTTP/1.1 connections, every other request carrying a sampled W3C `traceparent` (so half the
//! requests continue a caller's trace and half start one).
//!
//! Closed loop (no rate): each connection sends its next request as soon as the last one is
//! answered, until N are done. Open loop (a rate): a pacing thread releases request i at
//! `start + i / rate` to connection `i % CONNS` whatever the server does, and a request's latency runs from that moment to
//! its response, so time it waited for a busy connection counts (no coordinated omission).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::sync::mpsc;

use crate::Error;

/// `http-bench load PORT CONNS N [RATE]`; prints one `RESULT key=value ...` line.
pub fn main(args: &[String]) -> Result<(), Error> {
    let num = |i: usize, what: &str| -> Result<u64, Error> {
        let s = args.get(i).ok_or_else(|| format!("load: missing {what}"))?;
        s.parse()
            .map_err(|e| format!("load: {what} {s:?}: {e}").into())
    };
    let port = u16::try_from(num(0, "port")?)?;
    let conns = num(1, "connection count")?.max(1);
    let requests = num(2, "request count")?;
    let rate = if args.len() > 3 {
        Some(num(3, "rate")?.max(1))
    } else {
        None
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(run(port, conns, requests, rate))?;
    println!("RESULT {result}");
    Ok(())
}

/// What a run measured.
struct Outcome {
    requests: u64,
    errors: u64,
    wall: Duration,
    /// Open loop: each request's latency in ns, sorted.
    latencies: Vec<u64>,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "requests={} errors={} wall_ns={}",
            self.requests,
            self.errors,
            self.wall.as_nanos()
        )?;
        if !self.latencies.is_empty() {
            let q = |p: f64| {
                let i = ((self.latencies.len() as f64 * p) as usize).min(self.latencies.len() - 1);
                self.latencies[i] as f64 / 1000.0
            };
            write!(
                f,
                " p50_us={:.1} p99_us={:.1} p999_us={:.1} max_us={:.1}",
                q(0.5),
                q(0.99),
                q(0.999),
                q(1.0)
            )?;
        }
        Ok(())
    }
}

async fn run(port: u16, conns: u64, requests: u64, rate: Option<u64>) -> Result<Outcome, Error> {
    let next = Arc::new(AtomicU64::new(0));
    // Open loop: one schedule per connection, request i going to connection i % conns (as wrk2
    // does), so no lock or shared queue sits between the pacer and the connections.
    let mut schedules = Vec::new();
    let mut senders = Vec::new();
    for _ in 0..conns {
        let (tx, rx) = mpsc::unbounded_channel();
        senders.push(tx);
        schedules.push(rate.map(|_| rx));
    }
    let pacer = rate.map(|rate| std::thread::spawn(move || pace(&senders, requests, rate)));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (c, schedule) in (0..conns).zip(schedules) {
        let next = Arc::clone(&next);
        tasks.push(tokio::spawn(connection(port, c, requests, next, schedule)));
    }
    let mut out = Outcome {
        requests: 0,
        errors: 0,
        wall: Duration::ZERO,
        latencies: Vec::new(),
    };
    for t in tasks {
        let (done, errors, mut lat) = t.await??;
        out.requests += done;
        out.errors += errors;
        out.latencies.append(&mut lat);
    }
    out.wall = start.elapsed();
    if let Some(p) = pacer {
        p.join().map_err(|_| "the pacing thread panicked")?;
    }
    out.latencies.sort_unstable();
    Ok(out)
}

/// How often the pacer wakes: every due request is released then, stamped with its own
/// scheduled time, so waking less often costs no accuracy, only a little burstiness.
const PACER_TICK: Duration = Duration::from_micros(100);

/// Releases `requests` scheduled times, `1 / rate` apart, sleeping (not spinning) in between so
/// the load process leaves the cores to the server.
fn pace(senders: &[mpsc::UnboundedSender<Instant>], requests: u64, rate: u64) {
    // Sleeps end within a few µs instead of the default 50 µs slack.
    // SAFETY: PR_SET_TIMERSLACK takes an integer argument and only affects this thread.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong);
    }
    let period = Duration::from_secs_f64(1.0 / rate as f64);
    let start = Instant::now() + Duration::from_millis(5);
    let mut i = 0;
    while i < requests {
        let now = Instant::now();
        while i < requests {
            let at = start + period.mul_f64(i as f64);
            if at > now {
                break;
            }
            let conn = usize::try_from(i).unwrap_or(0) % senders.len();
            if senders[conn].send(at).is_err() {
                return;
            }
            i += 1;
        }
        let due = start + period.mul_f64(i as f64);
        std::thread::sleep(
            due.saturating_duration_since(Instant::now())
                .max(PACER_TICK),
        );
    }
}

type ConnResult = Result<(u64, u64, Vec<u64>), Error>;

async fn connection(
    port: u16,
    conn: u64,
    requests: u64,
    next: Arc<AtomicU64>,
    mut schedule: Option<mpsc::UnboundedReceiver<Instant>>,
) -> ConnResult {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    stream.set_nodelay(true)?;
    let (mut sender, driver) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(driver);
    let mut ids = Ids(0x9e37_79b9_7f4a_7c15 ^ (conn + 1).wrapping_mul(0xbf58_476d_1ce4_e5b9));
    let (mut done, mut errors, mut latencies) = (0, 0, Vec::new());
    loop {
        let released = match &mut schedule {
            Some(rx) => match rx.recv().await {
                Some(at) => Some(at),
                None => break,
            },
            None => None,
        };
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= requests {
            break;
        }
        let mut req = http::Request::get(format!("/work/{}", i % 1000))
            .header(http::header::HOST, "127.0.0.1");
        if i.is_multiple_of(2) {
            req = req.header("traceparent", ids.traceparent());
        }
        sender.ready().await?;
        let resp = sender
            .send_request(req.body(Empty::<Bytes>::new())?)
            .await?;
        let ok = resp.status() == http::StatusCode::OK;
        resp.into_body().collect().await?;
        done += 1;
        if !ok {
            errors += 1;
        }
        if let Some(at) = released {
            latencies.push(u64::try_from(at.elapsed().as_nanos()).unwrap_or(u64::MAX));
        }
    }
    Ok((done, errors, latencies))
}

/// Random-looking, non-zero trace and span ids (xorshift), different on every connection.
struct Ids(u64);

impl Ids {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn traceparent(&mut self) -> String {
        let (a, b, c) = (self.next(), self.next(), self.next());
        format!("00-{a:016x}{b:016x}-{c:016x}-01")
    }
}
