//! What `#[traced]` adds to a call when no tracer is installed (the common case for libraries
//! whose users do not trace), next to the same function without the attribute. Also the cost with
//! `args`/`ret`/`err`, and of `trace!` blocks.
//!
//! Run: `cargo bench -p tests --bench macro_overhead`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use trace_core::{trace, traced};

#[inline(never)]
fn plain(a: u64, b: u64) -> u64 {
    a.wrapping_mul(31).wrapping_add(b)
}

#[inline(never)]
#[traced]
fn traced_fn(a: u64, b: u64) -> u64 {
    a.wrapping_mul(31).wrapping_add(b)
}

#[inline(never)]
fn plain_result(a: u64, b: u64) -> Result<u64, String> {
    if a == u64::MAX {
        return Err("overflow".to_owned());
    }
    Ok(a.wrapping_mul(31).wrapping_add(b))
}

#[inline(never)]
#[traced(args(a, b), ret, err)]
fn traced_full(a: u64, b: u64) -> Result<u64, String> {
    if a == u64::MAX {
        return Err("overflow".to_owned());
    }
    Ok(a.wrapping_mul(31).wrapping_add(b))
}

struct Service;

impl Service {
    #[inline(never)]
    #[traced]
    fn method(&self, a: u64) -> u64 {
        a.wrapping_mul(31)
    }
}

#[inline(never)]
fn block(a: u64) -> u64 {
    trace!("block", { a.wrapping_mul(31) })
}

fn no_tracer(c: &mut Criterion) {
    let mut g = c.benchmark_group("no tracer installed");
    g.bench_function("plain fn", |b| b.iter(|| plain(black_box(3), black_box(4))));
    g.bench_function("#[traced] fn", |b| {
        b.iter(|| traced_fn(black_box(3), black_box(4)))
    });
    g.bench_function("plain fn -> Result", |b| {
        b.iter(|| plain_result(black_box(3), black_box(4)))
    });
    g.bench_function("#[traced(args, ret, err)] fn -> Result", |b| {
        b.iter(|| traced_full(black_box(3), black_box(4)))
    });
    g.bench_function("#[traced] method (Type::method name)", |b| {
        b.iter(|| Service.method(black_box(3)))
    });
    g.bench_function("trace!(name, { .. })", |b| b.iter(|| block(black_box(3))));
    g.finish();
}

criterion_group!(benches, no_tracer);
criterion_main!(benches);
