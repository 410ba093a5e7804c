use trace_core::traced;

#[traced(kind = sideways)]
fn f() {}

#[traced(kind = "server")]
fn g() {}

fn main() {
    f();
    g();
}
