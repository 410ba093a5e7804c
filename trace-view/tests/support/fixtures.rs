//! Span files written by the real recorders (a tracer with a `YamlRecorder`), once per test
//! binary: only one tracer can be installed in a process at a time.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use trace_core::{Sampler, SpanKind, TailRule, Tracer, TracerBuilder, span};
use trace_record::YamlRecorder;

/// The names and tags a page must show as text and never run.
pub const MALICIOUS_NAME: &str =
    "<img src=x onerror=\"window.__pwned=1\"></script><script>window.__pwned=2</script>";
pub const MALICIOUS_TAG: &str =
    "<b id=\"injected\">bold</b> & </SCRIPT><!-- <script>window.__pwned=3</script>";

/// How many spans `big.yaml` holds: a root, 1,000 batches, 99 items in each.
pub const BIG_SPANS: usize = 1 + 1_000 + 1_000 * 99;

/// The files, in a directory of this process.
pub struct Fixtures {
    pub dir: PathBuf,
    /// One checkout: threads, an error, checkpoints, tags (9 spans).
    pub checkout: PathBuf,
    /// Two requests through the HTTP fan-out example (12 spans each).
    pub fanout: PathBuf,
    /// Names, tags and an error message holding HTML and `</script>`.
    pub malicious: PathBuf,
    /// One trace of [`BIG_SPANS`] spans.
    pub big: PathBuf,
    /// A failed request the tail rule kept after [`INCOMPLETE_MISSING`] of its spans were
    /// evicted: the root and the spans that were left.
    pub incomplete: PathBuf,
}

/// How many spans `incomplete.yaml`'s trace lost.
pub const INCOMPLETE_MISSING: usize = 10;

pub fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(write_all)
}

fn write_all() -> Fixtures {
    // One directory per test binary under the target dir, rewritten on every run.
    let binary = std::env::current_exe().unwrap();
    let name = binary.file_stem().unwrap().to_string_lossy().into_owned();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("trace-view-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    let fixtures = Fixtures {
        checkout: dir.join("checkout.yaml"),
        fanout: dir.join("fanout.yaml"),
        malicious: dir.join("malicious.yaml"),
        big: dir.join("big.yaml"),
        incomplete: dir.join("incomplete.yaml"),
        dir,
    };
    let checkout = record(&fixtures.checkout, "shop", checkout);
    assert_eq!(checkout, 9);
    let fanout = record(&fixtures.fanout, "fanout", || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let bodies = runtime.block_on(examples::fanout::run(2)).unwrap();
        assert_eq!(bodies.len(), 2);
    });
    assert_eq!(fanout, 2 * examples::fanout::SPANS_PER_REQUEST as u64);
    assert_eq!(record(&fixtures.malicious, "<i>svc</i>", malicious), 3);
    assert_eq!(record(&fixtures.big, "big", big), BIG_SPANS as u64);
    let tail = Tracer::builder()
        .sampler(Sampler::never())
        .tail_sampling(TailRule::errors().max_buffered_spans(INCOMPLETE_MISSING - 1));
    let (recorded, stats) = record_with(tail, &fixtures.incomplete, "shop", incomplete);
    assert_eq!(recorded, 3, "{stats:?}");
    assert_eq!(stats.dropped.tail_buffer_full, INCOMPLETE_MISSING as u64);
    fixtures
}

/// Runs `work` under a tracer writing to `path`; returns how many spans were recorded (all of
/// them: nothing may be dropped).
fn record(path: &Path, service: &str, work: impl FnOnce()) -> u64 {
    let (recorded, stats) = record_with(Tracer::builder(), path, service, work);
    assert_eq!(stats.dropped.total(), 0, "{stats:?}");
    recorded
}

/// Runs `work` under the tracer `builder` makes, writing to `path`; returns how many spans were
/// recorded, and the counters.
fn record_with(
    builder: TracerBuilder,
    path: &Path,
    service: &str,
    work: impl FnOnce(),
) -> (u64, trace_core::Stats) {
    let tracer = builder
        .service(service)
        .queue_capacity(1 << 18)
        .recorder(YamlRecorder::truncate(path).unwrap())
        .install()
        .unwrap();
    work();
    let stats = tracer.shutdown().unwrap();
    (stats.recorded, stats)
}

/// A request whose first ten spans are evicted from a tail buffer of nine while it runs; two more
/// follow, then the request fails, so the tail rule keeps what is left.
fn incomplete() {
    let mut root = span("POST /checkout").kind(SpanKind::Server).start();
    let ctx = root.context().unwrap().clone();
    for _ in 0..INCOMPLETE_MISSING {
        drop(span("load item").child_of(ctx.clone()).enter());
    }
    for name in ["reserve stock", "charge card"] {
        drop(span(name).child_of(ctx.clone()).enter());
    }
    root.set_error("card declined");
    root.finish();
}

fn checkout() {
    let mut request = span("POST /checkout").kind(SpanKind::Server).root().enter();
    request.set_tag("http.request.method", "POST");
    request.set_tag("order.id", "order-1042");
    {
        let _validate = span("validate cart").enter();
        std::thread::sleep(Duration::from_millis(1));
    }
    request.checkpoint("cart validated");
    let threads: Vec<_> = ["berlin", "lyon"]
        .into_iter()
        .map(|warehouse| {
            trace_core::thread::spawn(move || {
                let mut reserve = span("reserve stock").kind(SpanKind::Client).enter();
                reserve.set_tag("warehouse", warehouse);
                let _query = span("SELECT stock FOR UPDATE").enter();
                std::thread::sleep(Duration::from_millis(2));
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    {
        let mut coupon = span("apply coupon").enter();
        coupon.set_error("coupon SPRING25 expired");
    }
    {
        let mut charge = span("charge card").kind(SpanKind::Client).enter();
        std::thread::sleep(Duration::from_millis(1));
        charge.checkpoint("authorized");
        std::thread::sleep(Duration::from_millis(1));
    }
    let _receipt = span("send receipt").kind(SpanKind::Producer).enter();
}

fn malicious() {
    let mut root = span(MALICIOUS_NAME).root().enter();
    root.set_tag("<script>alert(1)</script>", MALICIOUS_TAG);
    root.set_tag(
        "http.url",
        "/search?q=</script><script>window.__pwned=4</script>",
    );
    {
        let mut child = span("child </script> & <style>body{display:none}</style>").enter();
        child.set_error("<img src=x onerror=\"window.__pwned=5\">");
        child.checkpoint("<svg onload=\"window.__pwned=6\">");
    }
    let _sibling = span("\u{2028}line\u{2029}separators").enter();
}

fn big() {
    let _root = span("import").root().enter();
    for b in 0..1_000 {
        let mut batch = span("batch").enter();
        batch.set_tag("batch", b);
        for i in 0..99 {
            let mut item = span("item").enter();
            item.set_tag("item", i);
        }
    }
}
