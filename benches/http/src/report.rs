//! The Markdown report: the machine, then one table per phase, then the targets.

use std::fmt::Write;
use std::time::Duration;

use crate::driver::{Config, Run};
use crate::variant::Variant;

/// What the report says about the machine and how busy it was.
#[derive(Debug, Default)]
pub struct Machine {
    cpu: String,
    cores: usize,
    kernel: String,
    load_before: String,
    load_after: String,
    took: Duration,
}

impl Machine {
    /// Reads the CPU model, core count, kernel and load average now.
    pub fn read() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        Machine {
            cpu: cpuinfo
                .lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
                .unwrap_or_else(|| "unknown CPU".into()),
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .unwrap_or_default()
                .trim()
                .to_owned(),
            load_before: loadavg(),
            ..Machine::default()
        }
    }

    /// Notes the load average at the end and how long the run took.
    pub fn finish(&mut self, took: Duration) {
        self.load_after = loadavg();
        self.took = took;
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The median of `xs` (the mean of the middle two for an even count); NaN if empty.
pub fn median(xs: &[f64]) -> f64 {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn range(xs: &[f64]) -> (f64, f64) {
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lo, hi)
}

/// Medians and sums of one variant's runs in one phase.
struct Summary {
    cpu: f64,
    cpu_range: (f64, f64),
    worker: f64,
    throughput: f64,
    delivered: u64,
    expected: u64,
    dropped: Option<u64>,
    queue_full: Option<u64>,
    worst_drop_share: f64,
    rss_mb: f64,
    errors: u64,
    latency: Option<[f64; 4]>,
    /// The lowest and highest p99 over rounds.
    p99_range: (f64, f64),
}

fn summarize(runs: &[Run], v: Variant) -> Option<Summary> {
    let runs: Vec<&Run> = runs.iter().filter(|r| r.variant == v).collect();
    if runs.is_empty() {
        return None;
    }
    let of = |f: &dyn Fn(&Run) -> f64| -> Vec<f64> { runs.iter().map(|r| f(r)).collect() };
    let cpu = of(&|r| r.cpu_us_per_request());
    let sum_opt = |f: &dyn Fn(&Run) -> Option<u64>| -> Option<u64> {
        runs.iter().map(|r| f(r)).sum::<Option<u64>>()
    };
    let latency = runs[0]
        .latency
        .map(|_| [0, 1, 2, 3].map(|i| median(&of(&|r| r.latency.map_or(f64::NAN, |l| l[i])))));
    Some(Summary {
        cpu: median(&cpu),
        cpu_range: range(&cpu),
        worker: median(&of(&|r| r.worker_us_per_request())),
        throughput: median(&of(&Run::throughput)),
        delivered: runs.iter().map(|r| r.delivered).sum(),
        expected: runs.iter().map(|r| r.expected).sum(),
        dropped: sum_opt(&|r| r.dropped),
        queue_full: sum_opt(&|r| r.queue_full),
        worst_drop_share: runs
            .iter()
            .map(|r| {
                if r.expected == 0 {
                    0.0
                } else {
                    1.0 - r.delivered as f64 / r.expected as f64
                }
            })
            .fold(0.0, f64::max),
        rss_mb: median(&of(&|r| r.peak_rss as f64 / 1048576.0)),
        errors: runs.iter().map(|r| r.errors).sum(),
        latency,
        p99_range: range(&of(&|r| r.latency.map_or(f64::NAN, |l| l[1]))),
    })
}

fn spans(s: &Summary, v: Variant) -> String {
    if !v.records() {
        return "none recorded".into();
    }
    let share = s.delivered as f64 / s.expected.max(1) as f64 * 100.0;
    let mut out = format!("{}/{} ({share:.2}%", s.delivered, s.expected);
    if s.worst_drop_share > 0.0 {
        let _ = write!(out, "; worst round lost {:.2}%", s.worst_drop_share * 100.0);
    }
    out.push(')');
    out
}

fn dropped(s: &Summary) -> String {
    match (s.dropped, s.queue_full) {
        (Some(d), Some(q)) => format!("{d} (queue full: {q})"),
        (Some(d), None) => d.to_string(),
        (None, _) => "not counted".into(),
    }
}

fn ratio(a: f64, b: f64) -> String {
    if a.is_nan() || b.is_nan() || b <= 0.0 {
        "–".into()
    } else {
        format!("{:.2}×", a / b)
    }
}

/// The whole report.
pub fn render(
    cfg: &Config,
    m: &Machine,
    closed: &[Run],
    hogged: &[Run],
    open: &[Run],
    rate: Option<u64>,
) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Machine: {} × {} ({} cores visible), Linux {}; load average {} before, {} after; the run took {:.0} s. \
         Each variant is a server process of its own (axum 0.8, one tokio worker thread); the load generator is \
         another process (one thread, {} keep-alive HTTP/1.1 connections, every other request with a sampled \
         `traceparent`). {} rounds, interleaved; each run: a fresh server, {} warm-up requests, then {} measured. \
         Server CPU = utime + stime of all the server's threads from `/proc/PID/stat` over the measured requests \
         and the flush after them; \"worker\" is the tokio worker thread alone. Spans expected = 6 per request \
         answered (warm-up included).\n",
        m.cores,
        m.cpu,
        m.cores,
        m.kernel,
        m.load_before,
        m.load_after,
        m.took.as_secs_f64(),
        cfg.conns,
        cfg.rounds,
        cfg.warmup,
        cfg.requests,
    );

    let plain = summarize(closed, Variant::Plain);
    let otel = summarize(closed, Variant::Otel);
    let plain_cpu = plain.as_ref().map_or(f64::NAN, |s| s.cpu);
    let otel_cpu = otel.as_ref().map_or(f64::NAN, |s| s.cpu);
    let _ = writeln!(o, "#### Saturation (closed loop): server CPU per request\n");
    let _ = writeln!(
        o,
        "| variant | server CPU µs/request (median) | rounds (min–max) | worker thread µs/req | added over plain µs | × plain | × tracing + OTel | requests/s | spans delivered / expected | dropped (counted) | peak RSS MB |"
    );
    let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|");
    for &v in &cfg.variants {
        let Some(s) = summarize(closed, v) else {
            continue;
        };
        let added = if v == Variant::Plain {
            "—".into()
        } else {
            format!("{:+.2}", s.cpu - plain_cpu)
        };
        let _ = writeln!(
            o,
            "| {} | {:.2} | {:.2}–{:.2} | {:.2} | {added} | {} | {} | {:.0} | {} | {} | {:.1} |",
            v.label(),
            s.cpu,
            s.cpu_range.0,
            s.cpu_range.1,
            s.worker,
            ratio(s.cpu, plain_cpu),
            ratio(s.cpu, otel_cpu),
            s.throughput,
            spans(&s, v),
            dropped(&s),
            s.rss_mb,
        );
        if s.errors > 0 {
            let _ = writeln!(o, "| ↳ {} requests failed | | | | | | | | | | |", s.errors);
        }
    }
    let _ = writeln!(o);

    if !hogged.is_empty() {
        let hog_plain = summarize(hogged, Variant::Plain).map_or(f64::NAN, |s| s.cpu);
        let _ = writeln!(
            o,
            "#### Saturation beside a CPU hog (another process spinning on one core)\n"
        );
        let _ = writeln!(
            o,
            "| variant | server CPU µs/request | rounds (min–max) | × plain (hog) | requests/s | spans delivered / expected | dropped (counted) |"
        );
        let _ = writeln!(o, "|---|---:|---:|---:|---:|---|---|");
        for &v in &cfg.hog_variants {
            let Some(s) = summarize(hogged, v) else {
                continue;
            };
            let _ = writeln!(
                o,
                "| {} | {:.2} | {:.2}–{:.2} | {} | {:.0} | {} | {} |",
                v.label(),
                s.cpu,
                s.cpu_range.0,
                s.cpu_range.1,
                ratio(s.cpu, hog_plain),
                s.throughput,
                spans(&s, v),
                dropped(&s),
            );
        }
        let _ = writeln!(o);
    }

    if let Some(rate) = rate {
        let p99_plain = summarize(open, Variant::Plain)
            .and_then(|s| s.latency)
            .map_or(f64::NAN, |l| l[1]);
        let _ = writeln!(
            o,
            "#### Latency at a fixed rate: {rate} requests/s ({}), {} s per variant and round, {} round(s), medians\n",
            if cfg.open_rate.is_some() {
                "set by HTTP_BENCH_OPEN_RATE"
            } else {
                "half of plain's saturation throughput"
            },
            cfg.open_secs,
            cfg.open_rounds
        );
        let _ = writeln!(
            o,
            "Open loop: a pacing thread releases each request at its scheduled time; latency runs from then to the \
             response, so waiting for a busy connection counts.\n"
        );
        let _ = writeln!(
            o,
            "| variant | p50 µs | p99 µs | p99 rounds (min–max) | p99.9 µs | max µs | p99 × plain | server CPU µs/req | spans delivered / expected | dropped (counted) |"
        );
        let _ = writeln!(o, "|---|---:|---:|---:|---:|---:|---:|---:|---|---|");
        for &v in &cfg.variants {
            let Some(s) = summarize(open, v) else {
                continue;
            };
            let l = s.latency.unwrap_or([f64::NAN; 4]);
            let _ = writeln!(
                o,
                "| {} | {:.0} | {:.0} | {:.0}–{:.0} | {:.0} | {:.0} | {} | {:.2} | {} | {} |",
                v.label(),
                l[0],
                l[1],
                s.p99_range.0,
                s.p99_range.1,
                l[2],
                l[3],
                ratio(l[1], p99_plain),
                s.cpu,
                spans(&s, v),
                dropped(&s),
            );
        }
        let _ = writeln!(o);
    }

    targets(&mut o, closed, hogged, open, plain_cpu);
    o
}

fn targets(o: &mut String, closed: &[Run], hogged: &[Run], open: &[Run], plain_cpu: f64) {
    let verdict = |ok: Option<bool>| match ok {
        Some(true) => "**met**",
        Some(false) => "**not met**",
        None => "not measured",
    };
    let cpu = |v| summarize(closed, v).map(|s| s.cpu);
    let _ = writeln!(o, "#### Issue 17 targets\n");
    let _ = writeln!(o, "| target | measured | verdict |");
    let _ = writeln!(o, "|---|---|---|");
    if let (Some(ours), Some(reg)) = (cpu(Variant::Ours), cpu(Variant::Registry)) {
        let _ = writeln!(
            o,
            "| ours (counting) adds ≤ tracing's bare registry | {:+.2} vs {:+.2} µs/request | {} |",
            ours - plain_cpu,
            reg - plain_cpu,
            verdict(Some(ours <= reg)),
        );
    }
    if let (Some(ours), Some(yaml)) = (cpu(Variant::Ours), cpu(Variant::OursYaml)) {
        let _ = writeln!(
            o,
            "| ours + YAML ≤ 1.5× ours (counting), server CPU | {yaml:.2} vs {ours:.2} µs/request: {} | {} |",
            ratio(yaml, ours),
            verdict(Some(yaml <= 1.5 * ours)),
        );
    }
    for (phase, runs) in [("at saturation", closed), ("beside a CPU hog", hogged)] {
        if let Some(s) = summarize(runs, Variant::OursYaml) {
            let lost = s.expected.saturating_sub(s.delivered);
            let _ = writeln!(
                o,
                "| ours + YAML, default config, {phase}: 0 spans dropped | {lost} of {} lost ({}) | {} |",
                s.expected,
                dropped(&s),
                verdict(Some(lost == 0)),
            );
        }
    }
    let p99 = |v| summarize(open, v).and_then(|s| s.latency).map(|l| l[1]);
    if let Some(plain) = p99(Variant::Plain) {
        for v in [Variant::Ours, Variant::OursYaml, Variant::OursOtlp] {
            if let Some(ours) = p99(v) {
                let _ = writeln!(
                    o,
                    "| p99 at half load within 5% of plain: {} | {ours:.0} vs {plain:.0} µs: {} | {} |",
                    v.name(),
                    ratio(ours, plain),
                    verdict(Some(ours <= plain * 1.05)),
                );
            }
        }
    }
    let _ = writeln!(o);
}
