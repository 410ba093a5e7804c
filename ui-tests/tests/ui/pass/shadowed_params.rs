#![deny(warnings)]

use trace_core::traced;

#[traced(args(n), ret)]
fn f(n: u32) -> u32 {
    let n = n + 1;
    let n = n * 2;
    n
}

#[traced(args(s))]
fn g(s: &str) -> usize {
    let s = s.trim();
    s.len()
}

fn main() {
    assert_eq!(f(1), 4);
    assert_eq!(g(" ab "), 2);
}
