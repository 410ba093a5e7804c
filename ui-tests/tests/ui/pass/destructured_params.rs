#![deny(warnings)]

use trace_core::traced;

struct Point {
    x: i32,
    y: i32,
}

#[traced(args(a, x, first))]
fn f((a, _b): (u8, u8), Point { x, y }: Point, [first, ..]: [u32; 3], _: bool) -> i32 {
    i32::from(a) + x + y + first as i32
}

fn main() {
    assert_eq!(f((1, 2), Point { x: 3, y: 4 }, [5, 6, 7], true), 13);
}
