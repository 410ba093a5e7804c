#![deny(warnings)]

mod facade {
    pub use trace_core as runtime;
    pub use trace_core::traced;
}

#[facade::traced(crate = crate::facade::runtime, ret)]
fn f() -> u32 {
    1
}

fn main() {
    assert_eq!(f(), 1);
}
