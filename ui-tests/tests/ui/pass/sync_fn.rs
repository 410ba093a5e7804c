#![deny(warnings)]

use trace_core::traced;

#[traced]
fn add(a: u32, b: u32) -> u32 {
    a + b
}

#[traced(name = "named", kind = server, args(a), tags(http.method = "GET", twice = a * 2), root)]
fn everything(a: u32) -> u32 {
    a
}

fn main() {
    assert_eq!(add(1, 2), 3);
    assert_eq!(everything(4), 4);
}
