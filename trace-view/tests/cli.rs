//! The `trace-view` binary on files written by the real recorders: a checkout, the HTTP fan-out
//! example, a torn file, files that are not spans, and 100,000 spans.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;
use support::fixtures::{BIG_SPANS, INCOMPLETE_MISSING, fixtures};
use support::{arg, stderr, stdout, trace_view};

#[test]
fn list_shows_one_line_per_fanout_trace() {
    let f = fixtures();
    let out = trace_view(&["list", arg(&f.fanout)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("TRACE "), "{text}");
    for (line, n) in lines[1..].iter().zip(1..) {
        assert!(
            line.ends_with(&format!(" fanout    demo request {n}")),
            "{text}"
        );
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells[4], "12", "span count in {line}");
        assert_eq!(cells[5], "0", "error count in {line}");
    }
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn list_filters_and_sorts() {
    let f = fixtures();
    let both = [arg(&f.fanout), arg(&f.checkout)];
    let count = |extra: &[&str]| {
        let mut args = vec!["list"];
        args.extend_from_slice(&both);
        args.extend_from_slice(extra);
        let out = trace_view(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out).lines().count() - 1
    };
    assert_eq!(count(&[]), 3);
    assert_eq!(count(&["--errors"]), 1);
    assert_eq!(count(&["--service", "shop"]), 1);
    assert_eq!(count(&["--name", "lookup price"]), 2);
    assert_eq!(count(&["--min-duration", "1h"]), 0);
    assert_eq!(count(&["--since", "1h"]), 3);
    assert_eq!(count(&["--since", "2999-01-01T00:00:00Z"]), 0);
    let out = trace_view(&["list", "--sort", "duration", both[0], both[1]]);
    let text = stdout(&out);
    let durations: Vec<f64> = text
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            let v: f64 = cells[2].parse().unwrap();
            v * match cells[3] {
                "ns" => 1e-9,
                "µs" => 1e-6,
                "ms" => 1e-3,
                _ => 1.0,
            }
        })
        .collect();
    assert!(durations.windows(2).all(|w| w[0] >= w[1]), "{text}");
    let bad = trace_view(&["list", "--min-duration", "soon", both[0]]);
    assert!(!bad.status.success());
}

/// A trace the tail rule kept after some of its spans were evicted says how many are missing,
/// in the list and in the tree.
#[test]
fn a_trace_kept_incomplete_is_marked_in_list_and_tree() {
    let f = fixtures();
    let marker = format!("{INCOMPLETE_MISSING} spans missing");
    let out = trace_view(&["list", arg(&f.incomplete)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.ends_with(&format!("POST /checkout (incomplete: {marker})"))),
        "{text}"
    );
    let out = trace_view(&["tree", arg(&f.incomplete)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2 + 3, "{text}");
    assert!(lines[0].contains("3 spans  1 errors"), "{text}");
    assert_eq!(
        lines[1],
        format!("incomplete: {marker} (lost before the tail rule kept the trace)")
    );
    assert!(lines[2].starts_with("POST /checkout "), "{text}");
    assert!(lines[2].contains(&format!("⚠ {marker}")), "{text}");
}

#[test]
fn tree_draws_the_fanout_across_its_services() {
    let f = fixtures();
    let list = stdout(&trace_view(&["list", arg(&f.fanout)]));
    let id = list
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let out = trace_view(&["tree", arg(&f.fanout), "--trace", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + 12, "{text}");
    assert!(lines[0].starts_with(&format!("trace {id}")), "{text}");
    assert!(lines[1].starts_with("demo request 1 "), "{text}");
    // backend-b's server span, called by backend-a, five levels down under its client span.
    let price = lines
        .iter()
        .position(|l| l.starts_with("      │        └─ GET /price "))
        .unwrap_or_else(|| panic!("no GET /price at depth 5 in\n{text}"));
    assert!(lines[price + 1].contains("lookup price"), "{text}");
    assert!(
        lines[1..].iter().all(|l| l.contains('|')),
        "every span has a bar: {text}"
    );
    assert!(!text.contains('\x1b'), "no colour off a terminal");
    let colored = stdout(&trace_view(&[
        "tree",
        arg(&f.checkout),
        "--color",
        "always",
    ]));
    assert!(
        colored.contains("\x1b[31m✗ coupon SPRING25 expired"),
        "{colored}"
    );

    let missing = trace_view(&["tree", arg(&f.fanout), "--trace", &"1".repeat(32)]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("not in the input"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn stats_give_percentiles_and_error_rates_per_name() {
    let f = fixtures();
    let out = trace_view(&["stats", arg(&f.checkout), arg(&f.fanout)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let row = |name: &str| {
        text.lines()
            .find(|l| l.ends_with(&format!("  {name}")))
            .unwrap_or_else(|| panic!("no {name} in\n{text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(row("apply coupon")[..2], ["1", "100.0%"]);
    assert_eq!(row("reserve stock")[..2], ["2", "0.0%"]);
    assert_eq!(row("lookup price")[..2], ["4", "0.0%"]);
    assert_eq!(text.lines().next().unwrap().split_whitespace().count(), 8);
}

#[test]
fn perfetto_writes_trace_events() {
    let f = fixtures();
    let path = f.dir.join("fanout.json");
    let out = trace_view(&["perfetto", arg(&f.fanout), "-o", arg(&path)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let events = doc["traceEvents"].as_array().unwrap();
    let complete: Vec<&Value> = events.iter().filter(|e| e["ph"] == "X").collect();
    assert_eq!(complete.len(), 24);
    assert!(
        complete
            .iter()
            .all(|e| e["ts"].as_f64().unwrap() >= 0.0 && e["dur"].is_number())
    );
    let server = complete
        .iter()
        .find(|e| e["name"] == "GET /price" && e["cat"] == "server")
        .unwrap();
    assert_eq!(server["args"]["tag.baggage.user"], "demo");
    let process = events.iter().find(|e| e["name"] == "process_name").unwrap();
    assert_eq!(process["args"]["name"], "fanout");
    let checkout = f.dir.join("checkout.json");
    trace_view(&["perfetto", arg(&f.checkout), "-o", arg(&checkout)]);
    let doc: Value = serde_json::from_slice(&std::fs::read(&checkout).unwrap()).unwrap();
    let instants: Vec<&str> = doc["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "i")
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(instants.len(), 2, "{instants:?}");
    assert!(instants.contains(&"cart validated") && instants.contains(&"authorized"));
}

#[test]
fn a_torn_file_is_read_up_to_the_tear_and_the_tear_reported() {
    let f = fixtures();
    let bytes = std::fs::read(&f.checkout).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    let last = text.rfind("---\n").unwrap();
    let last_line = text[..last].lines().count() + 1;
    let torn = f.dir.join("torn.yaml");
    std::fs::write(&torn, &bytes[..last + 40]).unwrap();
    let out = trace_view(&["stats", arg(&torn)]);
    assert!(out.status.success(), "spans were read: {}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "torn.yaml:{last_line}: span at line {last_line} is torn"
        )),
        "{err}"
    );
    assert!(err.contains("8 spans read; 1 problems"), "{err}");
    let counted: usize = stdout(&out)
        .lines()
        .skip(1)
        .map(|l| {
            l.split_whitespace()
                .next()
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(counted, 8);
}

#[test]
fn a_bad_document_in_the_middle_is_skipped_with_its_line() {
    let f = fixtures();
    let text = std::fs::read_to_string(&f.checkout).unwrap();
    let second = text[4..].find("---\n").unwrap() + 4;
    let bad_line = text[..second].lines().count() + 1;
    let damaged = format!(
        "{}---\nname: [unclosed\n{}",
        &text[..second],
        &text[second..]
    );
    let path = f.dir.join("damaged.yaml");
    std::fs::write(&path, damaged).unwrap();
    let out = trace_view(&["list", arg(&path)]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains(&format!("damaged.yaml:{bad_line}: span at line {bad_line}")),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).lines().nth(1).unwrap().contains(" 9 "),
        "{}",
        stdout(&out)
    );
}

#[test]
fn input_that_is_not_spans_is_an_error() {
    let f = fixtures();
    let random = f.dir.join("random.bin");
    // xorshift bytes: 4 KiB of noise, the same on every run.
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    std::fs::write(&random, bytes).unwrap();
    for path in [
        random.as_path(),
        std::path::Path::new("/nonexistent/spans.yaml"),
    ] {
        let out = trace_view(&["list", arg(path)]);
        assert!(!out.status.success(), "{} read as a trace", path.display());
        assert!(stderr(&out).contains("error: "), "{}", stderr(&out));
        assert_eq!(stdout(&out).lines().count(), 1, "only the header");
    }
    // Good spans from another file are still shown, and the exit status still says "failed".
    let out = trace_view(&["list", arg(&random), arg(&f.checkout)]);
    assert!(!out.status.success());
    assert_eq!(stdout(&out).lines().count(), 2);
}

#[test]
fn stdin_and_several_files_merge() {
    let f = fixtures();
    let mut child = Command::new(env!("CARGO_BIN_EXE_trace-view"))
        .args(["list", "-", arg(&f.checkout)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let fanout = std::fs::read(&f.fanout).unwrap();
    child.stdin.take().unwrap().write_all(&fanout).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 4, "{}", stdout(&out));
}

#[test]
fn a_hundred_thousand_spans() {
    let f = fixtures();
    let started = Instant::now();
    let out = trace_view(&["list", arg(&f.big)]);
    let list_time = started.elapsed();
    assert!(out.status.success(), "{}", stderr(&out));
    let line = stdout(&out).lines().nth(1).unwrap().to_owned();
    assert!(line.contains(&format!(" {BIG_SPANS} ")), "{line}");
    let html = f.dir.join("big.html");
    let started = Instant::now();
    let out = trace_view(&["html", arg(&f.big), "-o", arg(&html)]);
    let html_time = started.elapsed();
    assert!(out.status.success(), "{}", stderr(&out));
    let size = std::fs::metadata(&html).unwrap().len();
    let tree = trace_view(&["tree", arg(&f.big)]);
    assert_eq!(stdout(&tree).lines().count(), 1 + BIG_SPANS);
    println!(
        "{BIG_SPANS} spans: list {list_time:?}, html {html_time:?} ({:.1} MiB page)",
        size as f64 / (1 << 20) as f64
    );
}

#[test]
fn html_keeps_every_trace_and_opens_on_the_chosen_one() {
    let f = fixtures();
    let list = stdout(&trace_view(&["list", arg(&f.fanout)]));
    let second = list
        .lines()
        .nth(2)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let html = f.dir.join("fanout-second.html");
    let out = trace_view(&["html", arg(&f.fanout), "--trace", &second, "-o", arg(&html)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(&html).unwrap();
    let start = page.find("id=\"trace-data\">").unwrap() + "id=\"trace-data\">".len();
    let end = start + page[start..].find("</script>").unwrap();
    let data: Value = serde_json::from_str(&page[start..end]).unwrap();
    let traces = data["traces"].as_array().unwrap();
    assert_eq!(traces.len(), 2);
    let selected = data["selected"].as_u64().unwrap() as usize;
    assert_eq!(traces[selected]["id"], second);
    assert_eq!(traces[selected]["spans"].as_array().unwrap().len(), 12);
}
