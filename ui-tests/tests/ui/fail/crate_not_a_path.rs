use trace_core::traced;

#[traced(crate = 123)]
fn f() {}

fn main() {
    f();
}
