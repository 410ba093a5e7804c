use std::future::Future;

use trace_core::traced;

#[traced]
fn f() -> impl Future<Output = u32> {
    std::future::ready(1)
}

fn main() {
    drop(f());
}
