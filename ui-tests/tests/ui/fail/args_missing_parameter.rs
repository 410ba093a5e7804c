use trace_core::traced;

#[traced(args(nope))]
fn f(a: u32, b: u32) -> u32 {
    a + b
}

#[traced(args(x))]
fn g() {}

fn main() {
    f(1, 2);
    g();
}
