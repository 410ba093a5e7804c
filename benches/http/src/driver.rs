//! `http-bench run`: starts each variant's server in a process of its own, drives it with the
//! load generator (another process), reads the server's CPU time and peak memory from `/proc`,
//! and writes the report.
//!
//! Environment (defaults in parentheses):
//! - `HTTP_BENCH_REQUESTS` (default 300000): measured requests per closed-loop run (after the warm-up);
//! - `HTTP_BENCH_WARMUP` (default 20000): requests before measuring, in every run;
//! - `HTTP_BENCH_ROUNDS` (default 3): interleaved rounds (every variant once per round); medians
//!   reported; 0 runs the open loop only (it then needs `HTTP_BENCH_OPEN_RATE`);
//! - `HTTP_BENCH_CONNS` (default 16): keep-alive connections of the load generator;
//! - `HTTP_BENCH_VARIANTS` (default all): comma-separated variants (`plain` is always measured);
//! - `HTTP_BENCH_HOG_VARIANTS` (default plain,ours,ours_yaml,otel): measured again at saturation beside
//!   a process that keeps one core busy (`none` to skip);
//! - `HTTP_BENCH_OPEN_SECS` (default 10): length of each open-loop (fixed-rate) latency run (0 to skip);
//! - `HTTP_BENCH_OPEN_ROUNDS` (default 1): interleaved open-loop rounds; medians reported, with the
//!   range of p99 over rounds (one round's p99 is a few hundred slow requests, so a busy moment
//!   moves it);
//! - `HTTP_BENCH_OPEN_RATE` (default half of plain's median closed-loop throughput): its rate, requests/s;
//! - `HTTP_BENCH_YAML_DIR` (default the temporary directory): where `ours_yaml` writes its file;
//! - `HTTP_BENCH_REPORT` (default http-bench-report.md): where the Markdown report goes (also printed).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use crate::Error;
use crate::app::SPANS_PER_REQUEST;
use crate::procfs::{self, Cpu};
use crate::report::{self, Machine};
use crate::sink;
use crate::variant::Variant;

/// The benchmark's settings, from the environment.
#[derive(Debug, Clone)]
pub struct Config {
    pub requests: u64,
    pub warmup: u64,
    pub rounds: usize,
    pub conns: u64,
    pub variants: Vec<Variant>,
    pub hog_variants: Vec<Variant>,
    pub open_secs: u64,
    pub open_rounds: usize,
    pub open_rate: Option<u64>,
    pub report: String,
}

fn env_num(name: &str, default: u64) -> Result<u64, Error> {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .map_err(|e| format!("{name}={v:?}: {e}").into()),
        Err(_) => Ok(default),
    }
}

fn env_variants(name: &str, default: &[Variant]) -> Result<Vec<Variant>, Error> {
    match std::env::var(name) {
        Ok(v) if v.trim() == "none" => Ok(Vec::new()),
        Ok(v) => v
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Variant::parse)
            .collect(),
        Err(_) => Ok(default.to_vec()),
    }
}

impl Config {
    fn from_env() -> Result<Config, Error> {
        let mut variants = env_variants("HTTP_BENCH_VARIANTS", &Variant::ALL)?;
        if !variants.contains(&Variant::Plain) {
            variants.insert(0, Variant::Plain);
        }
        let hog_default = [
            Variant::Plain,
            Variant::Ours,
            Variant::OursYaml,
            Variant::Otel,
        ];
        Ok(Config {
            requests: env_num("HTTP_BENCH_REQUESTS", 300_000)?.max(1),
            warmup: env_num("HTTP_BENCH_WARMUP", 20_000)?,
            rounds: usize::try_from(env_num("HTTP_BENCH_ROUNDS", 3)?)?,
            conns: env_num("HTTP_BENCH_CONNS", 16)?.max(1),
            variants,
            hog_variants: env_variants("HTTP_BENCH_HOG_VARIANTS", &hog_default)?,
            open_secs: env_num("HTTP_BENCH_OPEN_SECS", 10)?,
            open_rounds: env_num("HTTP_BENCH_OPEN_ROUNDS", 1)?.max(1) as usize,
            open_rate: std::env::var("HTTP_BENCH_OPEN_RATE")
                .ok()
                .map(|v| v.trim().parse())
                .transpose()?,
            report: std::env::var("HTTP_BENCH_REPORT")
                .unwrap_or_else(|_| "http-bench-report.md".into()),
        })
    }
}

/// One server run under load.
#[derive(Debug, Clone)]
pub struct Run {
    pub variant: Variant,
    /// Requests measured (after the warm-up).
    pub requests: u64,
    pub errors: u64,
    pub wall: Duration,
    /// Server CPU over the measured requests (and the flush after them).
    pub cpu: Cpu,
    /// Spans the tracer delivered to its recorder over the whole run (warm-up included).
    pub delivered: u64,
    /// Spans it counted as lost, if it counts them.
    pub dropped: Option<u64>,
    /// Of those, lost because a thread's queue was full (ours only).
    pub queue_full: Option<u64>,
    /// Spans opened over the whole run (6 per request answered), if the variant records.
    pub expected: u64,
    pub peak_rss: u64,
    /// Open loop: (p50, p99, p99.9, max) latency in µs.
    pub latency: Option<[f64; 4]>,
}

impl Run {
    pub fn cpu_us_per_request(&self) -> f64 {
        self.cpu.total.as_secs_f64() * 1e6 / self.requests as f64
    }

    pub fn worker_us_per_request(&self) -> f64 {
        self.cpu.worker.as_secs_f64() * 1e6 / self.requests as f64
    }

    pub fn throughput(&self) -> f64 {
        self.requests as f64 / self.wall.as_secs_f64()
    }
}

/// A server process, spoken to over its stdin and stdout.
struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    port: u16,
}

impl Server {
    fn start(variant: Variant, otlp: &str) -> Result<Server, Error> {
        // HTTP_BENCH_SERVER_WRAPPER runs the server under another program (a profiler).
        let wrapper = std::env::var("HTTP_BENCH_SERVER_WRAPPER").unwrap_or_default();
        let mut words = wrapper.split_whitespace();
        let mut cmd = match words.next() {
            Some(program) => {
                let mut cmd = Command::new(program);
                cmd.args(words).arg(std::env::current_exe()?);
                cmd
            }
            None => Command::new(std::env::current_exe()?),
        };
        let mut child = cmd
            .args(["server", variant.name()])
            .env("HTTP_BENCH_OTLP_ENDPOINT", otlp)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().ok_or("server: no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("server: no stdout")?);
        let mut server = Server {
            child,
            stdin,
            stdout,
            port: 0,
        };
        let line = server.line()?;
        server.port = line
            .strip_prefix("PORT ")
            .ok_or_else(|| format!("server {}: said {line:?}", variant.name()))?
            .parse()?;
        Ok(server)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn line(&mut self) -> Result<String, Error> {
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            return Err("the server exited".into());
        }
        Ok(line.trim_end().to_owned())
    }

    fn ask(&mut self, command: &str) -> Result<String, Error> {
        writeln!(self.stdin, "{command}")?;
        self.stdin.flush()?;
        self.line()
    }

    fn quit(mut self) -> Result<(), Error> {
        writeln!(self.stdin, "quit")?;
        drop(self.stdin);
        let status = self.child.wait()?;
        if !status.success() {
            return Err(format!("server exited with {status}").into());
        }
        Ok(())
    }
}

/// The hog process; killed when dropped.
struct Hog(Child);

impl Hog {
    fn start() -> Result<Hog, Error> {
        Ok(Hog(Command::new(std::env::current_exe()?)
            .arg("hog")
            .spawn()?))
    }
}

impl Drop for Hog {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the load generator: closed loop, or open loop at `rate`. Returns its `key=value` pairs.
fn load(
    port: u16,
    conns: u64,
    requests: u64,
    rate: Option<u64>,
) -> Result<Vec<(String, String)>, Error> {
    let mut cmd = Command::new(std::env::current_exe()?);
    cmd.args([
        "load",
        &port.to_string(),
        &conns.to_string(),
        &requests.to_string(),
    ]);
    if let Some(rate) = rate {
        cmd.arg(rate.to_string());
    }
    let out = cmd.stderr(Stdio::inherit()).output()?;
    if !out.status.success() {
        return Err(format!("the load generator failed ({})", out.status).into());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .ok_or("the load generator printed no RESULT")?;
    Ok(pairs(line))
}

fn pairs(line: &str) -> Vec<(String, String)> {
    line.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn get<T: std::str::FromStr>(pairs: &[(String, String)], key: &str) -> Option<T> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.parse().ok())
}

/// One run: a fresh server (and hog), the warm-up, the measured requests, the flush, the counts.
fn measure(
    cfg: &Config,
    otlp: &str,
    variant: Variant,
    hog: bool,
    rate: Option<u64>,
) -> Result<Run, Error> {
    let _hog = if hog { Some(Hog::start()?) } else { None };
    let mut server = Server::start(variant, otlp)?;
    let pid = server.pid();
    if cfg.warmup > 0 {
        load(server.port, cfg.conns, cfg.warmup, None)?;
    }
    let requests = match rate {
        Some(rate) => rate * cfg.open_secs,
        None => cfg.requests,
    };
    let before = procfs::cpu(pid)?;
    let start = Instant::now();
    let result = load(server.port, cfg.conns, requests, rate)?;
    let wall = start.elapsed();
    let flushed = server.ask("flush")?;
    if flushed != "FLUSHED" {
        return Err(format!("server {}: flush said {flushed:?}", variant.name()).into());
    }
    let cpu = procfs::cpu(pid)? - before;
    let stats_line = server.ask("stats")?;
    let stats = pairs(stats_line.strip_prefix("STATS ").unwrap_or(""));
    let peak_rss = procfs::peak_rss(pid)?;
    server.quit()?;
    let answered = get::<u64>(&result, "requests").unwrap_or(0);
    let latency = rate.map(|_| {
        ["p50_us", "p99_us", "p999_us", "max_us"].map(|k| get(&result, k).unwrap_or(f64::NAN))
    });
    let run = Run {
        variant,
        requests: answered,
        errors: get(&result, "errors").unwrap_or(0),
        // The load generator's own clock: the time its requests were in flight.
        wall: get::<u64>(&result, "wall_ns").map_or(wall, Duration::from_nanos),
        cpu,
        delivered: get(&stats, "delivered").unwrap_or(0),
        dropped: get(&stats, "dropped"),
        queue_full: get(&stats, "queue_full"),
        expected: if variant.records() {
            (cfg.warmup + answered) * SPANS_PER_REQUEST
        } else {
            0
        },
        peak_rss,
        latency,
    };
    eprintln!(
        "  {:<10}{} {:>8.2} µs/req (worker {:>6.2}) {:>8.0} req/s  spans {}/{} dropped {}{}",
        variant.name(),
        if hog { " +hog" } else { "" },
        run.cpu_us_per_request(),
        run.worker_us_per_request(),
        run.throughput(),
        run.delivered,
        run.expected,
        run.dropped.map_or("-".into(), |d| d.to_string()),
        run.latency.map_or(String::new(), |l| format!(
            "  p50 {:.0} p99 {:.0} p99.9 {:.0} µs",
            l[0], l[1], l[2]
        )),
    );
    Ok(run)
}

/// `http-bench profile VARIANT N`: one server (under `HTTP_BENCH_SERVER_WRAPPER`, e.g.
/// `valgrind --tool=callgrind`), N closed-loop requests, no warm-up, then quit.
pub fn profile(args: &[String]) -> Result<(), Error> {
    let variant = Variant::parse(args.first().ok_or("profile: which variant?")?)?;
    let requests: u64 = args.get(1).map_or(Ok(20_000), |n| n.parse())?;
    let sink = sink::start()?;
    let mut cfg = Config::from_env()?;
    cfg.warmup = 0;
    cfg.requests = requests;
    measure(&cfg, &sink.endpoint, variant, false, None)?;
    Ok(())
}

/// `http-bench run`.
pub fn run() -> Result<(), Error> {
    let cfg = Config::from_env()?;
    let sink = sink::start()?;
    let mut machine = Machine::read();
    let started = Instant::now();
    let mut closed = Vec::new();
    for round in 1..=cfg.rounds {
        eprintln!("closed loop, round {round}/{}", cfg.rounds);
        for &v in &cfg.variants {
            closed.push(measure(&cfg, &sink.endpoint, v, false, None)?);
        }
    }
    let mut hogged = Vec::new();
    if cfg.rounds == 0 && cfg.open_rate.is_none() {
        return Err("HTTP_BENCH_ROUNDS=0 measures no saturation: set HTTP_BENCH_OPEN_RATE".into());
    }
    if !cfg.hog_variants.is_empty() {
        for round in 1..=cfg.rounds {
            eprintln!("closed loop beside a CPU hog, round {round}/{}", cfg.rounds);
            for &v in &cfg.hog_variants {
                hogged.push(measure(&cfg, &sink.endpoint, v, true, None)?);
            }
        }
    }
    let mut open = Vec::new();
    let mut rate = None;
    if cfg.open_secs > 0 {
        let r = match cfg.open_rate {
            Some(r) => r,
            None => {
                let plain: Vec<f64> = closed
                    .iter()
                    .filter(|r| r.variant == Variant::Plain)
                    .map(Run::throughput)
                    .collect();
                (report::median(&plain) / 2.0) as u64
            }
        };
        rate = Some(r);
        for round in 1..=cfg.open_rounds {
            eprintln!(
                "open loop at {r} requests/s, {} s each, round {round}/{}",
                cfg.open_secs, cfg.open_rounds
            );
            for &v in &cfg.variants {
                open.push(measure(&cfg, &sink.endpoint, v, false, Some(r))?);
            }
        }
    }
    machine.finish(started.elapsed());
    let text = report::render(&cfg, &machine, &closed, &hogged, &open, rate);
    std::fs::write(&cfg.report, &text)?;
    println!("{text}");
    eprintln!(
        "report written to {} (OTLP sink answered {} requests)",
        cfg.report,
        sink.requests.load(std::sync::atomic::Ordering::Relaxed)
    );
    Ok(())
}
