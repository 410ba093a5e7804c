#![deny(warnings)]

use trace_core::traced;

#[traced(kind = server, args(code))]
extern "C" fn callback(code: i32) -> i32 {
    code * 2
}

#[traced]
pub extern "system" fn system(code: i32) -> i32 {
    code
}

fn main() {
    let f: extern "C" fn(i32) -> i32 = callback;
    assert_eq!(f(21), 42);
    assert_eq!(system(1), 1);
}
