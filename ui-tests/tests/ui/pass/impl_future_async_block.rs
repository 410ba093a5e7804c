#![deny(warnings)]

use std::future::Future;

use trace_core::traced;

#[traced(args(n), ret)]
fn later(n: u32) -> impl Future<Output = u32> + Send {
    let base = n + 1;
    async move { base * 10 }
}

#[traced(err)]
fn fallible<'a>(input: &'a str) -> impl Future<Output = Result<u32, String>> + 'a {
    async move {
        let n: u32 = input.parse().map_err(|_| format!("bad: {input}"))?;
        Ok(n)
    }
}

#[traced]
fn borrowing(v: &[u32]) -> impl Future<Output = usize> + '_ {
    async { v.len() }
}

fn main() {
    assert_eq!(ui_tests::block_on(later(1)), 20);
    assert_eq!(ui_tests::block_on(fallible("3")), Ok(3));
    assert_eq!(ui_tests::block_on(fallible("x")), Err("bad: x".to_owned()));
    assert_eq!(ui_tests::block_on(borrowing(&[1, 2])), 2);
}
