use trace_core::traced;

#[traced]
async fn f() -> u32 {
    "not a number"
}

fn main() {
    drop(f());
}
