use trace_core::traced;

#[traced(args(a), tags(a = 1))]
fn f(a: u32) -> u32 {
    a
}

fn main() {
    f(1);
}
