use trace_core::traced;

#[traced(err)]
fn f() -> u32 {
    1
}

#[traced(err)]
async fn g() -> Option<u32> {
    None
}

fn main() {
    f();
    drop(g());
}
