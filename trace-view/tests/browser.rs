//! The HTML page in a real browser: Debian's chromium, headless, driven over WebDriver by
//! chromedriver (installed by `scripts/services/chromium.sh`). The pages are written by the
//! `trace-view` binary from files the real recorders wrote.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use serde_json::{Value, json};
use support::fixtures::{BIG_SPANS, INCOMPLETE_MISSING, MALICIOUS_NAME, MALICIOUS_TAG, fixtures};
use support::webdriver::Browser;
use support::{arg, stderr, trace_view};
use trace_core::SpanRecord;
use trace_record::yaml;

/// One browser at a time: the machine may have two cores.
static BROWSER: Mutex<()> = Mutex::new(());

fn page(yaml: &Path, name: &str) -> PathBuf {
    let html = yaml.with_file_name(format!("{name}.html"));
    let out = trace_view(&["html", arg(yaml), "-o", arg(&html)]);
    assert!(out.status.success(), "{}", stderr(&out));
    html
}

fn spans(path: &Path) -> Vec<SpanRecord> {
    yaml::read_file(path)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The span ids of the rows drawn now.
fn row_ids(browser: &Browser) -> BTreeSet<String> {
    let ids = browser.eval(
        "return [...document.querySelectorAll('[data-span-id]')].map(r => r.dataset.spanId);",
        json!([]),
    );
    ids.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// No console message at error level, and no request but the page itself.
fn assert_quiet(browser: &Browser, page: &Path) {
    let errors: Vec<Value> = browser
        .log("browser")
        .into_iter()
        .filter(|e| e["level"] == "SEVERE" || e["level"] == "WARNING")
        .collect();
    assert!(errors.is_empty(), "console: {errors:?}");
    let own = format!("file://{}", page.canonicalize().unwrap().display());
    let requests = browser.requested_urls(&own);
    assert!(
        requests.contains(&own),
        "the log holds the page's own load: {requests:?}"
    );
    let others: Vec<&String> = requests.iter().filter(|u| **u != own).collect();
    assert!(others.is_empty(), "network requests: {others:?}");
    let resources = browser.eval(
        "return performance.getEntriesByType('resource').length;",
        json!([]),
    );
    assert_eq!(resources, 0);
}

#[test]
fn the_page_loads_offline_and_draws_every_span() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let f = fixtures();
    let html = page(&f.checkout, "checkout");
    let browser = Browser::start(1280, 720);
    browser.open(&html);
    let expected: BTreeSet<String> = spans(&f.checkout)
        .iter()
        .map(|s| s.span_id.to_string())
        .collect();
    assert_eq!(row_ids(&browser), expected);
    // Each row shows its span's name.
    for span in spans(&f.checkout) {
        let name = browser.eval(
            "return document.querySelector(`[data-span-id=\"${arguments[0]}\"] .name`).textContent;",
            json!([span.span_id.to_string()]),
        );
        assert_eq!(name, json!(span.name), "row of {}", span.span_id);
    }
    let error_rows = browser.eval(
        "return document.querySelectorAll('.row.error').length;",
        json!([]),
    );
    assert_eq!(error_rows, 1);
    let ticks = browser.eval(
        "return document.querySelectorAll('.tick-mark').length;",
        json!([]),
    );
    assert_eq!(ticks, 2, "a tick per checkpoint");
    let critical = browser.eval(
        "return document.querySelectorAll('.row.critical').length;",
        json!([]),
    );
    assert!(
        critical.as_u64().unwrap() >= 2,
        "the root and what it waited for"
    );
    assert_quiet(&browser, &html);
    if let Some(path) = std::env::var_os("TRACE_VIEW_SCREENSHOT") {
        browser.click("[data-span-id] .name");
        let apply = spans(&f.checkout)
            .into_iter()
            .find(|s| s.name == "charge card")
            .unwrap();
        browser.click(&format!("[data-span-id=\"{}\"] .name", apply.span_id));
        std::fs::write(path, browser.screenshot()).unwrap();
    }
}

#[test]
fn clicking_a_row_opens_its_details() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let f = fixtures();
    let html = page(&f.checkout, "checkout-details");
    let browser = Browser::start(1280, 720);
    browser.open(&html);
    let coupon = spans(&f.checkout)
        .into_iter()
        .find(|s| s.name == "apply coupon")
        .unwrap();
    let hidden = browser.eval(
        "return document.getElementById('details').hidden;",
        json!([]),
    );
    assert_eq!(hidden, true);
    browser.click(&format!("[data-span-id=\"{}\"] .name", coupon.span_id));
    browser.wait_until(
        "!document.getElementById('details').hidden",
        "the details panel",
    );
    let text = browser.eval(
        "return document.getElementById('details').innerText;",
        json!([]),
    );
    let text = text.as_str().unwrap();
    for expected in [
        coupon.span_id.to_string(),
        coupon.parent_id.unwrap().to_string(),
        coupon.trace_id.to_string(),
        "coupon SPRING25 expired".to_owned(),
        "internal".to_owned(),
        coupon.process.to_string(),
    ] {
        assert!(text.contains(&expected), "{expected} not in {text}");
    }
    // Zoom to the span: the axis now spans its duration only.
    browser.click("#zoom-span");
    let reset = browser.eval(
        "return document.getElementById('reset-zoom').disabled;",
        json!([]),
    );
    assert_eq!(reset, false);
    assert_quiet(&browser, &html);
}

#[test]
fn collapsing_hides_the_subtree_and_expanding_brings_it_back() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let f = fixtures();
    let html = page(&f.fanout, "fanout");
    let browser = Browser::start(1280, 720);
    browser.open(&html);
    let all = spans(&f.fanout);
    let first_trace = all
        .iter()
        .find(|s| s.name == "demo request 1")
        .unwrap()
        .trace_id;
    let trace: Vec<&SpanRecord> = all.iter().filter(|s| s.trace_id == first_trace).collect();
    let shown = row_ids(&browser);
    assert_eq!(shown.len(), 12);
    // backend-a's server span and everything under it.
    let inventory = trace
        .iter()
        .find(|s| s.name == "GET /inventory" && s.kind == trace_core::SpanKind::Server)
        .unwrap();
    let mut subtree = BTreeSet::new();
    let mut frontier = vec![inventory.span_id];
    while let Some(id) = frontier.pop() {
        for child in trace.iter().filter(|s| s.parent_id == Some(id)) {
            subtree.insert(child.span_id.to_string());
            frontier.push(child.span_id);
        }
    }
    assert_eq!(
        subtree.len(),
        4,
        "count stock, GET /price client and server, lookup price"
    );
    browser.click(&format!("[data-span-id=\"{}\"] .toggle", inventory.span_id));
    let collapsed = row_ids(&browser);
    assert_eq!(collapsed, shown.difference(&subtree).cloned().collect());
    browser.click(&format!("[data-span-id=\"{}\"] .toggle", inventory.span_id));
    assert_eq!(row_ids(&browser), shown);
    // The second trace is one click away in the trace list.
    let second = all.iter().find(|s| s.name == "demo request 2").unwrap();
    browser.click(&format!(
        ".trace-item[data-trace-id=\"{}\"]",
        second.trace_id
    ));
    let expected: BTreeSet<String> = all
        .iter()
        .filter(|s| s.trace_id == second.trace_id)
        .map(|s| s.span_id.to_string())
        .collect();
    assert_eq!(row_ids(&browser), expected);
    assert_quiet(&browser, &html);
}

#[test]
fn search_filters_by_name_and_tag() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let f = fixtures();
    let html = page(&f.fanout, "fanout-search");
    let browser = Browser::start(1280, 720);
    browser.open(&html);
    let all = spans(&f.fanout);
    let first_trace = all
        .iter()
        .find(|s| s.name == "demo request 1")
        .unwrap()
        .trace_id;
    let matching = |pred: &dyn Fn(&SpanRecord) -> bool| -> BTreeSet<String> {
        all.iter()
            .filter(|s| s.trace_id == first_trace && pred(s))
            .map(|s| s.span_id.to_string())
            .collect()
    };
    let search = |text: &str, expected: &BTreeSet<String>| {
        browser.eval("const s = document.getElementById('search'); s.value = ''; s.dispatchEvent(new Event('input'));", json!([]));
        browser.wait_until(
            "document.querySelectorAll('[data-span-id]').length === 12",
            "the search to clear",
        );
        browser.type_into("#search", text);
        browser.wait_until(
            &format!(
                "document.querySelectorAll('[data-span-id]').length === {}",
                expected.len()
            ),
            &format!("the rows matching {text:?}"),
        );
        assert_eq!(&row_ids(&browser), expected, "search {text:?}");
    };
    let lookups = matching(&|s| s.name == "lookup price");
    assert_eq!(lookups.len(), 2);
    search("LOOKUP", &lookups);
    let backend_b = matching(&|s| {
        s.tags
            .get("service")
            .is_some_and(|v| v.to_string() == "backend-b")
    });
    assert_eq!(backend_b.len(), 2);
    search("service=backend-b", &backend_b);
    assert_quiet(&browser, &html);
}

#[test]
fn names_and_tags_holding_html_stay_text() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let f = fixtures();
    let html = page(&f.malicious, "malicious");
    let browser = Browser::start(1280, 720);
    browser.open(&html);
    let spans = spans(&f.malicious);
    assert_eq!(row_ids(&browser).len(), spans.len());
    let root = spans.iter().find(|s| s.is_root()).unwrap();
    let name = browser.eval(
        "return document.querySelector(`[data-span-id=\"${arguments[0]}\"] .name`).textContent;",
        json!([root.span_id.to_string()]),
    );
    assert_eq!(name, MALICIOUS_NAME);
    browser.click(&format!("[data-span-id=\"{}\"] .name", root.span_id));
    let details = browser.eval(
        "return document.getElementById('details').textContent;",
        json!([]),
    );
    assert!(
        details.as_str().unwrap().contains(MALICIOUS_TAG),
        "{details}"
    );
    let child = spans.iter().find(|s| s.name.starts_with("child")).unwrap();
    browser.click(&format!("[data-span-id=\"{}\"] .name", child.span_id));
    // Nothing ran and nothing became an element: the page has only its own two scripts and one
    // style, and no element the data spelled.
    let report = browser.eval(
        "return {
            pwned: window.__pwned === undefined ? null : window.__pwned,
            scripts: document.querySelectorAll('script').length,
            styles: document.querySelectorAll('style').length,
            injected: document.querySelectorAll('img, svg, b, #injected').length,
            hidden: getComputedStyle(document.body).display,
        };",
        json!([]),
    );
    assert_eq!(
        report,
        json!({"pwned": null, "scripts": 2, "styles": 1, "injected": 0, "hidden": "flex"})
    );
    let details = browser.eval(
        "return document.getElementById('details').textContent;",
        json!([]),
    );
    assert!(
        details
            .as_str()
            .unwrap()
            .contains("<img src=x onerror=\"window.__pwned=5\">")
    );
    assert_quiet(&browser, &html);
}

#[test]
fn a_hundred_thousand_span_page_becomes_interactive() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let f = fixtures();
    let html = page(&f.big, "big");
    let browser = Browser::start(1280, 720);
    let load = browser.open(&html);
    let ready_ms = browser.eval("return window.traceViewReadyMs;", json!([]));
    let drawn = row_ids(&browser).len();
    assert!(
        drawn > 10 && drawn < 200,
        "only the rows in view are elements: {drawn}"
    );
    let status = browser.eval(
        "return document.getElementById('status').textContent;",
        json!([]),
    );
    assert_eq!(status, format!("{BIG_SPANS} of {BIG_SPANS} rows shown"));
    // Collapse the root: one row left.
    let started = Instant::now();
    browser.click(".row .toggle");
    browser.wait_until(
        "document.querySelectorAll('.row').length === 1",
        "the collapse",
    );
    let collapse = started.elapsed();
    browser.click(".row .toggle");
    // Scroll to the end: the last rows are drawn.
    let started = Instant::now();
    browser.eval(
        "const r = document.getElementById('rows'); r.scrollTop = r.scrollHeight;",
        json!([]),
    );
    browser.wait_until(
        &format!(
            "[...document.querySelectorAll('.row')].some(r => Number(r.dataset.row) === {})",
            BIG_SPANS - 1
        ),
        "the last row",
    );
    let scroll = started.elapsed();
    let started = Instant::now();
    browser.type_into("#search", "batch");
    browser.wait_until(
        "document.getElementById('status').textContent.startsWith('1000 of')",
        "the search",
    );
    let search = started.elapsed();
    assert_quiet(&browser, &html);
    println!(
        "{BIG_SPANS}-span page ({:.1} MiB): drawn and interactive {ready_ms} ms after navigation \
         (load call {load:?}); collapse {collapse:?}, scroll to end {scroll:?}, search {search:?}",
        std::fs::metadata(&html).unwrap().len() as f64 / (1 << 20) as f64
    );
}

#[test]
fn orphans_are_grouped_and_clock_skew_is_marked() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let f = fixtures();
    // The fan-out's first trace without its root, as if the caller's spans were in another
    // file; and backend-b's lookup shifted a second early, as a host with a skewed clock would
    // record it.
    let all = spans(&f.fanout);
    let root = all.iter().find(|s| s.name == "demo request 1").unwrap();
    let lookup = all
        .iter()
        .find(|s| s.trace_id == root.trace_id && s.name == "lookup price")
        .unwrap();
    let text = std::fs::read_to_string(&f.fanout).unwrap();
    let mut out = String::new();
    for doc in text.split_inclusive_docs() {
        if doc.contains(&format!("\nspan_id: {}\n", root.span_id)) {
            continue;
        }
        if doc.contains(&format!("\nspan_id: {}\n", lookup.span_id)) {
            let early = |t: std::time::SystemTime| {
                humantime::format_rfc3339_nanos(t - std::time::Duration::from_secs(1)).to_string()
            };
            let start = humantime::format_rfc3339_nanos(lookup.start).to_string();
            let finish = humantime::format_rfc3339_nanos(lookup.finish).to_string();
            assert!(doc.contains(&start) && doc.contains(&finish), "{doc}");
            out.push_str(
                &doc.replace(&start, &early(lookup.start))
                    .replace(&finish, &early(lookup.finish)),
            );
            continue;
        }
        out.push_str(doc);
    }
    let yaml = f.dir.join("orphans.yaml");
    std::fs::write(&yaml, out).unwrap();
    let html = page(&yaml, "orphans");
    let browser = Browser::start(1280, 720);
    browser.open(&html);
    let report = browser.eval(
        "const group = document.querySelector('.row.group .name');
         return {
            group: group && group.textContent,
            spans: document.querySelectorAll('[data-span-id]').length,
            skewed: [...document.querySelectorAll('.row.skew')].map(r => r.dataset.spanId),
            badge: document.querySelectorAll('.row.skew .skew-badge').length,
         };",
        json!([]),
    );
    assert_eq!(
        report["group"],
        "1 orphan (parent not in the input): 11 spans with their children"
    );
    assert_eq!(report["spans"], 11, "no span dropped: {report}");
    assert_eq!(report["skewed"], json!([lookup.span_id.to_string()]));
    assert_eq!(report["badge"], 1);
    assert_quiet(&browser, &html);
}

/// Splits a YAML span file into its documents, each with its `---` line.
trait Documents {
    fn split_inclusive_docs(&self) -> Vec<&str>;
}

impl Documents for str {
    fn split_inclusive_docs(&self) -> Vec<&str> {
        let mut starts: Vec<usize> = self.match_indices("---\n").map(|(i, _)| i).collect();
        starts.retain(|&i| i == 0 || self.as_bytes()[i - 1] == b'\n');
        starts.push(self.len());
        starts.windows(2).map(|w| &self[w[0]..w[1]]).collect()
    }
}

#[test]
fn a_trace_kept_incomplete_says_so_in_the_list_and_the_header() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let f = fixtures();
    // With a second trace, so the page lists them.
    let html = f.dir.join("incomplete.html");
    let out = trace_view(&[
        "html",
        arg(&f.incomplete),
        arg(&f.checkout),
        "-o",
        arg(&html),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let browser = Browser::start(1280, 720);
    browser.open(&html);
    let report = browser.eval(
        "const marks = document.querySelectorAll('.trace-item .t-missing');
         return {
            items: document.querySelectorAll('.trace-item').length,
            marks: marks.length,
            item: marks[0]?.textContent,
            before: document.querySelector('#trace-head .meta')?.textContent,
            head: (marks[0]?.closest('.trace-item').click(),
                   document.querySelector('#trace-head .meta')?.textContent),
         };",
        json!([]),
    );
    let marker = format!("incomplete: {INCOMPLETE_MISSING} spans missing");
    assert_eq!(
        (&report["items"], &report["marks"]),
        (&json!(2), &json!(1)),
        "{report}"
    );
    assert_eq!(report["item"], format!(" · {marker}"), "{report}");
    assert!(
        report["before"]
            .as_str()
            .is_some_and(|h| !h.contains("incomplete")),
        "the other trace is complete: {report}"
    );
    assert!(
        report["head"].as_str().is_some_and(|h| h.contains(&marker)),
        "{report}"
    );
    assert_quiet(&browser, &html);
}
