use trace_core::traced;

#[traced(name = "")]
fn f() {}

fn main() {
    f();
}
