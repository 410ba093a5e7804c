use trace_core::traced;

#[traced(args(self))]
fn f(a: u32) -> u32 {
    a
}

fn main() {
    f(1);
}
