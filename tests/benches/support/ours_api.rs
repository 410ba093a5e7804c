//! This project's tracer through the runtime API that `#[traced]` expands to: a `static`
//! [`Callsite`] per function, [`SpanGuard::enter`] for a sync fn, [`Span::start`] +
//! [`FutureExt::in_span`] for an async fn. Kept next to the `#[traced]` variant in
//! [`ours`](crate::support::ours) to show what the macro adds, if anything.

use trace_core::{Callsite, FutureExt, Span, SpanGuard, SpanKind};

use crate::support::executor::block_on;
use crate::support::plain::body;

static ROOT: Callsite = Callsite::new("root", SpanKind::Internal, module_path!(), file!(), line!());
static CHILD: Callsite = Callsite::new(
    "child",
    SpanKind::Internal,
    module_path!(),
    file!(),
    line!(),
);
static NEST: Callsite = Callsite::new("nest", SpanKind::Internal, module_path!(), file!(), line!());
static CHILD_ASYNC: Callsite = Callsite::new(
    "child_async",
    SpanKind::Internal,
    module_path!(),
    file!(),
    line!(),
);
static TAG_I64: Callsite = Callsite::new(
    "tag_i64",
    SpanKind::Internal,
    module_path!(),
    file!(),
    line!(),
);
static TAG_STR: Callsite = Callsite::new(
    "tag_str",
    SpanKind::Internal,
    module_path!(),
    file!(),
    line!(),
);

#[inline(never)]
pub fn root_call(x: u64) -> u64 {
    let _span = SpanGuard::enter(&ROOT);
    body(x)
}

#[inline(never)]
pub fn child(x: u64) -> u64 {
    let _span = SpanGuard::enter(&CHILD);
    body(x)
}

#[inline(never)]
pub fn nest(depth: u32) -> u64 {
    let _span = SpanGuard::enter(&NEST);
    if depth == 0 {
        body(1)
    } else {
        nest(depth - 1).wrapping_add(1)
    }
}

pub async fn child_async(x: u64) -> u64 {
    async move { body(x) }
        .in_span(Span::start(&CHILD_ASYNC))
        .await
}

#[inline(never)]
pub fn tag_i64(x: u64) -> u64 {
    let mut span = SpanGuard::enter(&TAG_I64);
    span.set_tag("n", x as i64);
    body(x)
}

#[inline(never)]
pub fn tag_str(x: u64) -> u64 {
    let mut span = SpanGuard::enter(&TAG_STR);
    span.set_tag("db.system", "dynamodb");
    body(x)
}

/// Runs `f` inside a root span, as a request handler would run its children.
#[inline(always)]
fn in_root(f: impl FnOnce() -> u64) -> u64 {
    let _root = SpanGuard::enter(&ROOT);
    body(1).wrapping_add(f())
}

pub fn root() -> u64 {
    root_call(1)
}

crate::support::composed_workloads!();

/// One traced call with no tracer installed (or, under `Sampler::never`, an unsampled root).
pub fn single() -> u64 {
    child(1)
}
