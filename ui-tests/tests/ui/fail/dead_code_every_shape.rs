#![deny(dead_code)]

use std::future::Future;

use trace_core::traced;

#[traced]
fn sync_fn() {}

#[traced(err, ret)]
fn with_exits() -> Result<u32, String> {
    Ok(1)
}

#[traced]
async fn async_fn() {}

#[traced]
fn returns_future() -> impl Future<Output = ()> {
    async {}
}

struct S;

impl S {
    #[traced]
    fn method(&self) {}
}

fn main() {
    let _ = S;
}
