//! The tail buffer stays within its byte budget however large the held spans are. A test binary
//! of its own, so that the process's peak memory is this test's alone.

#[allow(dead_code)] // each test binary uses a part of the helpers
mod support;

use std::time::Duration;

use support::install;
use trace_core::{Sampler, TRACE_INCOMPLETE_TAG, TagValue, TailRule, Tracer};

/// A field of /proc/self/status, in bytes.
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("unreadable: {line}"));
    kb * 1024
}

#[test]
fn large_tags_stay_within_the_byte_budget() {
    const BUDGET: usize = 16 << 20;
    const SPANS: usize = 60_000;
    const TAG: usize = 10 * 1024;
    let (rec, tracer) = install(
        Tracer::builder()
            .sampler(Sampler::never())
            .tail_sampling(TailRule::errors().max_buffered_bytes(BUDGET))
            .queue_capacity(512)
            .collect_interval(Duration::from_millis(1)),
    );
    // Reset the peak ("VmHWM") so it measures from here.
    std::fs::write("/proc/self/clear_refs", "5").expect("Linux /proc/self/clear_refs");
    let before = status_bytes("VmHWM:");
    {
        // One long request: 60,000 spans of 10 KB (600 MB unbounded) held while its root runs.
        let _root = trace_core::span("long request").enter();
        for i in 0..SPANS {
            let mut child = trace_core::span("child").enter();
            child.set_tag("payload", "x".repeat(TAG));
            child.set_tag("i", i);
            if i % 256 == 255 {
                // Keep the 512-span queue from filling up: what this test measures is the tail
                // buffer, and a span dropped on the thread cannot be matched to its trace.
                tracer.flush().unwrap();
            }
        }
        trace_core::current::set_error("failed at the end");
    }
    let stats = tracer.shutdown().unwrap();
    let growth = status_bytes("VmHWM:").saturating_sub(before);
    // The budget, what may sit in the thread's queue (256 spans) and the collector's batch, and
    // the allocator's slack: far below the 600 MB the spans add up to.
    eprintln!(
        "peak memory grew by {} MB for {} MB of spans; {stats:?}",
        growth >> 20,
        (SPANS * TAG) >> 20
    );
    let allowed = 2 * BUDGET as u64 + 2 * 512 * TAG as u64 + (16 << 20);
    assert!(
        growth < allowed,
        "peak memory grew by {} MB (allowed {} MB): {stats:#?}",
        growth >> 20,
        allowed >> 20
    );
    assert!(stats.dropped.tail_buffer_bytes > 0, "{stats:#?}");
    assert_eq!(
        stats.dropped.tail_buffer_full, 0,
        "the span count was never the limit"
    );
    assert_eq!(stats.finished, stats.accounted_for(), "{stats:#?}");
    // The root failed, so what was left of the request is kept and says how much is missing.
    let spans = rec.spans();
    let root = spans.iter().find(|s| s.name == "long request").unwrap();
    assert!(root.status.is_error());
    let Some(TagValue::Int(missing)) = root.tags.get(TRACE_INCOMPLETE_TAG) else {
        panic!("{:?}", root.tags)
    };
    assert_eq!(stats.dropped.queue_full, 0);
    assert_eq!(*missing as u64, stats.dropped.tail_buffer_bytes);
    assert_eq!(spans.len() as u64 + *missing as u64, SPANS as u64 + 1);
}
