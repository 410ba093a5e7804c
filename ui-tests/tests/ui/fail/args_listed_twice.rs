use trace_core::traced;

#[traced(args(a, b, a))]
fn f(a: u32, b: u32) -> u32 {
    a + b
}

fn main() {
    f(1, 2);
}
