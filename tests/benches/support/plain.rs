//! The baseline: the same functions without a span.

use std::hint::black_box;

use crate::support::executor::block_on;

/// The body every traced function shares.
#[inline(always)]
pub fn body(x: u64) -> u64 {
    black_box(x).wrapping_mul(31)
}

#[inline(never)]
pub fn call(x: u64) -> u64 {
    body(x)
}

#[inline(never)]
pub fn nest(depth: u32) -> u64 {
    if depth == 0 {
        body(1)
    } else {
        nest(depth - 1).wrapping_add(1)
    }
}

pub async fn call_async(x: u64) -> u64 {
    body(x)
}

pub fn root() -> u64 {
    call(1)
}

pub fn child100() -> u64 {
    let mut acc = call(1);
    for i in 0..100 {
        acc = acc.wrapping_add(call(i));
    }
    acc
}

pub fn deep10() -> u64 {
    call(1).wrapping_add(nest(9))
}

pub fn async100() -> u64 {
    call(1).wrapping_add(block_on(async {
        let mut acc = 0u64;
        for i in 0..100 {
            acc = acc.wrapping_add(call_async(i).await);
        }
        acc
    }))
}
