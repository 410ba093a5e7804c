//! `#[traced]` on every async shape and `trace!` with async blocks: the span lasts for the whole
//! future, is entered on every poll (children opened after an `.await` find it), and records
//! errors and returned values.

mod macros_support;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use macros_support::{assert_child, assert_within, int, record_async, tag, text};
use trace_core::{SpanKind, Status, trace, traced};

#[derive(Debug, Clone, PartialEq)]
struct Failure(String);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Suspends for real, so the rest of the body runs on a later poll (maybe on another thread).
async fn pause() {
    tokio::time::sleep(Duration::from_millis(2)).await;
}

#[traced]
fn leaf(n: u32) -> u32 {
    n + 1
}

#[traced(kind = server, args(n), err, ret)]
async fn handle(n: u32) -> Result<u32, Failure> {
    pause().await;
    let a = leaf(n);
    pause().await;
    if a > 100 {
        return Err(Failure("too big".to_owned()));
    }
    let parsed: u32 = format!("{a}")
        .parse()
        .map_err(|_| Failure("parse".to_owned()))?;
    Ok(parsed)
}

#[test]
fn async_fn_spans_cover_every_poll_and_record_exits() {
    let (values, spans) = record_async(|| async { (handle(1).await, handle(200).await) });
    assert_eq!(values, (Ok(2), Err(Failure("too big".to_owned()))));
    spans.check(&[], |s| {
        let handles = s.all_named("macros_async::handle");
        let leaves = s.all_named("macros_async::leaf");
        assert_eq!(handles.len(), 2);
        for (h, l) in handles.iter().zip(&leaves) {
            assert_eq!(h.kind, SpanKind::Server);
            assert_child(l, h);
            assert_within(l, h);
        }
        assert_eq!(tag(handles[0], "n"), int(1));
        assert_eq!(tag(handles[0], "ret"), int(2));
        assert_eq!(handles[0].status, Status::Ok);
        assert_eq!(handles[1].status, Status::Error("too big".into()));
    });
}

#[traced(args(n), ret)]
fn later(n: u32) -> impl Future<Output = u32> + Send {
    let base = n + 1;
    async move {
        pause().await;
        leaf(base) * 10
    }
}

#[traced(err)]
fn boxed(n: u32) -> Pin<Box<dyn Future<Output = Result<u32, Failure>> + Send>> {
    Box::pin(async move {
        pause().await;
        if n == 0 {
            return Err(Failure("zero".to_owned()));
        }
        Ok(leaf(n))
    })
}

#[test]
fn impl_future_and_boxed_future_bodies() {
    let (values, spans) = record_async(|| async {
        let fut = later(1); // the span starts here, before the first poll
        drop(trace_core::span("before first poll").enter());
        pause().await;
        (fut.await, boxed(0).await, boxed(4).await)
    });
    assert_eq!(values, (30, Err(Failure("zero".to_owned())), Ok(5)));
    spans.check(&["before first poll"], |s| {
        let later = s.named("macros_async::later");
        assert_eq!(tag(later, "n"), int(1));
        assert_eq!(tag(later, "ret"), int(30));
        let before = s.named("before first poll");
        assert!(
            later.start <= before.start,
            "the span starts when the future is made"
        );
        assert!(later.finish >= before.finish);
        let leaves = s.all_named("macros_async::leaf");
        assert_child(leaves[0], later);
        let boxed = s.all_named("macros_async::boxed");
        assert_eq!(boxed[0].status, Status::Error("zero".into()));
        assert_eq!(boxed[1].status, Status::Ok);
        assert_child(leaves[1], boxed[1]);
    });
}

#[derive(Debug, Default)]
struct Repo {
    offset: u32,
}

#[async_trait::async_trait]
trait Rows {
    async fn row(&self, id: u32) -> Result<u32, Failure>;
}

#[async_trait::async_trait]
impl Rows for Repo {
    #[traced(args(id), err, ret)]
    async fn row(&self, id: u32) -> Result<u32, Failure> {
        pause().await;
        if id == 0 {
            return Err(Failure("no row 0".to_owned()));
        }
        Ok(leaf(id) + self.offset)
    }
}

trait Native {
    async fn fetch(&self, id: u32) -> u32;

    #[traced(ret)]
    async fn fetch_twice(&self, id: u32) -> u32 {
        self.fetch(id).await + self.fetch(id).await
    }
}

impl Native for Repo {
    #[traced(kind = client)]
    async fn fetch(&self, id: u32) -> u32 {
        pause().await;
        leaf(id + self.offset)
    }
}

#[test]
fn async_trait_and_native_async_trait_methods() {
    let repo = Repo { offset: 10 };
    let (values, spans) = record_async(|| async {
        (
            repo.row(1).await,
            repo.row(0).await,
            repo.fetch_twice(1).await,
        )
    });
    assert_eq!(values, (Ok(12), Err(Failure("no row 0".to_owned())), 24));
    spans.check(&[], |s| {
        let rows = s.all_named("Repo::row");
        assert_eq!(rows.len(), 2);
        assert_eq!(tag(rows[0], "id"), int(1));
        assert_eq!(tag(rows[0], "ret"), int(12));
        assert_eq!(rows[1].status, Status::Error("no row 0".into()));
        let twice = s.named("Repo::fetch_twice");
        assert_eq!(tag(twice, "ret"), int(24));
        let fetches = s.all_named("Repo::fetch");
        assert_eq!(fetches.len(), 2);
        for f in fetches {
            assert_eq!(f.kind, SpanKind::Client);
            assert_child(f, twice);
        }
    });
}

#[traced(args(id))]
async fn job(id: u32) -> u32 {
    pause().await;
    leaf(id)
}

#[test]
fn spawned_tasks_keep_their_parent() {
    let (values, spans) = record_async(|| async {
        let _root = trace_core::span("request").enter();
        let a = trace_core::tokio::spawn(job(1));
        let b = trace_core::tokio::spawn(job(2));
        (a.await.unwrap(), b.await.unwrap())
    });
    assert_eq!(values, (2, 3));
    spans.check(&["request"], |s| {
        let request = s.named("request");
        let jobs = s.all_named("macros_async::job");
        assert_eq!(jobs.len(), 2);
        for j in &jobs {
            assert_child(j, request);
        }
        for l in s.all_named("macros_async::leaf") {
            assert!(jobs.iter().any(|j| l.parent_id == Some(j.span_id)));
        }
    });
}

#[test]
fn trace_async_blocks_start_when_created() {
    let (values, spans) = record_async(|| async {
        let fut = {
            let _parent = trace_core::span("parent").enter();
            trace!("work", kind = consumer, tags(queue = "jobs"), async move {
                pause().await;
                leaf(1)
            })
        };
        let failing = trace!("failing", err, async {
            pause().await;
            Err::<u32, _>(Failure("nope".to_owned()))
        });
        (fut.await, failing.await)
    });
    assert_eq!(values, (2, Err(Failure("nope".to_owned()))));
    spans.check(&["parent"], |s| {
        let parent = s.named("parent");
        let work = s.named("work");
        assert_child(work, parent);
        assert_eq!(work.kind, SpanKind::Consumer);
        assert_eq!(tag(work, "queue"), text("jobs"));
        assert_child(s.named("macros_async::leaf"), work);
        assert_eq!(s.named("failing").status, Status::Error("nope".into()));
    });
}
