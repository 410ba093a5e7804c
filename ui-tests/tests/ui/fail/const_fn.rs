use trace_core::traced;

#[traced]
const fn f() -> u32 {
    1
}

const X: u32 = f();

fn main() {
    let _ = X;
}
